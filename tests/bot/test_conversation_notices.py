"""Opt-in notices in the router: subscribe by message or button, list, stop with one message; a question that
only mentions a notice still reaches knowledge; blocking the bot and 「データを削除」 end every subscription.
The stand-ins for knowledge, intents and the dialogue are those of test_conversation.py."""

from __future__ import annotations

import pytest
import test_conversation as base
from linebot.v3.webhooks import Event

import handoff
from bot import render
from bot.database import open_database
from handoff import messages
from handoff.notices import NoticeDesk, NoticeTopics
from handoff.subscriptions import NoticeRuns, Subscriptions

USER, postbacks, say, tap, texts = base.USER, base.postbacks, base.say, base.tap, base.texts
# The router's stand-ins and fixtures of test_conversation.py, used here by name.
identity, line, make_conversation = base.identity, base.line, base.make_conversation


@pytest.fixture
def desk(tmp_path) -> NoticeDesk:
    db = open_database(tmp_path)
    return NoticeDesk(NoticeTopics.load(), Subscriptions(db), NoticeRuns(db))


@pytest.fixture
def conversation(make_conversation, desk):
    built = make_conversation(forgetters=[desk.subscriptions.forget, desk.runs.forget])
    built.notices = desk
    return built


def topics_of(desk: NoticeDesk, identity) -> list[str]:
    return desk.subscriptions.topics_of(identity.user_key(USER))


def test_subscribe_by_message_list_and_stop_with_one_message(conversation, line, desk, identity):
    [reply] = say(conversation, line, "現況届のお知らせがほしい")
    assert "「児童扶養手当の現況届」のお知らせを登録しました" in reply.text
    # The other topics are one tap away.
    assert postbacks(reply) == [
        messages.NOTICE_SUBSCRIBE_POSTBACK + "loans",
        messages.NOTICE_SUBSCRIBE_POSTBACK + "events",
    ]
    assert topics_of(desk, identity) == ["genkyo_todoke"]
    # The push target is kept sealed, and opens to the resident's LINE id.
    [row] = desk.subscriptions._db.query("SELECT user_ref FROM handoff_subscriptions")
    assert USER not in row["user_ref"] and identity.unseal(row["user_ref"]) == USER
    assert "すでに登録" in texts(say(conversation, line, "現況届のお知らせがほしい"))[0]

    [listing] = say(conversation, line, "お知らせ")
    assert listing.text.splitlines()[:2] == [messages.NOTICE_LIST_HEADER, "・児童扶養手当の現況届"]
    assert messages.NOTICE_UNSUBSCRIBE_POSTBACK.rstrip(":") in postbacks(listing)

    [stopped] = say(conversation, line, "お知らせを止めて")
    assert stopped.text == messages.NOTICE_UNSUBSCRIBED_ALL
    assert topics_of(desk, identity) == []
    assert texts(say(conversation, line, "お知らせを止めて")) == [messages.NOTICE_NOTHING_TO_STOP]


def test_subscribe_by_buttons_from_the_how_to_menu(conversation, line, desk, identity):
    [howto] = tap(conversation, line, render.MENU_HOWTO)
    start = messages.NOTICE_SUBSCRIBE_POSTBACK.rstrip(":")
    assert postbacks(howto)[-1] == start
    [choose] = tap(conversation, line, start)
    assert choose.text.startswith(messages.NOTICE_CHOOSE_TOPIC)
    assert [item.action.label for item in choose.quick_reply.items] == [
        "児童扶養手当の現況届",
        "貸付の募集",
        "講習会・イベント",
    ]
    tap(conversation, line, messages.NOTICE_SUBSCRIBE_POSTBACK + "events")
    tap(conversation, line, messages.NOTICE_SUBSCRIBE_POSTBACK + "loans")
    assert topics_of(desk, identity) == ["events", "loans"]
    [one] = say(conversation, line, "貸付のお知らせはいらない")
    assert one.text == "「貸付の募集」のお知らせを止めました。"
    assert topics_of(desk, identity) == ["events"]


@pytest.mark.parametrize("question", ["決定通知書が届かない", "現況届はいつ出すの？", "講習会はありますか"])
def test_a_question_that_mentions_a_notice_still_reaches_knowledge(conversation, line, desk, question):
    say(conversation, line, question)
    assert conversation.knowledge.asked[-1][0] == question
    assert desk.subscriptions._db.query("SELECT * FROM handoff_subscriptions") == []


def test_blocking_the_bot_ends_every_subscription(conversation, line, desk, identity):
    say(conversation, line, "現況届と貸付のお知らせをお願いします")
    assert topics_of(desk, identity) == ["genkyo_todoke", "loans"]
    assert conversation.respond(Event.from_dict(line.unfollow(source=line.source(USER)))) == []
    assert topics_of(desk, identity) == []


def test_deleting_my_data_ends_every_subscription(conversation, line, desk, identity):
    say(conversation, line, "講習会のお知らせを受け取りたい")
    tap(conversation, line, handoff.DELETE_CONFIRM_POSTBACK)
    assert topics_of(desk, identity) == []


def test_the_privacy_notice_says_subscriptions_last_until_the_resident_ends_them(conversation, line):
    _greeting, privacy = texts(conversation.respond(Event.from_dict(line.follow(source=line.source(USER)))))
    assert "お知らせ" in privacy and "止める・ブロックする・データを削除するまで登録を保存します" in privacy


def test_notices_stop_with_one_message_even_while_a_counselor_has_the_chat(
    conversation, line, desk, identity
):
    say(conversation, line, "講習会のお知らせを受け取りたい")
    say(conversation, line, "相談員と話したい")
    thread = conversation.threads.open_thread_for(identity.user_key(USER))
    assert thread is not None
    [stopped] = say(conversation, line, "お知らせを止めて")
    assert stopped.text == messages.NOTICE_UNSUBSCRIBED_ALL
    assert topics_of(desk, identity) == []
    transcript = [m.text for m in conversation.threads.transcript(thread.id)]
    assert transcript[-1] == "お知らせを止めて"
