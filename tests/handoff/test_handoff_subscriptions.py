"""The notice tables at rest: subscriptions kept until the resident stops, blocks or deletes (never by the
retention job), runs claimed once, recipients forgotten with the resident, and purged a week after a run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from fake_line import SECRET_KEY
from postgres import BOTH_BACKENDS

from bot.cli import cli
from bot.commands.handoff_commands import run_retention
from bot.config import Settings
from bot.database import open_database
from handoff import AuditLog, ResidentIdentity
from handoff.subscriptions import (
    RECIPIENTS_TABLE,
    SUBSCRIPTIONS_TABLE,
    LostClaim,
    NoticeRuns,
    Subscriptions,
)

pytestmark = BOTH_BACKENDS

NOW = datetime(2026, 7, 20, 1, 0, tzinfo=UTC)
LEASE = timedelta(minutes=2)


@pytest.fixture
def db(tmp_path, database_url):
    return open_database(tmp_path, url=database_url)


@pytest.fixture
def identity() -> ResidentIdentity:
    return ResidentIdentity(SECRET_KEY)


@pytest.fixture
def stores(db):
    clock = [NOW]
    subscriptions = Subscriptions(db, clock=lambda: clock[0])
    runs = NoticeRuns(db, AuditLog(db), clock=lambda: clock[0])
    return subscriptions, runs, clock


def residents(identity: ResidentIdentity, count: int) -> list[tuple[str, str]]:
    return [(identity.user_key(f"U{n:032x}"), identity.seal(f"U{n:032x}")) for n in range(count)]


def count(db, table: str) -> int:
    return int(db.one(f"SELECT COUNT(*) AS n FROM {table}")["n"])


def test_subscribe_is_idempotent_and_stop_names_what_was_stopped(stores, identity):
    subscriptions, _, _ = stores
    [(key, ref)] = residents(identity, 1)
    assert subscriptions.subscribe(key, ref, "loans") is True
    assert subscriptions.subscribe(key, ref, "loans") is False
    subscriptions.subscribe(key, ref, "events")
    assert subscriptions.topics_of(key) == ["events", "loans"]
    assert subscriptions.count("loans") == 1
    assert subscriptions.unsubscribe(key, ["genkyo_todoke"]) == []
    assert subscriptions.unsubscribe(key, ["loans"]) == ["loans"]
    assert subscriptions.unsubscribe(key) == ["events"]
    assert subscriptions.topics_of(key) == []


def test_a_run_is_claimed_by_one_node_and_taken_over_only_after_its_lease(stores, identity):
    subscriptions, runs, clock = stores
    for key, ref in residents(identity, 3):
        subscriptions.subscribe(key, ref, "loans")
    run = runs.create("loans", "募集が始まりました。", NOW + timedelta(hours=1), "kanri")
    assert runs.claim_due("a", LEASE) is None  # not due yet
    clock[0] = NOW + timedelta(hours=1)
    claimed = runs.claim_due("a", LEASE)
    assert claimed is not None and claimed.status == "sending" and claimed.targeted == 3
    assert runs.claim_due("b", LEASE) is None
    clock[0] += LEASE + timedelta(seconds=1)
    taken = runs.claim_due("b", LEASE)
    assert taken is not None and taken.targeted == 3  # the recipients were fixed once
    assert count(runs._db, RECIPIENTS_TABLE) == 3
    with pytest.raises(LostClaim):
        runs.renew(run.id, "a", LEASE)
    with pytest.raises(LostClaim):
        runs.finish(run.id, "a", "done")


def test_cancel_only_before_sending_and_resume_only_after_a_stop(stores):
    _, runs, _ = stores
    run = runs.create("loans", "x", NOW + timedelta(days=1), "kanri")
    assert runs.resume(run.id, "kanri") is False
    assert runs.cancel(run.id, "kanri") is True
    assert runs.cancel(run.id, "kanri") is False
    assert runs.get(run.id).status == "cancelled"
    started = runs.create("loans", "y", NOW, "kanri")
    assert runs.claim_due("a", LEASE).id == started.id
    assert runs.cancel(started.id, "kanri") is False
    runs.finish(started.id, "a", "stopped", "monthly_limit")
    assert runs.resume(started.id, "kanri") is True
    assert runs.get(started.id).status == "scheduled"


def test_forget_deletes_subscriptions_and_recipient_rows_and_counts_the_skip(db, stores, identity):
    subscriptions, runs, _ = stores
    people = residents(identity, 2)
    for key, ref in people:
        subscriptions.subscribe(key, ref, "genkyo_todoke")
    run = runs.create("genkyo_todoke", "現況届の時期です。", NOW, "kanri")
    runs.claim_due("a", LEASE)
    gone, stays = people
    subscriptions.forget(gone[0])
    runs.forget(gone[0])
    assert subscriptions.topics_of(gone[0]) == [] and subscriptions.topics_of(stays[0]) == ["genkyo_todoke"]
    assert [r.user_key for r in runs.unfinished(run.id)] == [stays[0]]
    assert runs.recipient_retry_keys(gone[0]) == []
    assert runs.get(run.id).skipped == 1
    for table in (SUBSCRIPTIONS_TABLE, RECIPIENTS_TABLE):
        assert db.query(f"SELECT * FROM {table} WHERE user_key = ?", [gone[0]]) == []


def test_the_retention_job_keeps_subscriptions_and_purges_recipients_a_week_after_a_run(
    db, stores, identity, tmp_path
):
    subscriptions, runs, _ = stores
    for key, ref in residents(identity, 2):
        subscriptions.subscribe(key, ref, "events")
    done = runs.create("events", "講習会のご案内です。", NOW, "kanri")
    runs.claim_due("a", LEASE)
    runs.finish(done.id, "a", "done")
    stopped = runs.create("events", "相談会のご案内です。", NOW, "kanri")
    runs.claim_due("a", LEASE)
    runs.finish(stopped.id, "a", "stopped", "monthly_limit")
    assert count(db, RECIPIENTS_TABLE) == 4
    settings = Settings(data_dir=tmp_path, retention_days=90)
    # A year later: the thread retention job and every other job leave subscriptions alone.
    later = NOW + timedelta(days=365)
    counts = run_retention(settings, db, now=later)
    assert counts[RECIPIENTS_TABLE] == 2
    assert count(db, SUBSCRIPTIONS_TABLE) == 2
    # A stopped run keeps its recipients so it can be resumed.
    assert {row["run_id"] for row in db.query(f"SELECT run_id FROM {RECIPIENTS_TABLE}")} == {stopped.id}
    assert runs.get(done.id).sent == 0 and runs.get(done.id).status == "done"


def test_yorisoi_notices_lists_runs_and_subscribers(
    db, stores, identity, tmp_path, monkeypatch, database_url
):
    subscriptions, runs, _ = stores
    for key, ref in residents(identity, 3):
        subscriptions.subscribe(key, ref, "genkyo_todoke")
    runs.create("genkyo_todoke", "現況届の受付が始まりました。", NOW, "kanri")
    monkeypatch.setenv("YORISOI_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("YORISOI_DATABASE_URL", database_url)
    result = CliRunner().invoke(cli, ["notices"])
    assert result.exit_code == 0, result.output
    assert "genkyo_todoke       3  児童扶養手当の現況届" in result.output
    assert "#1    genkyo_todoke  2026-07-20 10:00  scheduled" in result.output
    as_json = CliRunner().invoke(cli, ["notices", "--json"])
    assert '"genkyo_todoke": 3' in as_json.output
