"""`yorisoi recommend --json` and `yorisoi eval-recommend`: the contract outside checks rely on."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from shared_files import DEV_HOUSEHOLDS, needs_shared

from bot.cli import cli

HERE = Path(__file__).parent
YORISOI = Path(sys.executable).with_name("yorisoi")
CONTRACT_KEYS = {"id", "name", "category", "certainty", "why", "contact", "source"}


def test_recommend_json_follows_the_contract():
    facts = {"parent": "mother", "situation": "single", "municipality": "金沢市", "children_ages": [4, 9]}
    result = CliRunner().invoke(cli, ["recommend", "--json"], input=json.dumps(facts))
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"programs", "urgent", "missing"}
    assert data["urgent"] is False
    assert data["programs"] and all(set(program) >= CONTRACT_KEYS for program in data["programs"])
    assert all(program["certainty"] in {"likely", "possible"} for program in data["programs"])
    assert all(isinstance(program["why"], list) and program["why"] for program in data["programs"])
    assert "child_allowance" in data["missing"]


def test_recommend_reports_dv_as_urgent():
    facts = {"parent": "mother", "municipality": "白山市", "needs": ["dv"]}
    result = CliRunner().invoke(cli, ["recommend", "--json"], input=json.dumps(facts))
    data = json.loads(result.output)
    assert data["urgent"] is True and data["programs"][0]["name"] == "石川県女性相談支援センター"


def test_recommend_rejects_unknown_values_with_exit_code_2():
    result = CliRunner().invoke(cli, ["recommend", "--json"], input='{"parent": "mom"}')
    assert result.exit_code == 2
    assert "parent" in result.output and "mother, father, widow, guardian" in result.output
    result = CliRunner().invoke(cli, ["recommend", "--json"], input="{not json")
    assert result.exit_code == 2 and "JSON" in result.output


def test_recommend_reads_empty_input_as_unknown_everything():
    result = CliRunner().invoke(cli, ["recommend", "--json"], input="")
    assert result.exit_code == 0
    assert json.loads(result.output)["missing"][:3] == ["parent", "situation", "municipality"]


def test_recommend_as_text():
    facts = {"parent": "father", "municipality": "小平市", "children_ages": [7]}
    result = CliRunner().invoke(cli, ["recommend"], input=json.dumps(facts))
    assert result.exit_code == 0 and "児童育成手当" in result.output and "窓口:" in result.output


@needs_shared
def test_eval_recommend_passes_the_dev_set_in_a_real_process():
    completed = subprocess.run(
        [str(YORISOI), "eval-recommend", str(DEV_HOUSEHOLDS)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "5 passed, 0 failed, 5 total" in completed.stdout


def test_eval_recommend_passes_our_own_households():
    result = CliRunner().invoke(cli, ["eval-recommend", str(HERE / "households.jsonl")])
    assert result.exit_code == 0, result.output
    assert "0 failed" in result.output


def test_eval_recommend_fails_with_exit_code_1_and_says_why(tmp_path):
    cases = tmp_path / "cases.jsonl"
    lines = [
        {
            "name": "ok",
            "facts": {"parent": "mother", "municipality": "金沢市"},
            "expect": ["児童扶養手当"],
            "exclude": [],
        },
        {
            "name": "wrong",
            "facts": {"parent": "mother", "municipality": "小平市"},
            "expect": ["修学資金"],
            "exclude": [],
        },
        {"name": "bad facts", "facts": {"parent": "aunt"}, "expect": [], "exclude": []},
    ]
    cases.write_text(
        "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n", encoding="utf-8"
    )
    result = CliRunner().invoke(cli, ["eval-recommend", str(cases)])
    assert result.exit_code == 1
    assert "PASS ok" in result.output
    assert "FAIL wrong: expected '修学資金' not suggested" in result.output
    assert "FAIL bad facts: invalid facts: parent" in result.output
    assert "1 passed, 2 failed, 3 total" in result.output
