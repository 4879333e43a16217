"""Programs named in an English message, read through a glossary a city can edit (bot/english.yaml).

The documents and the windows speak Japanese. A resident who writes in English is told which Japanese
program her question is about (the name to type here or to show at the window) and then gets the answer to
the Japanese question made of those names: `Glossary.read(text)` gives them, or None when the message names
none of the glossary's words.

Words are compared lower-cased, letter by letter: a plural (nurseries, loans) is read as the word, and in
words of five letters or more one wrong, missing, extra or swapped letter too (allowence, nursary). Where
phrases overlap the longest wins, so "child support allowance" is 児童扶養手当 and not 養育費.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

GLOSSARY_FILE = Path(__file__).with_name("english.yaml")
# The most programs asked of the documents at once (an answer compares two or three well, not more).
MAX_ASKED = 2
# The most programs named in the English reply.
MAX_NAMED = 4
# Words this long or longer may carry one wrong letter.
FUZZY_FROM = 5
DEFAULT_ASK = "について教えてください"
# "for my 2 kids": said before the Japanese question, so an amount's answer gives the household total.
CHILDREN_SAID = "子ども{count}人です。"

_WORD = re.compile(r"[a-z]+")
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_CHILDREN = re.compile(
    r"\b([1-9]|one|two|three|four|five|six)\s+(?:kid|child|children|son|daughter|boy|girl)s?\b", re.IGNORECASE
)


@dataclass(frozen=True)
class Program:
    name: str  # Japanese, as the documents call it
    english: str
    background: bool = False
    common: bool = False
    note: str = ""


@dataclass(frozen=True)
class Reading:
    """What an English message names: the programs (in the order said) and the Japanese question for them."""

    programs: tuple[Program, ...]
    query: str


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _words(text: str) -> list[str]:
    return [_stem(word) for word in _WORD.findall(text.lower().replace("-", " "))]


def _close(said: str, known: str) -> bool:
    """The same word, or (from FUZZY_FROM letters) one letter wrong, missing, extra or swapped."""
    if said == known:
        return True
    if min(len(said), len(known)) < FUZZY_FROM or abs(len(said) - len(known)) > 1:
        return False
    if len(said) == len(known):
        differ = [i for i, (a, b) in enumerate(zip(said, known, strict=True)) if a != b]
        if len(differ) == 1:
            return True
        i, j = differ[0], differ[-1]
        return len(differ) == 2 and j == i + 1 and said[i] == known[j] and said[j] == known[i]
    short, long = sorted((said, known), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


class Glossary:
    def __init__(self, programs: list[tuple[Program, list[str]]], asks: list[tuple[str, list[str]]]) -> None:
        phrases: dict[tuple[str, ...], list[Program]] = {}
        for program, words in programs:
            for phrase in words:
                key = tuple(_words(phrase))
                if key and program not in phrases.setdefault(key, []):
                    phrases[key].append(program)
        # Longest first, so a longer phrase takes its words before a shorter one inside it.
        self._phrases = sorted(phrases.items(), key=lambda item: -len(item[0]))
        self._asks = [(japanese, [tuple(_words(w)) for w in words]) for japanese, words in asks]
        self.programs = [program for program, _ in programs]

    @classmethod
    def load(cls, path: Path = GLOSSARY_FILE) -> Glossary:
        data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        programs = []
        for entry in data.get("programs") or []:
            program = Program(
                name=str(entry["name"]),
                english=str(entry["english"]),
                background=bool(entry.get("background", False)),
                common=bool(entry.get("common", False)),
                note=str(entry.get("note") or ""),
            )
            programs.append((program, [str(word) for word in entry.get("words") or []]))
        asks = [(str(a["japanese"]), [str(w) for w in a.get("words") or []]) for a in data.get("asks") or []]
        return cls(programs, asks)

    @property
    def common(self) -> list[Program]:
        """The programs listed, to copy, for a message that names none."""
        return [program for program in self.programs if program.common]

    def read(self, text: str) -> Reading | None:
        said = _words(text)
        taken = [False] * len(said)
        found: list[tuple[int, Program]] = []
        for phrase, programs in self._phrases:
            for start in _find(said, phrase, taken):
                for i in range(start, start + len(phrase)):
                    taken[i] = True
                found.extend((start, program) for program in programs)
        named: list[Program] = []
        for _, program in sorted(found, key=lambda item: item[0]):
            if program not in named:
                named.append(program)
        if any(not program.background for program in named):
            named = [program for program in named if not program.background]
        if not named:
            return None
        asked = named[:MAX_ASKED]
        asks = (japanese for japanese, phrases in self._asks if any(_find(said, p, None) for p in phrases))
        ask = next(asks, DEFAULT_ASK)
        children = _CHILDREN.search(text)
        count = children.group(1).lower() if children else ""
        said = CHILDREN_SAID.format(count=_NUMBERS.get(count, count)) if count else ""
        return Reading(tuple(named[:MAX_NAMED]), said + "と".join(p.name for p in asked) + ask)


def _find(said: list[str], phrase: tuple[str, ...], taken: list[bool] | None) -> list[int]:
    """Where `phrase` starts in `said`, on words no longer phrase has taken (every place, not overlapping)."""
    starts: list[int] = []
    i = 0
    while i + len(phrase) <= len(said):
        span = range(i, i + len(phrase))
        free = taken is None or not any(taken[j] for j in span)
        if free and all(_close(said[j], word) for j, word in zip(span, phrase, strict=True)):
            starts.append(i)
            i += len(phrase)
        else:
            i += 1
    return starts


@cache
def default_glossary() -> Glossary:
    return Glossary.load()
