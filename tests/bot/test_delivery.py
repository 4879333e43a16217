"""Reply or push, retries and the outbox, against the fake LINE API scripted to fail like LINE does."""

from __future__ import annotations

import logging
import sqlite3
import time
import uuid

import pytest
from conversation_support import WORKER_DEADLINE
from fake_line import PUSH_PATH, REPLY_PATH
from linebot.v3.messaging import TextMessage

USER = "U" + "c" * 32
STALE_MS = 120_000


def settle(server) -> None:
    assert server.core.worker.queue.wait_idle(WORKER_DEADLINE), "the worker did not finish"


def outbox_rows(server) -> list[dict]:
    return list(server.core.stores.db.query("SELECT * FROM bot_outbox"))


@pytest.fixture
def server(plumbing_app, live_server_for):
    return live_server_for(plumbing_app())


def test_rejected_reply_token_falls_back_to_push_with_a_retry_key(server, signed_event, fake_line):
    event = signed_event.text("手当の申請", source=signed_event.source(USER))
    fake_line.reject_reply_token(event["replyToken"])
    assert signed_event.post(server.url, event)[0] == 200
    settle(server)
    assert [call.status for call in fake_line.calls(REPLY_PATH)] == [400]
    pushes = fake_line.calls(PUSH_PATH)
    assert [call.status for call in pushes] == [200]
    assert pushes[0].body["to"] == USER
    assert pushes[0].texts == ["message:手当の申請"]
    assert uuid.UUID(pushes[0].retry_key)
    [row] = outbox_rows(server)
    assert (row["status"], row["method"], row["retry_key"]) == ("delivered", "push", pushes[0].retry_key)
    assert row["messages"] is None


def test_stale_reply_token_is_not_tried_the_answer_is_pushed(server, signed_event, fake_line):
    old = int(time.time() * 1000) - STALE_MS
    assert signed_event.post(server.url, signed_event.text("遅れた質問", timestamp_ms=old))[0] == 200
    settle(server)
    assert fake_line.calls(REPLY_PATH) == []
    assert [call.texts for call in fake_line.calls(PUSH_PATH, status=200)] == [["message:遅れた質問"]]


@pytest.mark.parametrize("status", [500, 503, 429])
def test_push_failures_are_retried_with_the_same_retry_key(status, server, signed_event, fake_line):
    fake_line.fail_next(PUSH_PATH, count=2, status=status, retry_after=0 if status == 429 else None)
    old = int(time.time() * 1000) - STALE_MS
    signed_event.post(server.url, signed_event.text("再送テスト", timestamp_ms=old))
    settle(server)
    pushes = fake_line.calls(PUSH_PATH)
    assert [call.status for call in pushes] == [status, status, 200]
    assert len({call.retry_key for call in pushes}) == 1
    [row] = outbox_rows(server)
    assert row["status"] == "delivered" and row["attempts"] == 3


def test_reply_failures_are_retried_with_the_same_token(server, signed_event, fake_line):
    fake_line.fail_next(REPLY_PATH, count=2, status=500)
    event = signed_event.text("返信の再試行")
    signed_event.post(server.url, event)
    settle(server)
    replies = fake_line.calls(REPLY_PATH)
    assert [call.status for call in replies] == [500, 500, 200]
    assert {call.body["replyToken"] for call in replies} == {event["replyToken"]}
    assert fake_line.calls(PUSH_PATH) == []


def test_push_timeout_is_retried_and_lines_409_counts_as_delivered(
    plumbing_app, live_server_for, signed_event, fake_line
):
    server = live_server_for(plumbing_app(line_timeout=0.5))
    fake_line.delay_next(PUSH_PATH, seconds=2.0)
    old = int(time.time() * 1000) - STALE_MS
    signed_event.post(server.url, signed_event.text("タイムアウト", timestamp_ms=old))
    settle(server)
    pushes = fake_line.calls(PUSH_PATH)
    # LINE got the first push but we never saw its answer; the retry with the same key is answered 409.
    assert [call.status for call in pushes] == [200, 409]
    assert len({call.retry_key for call in pushes}) == 1
    assert len(fake_line.delivered()) == 1
    assert outbox_rows(server)[0]["status"] == "delivered"


def test_reply_timeout_then_used_token_means_delivered_not_pushed(
    plumbing_app, live_server_for, signed_event, fake_line
):
    server = live_server_for(plumbing_app(line_timeout=0.5))
    fake_line.delay_next(REPLY_PATH, seconds=2.0)
    signed_event.post(server.url, signed_event.text("返信タイムアウト"))
    settle(server)
    assert [call.status for call in fake_line.calls(REPLY_PATH)] == [200, 400]
    assert fake_line.calls(PUSH_PATH) == []
    assert len(fake_line.delivered()) == 1
    assert outbox_rows(server)[0]["status"] == "delivered"


def test_connection_refused_is_retried_then_recorded_as_failed(
    plumbing_app, live_server_for, signed_event, caplog
):
    server = live_server_for(plumbing_app(line_api_base_url="http://127.0.0.1:9", delivery_attempts=3))
    event = signed_event.text("LINEに届かない")
    with caplog.at_level(logging.ERROR, logger="bot.delivery"):
        signed_event.post(server.url, event)
        settle(server)
    [row] = outbox_rows(server)
    assert row["status"] == "failed" and "gave up after 3 attempts" in row["last_error"]
    assert server.core.stores.events.status(event["webhookEventId"]) == "failed"
    assert any("failed" in record.getMessage() for record in caplog.records)


def test_permanent_rejection_is_not_retried(server, signed_event, fake_line):
    fake_line.fail_next(PUSH_PATH, count=5, status=400, body={"message": "The request body has 1 error(s)"})
    old = int(time.time() * 1000) - STALE_MS
    event = signed_event.text("壊れた要求", timestamp_ms=old)
    signed_event.post(server.url, event)
    settle(server)
    assert len(fake_line.calls(PUSH_PATH)) == 1
    [row] = outbox_rows(server)
    assert row["status"] == "failed" and "HTTP 400" in row["last_error"]


def test_retries_are_bounded_and_the_failure_is_kept(plumbing_app, live_server_for, signed_event, fake_line):
    server = live_server_for(plumbing_app(delivery_attempts=4))
    fake_line.fail_next(PUSH_PATH, count=100, status=500)
    old = int(time.time() * 1000) - STALE_MS
    signed_event.post(server.url, signed_event.text("ずっと失敗", timestamp_ms=old))
    settle(server)
    assert len(fake_line.calls(PUSH_PATH)) == 4
    assert outbox_rows(server)[0]["status"] == "failed"


def test_answers_are_cut_to_lines_limits(server, signed_event, fake_line):
    event = signed_event.text("長い答え")
    server.core.conversation.answers[event["webhookEventId"]] = [TextMessage(text="あ" * 6000)] + [
        TextMessage(text=f"追加{n}") for n in range(6)
    ]
    signed_event.post(server.url, event)
    settle(server)
    [reply] = fake_line.delivered()
    assert len(reply.body["messages"]) == 5
    assert len(reply.texts[0]) == 5000


def test_counselor_delivery_pushes_once_per_retry_key(server, fake_line):
    core = server.core
    user_ref = core.stores.identity.seal(USER)
    key = str(uuid.uuid4())
    assert core.replies.deliver(user_ref, "相談員の田中です。", key) == "delivered"
    assert core.replies.deliver(user_ref, "相談員の田中です。", key) == "delivered"
    [push] = fake_line.calls(PUSH_PATH)
    assert (push.body["to"], push.retry_key, push.texts) == (USER, key, ["相談員の田中です。"])


def test_counselor_delivery_reports_a_failure_soon_and_a_retry_keeps_the_key(server, fake_line):
    from bot.services import COUNSELOR_PUSH_ATTEMPTS

    fake_line.fail_next(PUSH_PATH, count=100, status=500)
    user_ref, key = server.core.stores.identity.seal(USER), str(uuid.uuid4())
    status = server.core.replies.deliver(user_ref, "届かない", key)
    assert status.startswith("failed:")
    assert len(fake_line.calls(PUSH_PATH)) == COUNSELOR_PUSH_ATTEMPTS  # the counselor is not kept waiting
    fake_line.clear_faults()
    assert server.core.replies.deliver(user_ref, "届かない", key) == "delivered"  # the retry button
    assert {call.retry_key for call in fake_line.calls(PUSH_PATH)} == {key}
    assert len(fake_line.delivered()) == 1


def test_a_locked_database_while_answering_is_waited_out_not_lost(
    server, signed_event, fake_line, data_dir, caplog
):
    conversation = server.core.conversation
    conversation.gate.clear()
    event = signed_event.text("ロック中に回答")
    assert signed_event.post(server.url, event)[0] == 200
    assert conversation.entered.wait(10)
    blocker = sqlite3.connect(data_dir / "yorisoi.db", isolation_level=None)
    with caplog.at_level(logging.WARNING, logger="bot.worker"):
        blocker.execute("BEGIN EXCLUSIVE")
        try:
            conversation.gate.set()
            deadline = time.monotonic() + 30
            while not any("storage unavailable" in r.getMessage() for r in caplog.records):
                assert time.monotonic() < deadline, "the worker never met the lock"
                time.sleep(0.02)
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
    settle(server)
    assert [call.texts for call in fake_line.delivered()] == [["message:ロック中に回答"]]
    assert server.core.stores.events.status(event["webhookEventId"]) == "done"
