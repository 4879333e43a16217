"""What the packages decide → LINE messages (line-bot-sdk v3 models), inside LINE's limits.

knowledge gives an `Answer`, intents a `DialogueTurn` or a `Recommendation`, handoff an `Escalation`; this
module turns each into text with quick replies or a Flex carousel. LINE rejects a whole call for one
message over a limit, so every limit is enforced here, where the text is made, rather than hoped for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from linebot.v3.messaging import (
    FlexContainer,
    FlexMessage,
    Message,
    MessageAction,
    PostbackAction,
    QuickReply,
    QuickReplyItem,
    TextMessage,
)

from bot import messages
from knowledge.messages import OFFER_COUNSELOR

# LINE's documented limits.
MAX_MESSAGES = 5
MAX_TEXT_CHARS = 5000
MAX_QUICK_REPLIES = 13
MAX_LABEL_CHARS = 20
MAX_ALT_TEXT_CHARS = 400
MAX_BUBBLES = 12
MAX_POSTBACK_DATA = 300
# A card lists this many reasons at most, so a bubble stays well under LINE's 10 KB per bubble.
MAX_CARD_REASONS = 4

# Postback data of the bot's own menu (the rich menu uses the same).
MENU_CHECK = "menu:check"
MENU_ASK = "menu:ask"
MENU_COUNSELOR = "menu:counselor"
MENU_HOWTO = "menu:howto"
MENU_RESTART = "menu:restart"
# Postback data of the feedback buttons under a knowledge answer: "fb:helpful:<question id>".
FEEDBACK_PREFIX = "fb:"

# "生活場面ごとの支援内容とお問い合わせ先（子どもの保育）": the part in the last brackets names the program.
_QUALIFIED_NAME = re.compile(r"^.+?（(.+)）$")

COLOURS = {
    "likely": "#1B7F4C",
    "possible": "#8A6A00",
    "urgent": "#C0392B",
    "muted": "#777777",
    "accent": "#06C755",
}


@dataclass(frozen=True)
class Choice:
    """One quick-reply button: a postback (`data`) or a message the resident sends by tapping (`text`)."""

    label: str
    data: str | None = None
    text: str | None = None


def shorten(text: str, limit: int) -> str:
    """Cut to `limit` characters with an ellipsis, so LINE never refuses a message for its length."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _action(choice: Choice) -> PostbackAction | MessageAction:
    label = shorten(choice.label, MAX_LABEL_CHARS)
    if choice.data is not None:
        return PostbackAction(
            label=label,
            data=choice.data[:MAX_POSTBACK_DATA],
            display_text=shorten(choice.label, 300),
        )
    return MessageAction(label=label, text=shorten(choice.text or choice.label, 300))


def quick_reply(choices: Iterable[Choice]) -> QuickReply | None:
    """At most 13 buttons, no two with the same label (LINE shows duplicates, residents find them odd)."""
    seen: set[str] = set()
    items = []
    for choice in choices:
        label = shorten(choice.label, MAX_LABEL_CHARS)
        if label in seen or not label.strip():
            continue
        seen.add(label)
        items.append(QuickReplyItem(action=_action(choice)))
        if len(items) == MAX_QUICK_REPLIES:
            break
    return QuickReply(items=items) if items else None


def text(body: str, choices: Iterable[Choice] = ()) -> TextMessage:
    return TextMessage(text=shorten(body.strip() or "…", MAX_TEXT_CHARS), quick_reply=quick_reply(choices))


def menu_choices() -> list[Choice]:
    """The four things the bot offers, as on the rich menu."""
    return [
        Choice(messages.MENU_CHECK, data=MENU_CHECK),
        Choice(messages.MENU_ASK, data=MENU_ASK),
        Choice(messages.MENU_COUNSELOR, data=MENU_COUNSELOR),
        Choice(messages.MENU_HOWTO, data=MENU_HOWTO),
    ]


def after_answer_choices() -> list[Choice]:
    """The way out of any answer: a person, or the start."""
    return [
        Choice(messages.MENU_COUNSELOR, data=MENU_COUNSELOR),
        Choice(messages.MENU_RESTART, data=MENU_RESTART),
    ]


def with_choices(message_list: Sequence[Message], choices: Iterable[Choice]) -> list[Message]:
    """Put quick replies on the last message: LINE shows only the last message's buttons."""
    result = list(message_list)
    if result:
        result[-1] = result[-1].copy(update={"quick_reply": quick_reply(choices)})
    return result


def fit(message_list: Sequence[Message]) -> list[Message]:
    """At most five messages per call; extra texts are joined into the fifth rather than dropped."""
    result = list(message_list)
    if len(result) <= MAX_MESSAGES:
        return result
    head, tail = result[: MAX_MESSAGES - 1], result[MAX_MESSAGES - 1 :]
    if all(isinstance(m, TextMessage) for m in tail):
        joined = "\n\n".join(m.text for m in tail)
        return [*head, text(joined).copy(update={"quick_reply": tail[-1].quick_reply})]
    return result[:MAX_MESSAGES]


# ---- knowledge ----------------------------------------------------------------------------------------
def program_label(name: str) -> str:
    """A button label for a program; a long "総称（個別の制度）" name keeps the specific part."""
    if len(name) <= MAX_LABEL_CHARS:
        return name
    match = _QUALIFIED_NAME.match(name)
    return shorten(match.group(1) if match else name, MAX_LABEL_CHARS)


def answer(result: Any, feedback: Sequence[Choice] = (), in_thread: bool = False) -> list[Message]:
    """A knowledge `Answer`: its text, with the related programs as one-tap questions, the feedback
    buttons (if any) and a way out; related programs give way so everything fits in 13 buttons. In a
    counselor thread the offer of a counselor is left out: the resident's words already reach one."""
    body = result.text
    way_out = after_answer_choices()
    if in_thread:
        body = "\n".join(line for line in body.splitlines() if line != OFFER_COUNSELOR)
        way_out = [choice for choice in way_out if choice.data != MENU_COUNSELOR]
    related = [Choice(program_label(name), text=name) for name in getattr(result, "related", None) or []]
    room = MAX_QUICK_REPLIES - len(way_out) - len(feedback)
    return [text(body, [*related[:room], *feedback, *way_out])]


def feedback_choices(question_id: int) -> list[Choice]:
    """役に立った / 役に立たなかった, each carrying the question log id."""
    return [
        Choice(messages.FEEDBACK_HELPFUL, data=f"{FEEDBACK_PREFIX}helpful:{question_id}"),
        Choice(messages.FEEDBACK_UNHELPFUL, data=f"{FEEDBACK_PREFIX}unhelpful:{question_id}"),
    ]


# ---- messages in English --------------------------------------------------------------------------------
def english_names(programs: Sequence[Any]) -> TextMessage:
    """The programs an English message names (bot.english), each as "English = 日本語", and where to ask."""
    lines = [messages.ENGLISH_NAMED_LINE.format(english=p.english, name=p.name) for p in programs]
    notes = [p.note for p in programs if p.note]
    return text("\n".join([messages.ENGLISH_NAMED_INTRO, *lines, *notes, messages.ENGLISH_NAMED_AFTER]))


def latin_script_note(programs: Sequence[Any]) -> TextMessage:
    """Japanese only, said in English and Japanese, with program names to copy (the glossary's `common`)."""
    lines = [messages.LATIN_SCRIPT_PROGRAM.format(name=p.name, english=p.english) for p in programs]
    return text(messages.LATIN_SCRIPT_NOTE.format(programs="\n".join(lines)))


# ---- intents ------------------------------------------------------------------------------------------
def dialogue_turn(turn: Any) -> list[Message]:
    """A dialogue step: the question with its answers as quick replies; the last step adds the cards.

    The results go out once: a short text saying how they are ordered, then the cards; the programs are not
    listed again as text, except those beyond the carousel's twelve cards."""
    choices = [Choice(choice.label, data=choice.data) for choice in turn.choices]
    if not turn.done:
        return [text(turn.text, choices or after_answer_choices())]
    if turn.recommendation is None:
        return [text(turn.text, [*choices, *menu_choices()])]
    intro = turn.text
    if turn.recommendation.programs:
        intro = f"{intro}\n{messages.AMOUNT_CAVEAT}"
    return [text(intro), *suggestions(turn.recommendation, [*choices, *after_answer_choices()])]


def suggestions(recommendation: Any, choices: Iterable[Choice] = ()) -> list[Message]:
    """A `Recommendation` as a Flex carousel, best fit first, with a plain-text altText fallback."""
    programs = list(recommendation.programs)
    if not programs:
        return [text(messages.SUGGESTIONS_NONE, choices)]
    shown = programs[:MAX_BUBBLES]
    carousel = {"type": "carousel", "contents": [_bubble(s) for s in shown]}
    flex = FlexMessage(
        alt_text=_alt_text(shown),
        contents=FlexContainer.from_dict(carousel),
        quick_reply=quick_reply(choices),
    )
    if len(programs) > MAX_BUBBLES:
        rest = programs[MAX_BUBBLES:]
        lines = [messages.SUGGESTIONS_MORE.format(count=len(rest))]
        lines.extend(
            messages.SUGGESTIONS_MORE_LINE.format(name=s.name, certainty=_certainty(s), contact=s.contact)
            for s in rest
        )
        return [flex.copy(update={"quick_reply": None}), text("\n".join(lines), choices)]
    return [flex]


def _alt_text(shown: Sequence[Any]) -> str:
    """What notifications and old clients show instead of the cards: the names, best first."""
    lines = [messages.SUGGESTIONS_ALT.format(count=len(shown))]
    for number, suggestion in enumerate(shown, start=1):
        certainty = _certainty(suggestion)
        lines.append(
            messages.SUGGESTIONS_ALT_LINE.format(number=number, name=suggestion.name, certainty=certainty)
        )
    return shorten("\n".join(lines), MAX_ALT_TEXT_CHARS)


def _certainty(suggestion: Any) -> str:
    """The suggestion's own label (intents words every certainty once), else the generic one."""
    generic = messages.CERTAINTY.get(suggestion.certainty, suggestion.certainty)
    return getattr(suggestion, "label", None) or generic


def _text(body: str, **style: Any) -> dict[str, Any]:
    return {"type": "text", "text": body or "-", "wrap": True, **style}


def _card_reasons(suggestion: Any) -> list[str]:
    """The reasons that fit on a card, never dropping what is still to check (an open condition is never
    silent): the checks stay, the reasons give way."""
    checks = [check for check in getattr(suggestion, "checks", None) or [] if check in suggestion.why]
    reasons = [reason for reason in suggestion.why if reason not in checks]
    room = max(1, MAX_CARD_REASONS - len(checks))
    return [*reasons[:room], *checks][: MAX_CARD_REASONS + 2]


def _bubble(suggestion: Any) -> dict[str, Any]:
    """One card: name, category, certainty, reasons, key amount, window, source with its date."""
    certainty = _certainty(suggestion)
    group = getattr(suggestion, "group_label", "")
    header = [
        _text(
            f"{group} {suggestion.category}" if group else suggestion.category,
            size="xs",
            color=COLOURS["muted"],
        ),
        _text(suggestion.name, weight="bold", size="md"),
    ]
    status = [_text(certainty, size="xs", weight="bold", color=COLOURS.get(suggestion.certainty, "#333333"))]
    if getattr(suggestion, "urgent", False):
        status.insert(0, _text(messages.CARD_URGENT, size="xs", weight="bold", color=COLOURS["urgent"]))
    body: list[dict[str, Any]] = [*status, _text(suggestion.summary, size="sm", margin="md")]
    estimate = getattr(suggestion, "estimate", None)
    if estimate is not None and getattr(estimate, "text", ""):
        body.append(_text(estimate.text, size="sm", margin="sm"))
    if suggestion.why:
        body.append({"type": "separator", "margin": "md"})
        body.append(_text(messages.CARD_REASONS, size="xs", color=COLOURS["muted"], margin="md"))
        body.extend(_text(f"・{reason}", size="sm") for reason in _card_reasons(suggestion))
    body.append({"type": "separator", "margin": "md"})
    body.append(_text(messages.CARD_CONTACT, size="xs", color=COLOURS["muted"], margin="md"))
    body.append(_text(suggestion.contact, size="sm"))
    body.append(_text(f"{messages.CARD_SOURCE}：{suggestion.source}", size="xxs", color=COLOURS["muted"]))
    question = messages.CARD_DETAIL_QUESTION.format(name=suggestion.name)
    return {
        "type": "bubble",
        "size": "mega",
        "header": {"type": "box", "layout": "vertical", "contents": header},
        "body": {"type": "box", "layout": "vertical", "spacing": "sm", "contents": body},
        "footer": {
            "type": "box",
            "layout": "vertical",
            "contents": [
                {
                    "type": "button",
                    "style": "link",
                    "height": "sm",
                    "action": {
                        "type": "message",
                        "label": messages.CARD_DETAIL,
                        "text": shorten(question, 300),
                    },
                }
            ],
        },
    }


# ---- handoff ------------------------------------------------------------------------------------------
def escalation(result: Any, followup: str = "") -> list[Message]:
    """The policy's reply (emergency numbers for a crisis) and what happens next, with its buttons."""
    choices = [Choice(label, data=data) for label, data in getattr(result, "choices", None) or []]
    replies = [text(result.reply)]
    if followup:
        replies.append(text(followup))
    return with_choices(replies, choices) if choices else replies
