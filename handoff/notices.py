"""Opt-in notices for residents: the topic list a city edits, what a resident's message asks for, the answer
to it (`NoticeDesk`, on the subscriptions in handoff.subscriptions), and how a notice looks on a phone.

Subscribing, listing and stopping by message (「現況届のお知らせがほしい」「お知らせを止めて」) must work
without menus, and a knowledge question that merely mentions a notice (「決定通知書が届かない」) must still
reach the knowledge base; the word lists in notice_topics.yaml draw that line. Every notice opens with the
same neutral line and altText (「寄り添いからのお知らせ」), so a shared phone's lock screen or chat list says
nothing about single parenthood.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from handoff import messages
from handoff.escalation import normalise
from handoff.subscriptions import NoticeRuns, Subscriptions

TOPICS_FILE = Path(__file__).with_name("notice_topics.yaml")
# LINE's limits: a text message holds at most 5,000 characters, a Flex altText at most 1,500.
MAX_TEXT_CHARS = 5000
MAX_ALT_TEXT_CHARS = 1500
_KEY = re.compile(r"^[a-z0-9_]+$")

Kind = Literal["subscribe", "unsubscribe", "list"]


@dataclass(frozen=True)
class NoticeTopic:
    key: str
    label: str
    description: str
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class NoticeRequest:
    """What a message asks. `topics` empty means "no topic named": choose one (subscribe) or all (stop)."""

    kind: Kind
    topics: tuple[NoticeTopic, ...] = ()


@dataclass(frozen=True)
class RenderedNotice:
    """A notice as it goes out: `alt_text` is what notifications and the chat list show."""

    alt_text: str
    title: str
    body: str
    footer: str

    @property
    def text(self) -> str:
        """The notice as one text message; its first line is the neutral title."""
        return f"{self.title}\n\n{self.body}\n\n{self.footer}"

    def flex_bubble(self) -> dict[str, Any]:
        """The notice as a Flex bubble (send with `alt_text`): only the altText reaches the lock screen."""
        return {
            "type": "bubble",
            "body": {
                "type": "box",
                "layout": "vertical",
                "spacing": "md",
                "contents": [
                    {"type": "text", "text": self.title, "weight": "bold", "wrap": True},
                    {"type": "text", "text": self.body, "wrap": True},
                    {"type": "text", "text": self.footer, "wrap": True, "size": "xs", "color": "#666666"},
                ],
            },
        }


def _compile(patterns: list[str] | None, where: str) -> tuple[re.Pattern[str], ...]:
    compiled = []
    for pattern in patterns or []:
        if "\\" in pattern:
            raise ValueError(f"notice topics, {where}: write {pattern!r} without backslashes")
        try:
            compiled.append(re.compile(normalise(pattern)))
        except re.error as error:
            raise ValueError(
                f"notice topics, {where}: {pattern!r} is not a valid pattern ({error})"
            ) from error
    return tuple(compiled)


class NoticeTopics:
    """The topics of notice_topics.yaml and the reading of residents' messages about notices."""

    def __init__(self, data: dict[str, Any]) -> None:
        topics = []
        for index, spec in enumerate(data.get("topics") or []):
            key = str(spec.get("key") or "")
            if not _KEY.match(key):
                raise ValueError(f"notice topics, topic {index + 1}: key {key!r} must be a-z, 0-9 or _")
            if not spec.get("label") or not spec.get("keywords"):
                raise ValueError(f"notice topics, {key}: label and keywords are required")
            topics.append(
                NoticeTopic(
                    key=key,
                    label=str(spec["label"]),
                    description=str(spec.get("description") or ""),
                    keywords=tuple(normalise(str(word)) for word in spec["keywords"]),
                )
            )
        keys = [topic.key for topic in topics]
        if not topics or len(set(keys)) != len(keys):
            raise ValueError("notice topics: at least one topic, each key only once")
        self.topics = tuple(topics)
        self._notice_words = _compile(data.get("notice_words"), "notice_words")
        self._timing = _compile(data.get("timing_phrases"), "timing_phrases")
        self._stop = _compile(data.get("stop_phrases"), "stop_phrases")
        self._list = _compile(data.get("list_phrases"), "list_phrases")
        self._start = _compile(data.get("start_phrases"), "start_phrases")
        self._short_mention = int(data.get("short_mention_chars") or 0)

    @classmethod
    def load(cls, path: Path | None = None) -> NoticeTopics:
        with open(path or TOPICS_FILE, encoding="utf-8") as handle:
            return cls(yaml.safe_load(handle))

    def by_key(self, key: str) -> NoticeTopic | None:
        return next((topic for topic in self.topics if topic.key == key), None)

    def parse(self, text: str) -> NoticeRequest | None:
        """The notice request in a resident's message, or None when the message is about something else."""
        folded = normalise(text or "")
        named = tuple(t for t in self.topics if any(word in folded for word in t.keywords))
        mentions_notices = any(word.search(folded) for word in self._notice_words)
        if not mentions_notices and not (named and any(p.search(folded) for p in self._timing)):
            return None
        if any(p.search(folded) for p in self._stop):
            return NoticeRequest("unsubscribe", named)
        if any(p.search(folded) for p in self._list):
            return NoticeRequest("list")
        if any(p.search(folded) for p in self._start):
            return NoticeRequest("subscribe", named)
        if len(folded) <= self._short_mention:
            return NoticeRequest("list")
        return None

    def parse_postback(self, data: str) -> NoticeRequest | None:
        """The request behind a notice button (rich menu or topic choice), or None for other buttons."""
        for kind, prefix in (
            ("subscribe", messages.NOTICE_SUBSCRIBE_POSTBACK),
            ("unsubscribe", messages.NOTICE_UNSUBSCRIBE_POSTBACK),
        ):
            if data == prefix.rstrip(":"):
                return NoticeRequest(kind)
            if data.startswith(prefix):
                topic = self.by_key(data.removeprefix(prefix))
                return NoticeRequest(kind, (topic,)) if topic else None
        if data == messages.NOTICE_LIST_POSTBACK:
            return NoticeRequest("list")
        return None

    def topic_choices(self, exclude: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
        """(button label, postback data) for each topic not yet subscribed, for quick replies."""
        return [
            (topic.label, messages.NOTICE_SUBSCRIBE_POSTBACK + topic.key)
            for topic in self.topics
            if topic.key not in exclude
        ]


# ---- what the resident reads ----------------------------------------------------------------------------
def subscribed_reply(topic: NoticeTopic, already: bool) -> str:
    template = messages.NOTICE_ALREADY_SUBSCRIBED if already else messages.NOTICE_SUBSCRIBED
    return template.format(label=topic.label)


def choose_topic_reply(topics: list[NoticeTopic]) -> str:
    lines = [messages.NOTICE_CHOOSE_TOPIC]
    lines += [messages.NOTICE_TOPIC_LINE.format(label=t.label, description=t.description) for t in topics]
    return "\n".join(lines)


def unsubscribed_reply(stopped: list[NoticeTopic], everything: bool) -> str:
    """After a stop: which topics were stopped (all of them when no topic was named)."""
    if not stopped:
        return messages.NOTICE_NOTHING_TO_STOP
    if everything:
        return messages.NOTICE_UNSUBSCRIBED_ALL
    return "\n".join(messages.NOTICE_UNSUBSCRIBED_ONE.format(label=topic.label) for topic in stopped)


def listing_reply(subscribed: list[NoticeTopic]) -> str:
    if not subscribed:
        return messages.NOTICE_LIST_EMPTY
    lines = [messages.NOTICE_LIST_HEADER]
    lines += [messages.NOTICE_LIST_LINE.format(label=topic.label) for topic in subscribed]
    lines.append(messages.NOTICE_LIST_FOOTER)
    return "\n".join(lines)


def render_notice(body: str) -> RenderedNotice:
    """A notice an admin wrote, as residents receive it. Raises ValueError when it cannot go out."""
    body = (body or "").strip()
    if not body:
        raise ValueError("the notice has no text")
    notice = RenderedNotice(
        alt_text=messages.NOTICE_HEADING,
        title=messages.NOTICE_HEADING,
        body=body,
        footer=messages.NOTICE_FOOTER,
    )
    if len(notice.text) > MAX_TEXT_CHARS:
        raise ValueError(f"the notice is {len(notice.text)} characters; LINE takes at most {MAX_TEXT_CHARS}")
    assert len(notice.alt_text) <= MAX_ALT_TEXT_CHARS
    return notice


# ---- answering a resident -------------------------------------------------------------------------------
Choices = list[tuple[str, str]]  # (button label, postback data)


class NoticeDesk:
    """A resident's notice requests answered against their subscriptions: the reply and its buttons."""

    def __init__(self, topics: NoticeTopics, subscriptions: Subscriptions, runs: NoticeRuns) -> None:
        self.topics = topics
        self.subscriptions = subscriptions
        self.runs = runs

    def read(self, text: str) -> NoticeRequest | None:
        return self.topics.parse(text)

    def read_postback(self, data: str) -> NoticeRequest | None:
        return self.topics.parse_postback(data)

    def menu_choice(self) -> tuple[str, str]:
        """The button that starts subscribing (under the how-to answer of the rich menu)."""
        return messages.NOTICE_MENU_LABEL, messages.NOTICE_SUBSCRIBE_POSTBACK.rstrip(":")

    def _subscribed(self, user_key: str) -> list[NoticeTopic]:
        found = (self.topics.by_key(key) for key in self.subscriptions.topics_of(user_key))
        return [topic for topic in found if topic is not None]

    def _more(self, user_key: str, stop: bool) -> Choices:
        held = frozenset(self.subscriptions.topics_of(user_key))
        choices = self.topics.topic_choices(exclude=held)
        if stop and held:
            choices.append((messages.NOTICE_STOP_LABEL, messages.NOTICE_UNSUBSCRIBE_POSTBACK.rstrip(":")))
        return choices

    def answer(
        self, user_key: str, user_ref: Callable[[], str], request: NoticeRequest
    ) -> tuple[str, Choices]:
        """Carry out the request; `user_ref` seals the push target, asked only when subscribing."""
        if request.kind == "list":
            return listing_reply(self._subscribed(user_key)), self._more(user_key, stop=True)
        if request.kind == "unsubscribe":
            named: Sequence[str] | None = [t.key for t in request.topics] or None
            stopped = self.subscriptions.unsubscribe(user_key, named)
            topics = [t for t in (self.topics.by_key(k) for k in stopped) if t is not None]
            return unsubscribed_reply(topics, everything=named is None), []
        if not request.topics:
            held = frozenset(self.subscriptions.topics_of(user_key))
            left = [t for t in self.topics.topics if t.key not in held]
            if not left:
                return listing_reply(self._subscribed(user_key)), self._more(user_key, stop=True)
            return choose_topic_reply(left), self._more(user_key, stop=False)
        ref = user_ref()
        lines = [
            subscribed_reply(topic, already=not self.subscriptions.subscribe(user_key, ref, topic.key))
            for topic in request.topics
        ]
        return "\n".join(lines), self._more(user_key, stop=False)

    def blocked(self, user_key: str) -> None:
        """The resident blocked the bot: no notice reaches them again unless they subscribe anew."""
        self.subscriptions.forget(user_key)
        self.runs.forget(user_key)
