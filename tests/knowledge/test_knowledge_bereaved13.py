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


# Measured misses after the changes (the set is not tuned on): the answer names 高校 (the 修学資金 loan), a
# word the row did not list; a wish to keep an address from being looked up that names no procedure word.
KNOWN_MISSES = {
    "夫に先立たれて3年になります。子どもの高校の学費で使える支援はありますか": "高校 is not listed",
    "元夫に今の住所を調べられないように、役所で何か申し出ってできますか？どこに言えばいいですか": "no word",
}


@pytest.mark.parametrize(
    "row",
    [
        pytest.param(row, marks=pytest.mark.xfail(reason=KNOWN_MISSES[row["q"]], strict=True))
        if row["q"] in KNOWN_MISSES
        else row
        for row in ROWS
    ],
    ids=[row["q"][:12] for row in ROWS],
)
def test_heldout_bereaved13(real_kb, row):
    text = real_kb.answer(row["q"]).text
    assert not failures(row, text), text


@pytest.mark.parametrize(
    "question",
    [
        "夫と死別した場合の年金について",
        "親を交通事故で亡くした子どもに、もらえる一時金はありますか",
        "もし私が亡くなったら子どもはどうなりますか",
        "児童扶養手当はいくらですか",
    ],
)
def test_no_condolence_for_a_death_supposed_or_someone_elses(real_kb, question):
    assert not real_kb.answer(question).text.startswith(messages.CONDOLENCE)


def test_a_bereaved_resident_is_not_told_a_condition_that_names_only_divorce(real_kb):
    text = real_kb.answer(
        "夫が先月病気で亡くなりました。遺族年金と児童扶養手当は両方もらえるのでしょうか"
    ).text
    assert text.startswith(messages.CONDOLENCE)
    assert "父母の離婚などにより" not in text and "遺族基礎年金" in text
    assert messages.POINTS["death"] in text and messages.POINTS["other_benefits"] in text
    assert "住所変更" not in text and "…" not in text


def test_a_procedure_the_documents_do_not_cover_names_its_kind_of_window(real_kb):
    answer = real_kb.answer(
        "3年前にDVで逃げて、今は子どもと落ち着いて暮らせてます。住所を元夫に知られたくないんですが、"
        "住民票の閲覧制限ってどこで手続きするんですか？"
    )
    assert answer.confident is False
    assert answer.text.startswith(messages.PROCEDURE_NOT_COVERED.format(thing="住民票の閲覧制限"))
    assert "市区町村" in answer.text and "DV" in answer.text
    assert messages.POINTS["privacy"] not in answer.text


def test_a_program_asked_about_beside_a_procedure_word_is_still_answered(real_kb):
    answer = real_kb.answer(
        "DVで避難していて住民票はまだ元の家のままです。それでも児童扶養手当を申請できますか"
    )
    assert "児童扶養手当" in answer.text.splitlines()[0]


def test_the_second_part_of_a_message_is_answered_from_its_own_source(real_kb):
    text = real_kb.answer("ひとり親の医療費助成って所得制限ありますか？あと市営住宅って優先で入れるの？").text
    assert "優先入居" in text and "所得制限" in text
    assert messages.POINTS["priority"] not in text
    assert text.index("医療費") < text.index("市営住宅")
