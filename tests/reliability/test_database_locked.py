"""Another connection holding the database's write lock.

At the webhook the rule is: answer 5xx (LINE redelivers) rather than acknowledge what could not be stored.
tests/bot/test_webhook.py proves it on the in-process server; here it is the real `yorisoi serve` (granian,
production settings), and the worker's side: an event already acknowledged when the lock is taken.
"""

from __future__ import annotations

import sqlite3
import time

from conversation_support import WORKER_DEADLINE
from fake_line import LineEvents
from serve_support import event_statuses, post_raw, signed_headers


def test_yorisoi_serve_answers_503_while_the_database_is_locked_then_takes_the_redelivery(
    serve, fake_line, data_dir, settings_for
):
    builder = LineEvents(settings_for().channel_secret)
    server = serve()
    server.wait_healthy()
    blocker = sqlite3.connect(data_dir / "yorisoi.db", isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    event = builder.text("ロック中に届いた質問", source=builder.source("U" + "d" * 32))
    body = builder.body(event)
    try:
        answer = post_raw(server.url, body, signed_headers(builder.channel_secret, body), timeout=60)
        health = post_raw(server.url, b"", {})  # the server itself stays up and keeps answering
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert answer.status == 503, answer.text
    assert health.status in (400, 405)
    assert event["webhookEventId"] not in event_statuses(data_dir)
    redelivered = builder.body({**event, "deliveryContext": {"isRedelivery": True}})
    assert (
        post_raw(server.url, redelivered, signed_headers(builder.channel_secret, redelivered)).status == 200
    )
    assert fake_line.wait_for(lambda fake: len(fake.delivered()) == 1, timeout=120)
    time.sleep(0.5)
    assert len(fake_line.delivered()) == 1


def test_an_acknowledged_event_is_answered_after_a_lock_that_outlasts_the_busy_timeout(
    plumbing_app, live_server_for, signed_event, fake_line, data_dir
):
    server = live_server_for(plumbing_app(db_timeout=0.3))
    conversation = server.core.conversation
    conversation.gate.clear()
    event = signed_event.text("処理中にロック")
    assert signed_event.post(server.url, event)[0] == 200
    assert conversation.entered.wait(120)
    blocker = sqlite3.connect(data_dir / "yorisoi.db", isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    conversation.gate.set()
    time.sleep(1.5)  # five times the busy timeout: the worker's write gives up meanwhile
    blocker.execute("ROLLBACK")
    blocker.close()
    assert server.core.worker.queue.wait_idle(WORKER_DEADLINE)
    # The lock is gone and the process never stopped: the resident should get the answer without a restart.
    assert fake_line.wait_for(lambda fake: len(fake.delivered()) == 1, timeout=120)
