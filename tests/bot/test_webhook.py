"""POST /callback over real HTTP with signed bodies for every webhook event type, against the fake LINE API.

These tests use a scripted router (tests/conftest.py) so each answer names its event; the real conversation
is exercised in test_webhook_conversation.py.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest
from conversation_support import WORKER_DEADLINE
from fake_line import LOADING_PATH, REPLY_PATH, LineEvents, sign

USER = "U" + "a" * 32
GROUP = "C" + "b" * 32

# (builder call, expected answer text or None for "no answer")
EVENT_CASES = {
    "text": (lambda ev: ev.text("児童扶養手当はいくらですか"), "message:児童扶養手当はいくらですか"),
    "image": (lambda ev: ev.image(), "message:image"),
    "video": (lambda ev: ev.video(), "message:video"),
    "audio": (lambda ev: ev.audio(), "message:audio"),
    "file": (lambda ev: ev.file(), "message:file"),
    "location": (lambda ev: ev.location(), "message:location"),
    "sticker": (lambda ev: ev.sticker(), "message:sticker"),
    "follow": (lambda ev: ev.follow(), "event:follow"),
    "unfollow": (lambda ev: ev.unfollow(), None),
    "join": (lambda ev: ev.join(), "event:join"),
    "leave": (lambda ev: ev.leave(), None),
    "memberJoined": (lambda ev: ev.member_joined(), "event:memberJoined"),
    "memberLeft": (lambda ev: ev.member_left(), None),
    "postback-datetime": (
        lambda ev: ev.postback("action=reserve", params={"datetime": "2026-12-01T10:00"}),
        "postback:action=reserve:2026-12-01T10:00",
    ),
    "unsend": (lambda ev: ev.unsend(), None),
    "videoPlayComplete": (lambda ev: ev.video_play_complete(), "event:videoPlayComplete"),
    "beacon": (lambda ev: ev.beacon(), "event:beacon"),
    "accountLink": (lambda ev: ev.account_link(), "event:accountLink"),
}


def settle(server) -> None:
    assert server.core.worker.queue.wait_idle(WORKER_DEADLINE), "the worker did not finish"


def stored_rows(server) -> list[dict]:
    return list(server.core.stores.db.query("SELECT * FROM bot_events"))


@pytest.fixture
def server(plumbing_app, live_server_for):
    return live_server_for(plumbing_app())


@pytest.mark.parametrize("case", sorted(EVENT_CASES))
def test_every_event_type_is_answered_with_its_reply_token(case, server, signed_event, fake_line):
    build, expected = EVENT_CASES[case]
    event = build(signed_event)
    status, _ = signed_event.post(server.url, event)
    assert status == 200
    settle(server)
    delivered = fake_line.delivered()
    if expected is None:
        assert delivered == []
    else:
        assert len(delivered) == 1
        call = delivered[0]
        assert call.path == REPLY_PATH
        assert call.body["replyToken"] == event["replyToken"]
        assert call.texts == [expected]
        assert call.headers["authorization"] == "Bearer test-access-token"
    assert [row["status"] for row in stored_rows(server)] == ["done"]


def test_a_body_with_many_events_answers_each_in_order(server, signed_event, fake_line):
    events = [signed_event.text(f"質問{n}", source=signed_event.source(USER)) for n in range(5)]
    assert signed_event.post(server.url, *events)[0] == 200
    settle(server)
    replies = fake_line.calls(REPLY_PATH, status=200)
    assert [r.texts[0] for r in replies] == [f"message:質問{n}" for n in range(5)]
    assert [r.body["replyToken"] for r in replies] == [e["replyToken"] for e in events]


def test_loading_animation_is_shown_for_one_to_one_messages_only(server, signed_event, fake_line):
    signed_event.post(server.url, signed_event.text("保育園", source=signed_event.source(USER)))
    signed_event.post(
        server.url, signed_event.text("保育園", source=signed_event.source(USER, group_id=GROUP))
    )
    settle(server)
    loading = fake_line.calls(LOADING_PATH)
    assert [call.body["chatId"] for call in loading] == [USER]
    assert loading[0].body["loadingSeconds"] % 5 == 0


def test_redelivery_gets_no_second_reply(server, signed_event, fake_line):
    event = signed_event.text("こんにちは")
    assert signed_event.post(server.url, event)[0] == 200
    settle(server)
    again = {**event, "deliveryContext": {"isRedelivery": True}}
    assert signed_event.post(server.url, again)[0] == 200
    assert signed_event.post(server.url, event)[0] == 200
    settle(server)
    assert len(fake_line.delivered()) == 1
    assert len(server.core.conversation.seen) == 1


def test_unknown_event_type_is_ignored_not_an_error(server, signed_event, fake_line):
    status, _ = signed_event.post(server.url, signed_event.unknown(), signed_event.text("あとの質問"))
    assert status == 200
    settle(server)
    assert [call.texts for call in fake_line.delivered()] == [["message:あとの質問"]]
    assert [row["event_type"] for row in stored_rows(server)] == ["message"]


@pytest.mark.parametrize(
    "change",
    [
        {"source": "U1234"},
        {"message": ["text"]},
        {"timestamp": "1700000000000"},
        {"timestamp": True},
        {"webhookEventId": 12345},
        {"source": {"type": "user", "userId": 7}},
    ],
    ids=["source-text", "message-list", "timestamp-text", "timestamp-bool", "id-number", "user-id-number"],
)
def test_a_known_event_of_the_wrong_shape_is_ignored_and_the_rest_answered(
    server, signed_event, fake_line, change
):
    broken = {**signed_event.text("壊れた形"), **change}
    status, _ = signed_event.post(server.url, broken, signed_event.text("あとの質問"))
    assert status == 200
    settle(server)
    assert [call.texts for call in fake_line.delivered()] == [["message:あとの質問"]]
    assert len(stored_rows(server)) == 1


def test_a_known_event_the_sdk_cannot_read_is_stored_and_skipped_by_the_worker(
    server, signed_event, fake_line
):
    """Acceptance checks only what it reads; the worker's full parse skips the rest without an error."""
    unreadable = signed_event.text("本文")
    unreadable["message"] = {"type": "text"}  # no id: the SDK refuses it
    status, _ = signed_event.post(server.url, unreadable, signed_event.text("あとの質問"))
    assert status == 200
    settle(server)
    assert [call.texts for call in fake_line.delivered()] == [["message:あとの質問"]]


def test_standby_events_are_skipped(server, signed_event, fake_line):
    event = signed_event.text("待機中", mode="standby", reply=False)
    assert signed_event.post(server.url, event)[0] == 200
    settle(server)
    assert fake_line.delivered() == []
    assert stored_rows(server) == []


def test_webhook_verification_with_no_events_is_ok(server, signed_event):
    assert signed_event.post(server.url)[0] == 200


@pytest.mark.parametrize("signature", ["", "bm90IHRoZSBzaWduYXR1cmU=", "wrong"])
def test_bad_or_missing_signature_is_400_and_touches_nothing(signature, server, signed_event, fake_line):
    status, text = signed_event.post(server.url, signed_event.text("偽物"), signature=signature)
    assert status == 400
    assert "signature" in text.lower()
    settle(server)
    assert stored_rows(server) == []
    assert fake_line.requests == []


def test_body_changed_after_signing_is_rejected(server, signed_event, fake_line):
    body, headers = signed_event.signed(signed_event.text("元の文"))
    tampered = body.replace("元の文".encode(), "別の文".encode())
    import urllib.error
    import urllib.request

    request = urllib.request.Request(f"{server.url}/callback", data=tampered, headers=headers, method="POST")
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=10)
    assert error.value.code == 400
    assert stored_rows(server) == []


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        b'{"events": 5}',
        "\xff\xfe".encode("latin-1"),
        json.dumps(
            {
                "events": [
                    {
                        **LineEvents("x").text("a"),
                        "message": {"id": "1", "type": "text", "quoteToken": "q", "text": "\ud800"},
                    }
                ]
            }
        ).encode(),
    ],
)
def test_signed_but_malformed_body_is_400(body, server, fake_line):
    import urllib.error
    import urllib.request

    from fake_line import CHANNEL_SECRET

    headers = {"Content-Type": "application/json", "X-Line-Signature": sign(CHANNEL_SECRET, body)}
    request = urllib.request.Request(f"{server.url}/callback", data=body, headers=headers, method="POST")
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=10)
    assert error.value.code == 400
    assert stored_rows(server) == []


def test_webhook_answers_before_the_answer_is_computed(server, signed_event, fake_line):
    conversation = server.core.conversation
    conversation.gate.clear()
    event = signed_event.text("時間のかかる質問")
    status, _ = signed_event.post(server.url, event)
    # The 200 came back while the router is still holding the answer: nothing reached LINE yet.
    assert status == 200
    assert conversation.entered.wait(10)
    assert fake_line.calls(REPLY_PATH) == []
    assert server.core.stores.events.status(event["webhookEventId"]) == "pending"
    conversation.gate.set()
    settle(server)
    assert [call.texts for call in fake_line.delivered()] == [["message:時間のかかる質問"]]


def test_group_messages_are_stored_without_their_text(server, signed_event, fake_line):
    conversation = server.core.conversation
    conversation.gate.clear()
    event = signed_event.text("グループの秘密の話", source=signed_event.source(USER, group_id=GROUP))
    assert signed_event.post(server.url, event)[0] == 200
    assert conversation.entered.wait(10)
    stored = server.core.stores.events.load(event["webhookEventId"])
    assert stored.payload["message"]["text"] == ""
    assert "グループの秘密の話" not in json.dumps(stored.payload, ensure_ascii=False)
    conversation.gate.set()
    settle(server)
    assert conversation.seen[0].message.text == ""


def test_the_database_never_holds_a_plain_user_id_or_message(server, signed_event, fake_line, data_dir: Path):
    conversation = server.core.conversation
    conversation.gate.clear()
    secret_text = "離婚前の相談をしたいです"
    signed_event.post(server.url, signed_event.text(secret_text, source=signed_event.source(USER)))
    assert conversation.entered.wait(10)
    # While pending, the payload is sealed; after the answer it is cleared.
    for path in data_dir.glob("yorisoi.db*"):
        raw = path.read_bytes()
        assert USER.encode() not in raw
        assert secret_text.encode() not in raw
    conversation.gate.set()
    settle(server)
    assert [row["payload"] for row in stored_rows(server)] == [None]
    for path in data_dir.glob("yorisoi.db*"):
        assert USER.encode() not in path.read_bytes()


def test_locked_database_answers_503_then_the_redelivery_is_answered_once(
    server, signed_event, fake_line, data_dir: Path
):
    blocker = sqlite3.connect(data_dir / "yorisoi.db", isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    event = signed_event.text("ロック中の質問")
    try:
        status, text = signed_event.post(server.url, event)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert status == 503
    assert "redeliver" in text
    settle(server)
    assert fake_line.requests == []
    redelivered = {**event, "deliveryContext": {"isRedelivery": True}}
    assert signed_event.post(server.url, redelivered)[0] == 200
    settle(server)
    assert [call.texts for call in fake_line.delivered()] == [["message:ロック中の質問"]]


def test_healthz_reports_ready_and_not_ready(server):
    import urllib.error
    import urllib.request

    with urllib.request.urlopen(f"{server.url}/healthz", timeout=10) as response:
        body = json.loads(response.read())
    assert response.status == 200
    assert body["status"] == "ok" and body["database"] and body["index"] and body["worker"]
    server.core.conversation.ready = False
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(f"{server.url}/healthz", timeout=10)
    assert error.value.code == 503
    assert json.loads(error.value.read())["index"] is False


def test_events_of_one_chat_are_answered_in_order_even_when_posted_separately(
    server, signed_event, fake_line
):
    conversation = server.core.conversation
    conversation.gate.clear()
    events = [signed_event.text(f"順番{n}", source=signed_event.source(USER)) for n in range(4)]
    for event in events:
        assert signed_event.post(server.url, event)[0] == 200
    conversation.gate.set()
    settle(server)
    assert [call.texts[0] for call in fake_line.delivered()] == [f"message:順番{n}" for n in range(4)]


def test_forgetting_a_resident_removes_their_events_and_answers(server, signed_event, fake_line):
    for text in ("一つ目", "二つ目"):
        signed_event.post(server.url, signed_event.text(text, source=signed_event.source(USER)))
    signed_event.post(server.url, signed_event.text("ほかの人", source=signed_event.source("U" + "e" * 32)))
    settle(server)
    stores = server.core.stores
    user_key = stores.identity.user_key(USER)
    stores.outbox.forget(user_key)  # the answers first: the outbox finds them through the events
    stores.events.forget(user_key)
    assert [row for row in stored_rows(server) if user_key in row["chat_key"]] == []
    assert len(stored_rows(server)) == 1
    assert len(stores.db.query("SELECT * FROM bot_outbox")) == 1


def test_a_timestamp_too_large_to_store_is_a_400(server, signed_event, fake_line):
    event = {**signed_event.text("桁あふれ"), "timestamp": 10**30}
    status, text = signed_event.post(server.url, event)
    assert (status, text) == (400, "Body has a number too large to store.")
    assert stored_rows(server) == []


def test_an_event_older_than_the_dedupe_window_is_not_answered(server, signed_event, fake_line):
    from bot.webhook import MAX_EVENT_AGE_SECONDS

    old = int((time.time() - MAX_EVENT_AGE_SECONDS - 3600) * 1000)
    assert signed_event.post(server.url, signed_event.text("古い本文の再送", timestamp_ms=old))[0] == 200
    settle(server)
    assert stored_rows(server) == []
    assert fake_line.requests == []


@pytest.mark.parametrize("blank", ["", "   "])
def test_an_event_without_a_webhook_event_id_is_ignored(blank, server, signed_event, fake_line):
    """Without an id a redelivery could not be recognised; LINE always sends one, so such a body is forged."""
    event = {**signed_event.text("IDのない本文"), "webhookEventId": blank}
    status, _ = signed_event.post(server.url, event, signed_event.text("あとの質問"))
    assert status == 200
    settle(server)
    assert [call.texts for call in fake_line.delivered()] == [["message:あとの質問"]]
    assert [row["status"] for row in stored_rows(server)] == ["done"]
