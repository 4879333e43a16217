"""Notice runs through the outbox to the fake LINE API: exactly once per subscriber, with two nodes, after a
crash, up to LINE's monthly limit and on again after it; throttled by a token bucket."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from fake_line import PUSH_PATH
from postgres import BOTH_BACKENDS

from bot.notices import STOP_QUOTA, NoticeSender, TokenBucket, notice_messages
from handoff import messages as handoff_messages

pytestmark = BOTH_BACKENDS

TOPIC = "genkyo_todoke"
BODY = "児童扶養手当の現況届の受付が8月1日から始まります。"


def user(n: int) -> str:
    return f"U{n:032x}"


@pytest.fixture
def core(plumbing_app, live_server_for):
    # The app's own loop would look for due runs only in an hour: each test drives its senders itself.
    return live_server_for(plumbing_app(notice_poll=3600.0)).core


def subscribe(core, users: list[str], topic: str = TOPIC) -> None:
    identity = core.stores.identity
    for line_id in users:
        core.stores.subscriptions.subscribe(identity.user_key(line_id), identity.seal(line_id), topic)


def sender(core, node: str = "", lease: float = 60.0) -> NoticeSender:
    return NoticeSender(
        core.stores.db,
        core.stores.notice_runs,
        core.stores.outbox,
        core.delivery,
        rate=10_000,
        lease=timedelta(seconds=lease),
        attempts=3,
        node=node or uuid.uuid4().hex,
    )


def schedule(core, topic: str = TOPIC, when: datetime | None = None):
    return core.stores.notice_runs.create(topic, BODY, when or datetime.now(UTC), "kanri")


def pushed_to(fake_line) -> Counter:
    return Counter(call.body["to"] for call in fake_line.calls(PUSH_PATH, status=200))


def test_a_run_reaches_every_subscriber_once_with_the_neutral_first_line(core, fake_line):
    subscribers = [user(n) for n in range(12)]
    subscribe(core, subscribers)
    subscribe(core, [user(100)], topic="loans")
    run = schedule(core)
    ended = sender(core).run_due()
    assert ended is not None and ended.id == run.id
    assert (ended.status, ended.targeted, ended.sent, ended.failed, ended.skipped) == ("done", 12, 12, 0, 0)
    assert pushed_to(fake_line) == Counter({line_id: 1 for line_id in subscribers})
    calls = fake_line.calls(PUSH_PATH)
    assert len({call.retry_key for call in calls}) == 12 and all(uuid.UUID(c.retry_key) for c in calls)
    [message] = calls[0].body["messages"]
    assert message["type"] == "flex" and message["altText"] == "寄り添いからのお知らせ"
    first = message["contents"]["body"]["contents"][0]["text"]
    assert first == handoff_messages.NOTICE_HEADING
    # Nothing is due any more, and the outbox holds one delivered batch per subscriber.
    assert sender(core).run_due() is None
    rows = core.stores.db.query("SELECT status FROM bot_outbox WHERE kind = 'notice'")
    assert [row["status"] for row in rows] == ["delivered"] * 12
    actions = [entry.action for entry in core.stores.audit.entries()]
    assert {"notice_schedule", "notice_start", "notice_done"} <= set(actions)


def test_a_run_waits_for_its_time(core, fake_line):
    subscribe(core, [user(1)])
    schedule(core, when=datetime.now(UTC) + timedelta(hours=1))
    assert sender(core).run_due() is None
    assert fake_line.calls(PUSH_PATH) == []


def test_two_nodes_send_a_run_once(core, fake_line):
    subscribers = [user(n) for n in range(40)]
    subscribe(core, subscribers)
    schedule(core)
    senders = [sender(core, node="node-a"), sender(core, node="node-b")]
    start = threading.Barrier(2)
    results: list = []

    def go(node: NoticeSender) -> None:
        start.wait()
        results.append(node.run_due())

    threads = [threading.Thread(target=go, args=(node,)) for node in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    finished = [result for result in results if result is not None]
    assert len(finished) == 1 and finished[0].sent == 40
    assert pushed_to(fake_line) == Counter({line_id: 1 for line_id in subscribers})


def test_a_node_killed_mid_run_is_taken_over_and_nobody_gets_it_twice(core, fake_line):
    """The dead node claimed three recipients with their outbox batches: one never pushed, one pushed and
    accepted by LINE but not settled. The next node resends both under their retry keys."""
    subscribers = [user(n) for n in range(10)]
    subscribe(core, subscribers)
    run = schedule(core)
    runs, outbox = core.stores.notice_runs, core.stores.outbox
    dead = sender(core, node="dead", lease=0.0)
    claimed = runs.claim_due("dead", timedelta(seconds=0))
    assert claimed is not None
    messages = notice_messages(BODY)
    first, second = runs.unfinished(run.id, 2)
    for recipient in (first, second):
        with core.stores.db.atomic():
            assert runs.claim_recipient(claimed, recipient.user_key, "dead", timedelta(seconds=0))
            outbox.create(None, recipient.user_ref, messages, kind="notice", retry_key=recipient.retry_key)
    # The second one reached LINE before the kill; its answer never came back.
    batch = outbox.by_retry_key(second.retry_key)
    assert core.gateway.push(batch.to, batch.messages, batch.retry_key).outcome == "ok"
    assert dead.node == "dead"
    ended = sender(core, node="alive").run_due()
    assert ended is not None and (ended.status, ended.sent, ended.skipped) == ("done", 10, 0)
    assert pushed_to(fake_line) == Counter({line_id: 1 for line_id in subscribers})
    assert [c.status for c in fake_line.calls(PUSH_PATH) if c.retry_key == second.retry_key] == [200, 409]
    # The dead node cannot settle or finish the run any more.
    assert not runs.settle(run.id, first.user_key, "sent")


def test_lines_monthly_limit_stops_the_run_and_resuming_sends_the_rest(core, fake_line):
    subscribers = [user(n) for n in range(9)]
    subscribe(core, subscribers)
    fake_line.set_quota(5)
    run = schedule(core)
    stopped = sender(core).run_due()
    assert stopped is not None
    assert (stopped.status, stopped.stop_reason, stopped.sent) == ("stopped", STOP_QUOTA, 5)
    assert sum(pushed_to(fake_line).values()) == 5
    assert sender(core).run_due() is None  # a stopped run waits for an admin
    assert core.gateway.quota().limit == 5 and core.gateway.quota().used == 5
    fake_line.set_quota(None)
    assert core.stores.notice_runs.resume(run.id, "kanri")
    ended = sender(core).run_due()
    assert ended is not None and (ended.status, ended.sent, ended.failed) == ("done", 9, 0)
    assert pushed_to(fake_line) == Counter({line_id: 1 for line_id in subscribers})
    actions = [entry.action for entry in core.stores.audit.entries()]
    assert "notice_stopped" in actions and "notice_resume" in actions


def test_who_stops_blocks_or_deletes_after_the_run_began_is_skipped(core, fake_line, signed_event):
    subscribers = [user(n) for n in range(6)]
    subscribe(core, subscribers)
    run = schedule(core)
    runs, identity = core.stores.notice_runs, core.stores.identity
    claimed = runs.claim_due("node", timedelta(seconds=60))
    assert claimed is not None and claimed.targeted == 6
    core.stores.subscriptions.unsubscribe(identity.user_key(user(0)))
    for forget in core.stores.forgetters():
        forget(identity.user_key(user(1)))
    core.stores.subscriptions.forget(identity.user_key(user(2)))  # what blocking the bot does
    core.stores.notice_runs.forget(identity.user_key(user(2)))
    runs.release(run.id, "node")
    ended = sender(core).run_due()
    assert ended is not None and (ended.sent, ended.skipped) == (3, 3)
    assert set(pushed_to(fake_line)) == set(subscribers[3:])


def test_a_permanent_refusal_counts_as_failed(core, fake_line):
    subscribe(core, [user(1), user(2)])
    fake_line.fail_next(PUSH_PATH, count=1, status=400)
    schedule(core)
    ended = sender(core).run_due()
    assert ended is not None and (ended.sent, ended.failed) == (1, 1)


def test_the_rate_limit_answer_is_retried_under_the_same_key(core, fake_line):
    subscribe(core, [user(1)])
    fake_line.fail_next(PUSH_PATH, count=1, status=429, retry_after=0)
    schedule(core)
    ended = sender(core).run_due()
    assert ended is not None and ended.sent == 1
    keys = [call.retry_key for call in fake_line.calls(PUSH_PATH)]
    assert len(keys) == 2 and len(set(keys)) == 1


def test_the_token_bucket_waits_for_tokens_without_depending_on_speed():
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    bucket = TokenBucket(5.0, burst=2.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(12):
        bucket.take()
    # Two from the burst, then one every 1/5 second: 12 takes need 2 seconds of waiting.
    assert sum(slept) == pytest.approx(2.0)
    assert all(wait == pytest.approx(0.2) for wait in slept)
    with pytest.raises(ValueError):
        TokenBucket(0)


def test_deleting_my_data_removes_my_notice_batches_and_recipient_rows(core, fake_line):
    subscribe(core, [user(1), user(2)])
    schedule(core)
    assert sender(core).run_due().sent == 2
    db, identity = core.stores.db, core.stores.identity
    gone = identity.user_key(user(1))
    [kept_key] = core.stores.notice_runs.recipient_retry_keys(identity.user_key(user(2)))
    for forget in core.stores.forgetters():
        forget(gone)
    assert db.query("SELECT * FROM handoff_notice_recipients WHERE user_key = ?", [gone]) == []
    assert db.query("SELECT * FROM handoff_subscriptions WHERE user_key = ?", [gone]) == []
    assert [row["retry_key"] for row in db.query("SELECT retry_key FROM bot_outbox")] == [kept_key]
    assert core.stores.notice_runs.list()[0].sent == 2  # the run keeps its counts
