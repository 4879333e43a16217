"""Facts residents act on (amounts, phone numbers, dates, addresses): found in a source, sought in a draft.

An imported page is only trustworthy if every figure of the original survived conversion and curation, so the
importer lists each fact of the source text and whether the draft still carries it. Both texts are compared
after NFKC (full-width digits, `～`/`~`) and with whitespace removed, which only undo layout noise.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

KINDS = ("amount", "phone", "date", "address")

_NUMBER = r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?"
_AMOUNT = re.compile(rf"(?:(?:{_NUMBER})億)?(?:(?:{_NUMBER})万)?(?:(?:{_NUMBER})千)?(?:{_NUMBER})?円")
_PHONE = re.compile(r"(?<![\d-])(?:0\d{1,4}-\d{1,4}-\d{3,4}|0\d{9,10}|#\d{4})(?![\d-])")
_DATES = (
    re.compile(r"(?<!\d)\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?)?"),
    re.compile(r"(?<!\d)\d{4}[-/]\d{1,2}[-/]\d{1,2}(?!\d)"),
    re.compile(r"(?:令和|平成|昭和)(?:元|\d{1,2})年(?:度)?(?:\d{1,2}月(?:\d{1,2}日)?)?"),
)
_CJK = r"[\u3005\u3040-\u30ff\u4e00-\u9fff]"
_ADDRESS = re.compile(
    rf"〒\d{{3}}-\d{{4}}"
    rf"|{_CJK}{{1,8}}?[市郡区]{_CJK}{{0,14}}?\d+(?:(?:丁目|番地|番|号|-|の){_CJK}{{0,2}}\d+)*(?:丁目|番地|番|号)?"
)
_PATTERNS: dict[str, tuple[re.Pattern[str], ...]] = {
    "amount": (_AMOUNT,),
    "phone": (_PHONE,),
    "date": _DATES,
    "address": (_ADDRESS,),
}


_DIGIT_DASH = re.compile(r"(?<=\d)[‐‑‒–—―−ー－](?=\d)")


def _readable(text: str) -> str:
    """NFKC, dash variants between digits as `-` (`076-261ー9453` is a phone number), spaces collapsed."""
    text = _DIGIT_DASH.sub("-", unicodedata.normalize("NFKC", text))
    return re.sub(r"[ \t\u3000]+", " ", text)


def normalise(text: str) -> str:
    """What comparison sees: the readable text with whitespace removed."""
    return re.sub(r"\s+", "", _readable(text))


@dataclass(frozen=True)
class Fact:
    kind: str
    text: str
    found: bool


def extract_facts(text: str) -> list[tuple[str, str]]:
    """(kind, text) of every amount, phone number, date and address in `text`, once each, in order."""
    readable = _readable(text)
    seen: set[tuple[str, str]] = set()
    facts: list[tuple[str, str]] = []
    for kind in KINDS:
        for pattern in _PATTERNS[kind]:
            for match in pattern.finditer(readable):
                value = match.group(0).strip()
                if kind == "amount" and not re.search(r"\d", value):
                    continue
                key = (kind, normalise(value))
                if key not in seen:
                    seen.add(key)
                    facts.append((kind, value))
    return facts


def compare(source_text: str, draft_text: str) -> list[Fact]:
    """Every fact of `source_text` with whether `draft_text` carries it."""
    draft = normalise(draft_text)
    return [Fact(kind, value, normalise(value) in draft) for kind, value in extract_facts(source_text)]


def report_lines(facts: list[Fact]) -> list[str]:
    """A plain-text fidelity report: missing facts first, then a count per kind."""
    lines = [f"MISSING {fact.kind:<7} {fact.text}" for fact in facts if not fact.found]
    for kind in KINDS:
        of_kind = [fact for fact in facts if fact.kind == kind]
        found = sum(fact.found for fact in of_kind)
        lines.append(f"{kind:<7} {found}/{len(of_kind)} found")
    return lines
