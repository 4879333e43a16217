"""`yorisoi serve` as a real granian server: refuses to run without secrets, survives kill -9 without losing
or repeating an answer, and answers 503 when the disk is full so LINE redelivers."""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import time
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from conversation_support import WORKER_DEADLINE
from fake_line import ACCESS_TOKEN, CHANNEL_SECRET, PUSH_PATH, REPLY_PATH, SECRET_KEY
from serve_support import YORISOI, ServeProcess, answers_per_user, event_statuses, free_port

from bot.config import Settings

QUESTIONS = [
    "児童扶養手当はいくらですか",
    "ひとり親の医療費助成はありますか",
    "母子父子寡婦福祉資金の貸付について",
    "保育園の申し込み方法",
]


def pending_count(data_dir: Path) -> int:
    return list(event_statuses(data_dir).values()).count("pending")


def test_serve_refuses_production_without_secrets(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("LINE_", "YORISOI_"))}
    env["YORISOI_DATA_DIR"] = str(tmp_path)
    result = subprocess.run(
        [YORISOI, "serve", "--port", str(free_port())], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "YORISOI_SECRET_KEY" in result.stderr and "LINE_CHANNEL_SECRET" in result.stderr
    assert "--local" in result.stderr


@pytest.mark.timeout(900)
def test_kill_9_mid_processing_then_restart_answers_every_acknowledged_event_once(
    serve, signed_event, fake_line, data_dir
):
    server = serve()
    assert server.wait_healthy()["status"] == "ok"
    # LINE is slow: replies are taken but answered late, so the kill lands while answers are in flight.
    fake_line.delay_next(REPLY_PATH, seconds=60, count=1000)
    token_owner: dict[str, str] = {}
    users = [f"U{n:032x}" for n in range(8)]
    for n, user in enumerate(users):
        event = signed_event.text(QUESTIONS[n % len(QUESTIONS)], source=signed_event.source(user))
        token_owner[event["replyToken"]] = user
        assert signed_event.post(server.url, event)[0] == 200
    assert fake_line.wait_for(lambda fake: len(fake.calls(REPLY_PATH)) >= 2, timeout=120)
    server.kill()
    assert pending_count(data_dir) > 0

    fake_line.clear_faults()
    restarted = serve()
    restarted.wait_healthy()
    assert fake_line.wait_for(lambda fake: len(answers_per_user(fake, token_owner)) == len(users), 180)
    deadline = time.monotonic() + 120
    while pending_count(data_dir) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert pending_count(data_dir) == 0
    counts = answers_per_user(fake_line, token_owner)
    assert counts == Counter({user: 1 for user in users})
    # Events that never got a reply attempt before the kill were answered after the restart: by reply while
    # their token was fresh, else by push (how fast the restart was decides which), a push with its retry key.
    for call in fake_line.calls(PUSH_PATH):
        assert call.retry_key


def _niceness(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


@pytest.mark.timeout(900)
def test_serve_runs_its_answer_worker_at_a_lower_cpu_priority(serve):
    server = serve()
    server.wait_healthy()
    workers = [
        pid for pid in server.pids() if b"worker" in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    ]
    assert len(workers) == 1
    lowered_by = Settings.__dataclass_fields__["worker_nice"].default
    assert _niceness(workers[0]) == min(19, _niceness(server.process.pid) + lowered_by)


def _web_processes(server: ServeProcess) -> list[int]:
    """The processes that serve HTTP: the master's forked children (the same command line as the master;
    the answer worker and the index builder are started as other commands)."""
    command = Path(f"/proc/{server.process.pid}/cmdline").read_bytes()
    found = []
    for pid in server.pids():
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            if int(stat[1]) == server.process.pid and Path(f"/proc/{pid}/cmdline").read_bytes() == command:
                found.append(pid)
        except (FileNotFoundError, ProcessLookupError):
            continue
    return found


def test_a_web_process_killed_with_9_is_replaced_and_the_webhook_answers_again(
    serve, signed_event, fake_line
):
    server = serve()
    server.wait_healthy()
    [web] = _web_processes(server)
    os.kill(web, signal.SIGKILL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and _web_processes(server) in ([], [web]):
        time.sleep(0.1)
    assert server.process.poll() is None
    assert server.wait_healthy()["status"] == "ok"
    [replacement] = _web_processes(server)
    assert replacement != web
    event = signed_event.text(QUESTIONS[0], source=signed_event.source(f"U{1:032x}"))
    assert signed_event.post(server.url, event)[0] == 200
    assert fake_line.wait_for(lambda fake: len(fake.delivered()) >= 1, timeout=300)


@pytest.mark.timeout(900)
def test_serve_local_answers_in_its_emulator_through_its_answer_worker(knowledge_index, tmp_path):
    """`make run`: `serve --local` starts a worker that must read local mode too (a flag of `serve`)."""
    data_dir = tmp_path / "local"
    data_dir.mkdir()
    shutil.copytree(knowledge_index, data_dir / "index")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("LINE_", "YORISOI_"))}
    env["YORISOI_DATA_DIR"] = str(data_dir)
    server = ServeProcess(env, tmp_path / "local.log", ["--local"])
    url, process = server.url, server.process
    user = "U" + "c" * 32
    try:
        deadline = time.monotonic() + 600
        sent = False
        entries: list[dict] = []
        while time.monotonic() < deadline:
            assert process.poll() is None, "yorisoi serve --local exited"
            try:
                if not sent:
                    body = json.dumps(
                        {"user": user, "kind": "text", "text": "児童扶養手当はいくら？"}
                    ).encode()
                    request = urllib.request.Request(
                        f"{url}/emulator/send", body, {"Content-Type": "application/json"}
                    )
                    with urllib.request.urlopen(request, timeout=30) as response:
                        sent = json.loads(response.read())["callback_status"] == 200
                with urllib.request.urlopen(f"{url}/emulator/messages?user={user}", timeout=30) as response:
                    entries = json.loads(response.read())["entries"]
            except OSError:
                pass
            if any(entry["from"] == "bot" for entry in entries):
                break
            time.sleep(0.5)
        assert any("児童扶養手当" in (entry["message"].get("text") or "") for entry in entries), entries
    finally:
        server.stop()


@pytest.mark.timeout(900)
def test_disk_full_answers_503_and_the_redelivery_is_answered(serve, signed_event, fake_line, data_dir):
    server = serve()
    server.wait_healthy()
    event = signed_event.text(QUESTIONS[0])
    # No file of the server may grow by one more byte: SQLite gets EFBIG, as on a full disk.
    for pid in server.pids():
        resource.prlimit(pid, resource.RLIMIT_FSIZE, (1, resource.RLIM_INFINITY))
    status, text = signed_event.post(server.url, event)
    assert status == 503, text
    for pid in server.pids():
        resource.prlimit(pid, resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    redelivered = {**event, "deliveryContext": {"isRedelivery": True}}
    assert signed_event.post(server.url, redelivered)[0] == 200
    assert fake_line.wait_for(lambda fake: len(fake.delivered()) == 1, timeout=120)


def test_backup_copies_the_live_database(
    plumbing_app, live_server_for, signed_event, fake_line, data_dir, tmp_path
):
    from click.testing import CliRunner

    from bot.cli import cli

    server = live_server_for(plumbing_app())
    for n in range(3):
        signed_event.post(server.url, signed_event.text(f"質問{n}"))
    assert server.core.worker.queue.wait_idle(WORKER_DEADLINE)
    target = tmp_path / "backups"
    target.mkdir()
    result = CliRunner().invoke(cli, ["backup", str(target)], env={"YORISOI_DATA_DIR": str(data_dir)})
    assert result.exit_code == 0, result.output
    [copy] = target.glob("yorisoi-*.db")
    assert oct(copy.stat().st_mode & 0o777) == "0o600"
    with sqlite3.connect(copy) as db:
        assert db.execute("SELECT count(*) FROM bot_events WHERE status = 'done'").fetchone()[0] == 3


def test_backup_without_a_database_says_where_it_looked(tmp_path):
    from click.testing import CliRunner

    from bot.cli import cli

    result = CliRunner().invoke(
        cli, ["backup", str(tmp_path / "x.db")], env={"YORISOI_DATA_DIR": str(tmp_path)}
    )
    assert result.exit_code != 0
    assert "YORISOI_DATA_DIR" in result.output


def test_serve_refuses_a_short_secret_key(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("LINE_", "YORISOI_"))}
    env.update(
        YORISOI_DATA_DIR=str(tmp_path),
        YORISOI_SECRET_KEY="short",
        LINE_CHANNEL_SECRET=CHANNEL_SECRET,
        LINE_CHANNEL_ACCESS_TOKEN=ACCESS_TOKEN,
    )
    result = subprocess.run(
        [YORISOI, "serve", "--port", str(free_port())], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "YORISOI_SECRET_KEY is shorter" in result.stderr


def test_create_app_refuses_production_without_secrets(tmp_path):
    from bot.app import create_app
    from bot.config import ConfigurationError, Settings

    with pytest.raises(ConfigurationError, match="LINE_CHANNEL_ACCESS_TOKEN"):
        create_app(Settings(data_dir=tmp_path, secret_key=SECRET_KEY, channel_secret=CHANNEL_SECRET))


def test_local_mode_makes_its_secrets_and_talks_to_its_own_emulator(plumbing_app, data_dir):
    from bot.config import LINE_API_DEFAULT

    app = plumbing_app(
        local_mode=True,
        testing=False,
        channel_secret="",
        channel_access_token="",
        secret_key="",
        line_api_base_url=LINE_API_DEFAULT,
        port=8123,
    )
    settings = app.extensions["yorisoi"].settings
    assert settings.line_api_base_url == "http://127.0.0.1:8123/emulator"
    for name in ("local-channel-secret", "secret.key"):
        assert oct((data_dir / name).stat().st_mode & 0o777) == "0o600"
    assert settings.channel_secret == (data_dir / "local-channel-secret").read_text().strip()
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SESSION_COOKIE_SECURE"] is False
    client = app.test_client()
    assert client.get("/").status_code == 200
    assert client.get("/counselor/", follow_redirects=False).status_code in {200, 302}
    # A restart reads the same secrets, so sealed data stays readable.
    again = plumbing_app(
        local_mode=True,
        channel_secret="",
        channel_access_token="",
        secret_key="",
        line_api_base_url=LINE_API_DEFAULT,
    )
    assert again.extensions["yorisoi"].settings.secret_key == settings.secret_key


def test_production_cookies_are_secure(plumbing_app):
    app = plumbing_app(testing=False)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SECRET_KEY"] and app.config["SECRET_KEY"] != SECRET_KEY
