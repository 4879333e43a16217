"""Crisis messages through the real webhook, worker, router and index: per kind, the first reply carries a
line open now and an urgent thread exists; at 01:30 no closed line is offered; on-call staff are alerted."""

from __future__ import annotations

import shutil
from datetime import datetime

import pytest
from alert_receivers import HookReceiver, SmtpReceiver, serve_receivers  # noqa: F401 (the `receivers` fixture)
from conversation_support import WORKER_DEADLINE

from bot.services import build_conversation
from handoff import DELETE_CONFIRM_POSTBACK, ContactBook
from handoff.crisis import KINDS
from handoff.hours import TOKYO
from handoff.messages import CRISIS_INTRO
from knowledge import messages as knowledge_messages

NIGHT = datetime(2026, 12, 1, 1, 30, tzinfo=TOKYO)  # Tuesday 01:30, outside reception hours

MESSAGES = {
    "suicide": [
        "もう死にたい",
        "いなくなったほうが子どものためかも",
        "生きてる意味がわからない",
        "しにたいです",
    ],
    "self_harm": [
        "手首を切ってしまった",
        "薬をまとめて飲んだ",
        "リスカがやめられない",
        "ODしちゃった",
    ],
    "despair": [
        "もう限界です",
        "全部終わりにしたい",
        "ひとりで育てるのもう無理、消えたい",
        "もうがんばれない",
    ],
    "child_abuse_risk": [
        "子どもを叩いてしまいそう",
        "昨日息子を殴ってしまった",
        "子どもがかわいいと思えない",
        "子どもにご飯をあげられていない",
    ],
    "child_abuse_other": [
        "近所の子が虐待されているみたい",
        "子どもが元夫に叩かれたと言っている",
        "同居の彼が子どもを殴っている",
        "隣の家から子どもの悲鳴が聞こえる",
    ],
    "dv": [
        "夫に殴られています",
        "旦那が怒ると物を投げてくる",
        "彼氏に蹴られた",
        "夫が怖くて家に帰れない",
    ],
    "danger": [
        "元夫が家の前にいる",
        "ストーカーに待ち伏せされてる",
        "夫が包丁を持ち出した",
        "殺されるかもしれない",
    ],
    "sexual_violence": [
        "レイプされた",
        "無理やり関係を持たされた",
        "知り合いに襲われた",
        "性被害にあいました",
    ],
    "no_place_tonight": [
        "今夜寝る場所がない",
        "家を追い出されて行くところがない",
        "今日泊まるところがない",
        "野宿するしかない",
    ],
}


def settle(server) -> None:
    assert server.core.worker.queue.wait_idle(WORKER_DEADLINE), "the worker did not finish"


def night_app(make_app, knowledge_index, data_dir, **overrides):
    """The real conversation with its clock at 01:30 (the index copied as `make_app` does for the default)."""
    shutil.copytree(knowledge_index, data_dir / "index", dirs_exist_ok=True)

    def factory(settings, stores):
        return build_conversation(settings, stores, clock=lambda: NIGHT)

    return make_app(factory, **overrides)


def open_lines(now: datetime) -> list[str]:
    return [c.reach for c in ContactBook.load().contacts.values() if c.is_open(now) and not c.local]


def closed_lines(now: datetime) -> list[str]:
    return [c.reach for c in ContactBook.load().contacts.values() if not c.is_open(now) and not c.local]


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_at_0130_gets_an_open_line_and_an_urgent_thread(
    kind, make_app, knowledge_index, data_dir, live_server_for, signed_event, fake_line
):
    server = live_server_for(night_app(make_app, knowledge_index, data_dir))
    for number, text in enumerate(MESSAGES[kind]):
        user = "U" + f"{KINDS.index(kind):x}{number:x}".ljust(32, "c")
        before = len(fake_line.delivered())
        signed_event.post(server.url, signed_event.text(text, source=signed_event.source(user)))
        settle(server)
        first = fake_line.delivered()[before]
        reply = "\n".join(first.texts)
        assert any(reach in reply for reach in open_lines(NIGHT)), f"{kind}: {text!r} got no open line"
        assert not [reach for reach in closed_lines(NIGHT) if reach in reply], f"{kind}: closed line offered"
        user_key = server.core.stores.identity.user_key(user)
        thread = server.core.stores.threads.open_thread_for(user_key)
        assert thread is not None and thread.urgent, f"{kind}: {text!r} opened no urgent thread"


def test_a_crisis_inside_a_question_gets_contacts_first_then_the_answer(live_server, signed_event, fake_line):
    user = "U" + "e" * 32
    text = "もう限界です。児童扶養手当はいくらもらえますか？"
    signed_event.post(live_server.url, signed_event.text(text, source=signed_event.source(user)))
    settle(live_server)
    [reply] = fake_line.delivered()
    texts = reply.texts
    assert "0120-279-338" in texts[0]
    assert any("児童扶養手当" in t and "円" in t for t in texts[1:])


def test_a_crisis_whose_question_finds_nothing_gets_the_contacts_without_a_not_found(
    live_server, signed_event, fake_line
):
    user = "U" + "d" * 32
    text = "書類を書いている途中だけど、もう何もかもどうでもいい。私が消えれば済むんでしょうか"
    signed_event.post(live_server.url, signed_event.text(text, source=signed_event.source(user)))
    settle(live_server)
    [reply] = fake_line.delivered()
    said = "\n".join(reply.texts)
    assert "0120-279-338" in said and knowledge_messages.NOT_SURE not in said


def test_an_urgent_thread_alerts_on_call_staff_once_and_answers_questions_at_night(
    make_app,
    knowledge_index,
    data_dir,
    live_server_for,
    signed_event,
    fake_line,
    receivers,
):
    smtp, hook = receivers
    app = night_app(
        make_app,
        knowledge_index,
        data_dir,
        alert_smtp=f"127.0.0.1:{smtp.server_address[1]}",
        alert_from="yorisoi@example.org",
        alert_to="oncall@example.org",
        alert_webhook=f"http://127.0.0.1:{hook.server_address[1]}/alert",
        public_url="https://yorisoi.example.org",
    )
    server = live_server_for(app)
    user = "U" + "f" * 32
    for text in ("夫に殴られています", "また殴られた"):
        signed_event.post(server.url, signed_event.text(text, source=signed_event.source(user)))
        settle(server)
    assert smtp.received.wait(60) and hook.received.wait(60)
    assert server.core.conversation.alerts.wait(60)
    assert len(smtp.mails) == 1 and len(hook.bodies) == 1
    assert "殴" not in str(hook.bodies[0])
    # A chat tool shows the "text": the kind in Japanese and a link it can open.
    assert "種類：DV" in hook.bodies[0]["text"]
    assert "https://yorisoi.example.org/counselor/threads/" in hook.bodies[0]["text"]
    # Meanwhile (01:30, nobody has taken the thread) a question is answered as well as acknowledged.
    signed_event.post(
        server.url, signed_event.text("児童扶養手当はいくらですか", source=signed_event.source(user))
    )
    settle(server)
    last = "\n".join(fake_line.delivered()[-1].texts)
    assert "以降" in last and "児童扶養手当" in last and "円" in last
    # Deleting their data takes the alert record with it.
    thread_id = hook.bodies[0]["thread_id"]
    assert server.core.conversation.alerts.status(thread_id) is not None
    signed_event.post(
        server.url, signed_event.postback(DELETE_CONFIRM_POSTBACK, source=signed_event.source(user))
    )
    settle(server)
    assert server.core.conversation.alerts.status(thread_id) is None


def test_a_crisis_said_in_an_urgent_thread_keeps_the_lines_of_the_first(live_server, signed_event, fake_line):
    """A farewell, then 「今夜…」 read as nowhere to sleep: the second reply keeps the lines for a life at
    risk (119, the lines of the first kind) beside those for the night."""
    user = "U" + "7" * 32
    for text in ("もう死にたい", "今夜寝る場所がない"):
        signed_event.post(live_server.url, signed_event.text(text, source=signed_event.source(user)))
        settle(live_server)
    second = "\n".join(fake_line.delivered()[-1].texts)
    assert "119" in second, second
    assert CRISIS_INTRO["suicide"] in second and CRISIS_INTRO["no_place_tonight"] in second, second
    thread = live_server.core.stores.threads.open_thread_for(live_server.core.stores.identity.user_key(user))
    assert thread is not None and {"suicide", "no_place_tonight"} <= set(thread.categories)


@pytest.mark.parametrize("text", ["死ぬほど忙しい", "眠すぎて死にそう、もうへとへと"])
def test_busy_or_worn_out_matching_no_program_gets_a_warm_word_and_no_thread(
    text, live_server, signed_event, fake_line
):
    """Hyperbole about being busy is no crisis and no question: the resident is not told "not found" but
    gets a warm word, the way to a counselor and to 使い方, and no urgent thread is opened. (A message of
    strain that does match a program, 「忙しすぎて毎日くたくた」 → ホームヘルプサービス, gets that answer.)"""
    from bot import messages
    from knowledge import messages as knowledge_messages

    user = "U" + "b" * 32
    before = len(fake_line.delivered())
    signed_event.post(live_server.url, signed_event.text(text, source=signed_event.source(user)))
    settle(live_server)
    reply = fake_line.delivered()[before]
    body = "\n".join(reply.texts)
    assert messages.STRAIN_REPLY in body and knowledge_messages.NOT_SURE not in body
    items = (reply.body["messages"][-1].get("quickReply") or {}).get("items", [])
    labels = [item["action"]["label"] for item in items]
    assert messages.MENU_COUNSELOR in labels and messages.MENU_HOWTO in labels
    user_key = live_server.core.stores.identity.user_key(user)
    assert live_server.core.stores.threads.open_thread_for(user_key) is None


def test_busy_words_beside_a_question_get_the_answer_after_a_warm_word(live_server, signed_event, fake_line):
    """「死ぬほど忙しいけど、現況届はいつ？」 asks something: a warm word first, then the answer (hedged),
    not the warm word alone (found by a trial as a resident)."""
    from bot import messages

    user = "U" + "d" * 32
    said = "仕事と育児で死ぬほど忙しいけど、児童扶養手当の現況届はいつ出せばいい？"
    before = len(fake_line.delivered())
    signed_event.post(live_server.url, signed_event.text(said, source=signed_event.source(user)))
    settle(live_server)
    body = "\n".join(fake_line.delivered()[before].texts)
    assert messages.STRAIN_PREFACE in body and "児童扶養手当" in body and messages.STRAIN_REPLY not in body
    user_key = live_server.core.stores.identity.user_key(user)
    assert live_server.core.stores.threads.open_thread_for(user_key) is None


def test_a_fear_that_this_chat_is_seen_gets_the_safety_note_first(live_server, signed_event, fake_line):
    """「このLINE見られたらどうしよう」 (seen in the emulator: the answer said only that the documents do not
    cover privacy): no crisis, but how to delete the talk history and hide previews comes first."""
    from handoff import messages as handoff_messages

    user = "U" + "e" * 32
    said = "離婚したいけど、夫に知られたらまずい。このLINE見られたらどうしよう"
    before = len(fake_line.delivered())
    signed_event.post(live_server.url, signed_event.text(said, source=signed_event.source(user)))
    settle(live_server)
    texts = fake_line.delivered()[before].texts
    assert texts[0] == handoff_messages.DV_SAFETY_NOTE and len(texts) > 1
    user_key = live_server.core.stores.identity.user_key(user)
    assert live_server.core.stores.threads.open_thread_for(user_key) is None


@pytest.mark.parametrize("answer", ["受け取っていない", "まだです", "答えない"])
def test_a_short_typed_answer_in_the_household_check_is_no_crisis(
    answer, live_server, signed_event, fake_line
):
    """Typed to 「児童扶養手当を受け取っていますか」, 「受け取っていない」 was read as sexual violence by the
    embedding and opened an urgent thread; a plain answer is taken by the check. Crisis words are not."""
    user = "U" + "c" * 32
    source = signed_event.source(user)
    signed_event.post(live_server.url, signed_event.text("使える制度を調べたい", source=source))
    signed_event.post(
        live_server.url, signed_event.text("白山市のシングルマザーで小学生が1人います", source=source)
    )
    settle(live_server)
    assert "児童扶養手当を受け取っていますか" in "\n".join(fake_line.delivered()[-1].texts)
    before = len(fake_line.delivered())
    signed_event.post(live_server.url, signed_event.text(answer, source=source))
    settle(live_server)
    body = "\n".join(fake_line.delivered()[before].texts)
    assert "0120-279-338" not in body and "児童扶養手当を受け取っていますか" not in body
    user_key = live_server.core.stores.identity.user_key(user)
    assert live_server.core.stores.threads.open_thread_for(user_key) is None
    signed_event.post(live_server.url, signed_event.text("もう死にたい", source=source))
    settle(live_server)
    assert live_server.core.stores.threads.open_thread_for(user_key).urgent
