"""Restart recovery in one process: a second app on the same data directory stands in for the restarted
server while the first one is left stuck mid-answer (the subprocess kill -9 test is in test_serve.py)."""

from __future__ import annotations

import time

from conversation_support import WORKER_DEADLINE
from fake_line import PUSH_PATH, REPLY_PATH

STALE_MS = 120_000


def settle(server) -> None:
    assert server.core.worker.queue.wait_idle(WORKER_DEADLINE), "the worker did not finish"


def user(n: int) -> str:
    return f"U{n:032x}"


def test_acknowledged_but_unanswered_events_are_pushed_once_after_a_restart(
    plumbing_app, live_server_for, signed_event, fake_line
):
    first = live_server_for(plumbing_app())
    first.core.conversation.gate.clear()
    events = [signed_event.text(f"質問{n}", source=signed_event.source(user(n))) for n in range(6)]
    for event in events:
        assert signed_event.post(first.url, event)[0] == 200
    assert first.core.conversation.entered.wait(120)
    assert fake_line.delivered() == []

    second = live_server_for(plumbing_app())
    settle(second)
    pushes = fake_line.calls(PUSH_PATH, status=200)
    assert sorted((call.body["to"], call.texts[0]) for call in pushes) == [
        (user(n), f"message:質問{n}") for n in range(6)
    ]
    assert fake_line.calls(REPLY_PATH) == []

    # The stuck first process wakes up: it must not answer anything a second time.
    first.core.conversation.gate.set()
    settle(first)
    assert len(fake_line.delivered()) == 6
    statuses = {row["status"] for row in second.core.stores.db.query("SELECT * FROM bot_events")}
    assert statuses == {"done"}


def test_a_push_in_flight_at_the_crash_is_resent_with_the_same_retry_key(
    plumbing_app, live_server_for, signed_event, fake_line
):
    first = live_server_for(plumbing_app(line_timeout=10.0))
    fake_line.delay_next(PUSH_PATH, seconds=3.0)
    old = int(time.time() * 1000) - STALE_MS
    event = signed_event.text("送信中に停止", timestamp_ms=old)
    assert signed_event.post(first.url, event)[0] == 200
    assert fake_line.wait_for(lambda fake: len(fake.calls(PUSH_PATH)) == 1, timeout=10)

    second = live_server_for(plumbing_app())
    settle(second)
    pushes = fake_line.calls(PUSH_PATH)
    assert [call.status for call in pushes] == [200, 409]
    assert pushes[0].retry_key == pushes[1].retry_key
    # The batch came from the outbox: the restarted server did not ask the conversation again.
    assert second.core.conversation.seen == []
    settle(first)
    assert len(fake_line.delivered()) == 1


def test_a_reply_in_flight_at_the_crash_is_not_sent_again(
    plumbing_app, live_server_for, signed_event, fake_line
):
    first = live_server_for(plumbing_app(line_timeout=10.0))
    fake_line.delay_next(REPLY_PATH, seconds=3.0)
    event = signed_event.text("返信中に停止")
    assert signed_event.post(first.url, event)[0] == 200
    assert fake_line.wait_for(lambda fake: len(fake.calls(REPLY_PATH)) == 1, timeout=10)

    second = live_server_for(plumbing_app())
    settle(second)
    # The restarted server probes with the same (still fresh) token; LINE says it is used: delivered.
    assert [call.status for call in fake_line.calls(REPLY_PATH)] == [200, 400]
    assert fake_line.calls(PUSH_PATH) == []
    settle(first)
    assert len(fake_line.delivered()) == 1


def test_a_delivery_that_failed_for_good_stays_recorded_and_is_not_redone(
    plumbing_app, live_server_for, signed_event, fake_line
):
    first = live_server_for(plumbing_app(delivery_attempts=1))
    fake_line.fail_next(PUSH_PATH, count=1, status=500)
    old = int(time.time() * 1000) - STALE_MS
    event = signed_event.text("一度だけ計算", timestamp_ms=old)
    signed_event.post(first.url, event)
    settle(first)
    # One attempt allowed, it failed: recorded as failed, not retried forever, not dropped silently.
    assert first.core.stores.events.status(event["webhookEventId"]) == "failed"
    assert len(first.core.conversation.seen) == 1

    second = live_server_for(plumbing_app())
    settle(second)
    assert second.core.conversation.seen == []
    assert len(fake_line.delivered()) == 0


def test_events_sealed_under_another_key_are_recorded_as_failed_not_retried_forever(
    plumbing_app, live_server_for, signed_event, fake_line, caplog
):
    first = live_server_for(plumbing_app())
    first.core.conversation.gate.clear()
    event = signed_event.text("鍵が変わる前の質問")
    assert signed_event.post(first.url, event)[0] == 200
    assert first.core.conversation.entered.wait(120)

    second = live_server_for(plumbing_app(secret_key="another-secret-key-that-is-long-enough-000000"))
    settle(second)
    assert second.core.stores.events.status(event["webhookEventId"]) == "failed"
    assert any("cannot be unsealed" in record.getMessage() for record in caplog.records)
    assert second.core.conversation.seen == []
