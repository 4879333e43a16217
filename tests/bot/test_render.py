"""bot.render: answers, dialogue turns, suggestions and escalations as LINE messages, within LINE's limits."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace

from linebot.v3.messaging import FlexMessage, Message, MessageAction, PostbackAction, TextMessage

from bot import messages, render
from handoff import CrisisDetector, EscalationPolicy
from handoff.hours import TOKYO
from intents import AllowanceEstimate, Recommendation, Suggestion


def suggestion(number: int, certainty: str = "likely", **changes) -> Suggestion:
    values = {
        "id": f"program-{number}",
        "name": f"制度{number}",
        "category": "手当・給付",
        "certainty": certainty,
        "why": [f"理由{number}-a", f"理由{number}-b"],
        "contact": f"窓口{number} 076-000-000{number % 10}",
        "source": f"出典{number}「資料」2024年6月20日更新",
        "summary": f"月額{number}0,000円",
    }
    values.update(changes)
    return Suggestion(**values)


@dataclass
class Turn:
    text: str
    choices: list = field(default_factory=list)
    done: bool = False
    facts: object = None
    recommendation: Recommendation | None = None


def wire(message_list: list[Message]) -> list[dict]:
    """What the SDK would send: the JSON LINE receives."""
    return [json.loads(json.dumps(m.to_dict())) for m in message_list]


def all_text(payload: object) -> str:
    """Every string in a JSON payload, joined, for 'does the card say X' checks."""
    if isinstance(payload, dict):
        return "\n".join(all_text(v) for v in payload.values())
    if isinstance(payload, list):
        return "\n".join(all_text(v) for v in payload)
    return payload if isinstance(payload, str) else ""


def test_text_is_cut_to_lines_limit_and_labels_to_twenty_characters():
    long_label = "とても長いラベルがここにありますのでLINEの上限を超えます"
    message = render.text(
        "あ" * 6000, [render.Choice(long_label, data="x"), render.Choice("短い", text="短い")]
    )
    assert len(message.text) == render.MAX_TEXT_CHARS
    assert message.text.endswith("…")
    first, second = message.quick_reply.items
    assert isinstance(first.action, PostbackAction)
    assert len(first.action.label) == 20 and first.action.display_text == long_label
    assert isinstance(second.action, MessageAction) and second.action.text == "短い"


def test_quick_replies_are_capped_at_thirteen_and_deduplicated():
    choices = [render.Choice(f"項目{n % 15}", data=f"d{n}") for n in range(30)]
    message = render.text("本文", choices)
    labels = [item.action.label for item in message.quick_reply.items]
    assert len(labels) == 13 and len(set(labels)) == 13


def test_an_answer_offers_related_programs_a_counselor_and_the_start():
    answer = SimpleNamespace(
        text="児童扶養手当は…（出典：石川県 2024年6月20日）",
        confident=True,
        related=[
            "母子父子寡婦福祉資金貸付金",
            "ひとり親家庭等医療費助成制度の名前がとても長い場合",
            "生活場面ごとの支援内容とお問い合わせ先（子どもの保育）",
        ],
    )
    [message] = render.answer(answer)
    assert message.text == answer.text
    actions = [item.action for item in message.quick_reply.items]
    assert [a.label for a in actions[:3]] == [
        "母子父子寡婦福祉資金貸付金",
        answer.related[1][:19] + "…",
        "子どもの保育",
    ]
    assert actions[2].text == answer.related[2]  # the full name is asked, only the label is short
    assert [(a.label, a.data) for a in actions[3:]] == [
        (messages.MENU_COUNSELOR, render.MENU_COUNSELOR),
        (messages.MENU_RESTART, render.MENU_RESTART),
    ]


def test_a_dialogue_question_shows_its_choices_as_postbacks():
    choices = [
        SimpleNamespace(label="母", data="dlg:parent=mother"),
        SimpleNamespace(label="答えない", data="dlg:skip"),
    ]
    [message] = render.dialogue_turn(Turn("どなたがお子さんを育てていますか", choices))
    assert [(i.action.label, i.action.data, i.action.display_text) for i in message.quick_reply.items] == [
        ("母", "dlg:parent=mother", "母"),
        ("答えない", "dlg:skip", "答えない"),
    ]


def test_the_last_dialogue_step_ends_in_a_carousel_best_fit_first():
    estimate = AllowanceEstimate(2, 56_000, "2024-06-20", "石川県", "2人で月額最大56,000円（目安）")
    programs = [suggestion(1, estimate=estimate), suggestion(2), suggestion(3, "possible")]
    turn = Turn("おすすめの制度です。", done=True, recommendation=Recommendation(programs, urgent=False))
    intro, flex = render.dialogue_turn(turn)
    assert isinstance(intro, TextMessage) and isinstance(flex, FlexMessage)
    payload = wire([flex])[0]
    bubbles = payload["contents"]["contents"]
    assert [b["header"]["contents"][1]["text"] for b in bubbles] == ["制度1", "制度2", "制度3"]
    first = all_text(bubbles[0])
    for expected in (
        "制度1",
        "手当・給付",
        messages.CERTAINTY["likely"],
        "理由1-a",
        "月額10,000円",
        "窓口1",
        "出典1",
    ):
        assert expected in first
    assert "2人で月額最大56,000円" in first
    assert messages.CERTAINTY["possible"] in all_text(bubbles[2])
    assert payload["altText"].splitlines()[1].startswith("1. 制度1")
    # The way on after the cards: a counselor, or the start.
    assert [i["action"]["data"] for i in payload["quickReply"]["items"]] == [
        render.MENU_COUNSELOR,
        render.MENU_RESTART,
    ]
    assert isinstance(Message.from_dict(payload), FlexMessage)


def test_more_than_twelve_programs_keep_twelve_cards_and_say_how_many_more():
    programs = [suggestion(n, name=f"とても長い名前の制度その{n}" * 3) for n in range(1, 16)]
    flex, more = render.suggestions(Recommendation(programs, urgent=False), render.after_answer_choices())
    payload = wire([flex])[0]
    assert len(payload["contents"]["contents"]) == render.MAX_BUBBLES
    assert len(payload["altText"]) <= render.MAX_ALT_TEXT_CHARS
    assert "quickReply" not in payload or payload["quickReply"] is None
    assert "3件" in more.text and more.quick_reply is not None
    # Only the programs the cards cannot hold are listed as text, each once, with its window.
    shown_as_text = [p.name for p in programs if p.name in more.text]
    assert shown_as_text == [p.name for p in programs[render.MAX_BUBBLES :]]
    assert all(p.contact in more.text for p in programs[render.MAX_BUBBLES :])
    assert len(json.dumps(payload, ensure_ascii=False).encode()) < 50_000


def test_an_urgent_card_says_to_reach_out_first():
    programs = [suggestion(1, urgent=True, category="安全"), suggestion(2)]
    [flex] = render.suggestions(Recommendation(programs, urgent=True))
    bubbles = wire([flex])[0]["contents"]["contents"]
    assert messages.CARD_URGENT in all_text(bubbles[0])
    assert messages.CARD_URGENT not in all_text(bubbles[1])


def test_no_programs_is_said_in_words():
    [message] = render.suggestions(Recommendation([], urgent=False))
    assert message.text == messages.SUGGESTIONS_NONE


def test_an_escalation_sends_the_numbers_first_then_what_happens_next():
    policy = EscalationPolicy.load()
    detector = CrisisDetector.load()
    found = detector.assess("夫に殴られています。怖いです")
    crisis = detector.escalation(found, datetime(2026, 12, 1, 1, 30, tzinfo=TOKYO))
    first, second = render.escalation(crisis, "相談員がお返事します。")
    assert "0120-279-889" in first.text and second.text == "相談員がお返事します。"
    offer = policy.assess("わからない質問", unanswered_in_a_row=2)
    [message] = render.escalation(offer)
    assert [item.action.data for item in message.quick_reply.items] == ["handoff:request", "handoff:decline"]


def test_fit_keeps_five_messages_and_joins_extra_texts():
    texts = [render.text(f"文{n}") for n in range(7)]
    fitted = render.fit(texts)
    assert len(fitted) == 5
    assert fitted[-1].text == "文4\n\n文5\n\n文6"


def test_a_card_keeps_what_is_still_to_check_when_reasons_are_many():
    checks = ["離婚が成立すると対象になる見込みです", "確認が必要: 住民税の課税"]
    many = suggestion(1, "possible", why=["理由a", "理由b", "理由c", "理由d", *checks], checks=checks)
    card = all_text(wire(render.suggestions(Recommendation(programs=[many], urgent=False))))
    assert all(check in card for check in checks) and "理由a" in card and "理由d" not in card


def test_an_answer_in_a_counselor_thread_does_not_offer_a_counselor():
    from knowledge.messages import OFFER_COUNSELOR

    answer = SimpleNamespace(text=f"就学援助は…\n{OFFER_COUNSELOR}", confident=False, related=["就学援助"])
    [message] = render.answer(answer, in_thread=True)
    assert message.text == "就学援助は…"
    labels = [item.action.label for item in message.quick_reply.items]
    assert "相談員に相談" not in labels and "就学援助" in labels
