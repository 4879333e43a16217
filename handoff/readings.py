"""Readings in hiragana, so the crisis rules (written mostly in kanji) also read a message typed in kana.

A resident who writes 「おっとにまたなぐられた」 or 「すいみんやくためてる」 says what 「夫にまた殴られた」
says, but a pattern written 殴られ never matches it. The rules are therefore also compiled in their reading
(each run of kanji in a pattern read by Sudachi, with the kana written after it as context) and matched
against the message's reading, when the message is written mostly in kana.
"""

from __future__ import annotations

import re
import threading
from functools import cache, lru_cache

from sudachipy import Dictionary, SplitMode

_KANJI = re.compile(r"[\u3400-\u9fff\uf900-\ufaff々]+")
_KANA_AFTER = re.compile(r"[\u3041-\u3096ー]+")
_LITERAL = re.compile(r"[\u3041-\u3096ー\u3400-\u9fff\uf900-\ufaff々]+")
# Sudachi's reading of 私 is the formal わたくし; residents write わたし.
_READING_FIXES = {"わたくし": "わたし"}


# One Sudachi tokenizer may not be used by two threads at once (SudachiError "Tokenizer is already in use"):
# the triage reads a queued message while a worker thread reads another.
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _tokenizer():
    return Dictionary(dict="core").tokenizer(mode=SplitMode.C)


def _hiragana(text: str) -> str:
    return "".join(chr(ord(char) - 0x60) if "ァ" <= char <= "ヶ" else char for char in text)


def reading(text: str) -> str:
    """The text with each word that has a kanji replaced by its reading in hiragana (the rest as typed)."""
    parts = []
    with _lock:
        # Sudachi refuses inputs over ~49 KB; a LINE message is at most 5,000 characters
        words = [(m.surface(), m.reading_form()) for m in _tokenizer().tokenize(text[:5000])]
    for surface, spoken_form in words:
        if _KANJI.search(surface) and spoken_form:
            spoken = _hiragana(spoken_form)
            parts.append(_READING_FIXES.get(spoken, spoken))
        else:
            parts.append(surface)
    return "".join(parts)


def mostly_kana(text: str, share: float = 0.1) -> bool:
    """Whether at most `share` of the message's kanji and kana are kanji (「おっとがこわい」 but not
    「夫がこわい」): only then are the rules read a second time in their reading."""
    kanji = sum(len(run) for run in _KANJI.findall(text))
    kana = sum(1 for char in text if "\u3041" <= char <= "\u30ff")
    return kana > 0 and kanji <= share * (kanji + kana)


@cache
def pattern_reading(pattern: str, shortest: int = 2) -> str:
    """A crisis pattern with each literal run that has a kanji read as a whole (「落ち着」 → おちつ); a run
    before an alternation is read with the first alternative's kana (「殴(ら|り)」 → なぐ), which is then
    taken off again."""
    out, position = [], 0
    for run in _LITERAL.finditer(pattern):
        text = run.group(0)
        out.append(pattern[position : run.start()])
        position = run.end()
        if not _KANJI.search(text):
            out.append(text)
            continue
        tail = ""
        if pattern[run.end() : run.end() + 1] == "(":
            first = _KANA_AFTER.match(pattern, run.end() + 1)
            tail = first.group(0) if first else ""
        spoken = reading(text + tail)
        if tail and spoken.endswith(tail) and len(spoken) > len(tail):
            spoken = spoken[: -len(tail)]
        elif tail:
            spoken = reading(text)
        # a short reading (死 → し, 遺書 → いしょ, 蹴られ → けられ) matches inside other words of a kana
        # message (たいしょう, あずけられる): kept as written when shorter than `shortest` (with the kana
        # of the alternative read after it: 手を(あげ → てを + あげ)
        # the written form stays beside the reading: the few kanji of a kana message still match, and so
        # does a verb stem read without what follows it (買 → ばい, not かっ)
        out.append(text if len(spoken) + len(tail) < shortest else f"(?:{text}|{spoken})")
    out.append(pattern[position:])
    return "".join(out)
