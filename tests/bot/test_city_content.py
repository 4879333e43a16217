"""City content in the database (migration 0006): kept apart from residents' data, imported once from the
files of the layout before, laid over the shipped amounts, and refused clearly when the input is bad."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from bot.cli import cli
from bot.content import Desk, open_content
from bot.database import open_database
from knowledge.documents import DOCS_DIR
from knowledge.library import DRAFT, PUBLISHED, StoredDocument, StoredPeriod, check_content, library_entries

KODAIRA = (DOCS_DIR / "kodaira-hitorioya-soudan.md").read_text(encoding="utf-8")
# Words of the check's English (printed by `yorisoi docs check`) that must never reach a staff page.
ENGLISH = ("front matter", "digits", "is not", "has no", "YAML", "must be", "expected")
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
YEARLY = "児童扶養手当"
PERIOD_2026 = {
    "from": "2026-04-01",
    "source": "テスト市 児童扶養手当のページ（令和8年度）",
    "first": {"full": 47000, "partial": [11100, 46990]},
    "second": {"full": 11100, "partial": [5560, 11090]},
    "third": {"full": 11100, "partial": [5560, 11090]},
}


def content_rows(db) -> dict[str, int]:
    return {
        table: db.one(f"SELECT COUNT(*) AS n FROM {table}")["n"]
        for table in ("content_documents", "content_amount_periods")
    }


def test_forget_and_purge_leave_the_city_content_alone(plumbing_app, settings_for) -> None:
    app = plumbing_app()
    stores = app.extensions["yorisoi"].stores
    text = (DOCS_DIR / "kodaira-hitorioya-soudan.md").read_text(encoding="utf-8")
    stores.content.save(StoredDocument("kodaira-hitorioya-soudan", text, PUBLISHED))
    stores.content.save(StoredDocument("a-draft", text, DRAFT))
    stores.content.add_period(StoredPeriod(YEARLY, PERIOD_2026))
    before = content_rows(stores.db)
    assert before == {"content_documents": 2, "content_amount_periods": 1}
    for forget in stores.forgetters():
        forget(stores.identity.user_key("U" + "0" * 32))
    settings = settings_for()
    env = {
        "YORISOI_DATA_DIR": str(settings.data_dir),
        "YORISOI_SECRET_KEY": settings.secret_key,
        "YORISOI_RETENTION_DAYS": "0",
    }
    result = CliRunner().invoke(cli, ["purge", "--days", "0"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert content_rows(stores.db) == before
    assert not any(line.startswith("content_") for line in result.output.splitlines())


def test_files_of_the_layout_before_the_database_are_imported_once(tmp_path: Path) -> None:
    docs, drafts = tmp_path / "content" / "docs", tmp_path / "content" / "drafts"
    docs.mkdir(parents=True)
    drafts.mkdir()
    shipped = (DOCS_DIR / "kodaira-hitorioya-soudan.md").read_text(encoding="utf-8")
    (docs / "kodaira-hitorioya-soudan.md").write_text(shipped.replace("2023-10-10", "2026-04-01"), "utf-8")
    (drafts / "notice.md").write_text(shipped.replace("kodaira", "notice"), "utf-8")
    content = open_content(open_database(tmp_path), tmp_path)
    assert [stored.name for stored in content.documents(PUBLISHED)] == ["kodaira-hitorioya-soudan"]
    assert [stored.name for stored in content.documents(DRAFT)] == ["notice"]
    assert not docs.exists() and (tmp_path / "content" / "docs.imported" / docs.name).exists() is False
    assert (tmp_path / "content" / "docs.imported" / "kodaira-hitorioya-soudan.md").is_file()
    statuses = {entry.id: entry.status for entry in library_entries(content)}
    assert statuses["kodaira-hitorioya-soudan"] == "overridden" and statuses["notice"] == "draft"
    version = content.version()
    again = open_content(open_database(tmp_path), tmp_path)
    assert again.version() == version and len(again.documents(PUBLISHED)) == 1


def test_a_period_the_city_adds_is_in_force_and_ends_the_warning(tmp_path: Path) -> None:
    content = open_content(open_database(tmp_path), tmp_path)
    today = dt.date(2026, 11, 30)
    problems, _ = check_content(content, today)
    lapsed = [problem for problem in problems if problem.level == "warning"]
    assert [(problem.program, problem.newest) for problem in lapsed] == [(YEARLY, dt.date(2025, 4, 1))]
    assert content.amounts().get(YEARLY).in_force(today).start == dt.date(2025, 4, 1)

    version = content.version()
    Desk(content).add_amount_period(YEARLY, PERIOD_2026, by="kanri")
    assert content.version() == version + 1
    assert content.amounts().household_total(1, today).full == 47000
    problems, _ = check_content(content, today)
    assert not problems, problems
    # The answer's household figure and the CLI's check read the same data.
    env = {"YORISOI_DATA_DIR": str(tmp_path)}
    checked = CliRunner().invoke(cli, ["docs", "check", "--today", "2026-11-30"], env=env)
    assert checked.exit_code == 0 and "WARNING" not in checked.output, checked.output


def token(client: FlaskClient, path: str) -> str:
    return TOKEN.search(client.get(path).get_data(as_text=True)).group(1)


def admin_client(app: Flask) -> FlaskClient:
    app.extensions["yorisoi"].stores.accounts.add("kanri", "kanri-password", admin=True)
    client = app.test_client()
    response = client.post(
        "/counselor/login",
        data={"csrf_token": token(client, "/counselor/login"), "name": "kanri", "password": "kanri-password"},
    )
    assert response.status_code == 302
    return client


def upload(client: FlaskClient, filename: str, data: bytes, **fields: str):
    form = {
        "csrf_token": token(client, "/counselor/admin/content/"),
        "title": "ひとり親家庭の自転車購入費助成",
        "jurisdiction": "石川県",
        "date": "2026-04-01",
        **fields,
        "file": (io.BytesIO(data), filename),
    }
    return client.post("/counselor/admin/content/import", data=form, content_type="multipart/form-data")


def test_bad_uploads_and_periods_get_a_clear_message_and_lose_nothing(plumbing_app) -> None:
    app = plumbing_app()
    stores = app.extensions["yorisoi"].stores
    client = admin_client(app)

    not_pdf = upload(client, "kouhou.pdf", b"<html><body>not a pdf</body></html>", publisher="子育て支援課")
    page = not_pdf.get_data(as_text=True)
    assert not_pdf.status_code == 422 and "このファイルはPDFではありません" in page
    assert 'value="ひとり親家庭の自転車購入費助成"' in page and 'value="子育て支援課"' in page
    empty = upload(client, "page.html", b"")
    assert empty.status_code == 422 and "ファイルが空です" in empty.get_data(as_text=True)
    other = upload(client, "notes.docx", b"PK\x03\x04")
    assert other.status_code == 422 and "HTMLページ" in other.get_data(as_text=True)
    bad_date = upload(client, "page.html", b"<h1>x</h1>", date="2026-13-01")
    assert bad_date.status_code == 422 and "2026-04-01 の形" in bad_date.get_data(as_text=True)
    assert stores.content.documents(DRAFT) == []

    path = f"/counselor/admin/content/amounts/{YEARLY}"
    fields = {
        f"{key}-{part}": str(value)
        for key in ("first", "second", "third")
        for part, value in zip(
            ("full", "low", "high"),
            (PERIOD_2026[key]["full"], *PERIOD_2026[key]["partial"]),
            strict=True,
        )
    }
    no_source = client.post(path, data={"csrf_token": token(client, path), "from": "2026-04-01", **fields})
    page = no_source.get_data(as_text=True)
    assert no_source.status_code == 422 and "出典を入れてください" in page
    assert 'value="47000"' in page and 'value="2026-04-01"' in page  # what was entered is still there
    words = client.post(
        path,
        data={
            "csrf_token": token(client, path),
            "from": "2026-04-01",
            "source": "x",
            **fields,
            "first-full": "約4万",
        },
    )
    assert words.status_code == 422 and "整数" in words.get_data(as_text=True)
    assert stores.content.periods() == []
    added = client.post(
        path,
        data={
            "csrf_token": token(client, path),
            "from": "2026-04-01",
            "source": PERIOD_2026["source"],
            **fields,
        },
    )
    assert added.status_code == 302
    assert [stored.period for stored in stores.content.periods()] == [PERIOD_2026]
    assert stores.audit.entries(limit=1)[0].action == "content_amounts_add"


def test_counselors_who_are_not_admins_cannot_open_the_content_pages(plumbing_app) -> None:
    app = plumbing_app()
    app.extensions["yorisoi"].stores.accounts.add("suzuki", "suzuki-password")
    client = app.test_client()
    client.post(
        "/counselor/login",
        data={
            "csrf_token": token(client, "/counselor/login"),
            "name": "suzuki",
            "password": "suzuki-password",
        },
    )
    assert client.get("/counselor/admin/content/").status_code == 403
    assert "/admin/content" not in client.get("/counselor/").get_data(as_text=True)


def test_a_pdf_uploaded_in_the_dashboard_becomes_a_draft_with_every_fact(
    plumbing_app, tmp_path: Path
) -> None:
    from fpdf import FPDF

    font = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
    if not font.is_file():
        pytest.skip("fonts-noto-cjk is not installed (make browser)")
    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("noto", "", str(font), collection_font_number=0)
    pdf.set_font("noto", size=11)
    for line in ("自転車購入費助成", "上限 月額20,000円", "2026年4月1日から", "電話 076-225-1421"):
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    app = plumbing_app()
    client = admin_client(app)
    response = upload(client, "jitensha.pdf", bytes(pdf.output()))
    assert response.status_code == 302 and response.location.endswith("/drafts/jitensha")
    page = client.get(response.location).get_data(as_text=True)
    assert 'class="fidelity-ok"' in page and "076-225-1421" in page and "20,000円" in page
    assert app.extensions["yorisoi"].stores.audit.entries(limit=2)[-1].action == "content_import"


def test_uploads_may_be_larger_than_a_webhook_up_to_their_own_limit(plumbing_app, monkeypatch) -> None:
    from handoff.dashboard import content as pages

    app = plumbing_app()
    client = admin_client(app)
    larger_than_a_webhook = b"x" * (3 * 1024 * 1024)
    read = upload(client, "large.pdf", larger_than_a_webhook)
    assert read.status_code == 422 and "PDFではありません" in read.get_data(as_text=True)
    monkeypatch.setattr(pages, "MAX_UPLOAD_BYTES", 1024 * 1024)
    refused = upload(client, "large.pdf", larger_than_a_webhook)
    assert refused.status_code == 413 and "大きすぎます" in refused.get_data(as_text=True)
    assert app.extensions["yorisoi"].stores.content.documents(DRAFT) == []


def test_a_second_upload_of_the_same_page_never_overwrites_the_draft_under_review(plumbing_app) -> None:
    app = plumbing_app()
    client = admin_client(app)
    page = "<main><h1>お知らせ</h1><p>電話 076-225-1421</p></main>".encode()
    first = upload(client, "oshirase.html", page)
    second = upload(client, "oshirase.html", page)
    assert first.location.endswith("/drafts/oshirase") and second.location.endswith("/drafts/oshirase-2")
    content = app.extensions["yorisoi"].stores.content
    assert [stored.name for stored in content.documents(DRAFT)] == ["oshirase", "oshirase-2"]


def test_a_draft_that_would_fail_the_check_is_not_published_and_stays_as_edited(plumbing_app) -> None:
    app = plumbing_app()
    client = admin_client(app)
    page = "<main><h1>お知らせ</h1><p>電話 076-225-142</p></main>".encode()
    location = upload(client, "oshirase.html", page).location
    shown = client.get(location).get_data(as_text=True)
    assert "電話番号「076-225-142」は9桁です（10桁のはずです）" in shown  # before anyone presses publish
    assert "has 9 digits" not in shown  # the check's English stays in the CLI
    content = app.extensions["yorisoi"].stores.content
    edited = content.document("oshirase").markdown.replace("# お知らせ", "# お知らせ（編集）")
    refused = client.post(
        location, data={"csrf_token": token(client, location), "action": "publish", "markdown": edited}
    )
    assert refused.status_code == 422 and "公開できませんでした" in refused.get_data(as_text=True)
    assert content.documents(PUBLISHED) == [] and content.document("oshirase").markdown == edited
    discarded = client.post(location, data={"csrf_token": token(client, location), "action": "discard"})
    assert discarded.status_code == 302 and content.documents(DRAFT) == []


def test_the_content_page_says_each_finding_in_japanese_and_the_cli_in_english(
    plumbing_app, tmp_path
) -> None:
    app = plumbing_app()
    content = app.extensions["yorisoi"].stores.content
    broken = {
        "no-publisher": KODAIRA.replace("publisher:", "publisher_old:"),
        "bad-phone": KODAIRA.replace("042-341-1211", "042-341-121", 1),
        "bad-yaml": "---\ntitle: [unclosed\n---\n# x\n",
    }
    for name, markdown in broken.items():
        content.save(StoredDocument(name, markdown, PUBLISHED))
    problems, _ = check_content(content, dt.date(2025, 6, 1))
    english = {problem.message for problem in problems}
    assert any("front matter has no publisher" in message for message in english)
    assert any("has 9 digits where 10 are expected" in message for message in english)

    client = admin_client(app)
    page = client.get("/counselor/admin/content/?today=2025-06-01").get_data(as_text=True)
    errors = re.search(r'<ul class="content-errors">(.*?)</ul>', page, re.S).group(1)
    assert "no-publisher: 先頭の項目に「発行元（publisher）」がありません。" in errors
    assert "bad-phone: 電話番号「042-341-121」は9桁です（10桁のはずです）" in errors
    assert "bad-yaml: 文書として読めません" in errors
    for message in english:
        assert message not in page
    shown = " ".join(re.findall(r">([^<]*)</li>", errors))  # what staff read (not the data-code attributes)
    assert not any(word in shown for word in ENGLISH), shown
