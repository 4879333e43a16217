"""Deciding when a resident asks for a person, or should be offered one, from rules in escalation.yaml.

Crises are decided by handoff.crisis (the one crisis authority); this policy covers the explicit request
for a counselor and the offer after unanswered questions, and `Escalation` is what both hand the router.
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
# Small vowels typed for style or by a slip (「しにたぃ」「つらぁい」) read as the full ones.
_SMALL_VOWELS = str.maketrans("ぁぃぅぇぉ", "あいうえお")
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """NFKC, lower case, katakana → hiragana, small vowels → full, no whitespace: one spelling for every
    way residents type."""
    folded = unicodedata.normalize("NFKC", text).lower().translate(_KATAKANA).translate(_SMALL_VOWELS)
    return _SPACES.sub("", folded)


@dataclass(frozen=True)
class Escalation:
    """What the policy decided. `reply` goes to the resident at once; `choices` are (label, postback)."""

    kind: Kind
    urgent: bool
    categories: list[str]
    reply: str
    choices: list[tuple[str, str]] = field(default_factory=list)


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
    """Explicit request, or the offer after unanswered questions, in that order of precedence."""

    def __init__(self, rules: dict) -> None:
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
        if postback in self.request_postbacks or any(p.search(normalised) for p in self.request_phrases):
            return Escalation("request", False, [], messages.REQUEST_REPLY)
        if unanswered_in_a_row >= self.offer_threshold:
            choices = [
                (messages.OFFER_ACCEPT_LABEL, messages.REQUEST_POSTBACK),
                (messages.OFFER_DECLINE_LABEL, messages.DECLINE_POSTBACK),
            ]
            return Escalation("offer", False, [], messages.OFFER_REPLY, choices)
        return None
