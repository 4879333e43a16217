"""A notice to 500 subscribed residents through the fake LINE API with `yorisoi serve` killed -9 halfway and
restarted as two nodes on the same database, then LINE's monthly limit reached halfway through the rest:
every subscriber gets the notice exactly once; residents who stopped, blocked the bot or deleted their data
get nothing; the quota refusal stops the run with the count sent, and resuming it sends the rest.

Nothing here depends on speed: the fake LINE API holds the notice push after the 200th until the server is
dead (that push is then accepted, as LINE does with a request whose answer never got back), and every wait
is a condition with a generous deadline.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fake_line import ACCESS_TOKEN, PUSH_PATH, FakeLine, LineEvents
from serve_support import event_statuses

import handoff
from bot.database import open_database
from handoff import AuditLog, ResidentIdentity
from handoff.subscriptions import NoticeRuns, Subscriptions

SUBSCRIBERS = 500
BY_MESSAGE = 10  # of the 500, these subscribe by writing to the bot; the rest are already subscribed
GATE_AFTER = 200
QUOTA_MORE = 150
TOPIC = "genkyo_todoke"
BODY = "児童扶養手当の現況届は8月1日から31日までに出してください。詳しくはお住まいの市区町村の窓口へ。"


class GatedLine(FakeLine):
    """The fake LINE API, holding every notice push after the first `gate_after` until `open_gate`."""

    def __init__(self, access_token: str | None = None) -> None:
        super().__init__(access_token)
        self.gate_after: int | None = None
        self.notices_seen = 0
        self.held = 0
        self._gate = threading.Event()

    def open_gate(self) -> None:
        self.gate_after = None
        self._gate.set()

    def _handle(
        self, method: str, path: str, headers: dict[str, str], raw: bytes
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        hold = False
        if path.split("?")[0] == PUSH_PATH and b"altText" in raw:
            with self._changed:
                self.notices_seen += 1
                hold = self.gate_after is not None and self.notices_seen > self.gate_after
                if hold:
                    self.held += 1
                    self._changed.notify_all()
        if hold:
            self._gate.wait(600)
        return super()._handle(method, path, headers, raw)


@pytest.fixture
def fake_line() -> Iterator[GatedLine]:
    """Replaces the plain fake for this module: `serve_env` points `yorisoi serve` at this one."""
    fake = GatedLine(access_token=ACCESS_TOKEN).start()
    yield fake
    fake.stop()


def notice_pushes(fake: FakeLine, status: int | None = 200) -> list[Any]:
    return [
        call
        for call in fake.calls(PUSH_PATH, status=status)
        if call.texts and call.body["messages"][0].get("altText")
    ]


def run_row(data_dir: Path) -> dict[str, Any]:
    with sqlite3.connect(f"file:{data_dir / 'yorisoi.db'}?mode=ro", uri=True, timeout=30) as db:
        db.row_factory = sqlite3.Row
        return dict(db.execute("SELECT * FROM handoff_notice_runs").fetchone())


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"waited {timeout:.0f} s for {what}"
        time.sleep(0.2)


def post_all(builder: LineEvents, url: str, events: list[dict]) -> None:
    for event in events:
        deadline = time.monotonic() + 300
        while builder.post(url, event)[0] != 200:
            assert time.monotonic() < deadline, "the server never acknowledged an event"
            time.sleep(0.5)


def test_kill_9_halfway_then_the_monthly_limit_every_subscriber_gets_the_notice_once(
    serve, serve_env, fake_line, data_dir, settings_for
):
    settings = settings_for()
    serve_env.update(
        YORISOI_NOTICE_POLL_SECONDS="0.3",
        YORISOI_NOTICE_LEASE_SECONDS="2",
        YORISOI_NOTICE_RATE="200",
    )
    identity = ResidentIdentity(settings.secret_key)
    db = open_database(data_dir, timeout=30)
    subscriptions, runs = Subscriptions(db), NoticeRuns(db, AuditLog(db))
    people = [f"U{n:032x}" for n in range(SUBSCRIBERS + 30)]
    subscribers, leaving = people[:SUBSCRIBERS], people[SUBSCRIBERS:]
    stopped, blocked, deleted = leaving[:10], leaving[10:20], leaving[20:]
    for line_id in [*subscribers[BY_MESSAGE:], *leaving]:
        subscriptions.subscribe(identity.user_key(line_id), identity.seal(line_id), TOPIC)
    for line_id in leaving:  # also on another topic: blocking and deleting end every subscription
        subscriptions.subscribe(identity.user_key(line_id), identity.seal(line_id), "loans")

    fake_line.gate_after = GATE_AFTER
    first = serve()
    first.wait_healthy(600)
    builder = LineEvents(settings.channel_secret)
    events = [
        builder.text("現況届の時期になったら教えて", source=builder.source(u))
        for u in subscribers[:BY_MESSAGE]
    ]
    events += [builder.text("お知らせを止めて", source=builder.source(u)) for u in stopped]
    events += [builder.unfollow(source=builder.source(u)) for u in blocked]
    events += [builder.postback(handoff.DELETE_CONFIRM_POSTBACK, source=builder.source(u)) for u in deleted]
    post_all(builder, first.url, events)
    wait_until(
        lambda: (
            set(event_statuses(data_dir).values()) == {"done"}
            and len(event_statuses(data_dir)) == len(events)
        ),
        600,
        "the residents' messages to be answered",
    )
    for line_id in subscribers:
        assert subscriptions.topics_of(identity.user_key(line_id)) == [TOPIC]
    for line_id in leaving:
        assert subscriptions.topics_of(identity.user_key(line_id)) == []
    assert subscriptions.count(TOPIC) == SUBSCRIBERS

    run = runs.create(TOPIC, BODY, datetime.now(UTC), "kanri")
    assert fake_line.wait_for(lambda fake: fake.held >= 1, 600), "the run never got halfway"
    first.kill()
    fake_line.open_gate()  # the push in flight at the kill reaches LINE; its answer reaches nobody
    assert fake_line.wait_for(lambda fake: len(notice_pushes(fake)) == GATE_AFTER + fake.held, 60)
    halfway = len(notice_pushes(fake_line))
    assert GATE_AFTER < halfway < SUBSCRIBERS
    assert run_row(data_dir)["status"] == "sending"

    # LINE's monthly limit is reached partway through the rest. Two server nodes now share the database:
    # one takes the run over once the dead node's lease has run out, the other finds it claimed.
    fake_line.set_quota(fake_line.quota_usage + QUOTA_MORE)
    second, third = serve(), serve()
    second.wait_healthy(600)
    third.wait_healthy(600)
    wait_until(lambda: run_row(data_dir)["status"] == "stopped", 600, "the run to stop at the monthly limit")
    row = run_row(data_dir)
    assert row["stop_reason"] == "monthly_limit"
    delivered = Counter(call.body["to"] for call in notice_pushes(fake_line))
    assert row["sent"] == len(delivered) == halfway + QUOTA_MORE
    assert set(delivered.values()) == {1}
    assert fake_line.calls(PUSH_PATH, status=429)
    audit = [e for e in AuditLog(db).entries() if e.action == "notice_stopped"]
    assert audit and f"sent={row['sent']}" in audit[0].detail

    # The admin raises the limit and resumes the run: the rest goes out, still once each.
    fake_line.set_quota(None)
    assert runs.resume(run.id, "kanri")
    wait_until(lambda: run_row(data_dir)["status"] == "done", 600, "the resumed run to finish")
    time.sleep(1.0)  # room for a duplicate to show up
    row = run_row(data_dir)
    delivered = Counter(call.body["to"] for call in notice_pushes(fake_line))
    assert delivered == Counter({line_id: 1 for line_id in subscribers})
    assert (row["targeted"], row["sent"], row["failed"], row["skipped"]) == (SUBSCRIBERS, SUBSCRIBERS, 0, 0)
    # The push whose answer was lost at the kill went again under its retry key; LINE refused the copy.
    assert fake_line.calls(PUSH_PATH, status=409)
    keys = [call.retry_key for call in notice_pushes(fake_line)]
    assert len(set(keys)) == SUBSCRIBERS
    # Each notice opens with the neutral line.
    assert {call.body["messages"][0]["altText"] for call in notice_pushes(fake_line)} == {
        "寄り添いからのお知らせ"
    }
    db.close()
