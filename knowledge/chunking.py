"""Markdown documents → retrieval chunks that follow the document's own structure.

A resident's question is almost always about one program, and the documents give one heading per
program, so chunks follow headings. Sub-headings that describe their program (支給額, 利子, 償還期間, 窓口
...: see DETAIL_HEADING) stay in the program's chunk, so a loan's amount, interest and repayment period
travel together; sub-headings that name programs of their own (転宅資金 under 母子父子寡婦福祉貸付金) get
chunks and heading paths of their own. Text longer than MAX_CHARS is cut at sentence ends (。！？), never
inside 「」 or brackets; a table split over pieces repeats its header, so no row is indexed without its column
names. Each chunk knows its heading path ("title > section > subsection"), jurisdiction and source date,
and keeps its sentences / list items / rows as `Unit`s so the answer composer quotes exact facts.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field

from knowledge.documents import Document

CHUNKER_VERSION = "4"
MAX_CHARS = 600
HEADING_SEPARATOR = " > "

# Headings that name a property of the program above them, not a program (extend as documents grow).
DETAIL_HEADING = re.compile(
    r"(額|利子|利率|期間|期限|窓口|問い?合わせ|注意|対象|要件|申請|所在地|電話|受付|方法|内容|条件|所得制限|免除|時間|"
    r"場所|連絡先|保証人|手続|必要なもの|持ち物|留意|償還|備考|定員|利用料)"
)
DETAIL_MAX_LENGTH = 12
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_JURISDICTION = re.compile(r"<!--\s*jurisdiction\s*[:：]\s*(.+?)\s*-->")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_LIST_ITEM = re.compile(r"^\s*(?:[-*+・•]|\d{1,3}[.)）]|[（(]\d{1,3}[)）])\s+")
_TABLE_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
_SENTENCE_END = "。！？!?"
_CLOSERS = "」』）)】"
_QUOTE_PAIRS = {"「": "」", "『": "』"}
_BRACKET_PAIRS = {"（": "）", "(": ")", "【": "】"}


@dataclass(frozen=True)
class Unit:
    """One quotable piece of a chunk: a sentence, a list item or a table row (with its header)."""

    text: str
    kind: str  # "sentence" | "item" | "row"
    label: str = ""  # sub-heading inside the chunk this unit sits under ("利子", "貸付限度額")
    header: tuple[str, ...] = ()  # table header cells, for rows

    def quote(self) -> str:
        """The unit as a resident reads it: table rows spelled out with their column names."""
        if self.kind != "row":
            return self.text
        cells = table_cells(self.text)
        if not self.header or len(self.header) != len(cells):
            return " ".join(cell for cell in cells if cell)
        first, rest = (
            cells[0],
            [f"{name}: {cell}" for name, cell in zip(self.header[1:], cells[1:], strict=True) if cell],
        )
        return f"{first}（{'、'.join(rest)}）" if rest else first


@dataclass
class Chunk:
    """A retrievable piece of a document, with everything an answer needs to cite it."""

    id: str
    doc: str
    title: str
    heading: str
    sections: list[str]
    jurisdiction: str
    date: str
    source_url: str
    publisher: str
    text: str
    units: list[Unit] = field(default_factory=list)
    part: int = 0
    kind: str = "program"  # of the document: program | law | plan

    @property
    def index_text(self) -> str:
        """What is embedded and BM25-indexed: the heading path carries the program name into every piece."""
        return f"{self.heading}\n{self.text}"

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Chunk:
        units = [
            Unit(text=u["text"], kind=u["kind"], label=u.get("label", ""), header=tuple(u.get("header", ())))
            for u in data.get("units", [])
        ]
        return cls(**{**data, "units": units})


@dataclass
class _Block:
    kind: str  # "para" | "list" | "table"
    units: list[str]
    header: str = ""  # table: header line + separator line


@dataclass
class _Section:
    title: str
    level: int
    jurisdiction: str = ""
    blocks: list[_Block] = field(default_factory=list)
    children: list[_Section] = field(default_factory=list)


def table_cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _clean_inline(text: str) -> str:
    text = _LINK.sub(r"\1", text)
    text = _EMPHASIS.sub(r"\2", text)
    return text.strip()


def _join_lines(lines: list[str]) -> str:
    """Join wrapped lines; Japanese text joins without a space, Latin words keep one."""
    joined = ""
    for line in (line.strip() for line in lines):
        if not line:
            continue
        if joined and joined[-1].isascii() and line[0].isascii():
            joined += " "
        joined += line
    return joined


def split_sentences(text: str, protect_brackets: bool = True) -> list[str]:
    """Split after 。！？ (and a closing bracket that follows), never inside 「」『』 (nor inside brackets
    when `protect_brackets`). Unbalanced brackets simply stop protecting at the end of the text."""
    pairs = dict(_QUOTE_PAIRS)
    if protect_brackets:
        pairs.update(_BRACKET_PAIRS)
    closers = set(pairs.values())
    sentences: list[str] = []
    stack: list[str] = []
    start = 0
    index = 0
    while index < len(text):
        char = text[index]
        if char in pairs:
            stack.append(pairs[char])
        elif char in closers and stack and char == stack[-1]:
            stack.pop()
        elif char in _SENTENCE_END and not stack:
            end = index + 1
            while end < len(text) and (text[end] in _SENTENCE_END or text[end] in _CLOSERS):
                end += 1
            piece = text[start:end].strip()
            if piece:
                sentences.append(piece)
            start = index = end
            continue
        index += 1
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def _bounded_sentences(text: str, max_chars: int) -> list[str]:
    """Sentences no longer than `max_chars`: brackets give way first, then quotes only for absurd lengths."""
    result: list[str] = []
    for sentence in split_sentences(text):
        if len(sentence) <= max_chars:
            result.append(sentence)
            continue
        for inner in split_sentences(sentence, protect_brackets=False):
            while len(inner) > max_chars:
                cut = max(inner.rfind("、", 0, max_chars), inner.rfind(" ", 0, max_chars))
                cut = cut + 1 if cut > max_chars // 3 else max_chars
                result.append(inner[:cut])
                inner = inner[cut:]
            if inner:
                result.append(inner)
    return result


def _parse_blocks(lines: list[str], max_chars: int) -> list[_Block]:
    blocks: list[_Block] = []
    paragraph: list[str] = []
    index = 0

    def flush_paragraph() -> None:
        if paragraph:
            text = _clean_inline(_join_lines(paragraph))
            if text:
                blocks.append(_Block("para", _bounded_sentences(text, max_chars)))
            paragraph.clear()

    while index < len(lines):
        line = lines[index].rstrip()
        stripped = line.strip()
        if not stripped:
            flush_paragraph()
            index += 1
            continue
        if stripped.startswith("|"):
            flush_paragraph()
            rows: list[str] = []
            while index < len(lines) and lines[index].strip().startswith("|"):
                rows.append(_clean_inline(lines[index].strip()))
                index += 1
            header = ""
            if len(rows) >= 2 and _TABLE_SEPARATOR.match(rows[1]):
                header = rows[0] + "\n" + rows[1]
                rows = rows[2:]
            blocks.append(_Block("table", [row for row in rows if not _TABLE_SEPARATOR.match(row)], header))
            continue
        if _LIST_ITEM.match(line):
            flush_paragraph()
            items: list[list[str]] = []
            while index < len(lines):
                current = lines[index].rstrip()
                if _LIST_ITEM.match(current):
                    items.append([_LIST_ITEM.sub("", current, count=1)])
                elif current.strip() and current[:1] in " \t" and items:
                    items[-1].append(current.strip())
                else:
                    break
                index += 1
            units: list[str] = []
            for item in items:
                text = _clean_inline(_join_lines(item))
                units.extend(_bounded_sentences(text, max_chars) if len(text) > max_chars else [text])
            blocks.append(_Block("list", [unit for unit in units if unit]))
            continue
        paragraph.append(stripped.lstrip("> ").strip() if stripped.startswith(">") else stripped)
        index += 1
    flush_paragraph()
    return blocks


def _same_title(a: str, b: str) -> bool:
    def key(text: str) -> str:
        return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))

    return key(a) == key(b)


def parse_sections(document: Document, max_chars: int = MAX_CHARS) -> _Section:
    """The document as a tree of headings; `<!-- jurisdiction: X -->` under a heading overrides the
    document's jurisdiction for that section and everything below it."""
    root = _Section(title=document.title, level=0, jurisdiction=document.jurisdiction)
    stack = [root]
    body_lines: list[str] = []
    title_skipped = False

    def flush() -> None:
        stack[-1].blocks.extend(_parse_blocks(body_lines, max_chars))
        body_lines.clear()

    text = _COMMENT.sub(lambda m: m.group(0) if _JURISDICTION.fullmatch(m.group(0)) else "", document.body)
    for line in text.split("\n"):
        heading = _HEADING.match(line)
        if heading:
            flush()
            level, title = len(heading.group(1)), _clean_inline(heading.group(2))
            if not title_skipped and len(stack) == 1 and not root.blocks and _same_title(title, root.title):
                title_skipped = True
                continue
            while stack[-1].level >= level and len(stack) > 1:
                stack.pop()
            section = _Section(title=title, level=level)
            stack[-1].children.append(section)
            stack.append(section)
            continue
        marker = _JURISDICTION.search(line)
        if marker:
            flush()
            stack[-1].jurisdiction = marker.group(1).strip()
            continue
        body_lines.append(line)
    flush()
    return root


def _render(blocks: list[tuple[str, _Block]]) -> str:
    """Chunk text: sub-headings as 【label】 lines, paragraphs, list items, tables with their header."""
    lines: list[str] = []
    current_label = ""
    for label, block in blocks:
        if label and label != current_label:
            lines.append(f"【{label}】")
        current_label = label
        if block.kind == "para":
            lines.append("".join(block.units))
        elif block.kind == "list":
            lines.extend(f"- {unit}" for unit in block.units)
        else:
            if block.header:
                lines.append(block.header)
            lines.extend(block.units)
    return "\n".join(lines)


def _units(blocks: list[tuple[str, _Block]]) -> list[Unit]:
    kinds = {"para": "sentence", "list": "item", "table": "row"}
    units: list[Unit] = []
    for label, block in blocks:
        header = tuple(table_cells(block.header.split("\n")[0])) if block.header else ()
        units.extend(Unit(text=u, kind=kinds[block.kind], label=label, header=header) for u in block.units)
    return units


def _block_chars(block: _Block) -> int:
    return sum(len(unit) + 1 for unit in block.units) + len(block.header)


def _subtree_blocks(section: _Section, label: str = "") -> list[tuple[str, _Block]]:
    blocks = [(label, block) for block in section.blocks]
    for child in section.children:
        child_label = f"{label}{HEADING_SEPARATOR}{child.title}" if label else child.title
        blocks.extend(_subtree_blocks(child, child_label))
    return blocks


def _is_detail(section: _Section) -> bool:
    """A sub-heading that describes its parent program (amount, interest, window...) rather than naming a
    program of its own; details stay in the parent's chunk, sub-programs get chunks (and headings) of
    their own."""
    if section.jurisdiction:
        return False
    title = re.sub(r"[（(].*?[)）]", "", unicodedata.normalize("NFKC", section.title)).strip()
    is_detail = len(title) <= DETAIL_MAX_LENGTH and bool(DETAIL_HEADING.search(title))
    return is_detail and all(_is_detail(child) for child in section.children)


def _pack(blocks: list[tuple[str, _Block]], max_chars: int) -> list[list[tuple[str, _Block]]]:
    """Group blocks into pieces of at most `max_chars`, splitting big blocks between units; a table piece
    repeats the header so no row is ever separated from its column names."""
    pieces: list[list[tuple[str, _Block]]] = []
    current: list[tuple[str, _Block]] = []
    size = 0
    for label, block in blocks:
        overhead = len(block.header) + len(label) + 2
        units = list(block.units)
        while units:
            room = max_chars - size - overhead
            taken: list[str] = []
            while units and (len(units[0]) + 1 <= room or (not taken and not current)):
                taken.append(units.pop(0))
                room -= len(taken[-1]) + 1
            if taken:
                current.append((label, _Block(block.kind, taken, block.header)))
                size += overhead + sum(len(unit) + 1 for unit in taken)
            if units:
                pieces.append(current)
                current, size = [], 0
    if current:
        pieces.append(current)
    return pieces


def chunk_document(document: Document, max_chars: int = MAX_CHARS) -> list[Chunk]:
    """Chunks of one document, in document order (see the module docstring for the rules)."""
    chunks: list[Chunk] = []
    root = parse_sections(document, max_chars)

    def emit(blocks: list[tuple[str, _Block]], sections: list[str], jurisdiction: str) -> None:
        pieces = _pack(blocks, max_chars)
        for part, piece in enumerate(pieces):
            chunks.append(
                Chunk(
                    id=f"{document.id}:{len(chunks)}",
                    doc=document.id,
                    title=document.title,
                    heading=HEADING_SEPARATOR.join([document.title, *sections]),
                    sections=list(sections),
                    jurisdiction=jurisdiction,
                    date=document.source_date,
                    source_url=document.source_url,
                    publisher=document.publisher,
                    text=_render(piece),
                    units=_units(piece),
                    part=part if len(pieces) > 1 else 0,
                    kind=document.kind,
                )
            )

    def visit(section: _Section, sections: list[str], inherited: str) -> None:
        jurisdiction = section.jurisdiction or inherited
        details = [child for child in section.children if section.level > 0 and _is_detail(child)]
        blocks = [("", block) for block in section.blocks]
        for child in details:
            blocks.extend(_subtree_blocks(child, child.title))
        if blocks:
            emit(blocks, sections, jurisdiction)
        for child in section.children:
            if child not in details:
                visit(child, [*sections, child.title], jurisdiction)

    visit(root, [], document.jurisdiction)
    return chunks


def chunk_documents(documents: list[Document], max_chars: int = MAX_CHARS) -> list[Chunk]:
    return [chunk for document in documents for chunk in chunk_document(document, max_chars)]
