"""The handoff CLI contract: `yorisoi counselor add`, `yorisoi threads [--json]`, `yorisoi purge`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.commands import handoff_commands
from bot.database import open_database
from handoff import CounselorAccounts, ResidentIdentity, ThreadStore, generate_secret_key


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli-data"
    monkeypatch.setenv("YORISOI_DATA_DIR", str(path))
    monkeypatch.setenv("YORISOI_RETENTION_DAYS", "30")
    return path


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def seeded_store(data_dir: Path) -> tuple[ThreadStore, ResidentIdentity]:
    identity = ResidentIdentity(generate_secret_key())
    return ThreadStore(open_database(data_dir), identity), identity


def open_for(store: ThreadStore, identity: ResidentIdentity, line_id: str, **kwargs):
    return store.open(
        identity.user_key(line_id), identity.seal(line_id), kwargs.pop("reason", "request"), **kwargs
    )


def test_counselor_add_reads_the_password_from_stdin(runner: CliRunner, data_dir: Path) -> None:
    result = runner.invoke(cli, ["counselor", "add", "鈴木"], input="a-long-password\n")
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["counselor", "add", "admin", "--admin"], input="admin-password\n")
    assert result.exit_code == 0 and "admin" in result.output
    accounts = CounselorAccounts(open_database(data_dir))
    assert accounts.verify("鈴木", "a-long-password").role == "counselor"
    assert accounts.verify("admin", "admin-password").is_admin
    listing = runner.invoke(cli, ["counselor", "list"])
    assert "鈴木\tcounselor\tactive" in listing.output


def test_counselor_add_refuses_bad_input_clearly(runner: CliRunner, data_dir: Path) -> None:
    short = runner.invoke(cli, ["counselor", "add", "sato"], input="short\n")
    assert short.exit_code != 0 and "at least 8" in short.output
    runner.invoke(cli, ["counselor", "add", "sato"], input="long-enough\n")
    twice = runner.invoke(cli, ["counselor", "add", "sato"], input="long-enough\n")
    assert twice.exit_code != 0 and "already exists" in twice.output
    reset = runner.invoke(cli, ["counselor", "reset-password", "sato"], input="another-password\n")
    assert reset.exit_code == 0
    assert CounselorAccounts(open_database(data_dir)).verify("sato", "another-password") is not None


def test_threads_table_and_json(runner: CliRunner, data_dir: Path) -> None:
    store, identity = seeded_store(data_dir)
    calm = open_for(store, identity, "U" + "1" * 32, urgent=False)
    store.append(calm.id, "resident", "こんにちは")
    store.append(calm.id, "bot", "相談員に届けました")
    urgent = open_for(store, identity, "U" + "2" * 32, reason="crisis", urgent=True, categories=["dv"])

    result = runner.invoke(cli, ["threads", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [row["id"] for row in rows] == [urgent.id, calm.id]
    assert set(rows[0]) == {"id", "status", "urgent", "created_at", "last_message_at", "message_count"}
    assert rows[0]["urgent"] is True and rows[1]["urgent"] is False
    assert rows[1]["message_count"] == 2 and rows[1]["status"] == "waiting"
    assert datetime.fromisoformat(rows[1]["created_at"]).utcoffset() == timedelta(hours=9)

    table = runner.invoke(cli, ["threads"]).output.splitlines()
    assert table[0].split() == ["id", "status", "urgent", "created_at", "last_message_at", "message_count"]
    assert table[1].split()[:3] == [str(urgent.id), "waiting", "yes"]
    assert table[2].split()[:3] == [str(calm.id), "waiting", "no"] and table[2].split()[-1] == "2"

    store.resolve(calm.id, "suzuki")
    only_open = json.loads(runner.invoke(cli, ["threads", "--json", "--status", "waiting"]).output)
    assert [row["id"] for row in only_open] == [urgent.id]


def test_threads_on_an_empty_database(runner: CliRunner, data_dir: Path) -> None:
    assert json.loads(runner.invoke(cli, ["threads", "--json"]).output) == []


def test_purge_runs_retention_and_prints_counts(runner: CliRunner, data_dir: Path) -> None:
    store, identity = seeded_store(data_dir)
    long_ago = datetime.now(UTC) - timedelta(days=45)
    old = open_for(store, identity, "U" + "3" * 32, urgent=False, now=long_ago)
    store.append(old.id, "resident", "古い相談", now=long_ago)
    store.resolve(old.id, "suzuki", now=long_ago)
    fresh = open_for(store, identity, "U" + "4" * 32, urgent=False)
    store.resolve(fresh.id, "suzuki")

    result = runner.invoke(cli, ["purge"])
    assert result.exit_code == 0, result.output
    assert "retention: 30 days" in result.output
    assert "handoff_threads: 1" in result.output and "handoff_messages: 1" in result.output
    assert [t.id for t in store.list()] == [fresh.id]
    assert "handoff_threads: 1" in runner.invoke(cli, ["purge", "--days", "0"]).output


def test_other_packages_add_retention_jobs(runner: CliRunner, data_dir: Path, monkeypatch) -> None:
    monkeypatch.setattr(handoff_commands, "RETENTION_JOBS", list(handoff_commands.RETENTION_JOBS))
    seen: list[int] = []

    @handoff_commands.register_retention_job
    def purge_elsewhere(settings, db, now):
        seen.append(settings.retention_days)
        return {"intents_dialogues": 3}

    result = runner.invoke(cli, ["purge"])
    assert "intents_dialogues: 3" in result.output and "handoff_threads: 0" in result.output
    assert seen == [30]


def test_secret_key_prints_a_usable_key(runner: CliRunner) -> None:
    key = runner.invoke(cli, ["secret-key"]).output.strip()
    assert len(key) >= 40
    ResidentIdentity(key)
