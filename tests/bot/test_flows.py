"""Whole conversations through POST /callback with signed events, the real router and packages, and the
fake LINE API on 127.0.0.1: a household check that ends in cards, every handoff trigger, a counselor's
reply from the dashboard, and deleting a resident's data down to the bytes of the database file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from conversation_support import WORKER_DEADLINE
from fake_line import PUSH_PATH, REPLY_PATH, SECRET_KEY

import handoff
from bot import messages, render
from handoff import ResidentIdentity
from intents import messages as intents_messages

IDENTITY = ResidentIdentity(SECRET_KEY)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
RETRY_KEY = re.compile(r'name="retry_key" value="([^"]+)"')


def user(n: int) -> str:
    return "U" + f"{n:x}".rjust(32, "e")


class Chat:
    """One resident talking to the running bot: each call posts a signed event and returns LINE's view."""

    def __init__(self, server: Any, signed_event: Any, fake_line: Any, user_id: str) -> None:
        self.server = server
        self.events = signed_event
        self.fake = fake_line
        self.user_id = user_id

    @property
    def user_key(self) -> str:
        return IDENTITY.user_key(self.user_id)

    def _post(self, event: dict) -> list[dict]:
        before = len(self.fake.delivered())
        status, _ = self.events.post(self.server.url, event)
        assert status == 200
        assert self.server.core.worker.queue.wait_idle(WORKER_DEADLINE), "the worker did not finish"
        delivered = self.fake.delivered()[before:]
        if not delivered:
            return []
        [call] = delivered
        assert call.path == REPLY_PATH and call.body["replyToken"] == event["replyToken"]
        messages_sent = call.body["messages"]
        assert 1 <= len(messages_sent) <= 5
        return messages_sent

    def say(self, text: str) -> list[dict]:
        return self._post(self.events.text(text, source=self.events.source(self.user_id)))

    def tap(self, data: str) -> list[dict]:
        return self._post(self.events.postback(data, source=self.events.source(self.user_id)))

    def thread(self) -> Any:
        return self.server.core.conversation.threads.open_thread_for(self.user_key)


def text_of(sent: list[dict]) -> str:
    return "\n".join(m.get("text") or m.get("altText") or "" for m in sent)


def quick_replies(sent: list[dict]) -> dict[str, dict]:
    """label → action of the quick replies on the last message (the ones LINE shows)."""
    items = (sent[-1].get("quickReply") or {}).get("items", [])
    return {item["action"]["label"]: item["action"] for item in items}


@pytest.fixture
def server(live_server):
    return live_server


@pytest.fixture
def chat_for(server, signed_event, fake_line):
    def make(n: int) -> Chat:
        return Chat(server, signed_event, fake_line, user(n))

    return make


# ---- the household check ------------------------------------------------------------------------------
def answer_step(chat: Chat, sent: list[dict], skipped: list[str]) -> list[dict]:
    """Answer whatever the dialogue asks, mixing taps and typed answers, and skipping one question."""
    actions = {action.get("data", ""): action for action in quick_replies(sent).values()}
    data = set(actions)
    if "dlg:set:municipality:金沢市" in data:
        return chat.say("金沢市に住んでいます")
    if "dlg:set:parent:mother" in data:
        return chat.tap("dlg:set:parent:mother")
    if "dlg:set:situation:single" in data:
        return chat.tap("dlg:set:situation:single")
    if "dlg:child:done" in data:
        return chat.tap("dlg:child:done")
    if "dlg:child:elementary" in data:
        return chat.say("8歳と4歳です")
    if "dlg:set:child_allowance:receiving" in data:
        return chat.tap("dlg:set:child_allowance:receiving")
    if "dlg:skip:resident_tax" in data:
        skipped.append("resident_tax")
        return chat.tap("dlg:skip:resident_tax")
    if "dlg:set:employment:part_time" in data:
        return chat.say("パートで働いています")
    if "dlg:need:done" in data:
        return chat.tap("dlg:need:done")
    if "dlg:need:money" in data:
        return chat.tap("dlg:need:money")
    skip = next((d for d in data if d.startswith("dlg:skip:")), None)
    assert skip is not None, f"no way to answer: {text_of(sent)} {sorted(data)}"
    skipped.append(skip)
    return chat.tap(skip)


def test_a_household_check_mixing_taps_and_free_text_ends_in_cards_best_fit_first(chat_for):
    chat = chat_for(1)
    sent = chat.say("どんな支援が受けられますか")
    assert any(d.startswith("dlg:") for d in (a.get("data", "") for a in quick_replies(sent).values()))
    sent = chat.say("小学生と保育園の子がいるシングルマザーです")
    skipped: list[str] = []
    for _ in range(15):
        if any(m["type"] == "flex" for m in sent):
            break
        sent = answer_step(chat, sent, skipped)
    flex = next(m for m in sent if m["type"] == "flex")
    assert skipped == ["resident_tax"]
    bubbles = flex["contents"]["contents"]
    assert 1 <= len(bubbles) <= render.MAX_BUBBLES and len(flex["altText"]) <= render.MAX_ALT_TEXT_CHARS
    names = [b["header"]["contents"][1]["text"] for b in bubbles]
    certainties = [b["body"]["contents"][0]["text"] for b in bubbles]
    assert certainties[0] == messages.CERTAINTY["likely"]
    assert "児童扶養手当" in names[:3]
    assert not any("小平" in name or "東京" in name for name in names)
    card = str(bubbles[names.index("児童扶養手当")])
    assert "円" in card and "2024" in card  # the amount travels with its date
    assert set(quick_replies(sent)) >= {messages.MENU_COUNSELOR, messages.MENU_RESTART}
    # The facts now sharpen later answers, and the dialogue is over.
    facts = chat.server.core.conversation.dialogue.facts(chat.user_key)
    assert facts.municipality == "金沢市" and facts.parent == "mother" and len(facts.children_ages) == 2
    assert not chat.server.core.conversation.dialogue.active(chat.user_key)


# ---- handoff triggers ---------------------------------------------------------------------------------
CRISES = [
    ("夫に殴られています。怖いです", "0120-279-889", "dv"),
    ("もう死にたいです", "0120-279-338", "suicide"),
    ("子どもを叩いてしまいそうです", "189", "child_abuse_risk"),
]


@pytest.mark.parametrize(("text", "number", "category"), CRISES)
def test_a_crisis_gets_emergency_numbers_at_once_and_an_urgent_thread(chat_for, text, number, category):
    chat = chat_for(10 + CRISES.index((text, number, category)))
    sent = chat.say(text)
    assert number in sent[0]["text"]
    assert "相談員" in text_of(sent[1:])
    thread = chat.thread()
    assert thread.urgent and thread.reason == "crisis" and category in thread.categories
    transcript = chat.server.core.conversation.threads.transcript(thread.id)
    assert transcript[0].sender == "resident" and transcript[0].text == text


def test_a_thread_shows_the_children_as_the_resident_described_them(chat_for):
    chat = chat_for(17)
    chat.say("父子家庭です。中学生の息子と小3の娘がいます")
    chat.say("相談員と話したい")
    facts = chat.thread().facts
    assert {"stage": "中学生"} in facts["children"] and {"stage": "小3"} in facts["children"]
    assert "children_ages" not in facts  # 13 would be an age the resident never said


def test_asking_for_a_person_opens_a_thread_that_hears_everything(chat_for):
    chat = chat_for(20)
    sent = chat.say("相談員と話したい")
    assert sent[0]["text"] == handoff.messages.REQUEST_REPLY
    thread = chat.thread()
    assert not thread.urgent and thread.reason == "request"
    sent = chat.say("児童扶養手当について聞きたいです")
    assert len(sent) == 1 and "相談員に届けました" in sent[0]["text"]
    said, told = chat.server.core.conversation.threads.transcript(thread.id)[-2:]
    assert said.text == "児童扶養手当について聞きたいです" and told.text == sent[0]["text"]


def test_the_menu_button_opens_a_thread_too(chat_for):
    chat = chat_for(21)
    sent = chat.tap(render.MENU_COUNSELOR)
    assert sent[0]["text"] == handoff.messages.REQUEST_REPLY
    assert chat.thread().reason == "request"


def test_two_unanswered_questions_bring_the_offer_and_accepting_opens_a_thread(chat_for):
    chat = chat_for(22)
    first = chat.say("今日の天気はどうですか")
    assert handoff.REQUEST_POSTBACK not in [a.get("data") for a in quick_replies(first).values()]
    second = chat.say("プロ野球の試合結果を教えて")
    offer = quick_replies(second)
    assert [a.get("data") for a in offer.values()] == [handoff.REQUEST_POSTBACK, handoff.DECLINE_POSTBACK]
    sent = chat.tap(handoff.REQUEST_POSTBACK)
    assert sent[0]["text"] == handoff.messages.REQUEST_REPLY
    thread = chat.thread()
    assert thread.reason == "offer" and not thread.urgent


def test_an_ordinary_dv_question_is_answered_not_escalated(chat_for):
    chat = chat_for(23)
    sent = chat.say("DVの相談窓口はどこですか？")
    assert chat.thread() is None
    assert handoff.messages.CRISIS_INTRO["dv"] not in text_of(sent)
    assert "相談" in sent[0]["text"] and sent[0]["text"] != handoff.messages.REQUEST_REPLY


# ---- the counselor's side -----------------------------------------------------------------------------
def login(client: Any, name: str, password: str) -> str:
    page = client.get("/counselor/login").get_data(as_text=True)
    form = {"csrf_token": CSRF.search(page).group(1), "name": name, "password": password}
    assert client.post("/counselor/login", data=form).status_code == 302
    return CSRF.search(client.get("/counselor/").get_data(as_text=True)).group(1)


def test_a_counselor_reply_reaches_the_resident_and_after_resolve_the_bot_answers(chat_for, fake_line):
    chat, other = chat_for(30), chat_for(31)
    chat.say("相談員と話したい")
    other.say("人と話したいです")
    thread = chat.thread()
    chat.server.core.stores.accounts.add("suzuki", "a-long-counselor-password")
    client = chat.server.app.test_client()
    csrf = login(client, "suzuki", "a-long-counselor-password")
    assert client.post(f"/counselor/threads/{thread.id}/claim", data={"csrf_token": csrf}).status_code == 302
    page = client.get(f"/counselor/threads/{thread.id}").get_data(as_text=True)
    form = {
        "csrf_token": csrf,
        "retry_key": RETRY_KEY.search(page).group(1),
        "text": "お電話でお話しできますか",
    }
    assert client.post(f"/counselor/threads/{thread.id}/reply", data=form).status_code == 302
    [push] = fake_line.calls(PUSH_PATH, status=200)
    assert push.body["to"] == chat.user_id and push.retry_key == form["retry_key"]
    assert "お電話でお話しできますか" in push.texts[0]
    # While a counselor is writing in the thread the bot says nothing at all; after resolve it answers again.
    assert chat.say("児童扶養手当はいくらですか") == []
    assert "児童扶養手当はいくらですか" in [
        m.text for m in chat.server.core.stores.threads.transcript(thread.id)
    ]
    client.post(f"/counselor/threads/{thread.id}/resolve", data={"csrf_token": csrf, "confirmed": "1"})
    resolved = fake_line.calls(PUSH_PATH, status=200)[-1]
    assert resolved.body["to"] == chat.user_id and resolved.texts == [handoff.messages.THREAD_RESOLVED]
    assert chat.thread() is None
    answer = text_of(chat.say("児童扶養手当はいくらですか"))
    assert "児童扶養手当" in answer and "相談員に届けました" not in answer
    assert other.thread() is not None  # the other resident's thread is untouched


def test_a_reply_that_line_refused_goes_out_once_from_the_retry_button(chat_for, fake_line):
    chat = chat_for(32)
    chat.say("相談員と話したい")
    thread = chat.thread()
    chat.server.core.stores.accounts.add("tanaka", "a-long-counselor-password")
    client = chat.server.app.test_client()
    csrf = login(client, "tanaka", "a-long-counselor-password")
    client.post(f"/counselor/threads/{thread.id}/claim", data={"csrf_token": csrf})
    page = client.get(f"/counselor/threads/{thread.id}").get_data(as_text=True)
    form = {"csrf_token": csrf, "retry_key": RETRY_KEY.search(page).group(1), "text": "明日お電話します"}
    fake_line.fail_next(PUSH_PATH, count=100, status=500)
    assert client.post(f"/counselor/threads/{thread.id}/reply", data=form).status_code == 302
    threads = chat.server.core.conversation.threads
    [message] = [m for m in threads.transcript(thread.id) if m.author == "tanaka"]
    assert message.can_retry and message.delivery.startswith("failed")
    fake_line.clear_faults()
    retry = f"/counselor/threads/{thread.id}/messages/{message.id}/retry"
    assert client.post(retry, data={"csrf_token": csrf}).status_code == 302
    [push] = fake_line.calls(PUSH_PATH, status=200)
    assert push.retry_key == form["retry_key"] and "明日お電話します" in push.texts[0]
    assert threads.message(message.id).delivery == "delivered"


# ---- privacy ------------------------------------------------------------------------------------------
def database_bytes(data_dir: Path) -> bytes:
    """The database file and its WAL, as a thief would read them."""
    return b"".join(path.read_bytes() for path in sorted(data_dir.glob("yorisoi.db*")) if path.is_file())


def test_deleting_my_data_leaves_no_trace_in_the_database_file(chat_for, data_dir):
    chat, other = chat_for(40), chat_for(41)
    secret_words = "元夫から逃げて小平市のアパートに住んでいます"
    chat.say("こんにちは")
    chat.say("どんな支援が受けられますか")
    chat.say("小学生と保育園の子がいるシングルマザーです")
    chat.say("相談員と話したい")
    chat.say(secret_words)
    other.say("児童扶養手当はいくらですか")
    question = chat.say("データを削除")
    confirm = quick_replies(question)
    assert [a["data"] for a in confirm.values()] == [
        handoff.DELETE_CONFIRM_POSTBACK,
        handoff.DELETE_CANCEL_POSTBACK,
    ]
    done = chat.tap(handoff.DELETE_CONFIRM_POSTBACK)
    assert done[0]["text"] == handoff.delete_done()
    assert chat.thread() is None and not chat.server.core.conversation.dialogue.active(chat.user_key)
    raw = database_bytes(data_dir)
    for trace in (chat.user_key, chat.user_id, secret_words, "逃げて"):
        for encoding in ("utf-8", "utf-16-le"):
            assert trace.encode(encoding) not in raw, f"{trace!r} is still in the database file"
    assert IDENTITY.user_key(other.user_id).encode() in raw  # only that resident was deleted
    # The bot still works for them afterwards, as a new resident.
    assert "児童扶養手当" in text_of(chat.say("児童扶養手当はいくらですか"))


def test_no_plaintext_line_user_id_anywhere_in_the_database_file(chat_for, data_dir, signed_event, server):
    chats = [chat_for(n) for n in range(50, 54)]
    chats[0].say("夫に殴られています")
    chats[1].say("相談員と話したい")
    chats[2].tap(render.MENU_CHECK)
    chats[3].say("児童扶養手当はいくらですか")
    chats[3]._post(signed_event.follow(source=signed_event.source(chats[3].user_id)))
    raw = database_bytes(data_dir)
    for chat in chats:
        assert chat.user_id.encode() not in raw
        assert chat.user_id[1:].encode() not in raw


# ---- the household check that listens -------------------------------------------------------------------
def skip_to_cards(chat: Chat, sent: list[dict]) -> tuple[list[dict], list[str]]:
    """Answer every remaining question with its skip (or "that's all") button until the cards come."""
    asked = [text_of(sent)]
    for _ in range(15):
        if any(m["type"] == "flex" for m in sent):
            return sent, asked
        data = [action.get("data", "") for action in quick_replies(sent).values()]
        step = next(d for d in data if d.startswith("dlg:skip:") or d in ("dlg:child:done", "dlg:need:done"))
        sent = chat.tap(step)
        asked.append(text_of(sent))
    raise AssertionError(f"no cards after 15 steps: {asked}")


def test_a_check_started_by_a_message_with_place_children_and_situation_asks_none_of_them(chat_for):
    chat = chat_for(40)
    sent = chat.say("白山市に住んでいます。離婚を考えています。子どもは5歳です。どんな支援が受けられますか")
    sent, asked = skip_to_cards(chat, sent)
    said = "\n".join(asked)
    for step in ("situation", "municipality", "children_ages", "children_more"):
        assert intents_messages.QUESTIONS[step][:12] not in said, step
    facts = chat.server.core.conversation.dialogue.facts(chat.user_key)
    assert (facts.situation, facts.municipality) == ("considering_divorce", "白山市")
    assert facts.children_ages == [5]


def test_a_question_during_the_check_is_answered_and_the_check_resumes(chat_for):
    chat = chat_for(41)
    chat.say("どんな支援が受けられますか")
    sent = chat.say("シングルマザーです")
    assert "お住まいの市区町村" in text_of(sent)
    sent = chat.say("養育費の取り決めはどうしたらいいですか？")
    said = text_of(sent)
    assert "養育費として伺います" not in said
    assert said.index("養育費") < said.index(intents_messages.RESUME)  # the answer first, then the way back
    assert "お住まいの市区町村" in said.split(intents_messages.RESUME)[1]
    assert "金沢市" in quick_replies(sent)
    assert chat.server.core.conversation.dialogue.facts(chat.user_key).needs == ["child_support"]
    sent = chat.say("金沢市です")
    assert "お子さんの年齢" in text_of(sent)


def test_one_answer_changed_from_the_results_without_restarting(chat_for):
    chat = chat_for(42)
    sent = chat.say("金沢市のシングルマザーです。子どもは小学生1人です。どんな支援が受けられますか")
    sent, _ = skip_to_cards(chat, sent)
    sent = chat.tap(quick_replies(sent)[intents_messages.RESULT_AGAIN_LABEL]["data"])
    assert "金沢市" in text_of(sent)
    sent = chat.tap(quick_replies(sent)["お住まいを変える"]["data"])
    sent = chat.tap(quick_replies(sent)["白山市"]["data"])
    flex = next(m for m in sent if m["type"] == "flex")
    assert "金沢市 福祉総務課" not in str(flex)
    facts = chat.server.core.conversation.dialogue.facts(chat.user_key)
    assert (facts.municipality, facts.parent, facts.children_ages) == ("白山市", "mother", [9])
    sent = chat.say("住んでいるのは小松市でした")
    assert any(m["type"] == "flex" for m in sent) and "小松市に変更しました" in text_of(sent)
    assert chat.server.core.conversation.dialogue.facts(chat.user_key).children_ages == [9]


def cards(sent: list[dict]) -> list[str]:
    """The program names on the carousel's cards, in order."""
    flex = next(m for m in sent if m["type"] == "flex")
    return [bubble["header"]["contents"][1]["text"] for bubble in flex["contents"]["contents"]]


def test_the_results_reach_line_once_as_one_short_text_and_the_cards(chat_for):
    """Every program goes out once, on its card: the text before the cards names no program and no window
    (LINE's altText, shown where cards cannot be, is the only other list)."""
    chat = chat_for(43)
    said = "金沢市のシングルマザーです。子どもは小学生1人です。パートです。お金と保育が心配。"
    said += "どんな支援がありますか"
    sent, _ = skip_to_cards(chat, chat.say(said))
    assert [m["type"] for m in sent] == ["text", "flex"]
    names = cards(sent)
    assert len(names) == len(set(names)) and len(names) <= render.MAX_BUBBLES
    intro = sent[0]["text"]
    assert not [name for name in names if name in intro]
    assert "窓口:" not in intro and "076-" not in intro
    flex = sent[1]
    assert all(name in flex["altText"] for name in names[:3])


def test_an_allowance_not_received_yet_comes_before_any_loan(chat_for):
    """A single mother not receiving 児童扶養手当 who wants to borrow: the allowance she is likely entitled
    to is named before the loans, and its what-to-check line names its income limit and her window."""
    chat = chat_for(44)
    said = "白山市で離婚したシングルマザーです。子どもは年中と小3。児童扶養手当はもらっていません。"
    said += "お金を借りたいです。どんな支援が受けられますか"
    sent, _ = skip_to_cards(chat, chat.say(said))
    names = cards(sent)
    allowance = names.index("児童扶養手当")
    loans = [i for i, name in enumerate(names) if "貸付" in name or "資金" in name]
    assert loans and allowance < min(loans), names
    flex = next(m for m in sent if m["type"] == "flex")
    card = str(flex["contents"]["contents"][allowance])
    assert "所得制限" in card and "白山市福祉事務所" in card
    assert "確認が必要: 児童扶養手当の受給" not in card
