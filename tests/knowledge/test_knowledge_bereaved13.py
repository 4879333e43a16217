"""heldout_bereaved13 (session 15, written before the changes it measures), on the real index.

A resident who says a spouse or parent died is met with one line of condolence, and no quoted condition that
names only divorce; a procedure the documents do not cover (住民票, 戸籍, 国民年金) is said to be not in
them and the kind of window that handles it is named, not unrelated material; a message asking two things
gets each answered from the source that fits it. No answer carries a note cut off with 「…」."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from knowledge import messages

HELDOUT = Path(__file__).parent / "heldout_bereaved13.jsonl"
ROWS = [json.loads(line) for line in HELDOUT.read_text(encoding="utf-8").splitlines() if line.strip()]
NOT_IN_DOCUMENTS = re.compile(r"資料(?:に|で)は.{0,20}(?:書かれていません|わかりません|ありません)")


def failures(row: dict, text: str) -> list[str]:
    """What `text`, the answer to `row`'s question, gets wrong (empty when it holds)."""
    wrong = []
    if "…" in text:
        wrong.append("a fragment cut off with …")
    for group in row.get("must", []):
        if not any(word in text for word in group):
            wrong.append(f"none of {group}")
    wrong += [f"says {word}" for word in row.get("must_not", []) if word in text]
    if row["kind"] == "bereaved":
        condolence = getattr(messages, "CONDOLENCE", None)
        if not condolence or not text.startswith(condolence):
            wrong.append("no condolence first")
        if any("離婚" in line and not re.search(r"死|亡", line) for line in text.splitlines()):
            wrong.append("a condition naming only divorce")
    if row["kind"] == "not_covered":
        if not NOT_IN_DOCUMENTS.search(text):
            wrong.append("does not say the documents do not cover it")
        if row["window"] not in text:
            wrong.append(f"names no {row['window']} window")
        if messages.POINTS["privacy"] in text:
            wrong.append("the privacy point")
    return wrong


@pytest.mark.parametrize("row", ROWS, ids=[row["q"][:12] for row in ROWS])
def test_heldout_bereaved13(real_kb, row):
    text = real_kb.answer(row["q"]).text
    assert not failures(row, text), text
