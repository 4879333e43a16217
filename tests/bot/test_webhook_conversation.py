"""The whole path with the real conversation and the real index: LINE → /callback → worker → router →
knowledge → fake LINE API, over real HTTP."""

from __future__ import annotations

import re

from conversation_support import WORKER_DEADLINE
from fake_line import LOADING_PATH, PUSH_PATH, REPLY_PATH

from bot import messages
from knowledge import default_register
from knowledge.places import phones_in

USER = "U" + "d" * 32
OTHER_USER = "U" + "e" * 32


def settle(server) -> None:
    assert server.core.worker.queue.wait_idle(WORKER_DEADLINE), "the worker did not finish"


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


def ask_in_chat(server, signed_event, fake_line, text: str, user: str = USER) -> str:
    event = signed_event.text(text, source=signed_event.source(user))
    assert signed_event.post(server.url, event)[0] == 200
    settle(server)
    reply = fake_line.delivered()[-1]
    assert reply.body["replyToken"] == event["replyToken"]
    return "\n".join(reply.texts)


def local_numbers_not_for(place: str | None, text: str) -> list[str]:
    return [number for number in phones_in(text) if not default_register().serves(number, place)]


def test_a_place_named_in_an_earlier_message_is_remembered(live_server, signed_event, fake_line):
    first = ask_in_chat(
        live_server, signed_event, fake_line, "白山市に住んでいます。児童扶養手当はどこで申請しますか"
    )
    assert local_numbers_not_for("白山市", first) == []
    later = ask_in_chat(live_server, signed_event, fake_line, "貸付の申込みはどこでできますか")
    assert "076-274-9527" in later and local_numbers_not_for("白山市", later) == []
    # Another resident of the same bot named no place: no city's number at all.
    other = ask_in_chat(
        live_server, signed_event, fake_line, "貸付の申込みはどこでできますか", user=OTHER_USER
    )
    assert local_numbers_not_for(None, other) == [] and "お住まいの市区町村" in other


def test_the_home_municipality_answers_a_resident_who_names_no_place(
    make_app, live_server_for, signed_event, fake_line
):
    server = live_server_for(make_app(home_municipality="金沢市"))
    answer = ask_in_chat(server, signed_event, fake_line, "ひとり親の相談窓口の電話番号を教えてください")
    assert "076-220-2285" in answer and local_numbers_not_for("金沢市", answer) == []
    kodaira = ask_in_chat(server, signed_event, fake_line, "小平市に住んでいます。相談窓口の電話番号は？")
    assert "042-341-1211" in kodaira and "076-220-2285" not in kodaira


def test_asking_to_consult_without_being_known_is_told_how_private_it_is(
    live_server, signed_event, fake_line
):
    """Before a divorce, afraid of being found out: yes, no name needed, how to keep the chat hidden, and a
    person; not the closest programs."""
    event = signed_event.text(
        "離婚を考えてるんですが、夫にばれずに相談できるところありますか", source=signed_event.source(USER)
    )
    assert signed_event.post(live_server.url, event)[0] == 200
    settle(live_server)
    [reply] = fake_line.delivered()
    answer = "\n".join(reply.texts)
    assert answer.startswith("はい、お名前を出さずに相談できます")
    assert "離婚する前" in answer and "トーク履歴をすべて削除" in answer and "データを削除" in answer
    assert "相談員に相談" in answer and not phones_in(answer)


def test_a_household_described_at_once_starts_the_check_with_only_the_rest_to_ask(
    live_server, signed_event, fake_line
):
    """「父子家庭です。能美市で中2の息子と二人…」 asked nothing and got 能美市's office as an answer; it
    is the check's answers given up front, so the check starts with them and asks what is left."""
    text = "父子家庭です。能美市で中2の息子と二人。手当はもらってない。住民税は払ってる"
    event = signed_event.text(text, source=signed_event.source(USER))
    assert signed_event.post(live_server.url, event)[0] == 200
    settle(live_server)
    answer = "\n".join(fake_line.delivered()[-1].texts)
    assert "父(父子家庭)" in answer and "能美市" in answer and "中2" in answer
    assert "お仕事の状況" in answer and "児童扶養手当を受け取っていますか" not in answer


def test_a_direct_question_about_nursery_priority_is_answered_not_the_check(
    live_server, signed_event, fake_line
):
    answer = ask_in_chat(
        live_server, signed_event, fake_line, "保育園に入れたいけど、ひとり親だと入りやすくなったりしますか"
    )
    assert "優先入所" in answer
    assert local_numbers_not_for(None, answer) == []


def test_steps_after_a_divorce_and_whom_to_call_for_unpaid_養育費(live_server, signed_event, fake_line):
    steps = ask_in_chat(
        live_server, signed_event, fake_line, "離婚届けを出したばかりで、これから何の手続きをすればいいですか"
    )
    assert "児童扶養手当の申請手続き" in steps and local_numbers_not_for(None, steps) == []
    unpaid = ask_in_chat(
        live_server, signed_event, fake_line, "元夫が養育費を払ってくれません", user=OTHER_USER
    )
    assert "養育費等相談支援センター" in unpaid and local_numbers_not_for(None, unpaid) == []
