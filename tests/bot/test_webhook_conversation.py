"""The whole path with the real conversation and the real index: LINE → /callback → worker → router →
knowledge → fake LINE API, over real HTTP."""

from __future__ import annotations

import re

from fake_line import LOADING_PATH, PUSH_PATH, REPLY_PATH

from bot import messages

USER = "U" + "d" * 32


def settle(server) -> None:
    assert server.core.worker.queue.wait_idle(120), "the worker did not finish"


def test_a_question_gets_the_program_answer_by_reply(live_server, signed_event, fake_line):
    event = signed_event.text("児童扶養手当はいくらもらえますか", source=signed_event.source(USER))
    assert signed_event.post(live_server.url, event)[0] == 200
    settle(live_server)
    [reply] = fake_line.delivered()
    assert reply.path == REPLY_PATH
    assert reply.body["replyToken"] == event["replyToken"]
    answer = "\n".join(reply.texts)
    assert "児童扶養手当" in answer
    # The program answer: an amount, never without the date of its source.
    assert "円" in answer
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", answer)
    assert 1 <= len(reply.body["messages"]) <= 5


def test_the_webhook_acknowledges_before_the_answer_is_computed(live_server, signed_event, fake_line):
    # The worker shows the loading animation before it asks the router; holding that call at the fake API
    # holds the answer, so the 200 below can only have come before it.
    fake_line.hold(LOADING_PATH)
    try:
        event = signed_event.text("高等職業訓練促進給付金について", source=signed_event.source(USER))
        assert signed_event.post(live_server.url, event)[0] == 200
        assert fake_line.wait_for(lambda fake: fake.requests_in_flight(LOADING_PATH) == 1, timeout=30)
        assert fake_line.calls(REPLY_PATH) == []
        assert live_server.core.stores.events.status(event["webhookEventId"]) == "pending"
    finally:
        fake_line.release(LOADING_PATH)
    settle(live_server)
    assert [call.body["replyToken"] for call in fake_line.delivered()] == [event["replyToken"]]


def test_follow_gets_the_greeting(live_server, signed_event, fake_line):
    signed_event.post(live_server.url, signed_event.follow(source=signed_event.source(USER)))
    settle(live_server)
    [reply] = fake_line.delivered()
    assert messages.FOLLOW_GREETING.splitlines()[0][:10] in "\n".join(reply.texts)


def test_a_sticker_gets_the_text_only_notice(live_server, signed_event, fake_line):
    signed_event.post(live_server.url, signed_event.sticker(source=signed_event.source(USER)))
    settle(live_server)
    [reply] = fake_line.delivered()
    assert messages.TEXT_ONLY[:15] in "\n".join(reply.texts)


def test_a_rejected_token_still_gets_the_answer_by_push(live_server, signed_event, fake_line):
    event = signed_event.text("養育費の相談はどこでできますか", source=signed_event.source(USER))
    fake_line.reject_reply_token(event["replyToken"])
    signed_event.post(live_server.url, event)
    settle(live_server)
    [push] = fake_line.calls(PUSH_PATH, status=200)
    assert push.body["to"] == USER and push.retry_key
    assert "養育費" in "\n".join(push.texts)
