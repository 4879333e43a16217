"""Deciding when a resident needs a person, from rules kept as data in escalation.yaml.

A resident in danger must get emergency numbers at once; a resident who merely asks where the DV窓口 is
must get an answer, not an alarm. The rules file draws that line with word lists (crisis signals, topic
words, question markers, first-person markers), so counselors can review and extend it without code.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml

from handoff import messages

RULES_FILE = Path(__file__).with_name("escalation.yaml")
Kind = Literal["crisis", "request", "offer"]
_KATAKANA = {code: code - 0x60 for code in range(ord("ァ"), ord("ヶ") + 1)}
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """NFKC, lower case, katakana → hiragana, no whitespace: one spelling for every way residents type."""
    folded = unicodedata.normalize("NFKC", text).lower().translate(_KATAKANA)
    return _SPACES.sub("", folded)


@dataclass(frozen=True)
class Escalation:
    """What the policy decided. `reply` goes to the resident at once; `choices` are (label, postback)."""

    kind: Kind
    urgent: bool
    categories: list[str]
    reply: str
    choices: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class CrisisCategory:
    name: str
    signals: tuple[re.Pattern[str], ...]
    topics: tuple[re.Pattern[str], ...]
    contacts: tuple[str, ...]


def _compile(patterns: list[str] | None, where: str) -> tuple[re.Pattern[str], ...]:
    compiled = []
    for pattern in patterns or []:
        if "\\" in pattern:
            raise ValueError(f"escalation rules, {where}: write {pattern!r} without backslashes")
        try:
            compiled.append(re.compile(normalise(pattern)))
        except re.error as error:
            message = f"escalation rules, {where}: {pattern!r} is not a valid pattern ({error})"
            raise ValueError(message) from error
    return tuple(compiled)


class EscalationPolicy:
    """Crisis, explicit request, or the offer after unanswered questions, in that order of precedence."""

    def __init__(self, rules: dict) -> None:
        self.categories = tuple(
            CrisisCategory(
                name=name,
                signals=_compile(spec.get("signals"), f"crisis.{name}.signals"),
                topics=_compile(spec.get("topics"), f"crisis.{name}.topics"),
                contacts=tuple(spec.get("contacts") or ()),
            )
            for name, spec in rules["crisis"].items()
        )
        for category in self.categories:
            unknown = [key for key in category.contacts if key not in messages.EMERGENCY_CONTACTS]
            if unknown:
                raise ValueError(f"escalation rules, crisis.{category.name}: unknown contacts {unknown}")
            if category.name not in messages.CRISIS_INTRO:
                raise ValueError(f"escalation rules: messages.CRISIS_INTRO has no text for {category.name!r}")
        self.question_markers = _compile(rules.get("question_markers"), "question_markers")
        self.personal_markers = _compile(rules.get("personal_markers"), "personal_markers")
        self.topic_negations = tuple(normalise(n) for n in rules.get("topic_negations") or ())
        self.request_phrases = _compile(rules["request"].get("phrases"), "request.phrases")
        self.request_postbacks = frozenset(rules["request"].get("postbacks") or ())
        self.offer_threshold = int(rules["offer"]["unanswered_in_a_row"])

    @classmethod
    def load(cls, path: Path | None = None) -> EscalationPolicy:
        with open(path or RULES_FILE, encoding="utf-8") as handle:
            return cls(yaml.safe_load(handle))

    def assess(
        self, text: str, unanswered_in_a_row: int = 0, *, postback: str | None = None
    ) -> Escalation | None:
        """Decide for one incoming message.

        `unanswered_in_a_row` counts the resident's questions in a row, this one included, that the
        knowledge base could not answer; `postback` is the data of a tapped button, if any.
        """
        normalised = normalise(text or "")
        categories = self.crisis_categories(normalised)
        if categories:
            return Escalation("crisis", True, categories, self.crisis_reply(categories))
        if postback in self.request_postbacks or any(p.search(normalised) for p in self.request_phrases):
            return Escalation("request", False, [], messages.REQUEST_REPLY)
        if unanswered_in_a_row >= self.offer_threshold:
            choices = [
                (messages.OFFER_ACCEPT_LABEL, messages.REQUEST_POSTBACK),
                (messages.OFFER_DECLINE_LABEL, messages.DECLINE_POSTBACK),
            ]
            return Escalation("offer", False, [], messages.OFFER_REPLY, choices)
        return None

    def crisis_categories(self, normalised: str) -> list[str]:
        """Names of the crisis categories a normalised message falls into, in the rules' order."""
        return [c.name for c in self.categories if self._in_crisis(c, normalised)]

    def _in_crisis(self, category: CrisisCategory, text: str) -> bool:
        if any(signal.search(text) for signal in category.signals):
            return True
        mentions = [m for topic in category.topics for m in topic.finditer(text)]
        live = [m for m in mentions if not text[m.end() :].startswith(self.topic_negations)]
        if not live:
            return False
        asks_about_services = any(marker.search(text) for marker in self.question_markers)
        speaks_of_self = any(marker.search(text) for marker in self.personal_markers)
        return speaks_of_self or not asks_about_services

    def emergency_contacts(self, categories: list[str]) -> list[str]:
        """The emergency numbers that fit these categories, most urgent category first, no repeats."""
        keys: list[str] = []
        for category in self.categories:
            if category.name in categories:
                keys.extend(key for key in category.contacts if key not in keys)
        return [messages.EMERGENCY_CONTACTS[key] for key in keys]

    def crisis_reply(self, categories: list[str]) -> str:
        intro = [messages.CRISIS_INTRO[c.name] for c in self.categories if c.name in categories]
        contacts = [messages.CONTACT_LINE.format(contact=c) for c in self.emergency_contacts(categories)]
        return "\n".join([*intro, "", messages.CONTACTS_HEADER, *contacts])
