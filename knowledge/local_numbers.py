"""Only the resident's own local offices: no other place's phone number reaches a resident.

The documents are 石川県's, 金沢市's and 小平市's. Quoted as they stand, an answer to a resident who named no
place (or another place) would hand them a window that is not theirs to call. Every line of an answer that
carries a local office's number (the place register knows them all) stays only when the resident's place lies
in that office's government; otherwise the line goes, and the answer sends the resident to their own window:
the register's window of their place, else 「お住まいの市区町村の窓口」. National numbers are everyone's.
"""

from __future__ import annotations

import dataclasses

from knowledge import messages
from knowledge.answer import MAX_ANSWER_CHARS, Answer
from knowledge.places import PlaceRegister, phone_key, phones_in

_SOURCE_PREFIX = messages.SOURCE.split("{", 1)[0]
_WINDOW_PREFIXES = tuple(
    text.split("{", 1)[0] for text in (messages.WINDOW, messages.LOCAL_WINDOW, messages.WINDOW_FALLBACK)
)


def for_residents_place(answer: Answer, place: str | None, places: PlaceRegister) -> Answer:
    """`answer` without the lines that give another place's number (quoted facts, the window line, the
    closest programs), a resident who named no place asked for it, and the resident's own window (the
    register's, when their place has one) where the answer names none of theirs."""

    def serves(text: str) -> bool:
        return all(places.serves(number, place) for number in phones_in(text))

    own_window = places.window_of(place)
    window_line = messages.LOCAL_WINDOW.format(window=own_window) if own_window else messages.WINDOW_FALLBACK
    lines = answer.text.split("\n")
    kept: list[str] = []
    for line in lines:
        if serves(line):
            kept.append(line)
        elif line.startswith(_WINDOW_PREFIXES):
            kept.append(window_line)
        elif place is None and messages.WINDOWS_DIFFER_BY_PLACE not in kept:
            kept.append(messages.WINDOWS_DIFFER_BY_PLACE)
    if own_window and answer.confident:
        kept = [window_line if line == messages.WINDOW_FALLBACK else line for line in kept]
    names_a_window = any(line.startswith(_WINDOW_PREFIXES) for line in kept)
    room = sum(len(line) + 1 for line in kept) + len(window_line) <= MAX_ANSWER_CHARS
    if (kept != lines and not names_a_window) or (
        own_window and answer.confident and room and not _gives_number_of(own_window.phone, kept)
    ):
        at = len(kept) - 1 if kept and kept[-1].startswith(_SOURCE_PREFIX) else len(kept)
        kept.insert(at, window_line)
    if kept == lines:
        return answer
    related = [name for name in answer.related if serves(name)]
    return dataclasses.replace(answer, text="\n".join(kept), related=related)


def _gives_number_of(phone: str, lines: list[str]) -> bool:
    wanted = {phone_key(number) for number in phones_in(phone)}
    return any(phone_key(number) in wanted for line in lines for number in phones_in(line))
