"""Program documents on disk (.md with front matter, .txt, .html) → `Document` objects with their metadata.

Everything downstream (chunking, index manifest, answers) needs the same few facts about a source: its title,
who published it, which jurisdiction it speaks for and the date its figures hold. They are read once here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import yaml

DOCS_DIR = Path(__file__).parent / "docs"
SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm")

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)
_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")


class DocumentError(ValueError):
    """A source file that cannot be read as a program document (the message names the file)."""


@dataclass(frozen=True)
class Document:
    """One source: Markdown body plus the metadata every chunk and answer carries."""

    id: str
    title: str
    body: str
    jurisdiction: str = ""
    source_date: str = ""
    publisher: str = ""
    source_url: str = ""
    # program: tells residents how to get help; law: 要綱, rules; plan: 計画, 実績報告. Law and plan rank
    # below a program source and are quoted only for what a resident can use.
    kind: str = "program"
    path: str = ""
    sha256: str = ""
    meta: dict[str, str] = field(default_factory=dict)


def display_date(value: str) -> str:
    """`2024-06-20` → `2024年6月20日` (dates shown to residents); anything else is shown as written."""
    match = _ISO_DATE.match(value.strip())
    if not match:
        return value.strip()
    year, month, day = match.groups()
    text = f"{int(year)}年"
    if month:
        text += f"{int(month)}月"
    if day:
        text += f"{int(day)}日"
    return text


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    return str(value).strip()


def _split_front_matter(text: str, path: Path) -> tuple[dict[str, str], str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        data = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as error:
        raise DocumentError(f"{path.name}: front matter is not valid YAML ({error})") from error
    if not isinstance(data, dict):
        raise DocumentError(f"{path.name}: front matter must be a mapping of key: value")
    return {str(key): _as_text(value) for key, value in data.items()}, text[match.end() :]


class _HtmlToMarkdown(HTMLParser):
    """Just enough HTML → Markdown for official pages: headings, paragraphs, list items, tables."""

    _BLOCKS = frozenset({"p", "div", "section", "article", "br", "dd", "dt", "li", "tr", "table", "ul", "ol"})
    _SKIP = frozenset({"script", "style", "nav", "header", "footer", "noscript"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.meta: dict[str, str] = {}
        self.title = ""
        self._buffer: list[str] = []
        self._prefix = ""
        self._skip_depth = 0
        self._in_title = False
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._header_row = False
        self._table_rows = 0

    def _flush(self) -> None:
        text = " ".join("".join(self._buffer).split())
        if text:
            self.lines.append(self._prefix + text)
        self._buffer = []
        self._prefix = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skip_depth += 1
            return
        if tag == "meta":
            values = dict(attrs)
            if values.get("name") and values.get("content"):
                self.meta[str(values["name"])] = str(values["content"]).strip()
            return
        if tag == "title":
            self._in_title = True
            return
        if tag in {"td", "th"} and self._row is not None:
            self._cell = []
            self._header_row = self._header_row or tag == "th"
            return
        if tag == "tr":
            self._flush()
            self._row = []
            self._header_row = False
            return
        if tag == "table":
            self._flush()
            self._table_rows = 0
            self.lines.append("")
            return
        if re.fullmatch(r"h[1-6]", tag):
            self._flush()
            self.lines.append("")
            self._prefix = "#" * min(int(tag[1]), 4) + " "
            return
        if tag in self._BLOCKS:
            self._flush()
            if tag == "li":
                self._prefix = "- "

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skip_depth = max(0, self._skip_depth - 1)
            return
        if tag == "title":
            self._in_title = False
            return
        if tag in {"td", "th"} and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()).replace("|", "｜"))
            self._cell = None
            return
        if tag == "tr" and self._row is not None:
            if self._row:
                self.lines.append("| " + " | ".join(self._row) + " |")
                if self._table_rows == 0:
                    self.lines.append("|" + "---|" * len(self._row))
                self._table_rows += 1
            self._row = None
            return
        if tag == "table":
            self.lines.append("")
            return
        if re.fullmatch(r"h[1-6]", tag) or tag in self._BLOCKS:
            self._flush()
            if re.fullmatch(r"h[1-6]", tag):
                self.lines.append("")

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        if self._in_title:
            self.title += data
        elif self._cell is not None:
            self._cell.append(data)
        else:
            self._buffer.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


KINDS = ("program", "law", "plan")


def _kind(value: str, path: Path) -> str:
    kind = value.strip().lower() or "program"
    if kind not in KINDS:
        raise DocumentError(f"{path.name}: kind must be one of {', '.join(KINDS)} (got {value!r})")
    return kind


def _file_id(path: Path) -> str:
    return path.stem


def load_document(path: Path) -> Document:
    """Read one source file. `.md`: YAML front matter + Markdown; `.txt`: first line is the title;
    `.html`: headings, lists and tables are carried over, `<meta name=...>` gives the metadata."""
    path = Path(path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DocumentError(f"{path.name}: not UTF-8 text") from error
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    suffix = path.suffix.lower()
    title = ""
    if suffix in {".html", ".htm"}:
        parser = _HtmlToMarkdown()
        parser.feed(text)
        parser.close()
        meta = parser.meta
        body = "\n".join(parser.lines)
        title = meta.get("title", "") or " ".join(parser.title.split())
    else:
        meta, body = _split_front_matter(text, path)
        if suffix == ".txt" and not meta.get("title"):
            first = next((line.strip() for line in body.splitlines() if line.strip()), "")
            title = first
            body = body.replace(first, "", 1) if first else body
    title = meta.get("title") or title
    if not title:
        heading = re.search(r"^#{1,4}\s+(.+)$", body, re.MULTILINE)
        title = heading.group(1).strip() if heading else path.stem
    return Document(
        id=meta.get("id") or _file_id(path),
        title=unicodedata.normalize("NFC", title.strip()),
        body=body,
        jurisdiction=meta.get("jurisdiction", ""),
        source_date=meta.get("source_date") or meta.get("date", ""),
        publisher=meta.get("publisher", ""),
        source_url=meta.get("source_url") or meta.get("url", ""),
        kind=_kind(meta.get("kind", ""), path),
        path=str(path),
        sha256=hashlib.sha256(raw).hexdigest(),
        meta=meta,
    )


def document_paths(directory: Path) -> list[Path]:
    """Source files of a directory in a stable order (README files are notes for editors, not sources)."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    return sorted(
        path
        for path in directory.iterdir()
        if path.is_file()
        and path.suffix.lower() in SUFFIXES
        and not path.name.startswith((".", "_"))
        and path.stem.upper() != "README"
    )


def load_documents(directory: Path | None = None) -> list[Document]:
    """Every program document in `directory` (default: the curated `knowledge/docs/`)."""
    documents = [load_document(path) for path in document_paths(directory or DOCS_DIR)]
    seen: dict[str, str] = {}
    for document in documents:
        if document.id in seen:
            raise DocumentError(f"{document.path}: id {document.id!r} also used by {seen[document.id]}")
        seen[document.id] = document.path
    return documents


def document_from_markdown(name: str, text: str, origin: str = "") -> Document:
    """A Markdown document with front matter held as text (a city's document in the database), read exactly
    as `load_document` reads `NAME.md`; `origin` is what answers and errors show as its path."""
    path = Path(f"{name}.md")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    meta, body = _split_front_matter(text, path)
    title = meta.get("title", "")
    if not title:
        heading = re.search(r"^#{1,4}\s+(.+)$", body, re.MULTILINE)
        title = heading.group(1).strip() if heading else name
    return Document(
        id=meta.get("id") or name,
        title=unicodedata.normalize("NFC", title.strip()),
        body=body,
        jurisdiction=meta.get("jurisdiction", ""),
        source_date=meta.get("source_date") or meta.get("date", ""),
        publisher=meta.get("publisher", ""),
        source_url=meta.get("source_url") or meta.get("url", ""),
        kind=_kind(meta.get("kind", ""), path),
        path=origin or f"content:{name}",
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        meta=meta,
    )
