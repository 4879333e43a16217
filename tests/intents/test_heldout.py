"""Household cases labelled before the readers and the matching were tuned (see the commit that added them):
descriptions in residents' words with the facts a caseworker would write down, and households with the
programs a caseworker would name (expect) and must not name (exclude)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot import messages as bot_messages
from bot.cli import cli
from intents import Facts, FactsDialogue, messages, parse_facts, recommend
from intents.facts import NEEDS

HERE = Path(__file__).parent
GRADED = (
    "parent",
    "situation",
    "municipality",
    "children_ages",
    "child_allowance",
    "resident_tax",
    "employment",
)


def cases(name: str) -> list[dict]:
    return [json.loads(line) for line in (HERE / name).read_text(encoding="utf-8").splitlines() if line]


@pytest.mark.parametrize(
    "name",
    [
        "heldout_descriptions.jsonl",
        "unseen_descriptions.jsonl",
        "heldout_descriptions2.jsonl",
        "heldout_descriptions3.jsonl",
        "heldout_descriptions4.jsonl",
    ],
)
def test_held_out_descriptions_read_into_facts_at_most_one_in_twelve_wrong(catalogue, name):
    descriptions = cases(name)
    wrong = []
    for case in descriptions:
        facts = parse_facts(case["text"], catalogue.places).facts.to_dict()
        if any(facts[name] != case["facts"].get(name) for name in GRADED):
            wrong.append(case["text"])
    assert len(descriptions) >= 12
    assert len(wrong) * 12 <= len(descriptions), wrong


@pytest.mark.parametrize(
    "name", ["heldout_households.jsonl", "heldout_households2.jsonl", "heldout_households4.jsonl"]
)
def test_held_out_households_name_95_percent_of_expected_programs_and_no_excluded_one(catalogue, name):
    households = cases(name)
    expected = named = 0
    excluded = []
    for case in households:
        names = [s.name for s in recommend(Facts.from_dict(case["facts"]), catalogue).programs]
        expected += len(case["expect"])
        named += sum(any(wanted in name for name in names) for wanted in case["expect"])
        excluded += [(case["name"], bad) for bad in case["exclude"] if any(bad in name for name in names)]
    left_open = [c for c in households if len({*GRADED, "needs"} - set(c["facts"])) >= 2]
    assert len(households) >= 15 and len(left_open) >= 5
    assert named >= 0.95 * expected, (named, expected)
    assert excluded == []


def test_yorisoi_facts_prints_the_schema_of_recommend():
    said = "小学3年と保育園の年中です。金沢市のシングルマザーです"
    result = CliRunner().invoke(cli, ["facts", "--json", said])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == set(Facts.field_names())
    assert data["children_ages"] == [4, 8] and data["municipality"] == "金沢市" and data["employment"] is None
    Facts.from_dict(data)
    text = CliRunner().invoke(cli, ["facts", "離婚を考えています。子どもは5歳です"]).output
    assert "situation: considering_divorce" in text and "children_ages: [5]" in text


def test_one_vocabulary_for_certainty_in_every_message():
    """The intro, the cards and the CLI name a certainty with the same words, and no other words do."""
    labels = set(messages.OUTLOOK_LABELS.values())
    assert {bot_messages.CERTAINTY[key] for key in ("likely", "possible")} <= labels
    assert "{labels}" in messages.RESULT_POSSIBLE and not re.search(r"「[^{]", messages.RESULT_POSSIBLE)
    every_text = " ".join(
        value
        for module in (messages, bot_messages)
        for value in vars(module).values()
        if isinstance(value, str)
    )
    for stray in ("可能性あり", "対象の可能性あり", "対象外かも"):
        assert stray not in every_text


def test_the_results_intro_quotes_exactly_the_labels_on_the_cards(db, catalogue):
    dialogue = FactsDialogue(db, catalogue)
    turn = dialogue.start("k" * 64, text="金沢市で夫と別居しています。子どもは4歳です。お金を借りたい")
    while not turn.done:
        turn = dialogue.handle("k" * 64, postback=turn.choices[-1].data)
    quoted = re.findall(r"「([^」]+)」", turn.text)
    on_cards = {s.label for s in turn.recommendation.programs if s.certainty == "possible"}
    assert quoted and set(quoted) == on_cards and set(quoted) <= set(messages.OUTLOOK_LABELS.values())


def test_separated_and_considering_divorce_are_never_told_single_parent_programs_are_likely(catalogue):
    for situation, outlook in (("separated", "depends"), ("considering_divorce", "after_divorce")):
        facts = Facts(parent="mother", situation=situation, municipality="金沢市", children_ages=[4])
        result = recommend(facts, catalogue, limit=None)
        loans = [s for s in result.programs if s.name == "母子父子寡婦福祉貸付金"]
        assert loans and loans[0].outlook == outlook and loans[0].label == messages.OUTLOOK_LABELS[outlook]
        allowance = next(s for s in result.programs if s.name == "児童扶養手当")
        assert allowance.certainty == "possible" and allowance.outlook == outlook


def test_an_income_limit_left_open_shows_the_programs_own_limit(catalogue):
    facts = Facts(parent="father", situation="single", municipality="七尾市", children_ages=[16])
    programs = recommend(facts, catalogue, limit=None).programs
    tuition = next(s for s in programs if s.name == "高等学校等就学支援金")
    assert tuition.certainty == "possible"
    assert any("世帯年収が約910万円未満" in reason for reason in tuition.why)


SINGLE_PARENT_ONLY = re.compile(r"ひとり親|母子家庭|父子家庭|母子・父子|母子世帯")
# 「離婚前の方を含む」, 「ひとり親家庭などの子ども」, 「…や一定の所得以下の世帯」: open to others too.
OPEN_TO_OTHERS = re.compile(r"離婚前|など|や一定")


def test_no_program_for_single_parents_is_likely_for_someone_still_married(catalogue):
    """Whatever the rest of the household, a program the source gives to single parents (and not to people
    before a divorce) is 「離婚後に対象になる見込み」 or 「状況により…」, never likely, while still married;
    only a program whose conditions name that situation themselves may be."""
    for situation in ("considering_divorce", "separated"):
        for parent, ages in (("mother", [0, 4, 9, 16]), ("father", [7, 13])):
            facts = Facts(
                parent=parent,
                situation=situation,
                municipality="金沢市",
                children_ages=ages,
                child_allowance="receiving",
                resident_tax="exempt",
                employment="job_seeking",
                needs=["money", "loan", "job", "childcare", "housing"],
            )
            for kodaira in (False, True):
                place = Facts(municipality="小平市") if kodaira else Facts()
                programs = recommend(facts.merged(place), catalogue, limit=None).programs
                for suggestion in programs:
                    program = catalogue.get(suggestion.id)
                    # 母子生活支援施設 names the separated on purpose (「これに準ずる事情にある女子」).
                    deliberate = situation in (program.conditions.situation or ())
                    if SINGLE_PARENT_ONLY.search(program.for_whom) and not OPEN_TO_OTHERS.search(
                        program.for_whom
                    ):
                        assert deliberate or suggestion.certainty != "likely", (situation, suggestion.name)


def test_someone_looking_for_work_is_sent_to_hello_work_first(catalogue):
    facts = Facts(parent="mother", situation="single", municipality="内灘町", employment="job_seeking")
    facts = facts.merged(Facts(children_ages=[6, 8], needs=["job", "money"]))
    programs = recommend(facts, catalogue).programs
    hello_work = next(s for s in programs if s.name == "公共職業安定所")
    assert any("仕事を探している" in reason for reason in hello_work.why)


def test_the_allowances_own_income_limit_names_the_limit_and_the_window_not_the_allowance(catalogue):
    """A what-to-check line tells the resident something to do: 児童扶養手当's income condition gives its
    limit and where to confirm it, never 「児童扶養手当の受給」 as a condition of itself."""
    facts = Facts(parent="father", situation="single", municipality="能登町", children_ages=[3, 13])
    for allowance in ("not_receiving", None):
        facts.child_allowance = allowance
        programs = recommend(facts, catalogue, limit=None).programs
        card = next(s for s in programs if s.name == "児童扶養手当")
        assert card.checks and all(messages.FACT_LABELS["child_allowance"] not in c for c in card.checks)
        assert any("所得制限" in check and "能登町" in check for check in card.checks)


def test_money_not_received_yet_comes_before_loans(catalogue):
    for needs in (["loan", "money"], ["money", "loan"], ["loan"]):
        facts = Facts(
            parent="mother",
            situation="single",
            municipality="金沢市",
            children_ages=[4, 9],
            child_allowance="not_receiving",
            needs=needs,
        )
        names = [s.name for s in recommend(facts, catalogue).programs]
        loans = [i for i, name in enumerate(names) if "貸付" in name]
        assert names.index("児童扶養手当") < min(loans), (needs, names)


def test_school_aid_is_named_for_a_tax_exempt_family_with_a_school_age_child_wherever_it_lives(catalogue):
    for place in ("珠洲市", "小平市", "福岡市", None):
        facts = Facts(
            parent="mother",
            situation="separated",
            municipality=place,
            children_ages=[9],
            resident_tax="exempt",
            needs=["dv", "housing"],
        )
        aid = [s for s in recommend(facts, catalogue).programs if s.name == "就学援助制度"]
        # With no place known, the place stays to check.
        assert aid and (place is None or aid[0].certainty == "likely"), place


def test_a_minor_service_nobody_asked_for_is_never_told_as_likely(catalogue):
    facts = Facts(
        parent="mother",
        situation="single",
        municipality="金沢市",
        children_ages=[8],
        child_allowance="receiving",
        resident_tax="exempt",
        employment="job_seeking",
        needs=["job", "money", "childcare"],
    )
    for suggestion in recommend(facts, catalogue, limit=None).programs:
        program = catalogue.get(suggestion.id)
        if program.weight == 1 and not program.core:
            asked = set(program.needs) & set(facts.needs or [])
            unsettled = [item for item in program.requirements if item.check is None]
            if not asked or unsettled:
                assert suggestion.certainty == "possible" and suggestion.checks, suggestion.name
    pc = next(s for s in recommend(facts, catalogue, limit=None).programs if s.id == "national_pc_lending")
    assert any("PC" in check for check in pc.checks)


def test_no_resident_is_given_another_municipalitys_window(catalogue):
    """Every municipality of the register, every program that is not ruled out: the window named is never
    another municipality's own, and each 児童相談所 only for the area it takes."""
    places = catalogue.places
    windows = {
        name: places.window_of(name).name
        for name in (
            *messages.MUNICIPALITY_CHOICES,
            "能登町",
            "珠洲市",
            "津幡町",
            "輪島市",
            "羽咋市",
            "内灘町",
        )
        if places.window_of(name) is not None
    }
    centres = {"金沢市": "こども相談センター", "七尾市": "七尾児童相談所", "珠洲市": "七尾児童相談所"}
    centres |= {"白山市": "中央児童相談所", "津幡町": "中央児童相談所", "能登町": "七尾児童相談所"}
    for place in windows:
        facts = Facts(
            parent="mother",
            situation="single",
            municipality=place,
            children_ages=[4, 9, 16],
            circumstances=["dv"],
            needs=list(NEEDS),
        )
        programs = recommend(facts, catalogue, limit=None).programs
        for suggestion in programs:
            others = [
                window for name, window in windows.items() if name != place and window in suggestion.contact
            ]
            assert not others, (place, suggestion.name, others)
        guidance = [s.name for s in programs if "児童相談所" in s.name]
        if place in centres:
            assert len(guidance) == 1 and centres[place] in guidance[0], (place, guidance)


def test_someone_married_and_living_together_is_not_offered_single_parent_programs(catalogue):
    facts = parse_facts(
        "結婚していて夫と暮らしています。金沢市、子どもは5歳と8歳。住民税は非課税です", catalogue.places
    )
    assert facts.facts.situation == "married"
    programs = recommend(facts.facts.merged(Facts(needs=["money"])), catalogue, limit=None).programs
    names = {s.name for s in programs}
    assert {"就学援助制度", "保育料の軽減制度"} <= names
    assert not names & {
        "児童扶養手当",
        "母子父子寡婦福祉貸付金",
        "ひとり親家庭等医療費助成",
        "母子・父子自立支援員",
    }
    assert all("ひとり親" not in reason for s in programs for reason in s.why if reason not in s.checks)
