"""Answer workers as their own processes, on SQLite and on PostgreSQL: claims under a lease take each chat's
oldest event only, flagged chats first; an expired lease is taken over; and two web nodes with two worker
processes, one killed with -9 mid-run, answer every event exactly once, each chat in its order."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fake_line import SECRET_KEY
from postgres import BOTH_BACKENDS

from bot.database import open_database
from bot.events import EventStore
from handoff import ResidentIdentity

pytestmark = BOTH_BACKENDS
GENEROUS = 300.0
TESTS = Path(__file__).resolve().parents[1]


def user(n: int) -> str:
    return f"U{n:032x}"


@pytest.fixture
def events(data_dir: Path, database_url: str):
    db = open_database(data_dir, url=database_url)
    yield EventStore(db, ResidentIdentity(SECRET_KEY))
    if db.backend == "postgresql":
        db.close()


def test_a_claim_takes_the_oldest_event_of_a_free_chat_flagged_chats_first(events, signed_event):
    a1, b1, a2, c1 = (
        signed_event.text(text, source=signed_event.source(user(n)))
        for n, text in [(1, "a1"), (2, "b1"), (1, "a2"), (3, "c1")]
    )
    events.accept([a1, b1], urgent=())
    events.accept([a2, c1], urgent={a2["webhookEventId"]})
    first = events.claim("w1", 60)
    assert (first.event_id, first.urgent, first.taken_over) == (a1["webhookEventId"], False, False)
    # Chat 1 is held: its flagged a2 waits for a1; the others go in arrival order.
    assert events.claim("w2", 60).event_id == b1["webhookEventId"]
    assert events.claim("w2", 60).event_id == c1["webhookEventId"]
    assert events.claim("w2", 60) is None
    events.finish(a1["webhookEventId"], "done")
    second = events.claim("w2", 60)
    assert (second.event_id, second.urgent) == (a2["webhookEventId"], True)


def test_an_expired_lease_is_taken_over_and_a_renewed_one_is_not(events, signed_event):
    held, renewed = (
        signed_event.text(t, source=signed_event.source(user(n))) for n, t in [(1, "x"), (2, "y")]
    )
    events.accept([held, renewed])
    assert events.claim("dead", 1).event_id == held["webhookEventId"]
    assert events.claim("alive", 1).event_id == renewed["webhookEventId"]
    assert events.renew("alive", [renewed["webhookEventId"]], 600) == 1
    later = datetime.now(UTC) + timedelta(seconds=5)
    taken = events.claim("other", 60, now=later)
    assert (taken.event_id, taken.taken_over) == (held["webhookEventId"], True)
    assert events.claim("other", 60, now=later) is None
    assert events.backlog() == 2


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(TESTS / "worker_process.py"), "2"],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


@pytest.mark.timeout(900)
def test_two_web_nodes_two_workers_one_killed_every_event_answered_once_in_order(
    make_app, live_server_for, signed_event, fake_line, settings_for, tmp_path
):
    settings = settings_for(worker_mode="process", worker_lease=3.0)
    nodes = [live_server_for(make_app(worker_mode="process")) for _ in range(2)]
    assert all(node.core.role == "web" for node in nodes)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("LINE_", "YORISOI_"))}
    env.update(
        PYTHONPATH=os.pathsep.join([str(TESTS.parent), str(TESTS)]),
        YORISOI_DATA_DIR=str(settings.data_dir),
        YORISOI_DATABASE_URL=settings.database_url,
        YORISOI_SECRET_KEY=settings.secret_key,
        LINE_CHANNEL_SECRET=settings.channel_secret,
        LINE_CHANNEL_ACCESS_TOKEN=settings.channel_access_token,
        LINE_API_BASE_URL=fake_line.base_url,
        YORISOI_WORKER_LEASE="3",
    )
    workers = [_worker(env, tmp_path / f"worker{n}.log") for n in range(2)]
    chats, per_chat = 20, 20
    try:
        for number in range(per_chat):
            for chat in range(chats):
                node = nodes[(number + chat) % 2]
                event = signed_event.text(f"質問{chat}-{number}", source=signed_event.source(user(chat)))
                assert signed_event.post(node.url, event)[0] == 200
            if number == per_chat // 4:
                assert fake_line.wait_for(lambda fake: len(fake.delivered()) >= 20, timeout=GENEROUS)
                os.killpg(workers[0].pid, signal.SIGKILL)  # mid-run, events in hand
                workers[0].wait(30)
        total = chats * per_chat
        assert fake_line.wait_for(lambda fake: len(fake.delivered()) >= total, timeout=GENEROUS)
        deadline = time.monotonic() + GENEROUS
        while nodes[0].core.stores.events.backlog() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert nodes[0].core.stores.events.backlog() == 0
    finally:
        for process in workers:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(60)
    texts = [call.texts[0].removeprefix("message:質問") for call in fake_line.delivered()]
    assert len(texts) == total and len(set(texts)) == total  # every event answered, none twice
    by_chat: dict[str, list[int]] = {}
    for text in texts:
        chat, number = text.split("-")
        by_chat.setdefault(chat, []).append(int(number))
    assert by_chat == {str(chat): list(range(per_chat)) for chat in range(chats)}
    assert Counter(len(numbers) for numbers in by_chat.values()) == Counter({per_chat: chats})
