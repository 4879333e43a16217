"""A saved official page (HTML) or a PDF → a Markdown draft with front matter, plus the source's plain text.

City staff import what the city publishes and curate the draft before it goes live; the plain text is what
the fidelity report (knowledge.fidelity) reads facts from, so both come from the same parse of the source.
HTML keeps headings (h1–h4 → #…####), lists and tables; a PDF keeps its text lines as paragraphs (a PDF
has no headings or tables to read back, so those are the curator's work).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import yaml

KINDS = ("program", "law", "plan")
HTML_SUFFIXES = (".html", ".htm")
PDF_SUFFIXES = (".pdf",)


class ImportFailure(ValueError):
    """A file that cannot be imported (the message says why)."""


@dataclass(frozen=True)
class Converted:
    """A source as Markdown (no front matter) and as plain text, plus the title it declares."""

    markdown: str
    text: str
    title: str = ""


class _HtmlConverter(HTMLParser):
    """HTML → Markdown blocks and plain text; scripts, styles and navigation menus carry no content. When
    the page marks its content with `<main>`, only that is kept (site header and footer are not its own)."""

    _SKIP = frozenset({"script", "style", "noscript", "nav", "template", "svg"})
    _BLOCKS = frozenset(
        {"p", "div", "section", "article", "main", "header", "footer", "aside", "address", "dl", "dd", "dt"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[bool, str]] = []  # (inside <main>, Markdown block)
        self.text_parts: list[tuple[bool, str]] = []
        self.has_main = False
        self._main = 0
        self.title = ""
        self._buffer: list[str] = []
        self._prefix = ""
        self._skip = 0
        self._in_title = False
        self._lists: list[list[int]] = []  # one counter per open list; [-1] for <ul>
        self._table: list[list[str]] | None = None
        self._header_rows = 0
        self._cell: list[str] | None = None

    def _flush(self) -> None:
        text = " ".join("".join(self._buffer).split())
        if text:
            self.blocks.append((self._main > 0, self._prefix + text))
        self._buffer = []
        self._prefix = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skip += 1
            return
        if self._skip:
            return
        self.text_parts.append((self._main > 0, "\n"))
        if tag == "main":
            self._flush()
            self.has_main = True
            self._main += 1
        if tag == "title":
            self._in_title = True
        elif tag == "br":
            (self._cell if self._cell is not None else self._buffer).append(" ")
        elif tag == "table":
            self._flush()
            self._table, self._header_rows = [], 0
        elif tag == "tr" and self._table is not None:
            self._table.append([])
        elif tag in {"td", "th"} and self._table is not None:
            self._cell = []
            if tag == "th" and len(self._table) == 1:
                self._header_rows = 1
        elif re.fullmatch(r"h[1-6]", tag):
            self._flush()
            self._prefix = "#" * min(int(tag[1]), 4) + " "
        elif tag in {"ul", "ol"}:
            self._flush()
            self._lists.append([0 if tag == "ol" else -1])
        elif tag == "li":
            self._flush()
            indent = "  " * max(0, len(self._lists) - 1)
            counter = self._lists[-1] if self._lists else [-1]
            if counter[0] >= 0:
                counter[0] += 1
                self._prefix = f"{indent}{counter[0]}. "
            else:
                self._prefix = f"{indent}- "
        elif tag in self._BLOCKS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skip = max(0, self._skip - 1)
            return
        if self._skip:
            return
        self.text_parts.append((self._main > 0, "\n"))
        if tag == "main":
            self._flush()
            self._main = max(0, self._main - 1)
        if tag == "title":
            self._in_title = False
        elif tag in {"td", "th"} and self._cell is not None and self._table:
            self._table[-1].append(" ".join("".join(self._cell).split()).replace("|", "｜"))
            self._cell = None
        elif tag == "table" and self._table is not None:
            self._emit_table(self._table)
            self._table = None
        elif tag in {"ul", "ol"}:
            self._flush()
            if self._lists:
                self._lists.pop()
        elif re.fullmatch(r"h[1-6]", tag) or tag == "li" or tag in self._BLOCKS:
            self._flush()

    def _emit_table(self, rows: list[list[str]]) -> None:
        rows = [row for row in rows if any(cell for cell in row)]
        if not rows:
            return
        width = max(len(row) for row in rows)
        padded = [row + [""] * (width - len(row)) for row in rows]
        header, body = (padded[0], padded[1:]) if self._header_rows else ([""] * width, padded)
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * width]
        lines += ["| " + " | ".join(row) + " |" for row in body]
        self.blocks.append((self._main > 0, "\n".join(lines)))

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._in_title:
            self.title += data
            return
        self.text_parts.append((self._main > 0, data))
        if self._cell is not None:
            self._cell.append(data)
        elif self._table is None:
            self._buffer.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


_LIST_ITEM = re.compile(r"^\s*(?:-|\d+\.) ")


def _join_blocks(blocks: list[str]) -> str:
    """Blocks apart by a blank line, except the items of one list, which stay a tight list."""
    text = ""
    for number, block in enumerate(blocks):
        if number:
            tight = _LIST_ITEM.match(block) and _LIST_ITEM.match(blocks[number - 1].splitlines()[-1])
            text += "\n" if tight else "\n\n"
        text += block
    return text


def convert_html(html: str) -> Converted:
    parser = _HtmlConverter()
    parser.feed(html)
    parser.close()
    keep = (lambda in_main: in_main) if parser.has_main else (lambda in_main: True)
    markdown = _join_blocks([block for in_main, block in parser.blocks if keep(in_main)])
    text = "".join(part for in_main, part in parser.text_parts if keep(in_main))
    return Converted(markdown, text, " ".join(parser.title.split()))


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _unspace(line: str) -> str:
    """Undo letter-spacing some PDF writers leave in extracted text (`月 額 4 5 , 5 0 0 円`): when most tokens
    are single characters, single spaces are dropped and wider gaps become one space."""
    tokens = line.split()
    if len(tokens) < 4 or sum(len(token) == 1 for token in tokens) < 0.6 * len(tokens):
        return line.strip()
    return " ".join(word.replace(" ", "") for word in re.split(r" {2,}|\t|\u3000", line.strip()))


def convert_pdf(path: Path) -> Converted:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, OSError, ValueError) as error:
        raise ImportFailure(f"{path.name}: not a readable PDF ({error})") from error
    text = _CONTROL.sub("", "\n".join(pages))  # some writers leave NULs between the glyphs of a line
    lines = [_unspace(line) for line in text.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        raise ImportFailure(f"{path.name}: the PDF has no text layer (a scan needs OCR before import)")
    metadata_title = str((reader.metadata or {}).get("/Title") or "").strip()
    return Converted("\n\n".join(lines), "\n".join(lines), metadata_title)


def convert(path: Path) -> Converted:
    """Convert an `.html`/`.htm` or `.pdf` file."""
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES:
        return convert_pdf(path)
    if suffix in HTML_SUFFIXES:
        raw = path.read_bytes()
        for encoding in ("utf-8-sig", "cp932", "euc-jp"):
            try:
                return convert_html(raw.decode(encoding))
            except UnicodeDecodeError:
                continue
        raise ImportFailure(f"{path.name}: neither UTF-8, Shift_JIS nor EUC-JP text")
    raise ImportFailure(f"{path.name}: only HTML (.html, .htm) and PDF (.pdf) files can be imported")


def draft_markdown(
    converted: Converted,
    *,
    title: str,
    jurisdiction: str,
    source_date: dt.date,
    publisher: str,
    kind: str | None = None,
    url: str | None = None,
    source_file: str = "",
) -> str:
    """Front matter (the fields of knowledge/docs/*.md, plus kind and url when given) and the body, which
    starts with the title as `#` unless the source already did."""
    if kind is not None and kind not in KINDS:
        raise ImportFailure(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    front: dict[str, str] = {
        "title": title,
        "publisher": publisher,
        "jurisdiction": jurisdiction,
        "source_date": source_date.isoformat(),
    }
    if kind:
        front["kind"] = kind
    if url:
        front["url"] = url
    if source_file:
        front["source_file"] = source_file
    front["imported"] = dt.date.today().isoformat()
    body = converted.markdown.strip()
    if not re.search(r"^# ", body, re.MULTILINE):
        body = f"# {title}\n\n{body}"
    header = yaml.safe_dump(front, allow_unicode=True, sort_keys=False).strip()
    return f"---\n{header}\n---\n\n{body}\n"


def draft_name(title: str, source: Path) -> str:
    """A file name for the draft: the source's stem when it is a usable name, else one from the title."""
    stem = re.sub(r"[^0-9A-Za-z._-]+", "-", source.stem).strip("-._")
    return stem or re.sub(r"\s+", "-", title.strip())[:40]
