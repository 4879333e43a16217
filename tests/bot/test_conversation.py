"""The router's decisions, event by event: Conversation.respond on linebot.v3 webhook event objects.

The handoff parts are the real ones (rules, thread store on SQLite, reception hours); knowledge, the intent
detector and the dialogue are small scripted stand-ins so each routing rule can be seen in isolation. The
whole path with the real packages is in test_flows.py.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import ClassVar
from zoneinfo import ZoneInfo

import pytest
from fake_line import CHANNEL_SECRET, SECRET_KEY, LineEvents
from linebot.v3.messaging import TextMessage
from linebot.v3.webhooks import Event

import handoff
from bot import messages, render
from bot.conversation import Conversation, ConversationState, clean_text
from bot.database import open_database
from handoff import (
    CrisisDetector,
    EscalationPolicy,
    ReceptionHours,
    ResidentIdentity,
    ThreadStore,
)
from intents import Facts, Recommendation, Suggestion
from knowledge import default_register

USER = "U" + "7" * 32
TOKYO = ZoneInfo("Asia/Tokyo")
OPEN_HOUR = datetime(2026, 11, 24, 10, 0, tzinfo=TOKYO)  # a Tuesday morning
CLOSED_HOUR = datetime(2026, 11, 28, 10, 0, tzinfo=TOKYO)  # a Saturday


class Knowledge:
    def __init__(self) -> None:
        self.asked: list[tuple[str, str | None]] = []
        self.topics: list[str | None] = []
        self.children: list[int | None] = []
        self.confident = True
        self.topic = "児童扶養手当"

    def answer(
        self, question: str, municipality: str | None = None, query_vector=None, topic=None, children=None
    ):
        self.asked.append((question, municipality))
        self.topics.append(topic)
        self.children.append(children)
        return SimpleNamespace(
            question=question,
            text=f"回答：{question[:20]}",
            confident=self.confident,
            sources=[],
            related=["児童扶養手当"],
            topic=self.topic,
        )

    def place_named(self, text: str) -> str | None:
        return default_register().find(text)

    def covers_place(self, place: str) -> bool:
        return not default_register().outside(place)

    def names_service(self, text: str) -> bool:
        return "保育園" in text


class Detector:
    KEYWORDS: ClassVar[dict[str, str]] = {
        "こんにちは": "greeting",
        "ありがとう": "thanks",
        "データを削除": "delete_data",
        "最初から": "reset",
        "どんな支援": "start_check",
        "誰か人に": "counselor",
        "名前を出さずに": "privacy",
    }

    def __init__(self) -> None:
        self.seen: list[str] = []

    def detect(self, text: str):
        self.seen.append(text)
        intent = next((name for word, name in self.KEYWORDS.items() if word in text), None)
        if intent is None and "入りやすく" in text:  # alike a request for the check, not a keyword
            return SimpleNamespace(intent="start_check", score=0.9, by="exemplar")
        return SimpleNamespace(intent=intent or "question", score=0.9, by="keyword" if intent else "default")


class Dialogue:
    def __init__(self) -> None:
        self.running: set[str] = set()
        self.known: dict[str, Facts] = {}
        self.handled: list[tuple[str, str | None, str | None]] = []
        self.forgotten: list[str] = []
        self.topics: dict[str, str] = {}

    def start(self, user_key: str, text: str | None = None, known: Facts | None = None):
        self.running.add(user_key)
        return SimpleNamespace(
            text="どなたがお子さんを育てていますか",
            choices=[SimpleNamespace(label="母", data="dlg:parent=mother")],
            done=False,
            facts=Facts(),
            recommendation=None,
        )

    def active(self, user_key: str) -> bool:
        return user_key in self.running

    def reads_as_answer(self, user_key: str, text: str) -> bool:
        return False

    def describes_household(self, text: str) -> bool:
        return False

    def reviewing(self, user_key: str) -> bool:
        return False

    def remember(self, user_key: str, text: str) -> None:
        place = default_register().find(text)
        if place:
            self.known[user_key] = (self.known.get(user_key) or Facts()).merged(Facts(municipality=place))

    def handle(self, user_key: str, text: str | None = None, postback: str | None = None):
        if user_key not in self.running:
            return None
        self.handled.append((user_key, text, postback))
        return SimpleNamespace(
            text="次の質問です", choices=[], done=False, facts=Facts(), recommendation=None, question=False
        )

    def cancel(self, user_key: str) -> None:
        self.running.discard(user_key)

    def forget(self, user_key: str) -> None:
        self.forgotten.append(user_key)
        self.running.discard(user_key)
        self.known.pop(user_key, None)

    def facts(self, user_key: str) -> Facts | None:
        return self.known.get(user_key)

    def children(self, user_key: str) -> list[dict[str, int | str]]:
        ages = getattr(self.known.get(user_key), "children_ages", None) or []
        return [{"age": age} for age in ages]

    def remember_topic(self, user_key: str, topic: str) -> None:
        self.topics[user_key] = topic

    def topic(self, user_key: str) -> str | None:
        return self.topics.get(user_key) or None


def suggest(facts: Facts) -> Recommendation:
    program = Suggestion(
        "jido", "児童扶養手当", "手当・給付", "likely", ["ひとり親のため"], "窓口", "出典", "月額"
    )
    return Recommendation([program], urgent=False)


@pytest.fixture
def identity() -> ResidentIdentity:
    return ResidentIdentity(SECRET_KEY)


@pytest.fixture
def make_conversation(tmp_path: Path, identity: ResidentIdentity):
    def make(now: datetime = OPEN_HOUR, forgetters=()) -> Conversation:
        db = open_database(tmp_path)
        dialogue, state, threads = Dialogue(), ConversationState(db), ThreadStore(db, identity)
        return Conversation(
            identity=identity,
            knowledge=Knowledge(),
            detector=Detector(),
            dialogue=dialogue,
            suggest=suggest,
            policy=EscalationPolicy.load(),
            crisis=CrisisDetector.load(),
            threads=threads,
            hours=ReceptionHours.parse("mon-fri 08:30-16:00"),
            handoff=handoff,
            state=state,
            forgetters=[*forgetters, dialogue.forget, state.forget, threads.forget],
            clock=lambda: now,
        )

    return make


@pytest.fixture
def conversation(make_conversation) -> Conversation:
    return make_conversation()


@pytest.fixture
def line() -> LineEvents:
    return LineEvents(CHANNEL_SECRET)


def say(conversation: Conversation, line: LineEvents, text: str, user: str = USER) -> list:
    return conversation.respond(Event.from_dict(line.text(text, source=line.source(user))))


def tap(conversation: Conversation, line: LineEvents, data: str, user: str = USER) -> list:
    return conversation.respond(Event.from_dict(line.postback(data, source=line.source(user))))


def texts(replies: list) -> list[str]:
    return [getattr(m, "text", None) or m.alt_text for m in replies]


def postbacks(message) -> list[str]:
    return [item.action.data for item in message.quick_reply.items]


def test_follow_greets_explains_privacy_and_offers_the_menu(conversation, line):
    replies = conversation.respond(Event.from_dict(line.follow(source=line.source(USER))))
    greeting, privacy = texts(replies)
    assert "ボット" in greeting and "人ではありません" in greeting and "相談員に相談" in greeting
    assert "トーク履歴をすべて削除" in privacy and "データを削除" in privacy
    assert postbacks(replies[-1]) == [
        render.MENU_CHECK,
        render.MENU_ASK,
        render.MENU_COUNSELOR,
        render.MENU_HOWTO,
    ]


def test_a_crisis_gets_the_numbers_at_once_and_an_urgent_thread_with_the_facts(conversation, line, identity):
    user_key = identity.user_key(USER)
    conversation.dialogue.known[user_key] = Facts(parent="mother", municipality="金沢市")
    replies = say(conversation, line, "夫に殴られています。怖いです")
    crisis, followup = texts(replies)
    assert "0120-279-889" in crisis and "#8008" in crisis and "110" in crisis
    assert followup == handoff.thread_opened(conversation.hours, OPEN_HOUR)
    thread = conversation.threads.open_thread_for(user_key)
    assert thread.urgent and thread.reason == "crisis" and "dv" in thread.categories
    assert thread.facts == {"parent": "mother", "municipality": "金沢市"}
    assert [p["name"] for p in thread.programs] == ["児童扶養手当"]
    transcript = conversation.threads.transcript(thread.id)
    assert [(m.sender, m.text) for m in transcript] == [
        ("resident", "夫に殴られています。怖いです"),
        ("bot", crisis),
    ]
    assert conversation.knowledge.asked == []


def test_out_of_hours_the_resident_is_told_when_a_person_answers(make_conversation, line):
    conversation = make_conversation(now=CLOSED_HOUR)
    _, followup = texts(say(conversation, line, "死にたい"))
    assert followup == handoff.thread_opened(conversation.hours, CLOSED_HOUR)
    assert "受付時間外" in followup
    ack, answer = texts(say(conversation, line, "まだ誰もいませんか"))
    assert "受付時間外" in ack and "0120-279-338" in ack  # urgent: the numbers again
    assert answer == "回答：まだ誰もいませんか"  # and, while no one can read it yet, the question answered


def test_out_of_hours_only_an_answer_joins_the_acknowledgement(make_conversation, line):
    conversation = make_conversation(now=CLOSED_HOUR)
    say(conversation, line, "死にたい")
    conversation.knowledge.confident, conversation.knowledge.topic = False, ""
    replies = texts(say(conversation, line, "明日の朝まで待てばいいですか"))
    assert len(replies) == 1 and "受付時間外" in replies[0]  # no 「見つけられませんでした」 beside it


def test_an_open_thread_hears_everything_and_the_bot_only_acknowledges(conversation, line, identity):
    say(conversation, line, "相談員と話したい")
    thread = conversation.threads.open_thread_for(identity.user_key(USER))
    assert thread.reason == "request" and not thread.urgent
    replies = say(conversation, line, "児童扶養手当はいくらですか")
    assert texts(replies) == [
        handoff.acknowledgement(thread, conversation.hours, conversation.crisis, OPEN_HOUR)
    ]
    assert conversation.knowledge.asked == []
    said, told = conversation.threads.transcript(thread.id)[-2:]  # what the resident was told is kept too
    assert (said.sender, said.text) == ("resident", "児童扶養手当はいくらですか")
    assert (told.sender, told.text) == ("bot", texts(replies)[0])
    conversation.respond(Event.from_dict(line.sticker(source=line.source(USER))))
    assert any("スタンプ" in m.text for m in conversation.threads.transcript(thread.id)[-2:])


def test_after_resolve_the_bot_answers_again(conversation, line, identity):
    say(conversation, line, "相談員と話したい")
    thread = conversation.threads.open_thread_for(identity.user_key(USER))
    conversation.threads.resolve(thread.id, "suzuki")
    assert texts(say(conversation, line, "児童扶養手当はいくらですか")) == [
        "回答：児童扶養手当はいくらですか"
    ]


def test_an_ordinary_dv_question_is_answered_not_escalated(conversation, line, identity):
    replies = say(conversation, line, "DVの相談窓口はどこですか？")
    assert texts(replies)[0] == "回答：DVの相談窓口はどこですか？"
    assert conversation.threads.open_thread_for(identity.user_key(USER)) is None
    offered = [getattr(item.action, "data", None) for item in replies[-1].quick_reply.items]
    assert handoff.REQUEST_POSTBACK not in offered


def test_two_unanswered_questions_in_a_row_bring_the_offer_of_a_counselor(conversation, line, identity):
    conversation.knowledge.confident = False
    first = say(conversation, line, "宇宙旅行の補助はありますか")
    assert len(first) == 1
    second = say(conversation, line, "火星に住む支援は")
    assert len(second) == 2 and postbacks(second[-1]) == [handoff.REQUEST_POSTBACK, handoff.DECLINE_POSTBACK]
    assert texts(tap(conversation, line, handoff.DECLINE_POSTBACK)) == [messages.OFFER_DECLINED]
    assert len(say(conversation, line, "月の土地は")) == 1  # the count starts again after an offer
    conversation.knowledge.confident = True
    say(conversation, line, "児童扶養手当")
    conversation.knowledge.confident = False
    assert len(say(conversation, line, "木星は")) == 1  # a good answer in between resets the count
    replies = tap(conversation, line, handoff.REQUEST_POSTBACK)
    assert texts(replies)[0] == handoff.messages.REQUEST_REPLY
    assert conversation.threads.open_thread_for(identity.user_key(USER)).reason == "offer"


def test_deleting_asks_first_then_forgets_everything(make_conversation, line, identity):
    forgotten: list[str] = []
    conversation = make_conversation(forgetters=[forgotten.append])
    user_key = identity.user_key(USER)
    say(conversation, line, "相談員と話したい")
    [question] = say(conversation, line, "データを削除")  # works even while a thread is open
    assert postbacks(question) == [handoff.DELETE_CONFIRM_POSTBACK, handoff.DELETE_CANCEL_POSTBACK]
    assert conversation.threads.open_thread_for(user_key) is not None
    assert texts(tap(conversation, line, handoff.DELETE_CANCEL_POSTBACK)) == [handoff.delete_cancelled()]
    assert conversation.threads.open_thread_for(user_key) is not None
    assert texts(tap(conversation, line, handoff.DELETE_CONFIRM_POSTBACK)) == [handoff.delete_done()]
    # Only an anonymous mark of the open thread stays, so the counselor sees the resident left.
    left = [(t.status, t.user_key, t.user_ref, t.facts) for t in conversation.threads.list()]
    assert left == [("deleted", "", "", {})]
    assert conversation.dialogue.forgotten == [user_key] and forgotten == [user_key]


def test_a_question_about_one_service_only_alike_a_check_request_is_answered(conversation, line):
    replies = say(conversation, line, "保育園に入れたいけど、ひとり親だと入りやすくなったりしますか")
    assert texts(replies)[0].startswith("回答：")
    assert conversation.knowledge.asked[-1][0].startswith("保育園")
    assert not conversation.dialogue.running
    # Alike a check request and naming no one service: the check starts.
    [question] = say(conversation, line, "ひとり親だと入りやすくなったりしますか")
    assert question.text == "どなたがお子さんを育てていますか"


def test_intents_route_to_greeting_dialogue_reset_and_thanks(conversation, line, identity):
    greeting, menu = say(conversation, line, "こんにちは")
    assert greeting.text == messages.GREETING and postbacks(menu)[0] == render.MENU_CHECK
    [question] = say(conversation, line, "どんな支援が受けられますか")
    assert question.text == "どなたがお子さんを育てていますか" and postbacks(question) == [
        "dlg:parent=mother"
    ]
    # A dialogue in progress takes free text (and postbacks) before intents and knowledge.
    assert texts(say(conversation, line, "小学生の子がいます")) == ["次の質問です"]
    assert texts(tap(conversation, line, "dlg:parent=mother")) == ["次の質問です"]
    user_key = identity.user_key(USER)
    assert conversation.dialogue.handled == [
        (user_key, "小学生の子がいます", None),
        (user_key, None, "dlg:parent=mother"),
    ]
    assert conversation.knowledge.asked == []
    conversation.dialogue.cancel(user_key)
    [restart] = say(conversation, line, "最初から")
    assert restart.text.startswith(messages.RESTARTED)
    assert texts(say(conversation, line, "ありがとう")) == [messages.THANKS]
    assert texts(say(conversation, line, "誰か人に聞いてほしい"))[0] == handoff.messages.REQUEST_REPLY


def test_asking_whether_one_can_consult_unknown_gets_the_privacy_answer_and_the_menu(conversation, line):
    [reply] = say(conversation, line, "名前を出さずに相談できますか", user="U" + "7" * 32)
    assert reply.text == handoff.anonymous_consultation(conversation.retention_days)
    assert postbacks(reply)[0] == render.MENU_CHECK
    assert conversation.knowledge.asked == []


def test_the_municipality_from_the_dialogue_sharpens_the_answer(conversation, line, identity):
    conversation.dialogue.known[identity.user_key(USER)] = Facts(municipality="小平市")
    say(conversation, line, "ひとり親の相談窓口はどこ")
    assert conversation.knowledge.asked == [("ひとり親の相談窓口はどこ", "小平市")]


def test_a_place_named_in_a_question_is_remembered_until_forgotten(conversation, line, identity):
    say(conversation, line, "白山です。児童扶養手当はどこで申請しますか")
    say(conversation, line, "貸付の窓口はどこ")
    assert conversation.knowledge.asked[-1] == ("貸付の窓口はどこ", "白山市")
    say(conversation, line, "東京の小平に引っ越しました")  # the latest place named wins
    say(conversation, line, "学童の料金は")
    assert conversation.knowledge.asked[-1] == ("学童の料金は", "小平市")
    conversation.forget(identity.user_key(USER))
    say(conversation, line, "学童の料金は")
    assert conversation.knowledge.asked[-1] == ("学童の料金は", None)


def test_the_household_check_wins_over_a_place_named_in_passing(conversation, line, identity):
    say(conversation, line, "金沢市に住んでいます")
    conversation.dialogue.known[identity.user_key(USER)] = Facts(municipality="小平市")
    say(conversation, line, "ひとり親の相談窓口はどこ")
    assert conversation.knowledge.asked[-1] == ("ひとり親の相談窓口はどこ", "小平市")


def test_menu_postbacks(conversation, line, identity):
    [ask] = tap(conversation, line, render.MENU_ASK)
    assert ask.text == messages.ASK_PROMPT and [i.action.text for i in ask.quick_reply.items] == list(
        messages.ASK_EXAMPLES
    )
    assert texts(tap(conversation, line, render.MENU_HOWTO)) == [messages.HOWTO]
    assert texts(tap(conversation, line, render.MENU_CHECK)) == ["どなたがお子さんを育てていますか"]
    assert texts(tap(conversation, line, render.MENU_RESTART))[0].startswith(messages.RESTARTED)
    assert not conversation.dialogue.active(identity.user_key(USER))
    assert texts(tap(conversation, line, "dlg:parent=father")) == [messages.DIALOGUE_EXPIRED]
    assert texts(tap(conversation, line, "something-unknown")) == [messages.MENU_PROMPT]
    replies = tap(conversation, line, render.MENU_COUNSELOR)
    assert texts(replies)[0] == handoff.messages.REQUEST_REPLY
    # While the thread is open a menu tap only says who has the chat.
    assert texts(tap(conversation, line, render.MENU_CHECK)) == [messages.IN_THREAD_MENU]


def test_a_menu_tap_in_an_urgent_thread_keeps_the_numbers_in_reach(conversation, line):
    say(conversation, line, "消えたい")
    [notice] = texts(tap(conversation, line, render.MENU_HOWTO))
    assert notice.startswith(messages.IN_THREAD_MENU) and "0120-279-338" in notice


@pytest.mark.parametrize("kind", ["image", "video", "audio", "file", "location", "sticker"])
def test_what_is_not_text_gets_a_polite_text_only_notice(conversation, line, kind):
    event = getattr(line, kind)(source=line.source(USER))
    assert texts(conversation.respond(Event.from_dict(event))) == [messages.TEXT_ONLY]


def test_groups_and_rooms_get_a_brief_note_and_nothing_is_kept(conversation, line, tmp_path):
    group = line.source(USER, group_id="C" + "2" * 32)
    room = line.source(USER, room_id="R" + "3" * 32)
    for source in (group, room):
        replies = conversation.respond(Event.from_dict(line.text("夫に殴られています", source=source)))
        assert texts(replies) == [messages.GROUP_REPLY]
    assert texts(conversation.respond(Event.from_dict(line.join()))) == [messages.JOIN_INTRO]
    assert conversation.threads.list() == [] and conversation.knowledge.asked == []
    assert "殴られ" not in (tmp_path / "yorisoi.db").read_bytes().decode("utf-8", "replace")


@pytest.mark.parametrize(
    "build",
    [
        "unfollow",
        "leave",
        "member_joined",
        "member_left",
        "unsend",
        "video_play_complete",
        "beacon",
        "account_link",
    ],
)
def test_events_that_need_no_answer_get_none(conversation, line, build):
    event = getattr(line, build)()
    if build in {"unfollow", "unsend", "video_play_complete", "beacon", "account_link"}:
        event["source"] = line.source(USER)
    assert conversation.respond(Event.from_dict(event)) == []


@pytest.mark.parametrize(
    "text",
    [
        "児童扶養手当" * 1700,  # 10,200 characters
        "😭😭😭",
        "How much is the child support allowance?",
        "手当\x00\x07\u202eについて\x1b",
        "   ",
    ],
)
def test_odd_messages_are_answered_within_lines_limits(conversation, line, text):
    replies = say(conversation, line, text)
    assert 1 <= len(replies) <= 5
    for message in replies:
        assert isinstance(message, TextMessage) and 0 < len(message.text) <= render.MAX_TEXT_CHARS
    if not text.strip():
        assert texts(replies) == [messages.EMPTY_TEXT]


def test_clean_text_drops_control_and_direction_characters_but_keeps_lines():
    assert clean_text("  手当\x00\u202eに\nついて\t ") == "手当に\nついて"


def test_a_failing_part_still_gets_the_resident_an_answer(conversation, line, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("index unavailable")

    conversation.knowledge.answer = broken
    replies = say(conversation, line, "児童扶養手当はいくらですか")
    assert texts(replies) == [messages.TROUBLE]
    assert "児童扶養手当" not in caplog.text  # the log names the event type, never the text


def test_a_crisis_gets_the_numbers_even_when_the_thread_cannot_be_opened(conversation, line):
    def locked(*args, **kwargs):
        raise sqlite3.OperationalError("database is locked")

    conversation.threads.open = locked
    crisis, trouble = texts(say(conversation, line, "死にたい"))
    assert "0120-279-338" in crisis and trouble == messages.HANDOFF_TROUBLE
    assert texts(say(conversation, line, "相談員と話したい")) == [messages.HANDOFF_TROUBLE]


def test_a_crisis_during_the_household_check_is_not_taken_as_an_answer(conversation, line, identity):
    user_key = identity.user_key(USER)
    conversation.dialogue.running.add(user_key)
    crisis, _ = texts(say(conversation, line, "もう限界です"))
    assert "0120-279-338" in crisis
    assert conversation.dialogue.handled == []
    assert conversation.threads.open_thread_for(user_key).urgent


def test_a_crisis_inside_an_open_thread_makes_it_urgent_with_its_kind(conversation, line, identity):
    say(conversation, line, "相談員と話したい")
    user_key = identity.user_key(USER)
    assert not conversation.threads.open_thread_for(user_key).urgent
    crisis, _ = texts(say(conversation, line, "今夜寝る場所がない"))
    assert "0120-279-338" in crisis
    thread = conversation.threads.open_thread_for(user_key)
    assert thread.urgent and "no_place_tonight" in thread.categories


def test_crisis_words_while_a_counselor_writes_leave_the_counselor_a_note(conversation, line, identity):
    say(conversation, line, "相談員と話したい")
    thread = conversation.threads.open_thread_for(identity.user_key(USER))
    conversation.threads.claim(thread.id, "suzuki", now=OPEN_HOUR)
    conversation.threads.append(thread.id, "counselor", "鈴木です。どうされましたか", now=OPEN_HOUR)
    assert texts(say(conversation, line, "本当はもう死んでしまいたいと思う時があります")) == []
    [note] = conversation.threads.notes(thread.id)
    assert note.author == handoff.NOTE_AUTHOR_BOT and "自殺のおそれ" in note.text
    assert "送っていません" in note.text
    assert conversation.threads.open_thread_for(identity.user_key(USER)).urgent


@pytest.mark.parametrize(
    ("statement", "place"),
    [("石川県の能美市に住んでます。", "能美市"), ("かほく市在住", "かほく市"), ("小平です", "小平市")],
)
def test_a_message_that_only_says_where_one_lives_is_acknowledged_and_remembered(
    conversation, line, identity, statement, place
):
    """The bot invites 「〇〇市に住んでいます」: such a message is noted, not searched, and no miss."""
    conversation.knowledge.confident = False
    assert texts(say(conversation, line, statement)) == [messages.PLACE_NOTED.format(place=place)]
    assert conversation.knowledge.asked == []
    assert conversation.state.unanswered(identity.user_key(USER)) == 0


@pytest.mark.parametrize(
    ("statement", "place"), [("横浜に住んでいます", "横浜"), ("大阪市在住です", "大阪市")]
)
def test_a_place_no_document_covers_is_acknowledged_without_promising_its_windows(
    conversation, line, statement, place
):
    conversation.knowledge.confident = False
    assert texts(say(conversation, line, statement)) == [messages.PLACE_NOTED_ELSEWHERE.format(place=place)]
    assert conversation.knowledge.asked == []
    say(conversation, line, "手当はいつ振り込まれますか")
    assert conversation.knowledge.asked == [("手当はいつ振り込まれますか", place)]


def test_a_place_with_a_question_is_still_answered(conversation, line):
    say(conversation, line, "野々市市に住んでいます。保育料は安くなりますか")
    assert conversation.knowledge.asked == [("野々市市に住んでいます。保育料は安くなりますか", "野々市市")]


def test_how_long_a_counselor_counts_as_writing_is_configured(
    make_conversation, line, identity, monkeypatch, tmp_path
) -> None:
    """YORISOI_COUNSELOR_LIVE_MINUTES reaches the store the app builds; a counselor who wrote 45 minutes
    ago is still in the conversation with 60 (no "お返事は…以降" cuts in) and not with the default 30."""
    from datetime import timedelta

    from bot.config import Settings
    from bot.services import build_stores

    monkeypatch.setenv("YORISOI_COUNSELOR_LIVE_MINUTES", "60")
    settings = Settings.from_env(data_dir=tmp_path / "app", local_mode=True, testing=True).resolved()
    assert build_stores(settings).threads.live_window == timedelta(minutes=60)
    night = datetime(2026, 11, 24, 22, 0, tzinfo=TOKYO)
    for minutes, told in ((30, True), (60, False)):
        conversation = make_conversation(now=night)
        conversation.threads.live_window = timedelta(minutes=minutes)
        user = "U" + str(minutes // 10) * 32
        say(conversation, line, "相談員と話したい", user)
        thread = conversation.threads.open_thread_for(identity.user_key(user))
        conversation.threads.claim(thread.id, "suzuki", now=night - timedelta(minutes=50))
        conversation.threads.append(thread.id, "counselor", "鈴木です", now=night - timedelta(minutes=45))
        replies = texts(say(conversation, line, "ありがとうございます、少し落ち着きました", user))
        assert bool(replies) is told and all("以降" in text for text in replies)


def test_crisis_words_in_a_thread_just_taken_are_not_told_to_wait_until_morning(
    make_conversation, line, identity
) -> None:
    """A counselor took the thread a minute ago and has not written yet: the resident gets the contacts (no
    one is writing to them), then 「相談員がいま確認しています」, not 「お返事は…8時30分以降」 (seen in the
    emulator, right after the bot had said a counselor was reading)."""
    from datetime import timedelta

    night = datetime(2026, 11, 24, 22, 0, tzinfo=TOKYO)
    conversation = make_conversation(now=night)
    say(conversation, line, "相談員と話したい")
    thread = conversation.threads.open_thread_for(identity.user_key(USER))
    conversation.threads.claim(thread.id, "suzuki", now=night - timedelta(minutes=1))
    crisis, followup = texts(say(conversation, line, "正直もう消えてしまいたいです"))
    assert "0120-279-338" in crisis
    assert followup == handoff.messages.ACKNOWLEDGEMENT_CLAIMED and "以降" not in followup
    later = make_conversation(now=night + timedelta(hours=1))  # taken long ago and silent: the hours again
    _, followup = texts(say(later, line, "やっぱり消えたい"))
    assert "以降" in followup
