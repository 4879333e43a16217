"""Loading documents and cutting them into chunks along headings, sentences and tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.chunking import chunk_document, split_sentences
from knowledge.documents import Document, DocumentError, display_date, load_document, load_documents

FIXTURE_DOCS = Path(__file__).parent / "fixtures" / "docs"


def markdown(body: str, **meta: str) -> Document:
    return Document(
        id=meta.get("id", "doc"),
        title=meta.get("title", "テスト資料"),
        body=body,
        jurisdiction=meta.get("jurisdiction", "石川県"),
        source_date=meta.get("source_date", "2024-06-20"),
    )


def test_front_matter_is_read(tmp_path):
    path = tmp_path / "a.md"
    path.write_text(
        "---\ntitle: ひとり親家庭の支援\njurisdiction: 石川県\nsource_date: 2024-06-20\n"
        "source_url: https://example.invalid/a\npublisher: 石川県\n---\n# ひとり親家庭の支援\n\n本文です。\n",
        encoding="utf-8",
    )
    document = load_document(path)
    assert (document.id, document.title, document.jurisdiction) == ("a", "ひとり親家庭の支援", "石川県")
    assert document.source_date == "2024-06-20"  # YAML dates come back as ISO text
    assert document.source_url == "https://example.invalid/a"
    assert len(document.sha256) == 64


def test_broken_front_matter_names_the_file(tmp_path):
    path = tmp_path / "broken.md"
    path.write_text("---\ntitle: [unclosed\n---\n本文\n", encoding="utf-8")
    with pytest.raises(DocumentError, match=r"broken\.md"):
        load_document(path)


def test_txt_and_html_documents(tmp_path):
    (tmp_path / "plain.txt").write_text("ひとり親相談\n\n受付は平日です。電話でどうぞ。\n", encoding="utf-8")
    (tmp_path / "page.html").write_text(
        "<html><head><title>支援制度</title><meta name='jurisdiction' content='小平市'>"
        "<meta name='source_date' content='2023-10-10'></head><body><nav>menu</nav>"
        "<h2>児童育成手当</h2><p>手当が支給されます。</p><ul><li>所得制限があります。</li></ul>"
        "<table><tr><th>区分</th><th>金額</th></tr><tr><td>1人</td><td>月額13,500円</td></tr></table>"
        "</body></html>",
        encoding="utf-8",
    )
    text, html = load_documents(tmp_path)[1], load_documents(tmp_path)[0]
    assert text.title == "ひとり親相談"
    assert "受付は平日です" in chunk_document(text)[0].text
    assert (html.title, html.jurisdiction, html.source_date) == ("支援制度", "小平市", "2023-10-10")
    chunk = chunk_document(html)[0]
    assert chunk.heading == "支援制度 > 児童育成手当"
    assert "menu" not in chunk.text
    assert "| 1人 | 月額13,500円 |" in chunk.text
    assert "| 区分 | 金額 |" in chunk.text


def test_heading_paths_and_details_stay_with_their_program():
    chunks = chunk_document(load_document(FIXTURE_DOCS / "ishikawa.md"))
    headings = [chunk.heading for chunk in chunks]
    title = "ひとり親家庭の支援（テスト県）"
    assert headings[0] == f"{title} > 児童扶養手当"  # the H1 repeating the title is not a section
    assert f"{title} > 母子父子寡婦福祉資金貸付金 > 転宅資金" in headings  # sub-programs get their own chunk
    # 貸付限度額 / 利子 / 償還期間 describe 転宅資金: they are in its chunk, not chunks of their own
    loan = next(chunk for chunk in chunks if chunk.heading.endswith("転宅資金"))
    assert "260,000円" in loan.text and "3年以内" in loan.text and "年1.0%" in loan.text
    assert not any(heading.endswith(("貸付限度額", "利子", "窓口")) for heading in headings)
    assert {chunk.jurisdiction for chunk in chunks} == {"石川県"}
    assert {chunk.date for chunk in chunks} == {"2024-06-20"}
    assert all(chunk.index_text.startswith(chunk.heading) for chunk in chunks)  # the path is indexed


def test_jurisdiction_comment_overrides_the_document_for_its_section():
    chunks = chunk_document(load_document(FIXTURE_DOCS / "kodaira.md"))
    by_heading = {chunk.heading.split(" > ", 1)[1]: chunk for chunk in chunks}
    assert by_heading["小平市のひとり親相談"].jurisdiction == "小平市"
    assert by_heading["東京都のひとり親相談"].jurisdiction == "東京都"
    assert (
        by_heading["東京都のひとり親相談 > 東京都ひとり親家庭支援センター はあと飯田橋"].jurisdiction
        == "東京都"
    )
    assert all("<!--" not in chunk.text for chunk in chunks)


def test_sentences_split_on_japanese_ends_but_never_inside_quotes():
    text = "最初の文です。「引用の中。まだ引用！」と書かれています。本当ですか？はい！"
    assert split_sentences(text) == [
        "最初の文です。",
        "「引用の中。まだ引用！」と書かれています。",
        "本当ですか？",
        "はい！",
    ]
    assert split_sentences("（注。括弧の中）で終わる。次。") == ["（注。括弧の中）で終わる。", "次。"]


def test_long_sections_are_split_at_sentence_ends_and_keep_quotes_whole():
    quote = "「" + "長い引用です。" * 3 + "」"
    sentences = [f"{i}番目の説明の文で、制度の条件を詳しく述べています。" for i in range(40)]
    body = "## 長い制度\n\n" + "".join(sentences[:20]) + quote + "".join(sentences[20:]) + "\n"
    chunks = chunk_document(markdown(body), max_chars=200)
    assert len(chunks) > 3
    assert {chunk.heading for chunk in chunks} == {"テスト資料 > 長い制度"}
    for chunk in chunks:
        assert len(chunk.text) <= 200
        assert chunk.text.endswith("。") or chunk.text.endswith("」")
        assert chunk.text.count("「") == chunk.text.count("」")
    assert any(quote in chunk.text for chunk in chunks)
    assert "".join(chunk.text for chunk in chunks) == "".join(sentences[:20]) + quote + "".join(
        sentences[20:]
    )


def test_split_tables_repeat_their_header():
    rows = "\n".join(f"| 福祉事務所{i} | 市役所{i}丁目 | 076-000-{i:04d} |" for i in range(30))
    body = "## 相談機関\n\n| 相談機関名 | 所在地 | 電話番号 |\n|---|---|---|\n" + rows + "\n"
    chunks = chunk_document(markdown(body), max_chars=300)
    assert len(chunks) > 2
    for chunk in chunks:
        assert chunk.text.startswith("| 相談機関名 | 所在地 | 電話番号 |\n|---|---|---|")
        assert all(unit.header == ("相談機関名", "所在地", "電話番号") for unit in chunk.units)
    all_rows = [line for chunk in chunks for line in chunk.text.splitlines()[2:]]
    assert all_rows == rows.splitlines()  # every row once, in order
    assert chunks[0].units[0].quote() == "福祉事務所0（所在地: 市役所0丁目、電話番号: 076-000-0000）"


def test_split_pieces_repeat_their_sub_heading_label():
    items = "\n".join(f"- 条件{i}を満たしている方は申請できます。" for i in range(30))
    body = f"## 給付金\n\n概要です。\n\n#### 対象\n\n{items}\n"
    chunks = chunk_document(markdown(body), max_chars=200)
    assert len(chunks) > 2
    assert all("【対象】" in chunk.text for chunk in chunks[1:])


def test_display_date():
    assert display_date("2024-06-20") == "2024年6月20日"
    assert display_date("2012") == "2012年"
    assert display_date("令和5年10月") == "令和5年10月"


def test_curated_documents_chunk_cleanly():
    documents = load_documents()
    assert len(documents) >= 5
    for document in documents:
        assert document.title and document.jurisdiction and document.source_date, document.path
        chunks = chunk_document(document)
        assert chunks, document.path
        assert all(len(chunk.text) <= 700 for chunk in chunks)
        assert all(chunk.heading.startswith(document.title) for chunk in chunks)


def test_readme_and_hidden_files_are_not_documents(tmp_path):
    for name in ("README.md", ".draft.md", "_notes.md"):
        (tmp_path / name).write_text("# メモ\n", encoding="utf-8")
    (tmp_path / "real.md").write_text("# 制度\n本文。\n", encoding="utf-8")
    assert [document.id for document in load_documents(tmp_path)] == ["real"]


def test_missing_directory_has_no_documents(tmp_path):
    assert load_documents(Path(tmp_path / "nothing")) == []
