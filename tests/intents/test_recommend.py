"""Eligibility matching: the dev and own household sets, DV urgency, the allowance estimate, unknown facts."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shared_files import DEV_HOUSEHOLDS, needs_shared

from intents import AmountInForce, Facts, FactsError, recommend
from intents.facts import CHOICE_FIELDS, LIST_FIELDS
from intents.matching import DEFAULT_LIMIT, UNASKED_CORE_ROOM

HERE = Path(__file__).parent
OWN_HOUSEHOLDS = HERE / "households.jsonl"


def load_cases(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def check_case(case: dict, catalogue) -> list[str]:
    result = recommend(Facts.from_dict(case["facts"]), catalogue, limit=None if case.get("all") else 10)
    names = [suggestion.name for suggestion in result.programs]
    problems = [f"missing {wanted}" for wanted in case["expect"] if not any(wanted in n for n in names)]
    problems += [f"unwanted {unwanted}" for unwanted in case["exclude"] if any(unwanted in n for n in names)]
    return problems


@needs_shared
@pytest.mark.parametrize(
    "case", load_cases(DEV_HOUSEHOLDS) if DEV_HOUSEHOLDS.exists() else [], ids=lambda case: case["name"]
)
def test_dev_households(case, catalogue):
    assert check_case(case, catalogue) == []


@pytest.mark.parametrize("case", load_cases(OWN_HOUSEHOLDS), ids=lambda case: case["name"])
def test_own_households(case, catalogue):
    assert check_case(case, catalogue) == []


def test_every_program_is_expected_by_some_household(catalogue):
    """Each catalogue entry is reached by a case that names it, so no entry is dead data."""
    reached: set[str] = set()
    for case in load_cases(OWN_HOUSEHOLDS):
        result = recommend(Facts.from_dict(case["facts"]), catalogue, limit=None if case.get("all") else 10)
        reached |= {s.id for s in result.programs if any(wanted in s.name for wanted in case["expect"])}
    assert sorted(program.id for program in catalogue if program.id not in reached) == []


def test_dv_makes_the_result_urgent_and_puts_dv_windows_first(catalogue):
    facts = Facts.from_dict(
        {"parent": "mother", "municipality": "金沢市", "children_ages": [3], "needs": ["childcare", "dv"]}
    )
    result = recommend(facts, catalogue)
    assert result.urgent is True
    first_two = result.programs[:2]
    assert {s.name for s in first_two} == {"石川県女性相談支援センター", "DV被害相談"}
    assert all(s.urgent for s in first_two) and not any(s.urgent for s in result.programs[2:])
    assert result.programs[0].contact.endswith("076-208-3304")


def test_dv_as_a_circumstance_is_urgent_too(catalogue):
    facts = Facts.from_dict({"parent": "mother", "municipality": "七尾市", "circumstances": ["dv"]})
    result = recommend(facts, catalogue)
    assert result.urgent and result.programs[0].name == "石川県女性相談支援センター"


def test_without_dv_nothing_is_urgent(catalogue):
    result = recommend(Facts.from_dict({"parent": "mother", "municipality": "金沢市"}), catalogue)
    assert result.urgent is False and not any(s.urgent for s in result.programs)


def test_reasons_are_in_the_residents_terms(catalogue):
    facts = Facts.from_dict(
        {"parent": "mother", "situation": "single", "municipality": "金沢市", "children_ages": [4, 9]}
    )
    allowance = next(s for s in recommend(facts, catalogue).programs if s.id == "child_rearing_allowance")
    assert "18歳未満のお子さんがいるひとり親家庭のため" in allowance.why
    assert allowance.source == "石川県「ひとり親家庭の支援(ひとり親家庭福祉制度)」2024年6月20日更新"


# 児童扶養手当 in force from 2025-04-01 (knowledge/amounts.yaml): 46,690 + 11,030 for each further child.
@pytest.mark.parametrize(
    ("ages", "children", "amount"),
    [
        ([4], 1, 46690),
        ([4, 9], 2, 57720),
        ([1, 4, 9], 3, 68750),
        ([1, 4, 9, 12], 4, 79780),
        ([4, 19], 1, 46690),
    ],
)
def test_allowance_estimate_counts_children_under_18(catalogue, dated_amounts, ages, children, amount):
    facts = Facts.from_dict(
        {"parent": "mother", "situation": "single", "municipality": "白山市", "children_ages": ages}
    )
    result = recommend(facts, catalogue, amounts=dated_amounts, on=date(2025, 6, 1))
    allowance = next(s for s in result.programs if s.id == "child_rearing_allowance")
    estimate = allowance.estimate
    assert (estimate.children, estimate.monthly_full_amount) == (children, amount)
    assert f"月額{amount:,}円" in estimate.text
    for caveat in ("全部支給の場合の目安", "所得により一部支給・支給なし", "2025年4月から"):
        assert caveat in estimate.text
    assert "新しい額" not in estimate.text  # fiscal year 2025 has its amounts


def test_a_new_fiscal_year_without_known_amounts_says_so(catalogue, dated_amounts):
    facts = Facts.from_dict({"parent": "mother", "situation": "single", "children_ages": [4]})
    result = recommend(facts, catalogue, amounts=dated_amounts, on=date(2026, 11, 30))
    estimate = next(s for s in result.programs if s.name == "児童扶養手当").estimate
    assert estimate.monthly_full_amount == 46690 and "新しい額になっている場合があります" in estimate.text


def test_no_superseded_amount_reaches_a_card(catalogue, dated_amounts):
    facts = Facts.from_dict({"parent": "mother", "situation": "single", "children_ages": [1, 4, 9]})
    result = recommend(facts, catalogue, limit=None, amounts=dated_amounts, on=date(2026, 5, 1))
    cards = json.dumps(result.to_dict(), ensure_ascii=False)
    for superseded in ("45,500", "45500", "6,450", "6450", "令和6年4月以降"):
        assert superseded not in cards


def test_the_estimate_travels_to_kodaira(catalogue, dated_amounts):
    facts = Facts.from_dict(
        {"parent": "father", "situation": "single", "municipality": "小平市", "children_ages": [3, 5]}
    )
    result = recommend(facts, catalogue, amounts=dated_amounts, on=date(2025, 6, 1))
    allowance = next(s for s in result.programs if s.name == "児童扶養手当")
    assert allowance.jurisdiction == "小平市"
    assert allowance.estimate.monthly_full_amount == 57720


def test_no_estimate_while_the_children_are_unknown(catalogue):
    result = recommend(Facts.from_dict({"parent": "mother", "municipality": "金沢市"}), catalogue)
    allowance = next(s for s in result.programs if s.id == "child_rearing_allowance")
    assert allowance.estimate is None and allowance.certainty == "possible"


def test_likely_needs_every_condition_known_and_met(catalogue):
    full = {
        "parent": "mother",
        "situation": "single",
        "municipality": "金沢市",
        "children_ages": [9],
        "child_allowance": "receiving",
        "resident_tax": "exempt",
        "employment": "part_time",
        "needs": ["childcare"],
    }
    support = "after_school_club_support"
    by_id = {s.id: s for s in recommend(Facts.from_dict(full), catalogue, limit=None).programs}
    assert by_id[support].certainty == "likely"
    without_work = dict(full, employment=None)
    by_id = {s.id: s for s in recommend(Facts.from_dict(without_work), catalogue, limit=None).programs}
    assert by_id[support].certainty == "possible"
    assert any("お仕事の状況" in reason for reason in by_id[support].why)


def test_unknown_municipality_keeps_programs_possible_and_asks_for_it(catalogue):
    result = recommend(Facts.from_dict({"parent": "mother", "children_ages": [4]}), catalogue)
    assert result.programs and all(
        s.certainty == "possible" for s in result.programs if s.jurisdiction != "国"
    )
    assert result.missing[0] == "situation"
    assert "municipality" in result.missing


def test_other_jurisdictions_are_never_suggested(catalogue):
    for municipality, foreign in (("金沢市", {"小平市", "東京都"}), ("小平市", {"石川県", "金沢市"})):
        facts = Facts.from_dict({"parent": "mother", "municipality": municipality, "children_ages": [9]})
        result = recommend(facts, catalogue, limit=None)
        assert {s.jurisdiction for s in result.programs}.isdisjoint(foreign)
    facts = Facts.from_dict({"parent": "mother", "municipality": "白山市", "children_ages": [9]})
    assert "金沢市" not in {s.jurisdiction for s in recommend(facts, catalogue, limit=None).programs}


def test_the_limit_keeps_core_programs(catalogue):
    facts = Facts.from_dict(
        {
            "parent": "mother",
            "situation": "single",
            "municipality": "金沢市",
            "children_ages": [3, 8, 15],
            "needs": ["childcare", "education", "qualification", "job", "housing"],
        }
    )
    result = recommend(facts, catalogue)
    names = [s.name for s in result.programs]
    # The core programs nobody asked about come on top of the limit, at most two of them.
    assert len(names) <= DEFAULT_LIMIT + UNASKED_CORE_ROOM
    assert "ひとり親家庭等医療費助成" in names and "児童扶養手当" in names


FACT_VALUES = {
    **{name: st.sampled_from(values) for name, values in CHOICE_FIELDS.items()},
    **{
        name: st.lists(st.sampled_from(values), unique=True, max_size=3)
        for name, values in LIST_FIELDS.items()
    },
    "municipality": st.sampled_from(["金沢市", "七尾市", "津幡町", "小平市", "新宿区", "横浜市"]),
    "children_ages": st.lists(st.integers(0, 25), max_size=4),
}


def consistent(facts: dict) -> dict:
    """A household that asks for help with DV has DV among its circumstances too."""
    if "dv" in facts["needs"] and "dv" not in facts["circumstances"]:
        return dict(facts, circumstances=[*facts["circumstances"], "dv"])
    return facts


@settings(max_examples=150, deadline=None)
@given(
    full=st.fixed_dictionaries(FACT_VALUES).map(consistent),
    forget=st.sets(st.sampled_from(sorted(FACT_VALUES)), min_size=1),
)
def test_an_unknown_fact_never_removes_a_program(catalogue, full, forget):
    known = recommend(Facts.from_dict(full), catalogue, limit=None)
    vaguer = recommend(
        Facts.from_dict({k: v for k, v in full.items() if k not in forget}), catalogue, limit=None
    )
    vaguer_ids = {s.id for s in vaguer.programs}
    topics = {catalogue.get(i).group for i in vaguer_ids}
    for suggestion in known.programs:
        assert suggestion.id in vaguer_ids or catalogue.get(suggestion.id).group in topics


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"parent": "mom"}, "parent"),
        ({"needs": ["money", "cash"]}, "needs"),
        ({"children_ages": [-1]}, "children_ages"),
        ({"children_ages": "5"}, "children_ages"),
        ({"employment": "part-time"}, "employment"),
        ({"circumstances": ["flood"]}, "circumstances"),
        ({"municipality": ""}, "municipality"),
        ({"income": 100}, "income"),
    ],
)
def test_facts_errors_name_the_field_and_allowed_values(data, field):
    with pytest.raises(FactsError) as error:
        Facts.from_dict(data)
    assert field in str(error.value)


def test_facts_round_trip_and_merge():
    facts = Facts.from_dict({"parent": "mother", "needs": ["money"], "children_ages": [9, 4]})
    assert Facts.from_dict(facts.to_dict()) == facts
    assert facts.children_ages == [4, 9]
    merged = facts.merged(Facts(needs=["job", "money"], municipality="金沢市"))
    assert merged.needs == ["money", "job"] and merged.municipality == "金沢市" and merged.parent == "mother"


class StubAmounts:
    """A stand-in for the dated amounts data: one amount in force from a date, none before it."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, date, int]] = []

    def in_force(self, program: str, on: date, children: int) -> AmountInForce | None:
        self.asked.append((program, on, children))
        if on < date(2025, 4, 1):
            return None
        return AmountInForce(
            monthly=10_000 + 1_000 * (children - 1),
            first_child=10_000,
            second_child=1_000,
            third_child_on=1_000,
            as_of="試験用の日付以降",
            source="試験用の資料",
        )


def test_the_amount_estimate_comes_from_the_amounts_in_force_on_the_day(catalogue):
    facts = Facts(parent="mother", situation="single", municipality="白山市", children_ages=[4, 9])
    amounts = StubAmounts()
    result = recommend(facts, catalogue, amounts=amounts, on=date(2025, 6, 1))
    estimate = next(s for s in result.programs if s.id == "child_rearing_allowance").estimate
    assert amounts.asked == [("child_rearing_allowance", date(2025, 6, 1), 2)]
    assert estimate.monthly_full_amount == 11_000 and "試験用の日付以降" in estimate.text
    assert "2024年11月に改定" not in estimate.text
    earlier = recommend(facts, catalogue, amounts=amounts, on=date(2024, 6, 1))
    assert next(s for s in earlier.programs if s.id == "child_rearing_allowance").estimate is None
