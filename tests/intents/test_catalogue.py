"""The catalogue carries the documents' facts exactly: every name and amount appears in the sources."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
import yaml
from shared_files import SEEDS_DIR

from intents import Catalogue, CatalogueError, messages
from intents.catalogue import CATALOGUE_PATH, CATEGORIES, NATIONAL
from knowledge import default_register

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "knowledge" / "docs"
# Which seed file a catalogue source was taken from, for sources whose curated document is not written yet.
SEED_OF_SOURCE = {
    "ishikawa": "001_",
    "kanazawa_plan_2012": "000_",
    "national_guideline": "002_",
    "kanazawa_plan_2020": "003_",
    "kodaira": "004_",
}
AMOUNT = re.compile(r"\d[\d,]*(?:\.\d+)?(?:万円|円|割|%|ヶ月|年)")
ISHIKAWA_MUNICIPALITIES = [
    "金沢市",
    "七尾市",
    "小松市",
    "輪島市",
    "珠洲市",
    "加賀市",
    "羽咋市",
    "かほく市",
    "白山市",
    "能美市",
    "野々市市",
    "川北町",
    "津幡町",
    "内灘町",
    "志賀町",
    "宝達志水町",
    "中能登町",
    "穴水町",
    "能登町",
]


def normalise(text: str) -> str:
    return re.sub(r"[\s,、]", "", unicodedata.normalize("NFKC", text))


def front_matter_title(path: Path) -> str:
    match = re.match(r"---\n(.*?)\n---", path.read_text(encoding="utf-8"), re.S)
    return str(yaml.safe_load(match.group(1)).get("title", "")) if match else ""


def source_text(catalogue: Catalogue, key: str) -> tuple[str, bool]:
    """The curated document for a source when it exists (True), else the seed it comes from (False)."""
    title = normalise(catalogue.sources[key].title)
    for path in sorted(DOCS.glob("*.md")):
        if normalise(front_matter_title(path)) == title:
            return path.read_text(encoding="utf-8"), True
    seed = next(SEEDS_DIR.glob(f"{SEED_OF_SOURCE[key]}*.txt"))
    return seed.read_text(encoding="utf-8"), False


@pytest.fixture(scope="module")
def texts(catalogue: Catalogue) -> dict[str, tuple[str, bool]]:
    return {key: source_text(catalogue, key) for key in catalogue.sources}


def test_every_program_has_a_valid_category_and_jurisdiction(catalogue):
    assert len(catalogue) >= 80
    for program in catalogue:
        assert program.category in CATEGORIES, program.id
        places = catalogue.places
        assert (
            program.jurisdiction == NATIONAL
            or places.is_prefecture(program.jurisdiction)
            or (places.is_municipality(program.jurisdiction))
        ), program.id
        assert program.summary and program.contact and program.heading and program.for_whom, program.id


def test_every_name_and_amount_appears_in_its_source(catalogue, texts):
    problems = []
    for program in catalogue:
        text = normalise(texts[program.source.key][0])
        if normalise(program.name) not in text:
            problems.append(f"{program.id}: name {program.name!r}")
        for amount in AMOUNT.findall(program.summary):
            if normalise(amount) not in text:
                problems.append(f"{program.id}: amount {amount!r}")
    assert problems == []


def test_headings_point_at_headings_of_the_curated_documents(catalogue, texts):
    problems = []
    for program in catalogue:
        text, curated = texts[program.source.key]
        if not curated:
            continue
        if normalise(program.heading) not in heading_paths(text):
            problems.append(f"{program.id}: heading {program.heading!r}")
    assert problems == []


def heading_paths(markdown: str) -> set[str]:
    """Every heading of a Markdown document as its full path ("title > section > subsection")."""
    paths: set[str] = set()
    stack: list[tuple[int, str]] = []
    for line in markdown.splitlines():
        match = re.match(r"(#+)\s+(.*)", line)
        if not match:
            continue
        level = len(match.group(1))
        stack = [(depth, title) for depth, title in stack if depth < level] + [
            (level, match.group(2).strip())
        ]
        paths.add(normalise(" > ".join(title for _, title in stack)))
    return paths


def test_no_catalogue_entry_carries_an_amount_of_its_own_for_the_allowance(catalogue):
    """The amounts live in knowledge/amounts.yaml with their dates; a card never quotes an old figure."""
    allowance = [p for p in catalogue if p.group == "child_rearing_allowance"]
    assert allowance and all(p.estimate for p in allowance)
    assert not any(amount in p.summary for p in allowance for amount in ("45,500", "6,450", "10,740"))


def test_modified_loan_types_are_separate_entries(catalogue):
    names = {program.name for program in catalogue if program.part_of == "welfare_loan"}
    assert {"修学資金", "技能習得資金", "生活資金", "住宅資金", "転宅資金", "結婚資金"} <= names
    assert len(names) == 12


def test_areas_cover_ishikawa_and_kodaira(catalogue):
    places = catalogue.places
    assert [name for name in ISHIKAWA_MUNICIPALITIES if places.prefecture_of(name) != "石川県"] == []
    assert sum(1 for prefecture in places.municipalities.values() if prefecture == "石川県") == 19
    assert places.prefecture_of("小平市") == "東京都"
    assert places.normalise("石川県 金沢市") == "金沢市"
    assert places.normalise("金沢") == "金沢市"
    assert places.prefecture_of("横浜市") is None
    assert places.municipality_in("小平に住んでいます") == "小平市"
    assert places.municipality_in("野々市市です") == "野々市市"


def test_contact_resolves_to_the_municipality_window(catalogue):
    allowance = catalogue.get("child_rearing_allowance")
    assert catalogue.contact_for(allowance, "七尾市") == "七尾市福祉事務所 0767-53-8445"
    assert catalogue.contact_for(allowance, "金沢市") == "金沢市 福祉総務課"
    assert catalogue.contact_for(allowance, None) == allowance.contact
    loan = catalogue.get("welfare_loan")
    assert catalogue.contact_for(loan, "白山市") == "白山市福祉事務所 076-274-9527"
    assert catalogue.contact_for(loan, "津幡町").startswith("県保健福祉センター")
    hello_work = catalogue.get("hello_work")
    assert "076-253-3030" in catalogue.contact_for(hello_work, "金沢市")
    assert "マザーズハローワーク金沢" in catalogue.contact_for(hello_work, "能美市")
    assert catalogue.contact_for(hello_work, "小平市") == hello_work.contact


def test_a_typo_in_the_catalogue_is_refused(tmp_path):
    source = Path(__file__).resolve().parents[2] / "intents" / "catalogue.yaml"
    broken = tmp_path / "catalogue.yaml"
    broken.write_text(source.read_text(encoding="utf-8").replace("parent: [mother]", "parnet: [mother]", 1))
    with pytest.raises(CatalogueError, match="parnet"):
        Catalogue.load(default_register(), broken)
    broken.write_text(source.read_text(encoding="utf-8").replace("category: 貸付", "category: ローン", 1))
    with pytest.raises(CatalogueError, match="ローン"):
        Catalogue.load(default_register(), broken)
    catalogue_text = source.read_text(encoding="utf-8")
    broken.write_text(catalogue_text.replace("jurisdiction: 金沢市", "jurisdiction: 金沢", 1))
    with pytest.raises(CatalogueError, match="金沢"):
        Catalogue.load(default_register(), broken)


def test_a_requirement_checked_by_the_facts_names_one_of_its_programs_own_conditions(catalogue):
    listed = [program for program in catalogue if program.requirements]
    assert len(listed) >= 25
    for program in listed:
        conditions = {name for name, value in vars(program.conditions).items() if value is not None}
        for requirement in program.requirements:
            assert requirement.check in (None, "place", *conditions), (program.id, requirement.text)
    allowance = catalogue.get("child_rearing_allowance")
    assert {r.check for r in allowance.requirements} >= {"situation", "child_age", "income"}


def test_a_requirement_that_is_neither_a_line_nor_text_and_check_is_refused(tmp_path):
    data = yaml.safe_load(CATALOGUE_PATH.read_text(encoding="utf-8"))
    data["programs"][0]["requirements"] = [{"text": "所得制限", "check": "income_level"}]
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"requirements\.check"):
        Catalogue.load(default_register(), path)


def test_every_income_limit_is_the_programs_own_as_its_source_states_it(catalogue):
    """The facts hold no income: an open limit is shown in the source's words, never as a generic one."""
    limited = [program for program in catalogue if program.conditions.income]
    assert limited and all(program.conditions.income_rule for program in limited)


def test_a_resident_who_named_no_place_gets_no_other_areas_number(catalogue):
    """A local program's own office (a number, a named city) is not given to someone whose place is unknown;
    a national program's contact and a local one that names no office stay as they are."""
    for program_id in ("welfare_small_loan", "tokyo_heart_tama", "kanazawa_scholarship"):
        program = catalogue.get(program_id)
        assert catalogue.contact_for(program, None) == messages.CONTACT_UNKNOWN_PLACE
        assert catalogue.contact_for(program, "野々市市") != messages.CONTACT_UNKNOWN_PLACE
    jasso = catalogue.get("jasso_scholarship")
    assert catalogue.contact_for(jasso, None) == jasso.contact
    school_aid = catalogue.get("school_attendance_aid")
    assert catalogue.contact_for(school_aid, None) == school_aid.contact
