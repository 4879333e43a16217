"""Search results → a short Japanese answer that quotes the source instead of paraphrasing it.

The answer names the program, quotes the sentences / list items / table rows of the best chunk that match the
question best (amounts and conditions are copied, never generated), says where to apply, and ends with the
source and its date. Every amount goes out with its date. When retrieval is unsure the answer says so, lists
the closest programs and offers a counselor: a confident wrong amount is the worst thing this bot can send.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from knowledge import messages
from knowledge.chunking import HEADING_SEPARATOR, Chunk, Unit
from knowledge.documents import display_date
from knowledge.jurisdictions import CONFLICT, COVERS, SAME, Places
from knowledge.retrieval import Hit, Search
from knowledge.tokenize import content_terms

MAX_ANSWER_CHARS = 600
MAX_FACTS = 3
MAX_FACT_CHARS = 260
# Confidence, calibrated with `yorisoi eval` on the dev and held-out sets plus off-topic questions
# (see tests/knowledge): the best chunk must be semantically close, or close and lexically supported.
MIN_DENSE = 0.80
MIN_DENSE_WITHOUT_TERMS = 0.86
MIN_LEXICAL_SUPPORT = 0.35

_AMOUNT = re.compile(r"\d[\d,]*(?:\.\d+)?\s*(?:万|千)?円|\d+割")
_PHONE = re.compile(r"0\d{1,4}[-ー－]\d{1,4}[-ー－]\d{3,4}")
_WINDOW_LABEL = re.compile(r"窓口|問い?合わせ|申請先|受付場所|相談方法|連絡先|電話")
_ENUMERATOR = re.compile(
    r"^(?:[（(][0-9０-９ア-ンァ-ヶa-zｱ-ﾝ一二三四五六七八九十]{1,3}[)）]|[0-9０-９]{1,2}[.．]?|[ア-ン])\s+"
)

# What kind of fact a question asks for → what a matching unit looks like.
_ASKS = {
    "amount": (re.compile(r"いくら|金額|額|何円|上限|限度|何割|いくつ|どれくらい|どのくらい|加算"), _AMOUNT),
    "period": (
        re.compile(r"何年|期間|いつまで|最長|何歳|何か月|何ヶ月|期限|頻度|何回|返済"),
        re.compile(r"\d+\s*(?:年|か月|ヶ月|ヵ月|月|歳|日|回)|年\d+回|以内|未満|まで"),
    ),
    "where": (re.compile(r"どこ|窓口|電話|連絡先|問い?合わせ|住所|場所|番号|申請先"), _PHONE),
    "condition": (
        re.compile(r"条件|要件|対象|所得制限|誰|だれ|もらえ|受けられ|使え|できますか"),
        re.compile(r"場合|要件|対象|限り|以上|未満"),
    ),
}


@dataclass
class Source:
    """One retrieved chunk as shown in the JSON contract."""

    doc: str
    title: str
    heading: str
    jurisdiction: str
    date: str
    text: str
    score: float

    @classmethod
    def from_hit(cls, hit: Hit) -> Source:
        chunk = hit.chunk
        return cls(
            doc=chunk.doc,
            title=chunk.title,
            heading=chunk.heading,
            jurisdiction=chunk.jurisdiction,
            date=chunk.date,
            text=chunk.text,
            score=round(hit.score, 4),
        )

    def to_dict(self) -> dict:
        return {
            "doc": self.doc,
            "title": self.title,
            "heading": self.heading,
            "jurisdiction": self.jurisdiction,
            "date": self.date,
            "text": self.text,
            "score": self.score,
        }


@dataclass
class Answer:
    question: str
    text: str
    confident: bool
    sources: list[Source] = field(default_factory=list)
    related: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """The JSON contract of `yorisoi ask --json`."""
        return {
            "question": self.question,
            "answer": self.text,
            "confident": self.confident,
            "sources": [source.to_dict() for source in self.sources],
        }


def program_name(chunk: Chunk) -> str:
    """The program a chunk is about, for residents: its last two headings without list numbering,
    e.g. "母子父子寡婦福祉資金貸付金（転宅資金）"."""
    names = [_ENUMERATOR.sub("", name).strip() for name in chunk.sections] or [chunk.title]
    if len(names) >= 2 and names[-2] not in names[-1]:
        return f"{names[-2]}（{names[-1]}）"
    return names[-1]


def source_line(chunk: Chunk) -> str:
    if chunk.date:
        return messages.SOURCE.format(title=chunk.title, date=display_date(chunk.date))
    return messages.SOURCE_UNDATED.format(title=chunk.title)


class Composer:
    """Builds answers from searches over one index (term statistics are computed once, at start)."""

    def __init__(self, chunks: list[Chunk], places: Places) -> None:
        self.chunks = chunks
        self.places = places
        document_frequency: Counter[str] = Counter()
        for chunk in chunks:
            document_frequency.update(set(content_terms(chunk.index_text)))
        total = max(len(chunks), 1)
        self._idf = {term: math.log(1 + total / count) for term, count in document_frequency.items()}
        self._default_idf = math.log(1 + total)
        self._unit_terms: dict[tuple[str, int], set[str]] = {}
        self._by_doc: dict[str, list[Chunk]] = {}
        for chunk in chunks:
            self._by_doc.setdefault(chunk.doc, []).append(chunk)

    # --- confidence -------------------------------------------------------------------------------------
    def confident(self, search: Search) -> bool:
        if not search.hits:
            return False
        best = search.hits[0]
        if not search.terms:
            return best.dense >= MIN_DENSE_WITHOUT_TERMS
        return best.dense >= MIN_DENSE and (
            best.lexical >= MIN_LEXICAL_SUPPORT or best.dense >= MIN_DENSE_WITHOUT_TERMS
        )

    # --- facts ------------------------------------------------------------------------------------------
    def _terms_of(self, chunk: Chunk, position: int) -> set[str]:
        key = (chunk.id, position)
        if key not in self._unit_terms:
            unit = chunk.units[position]
            self._unit_terms[key] = set(content_terms(f"{unit.label} {unit.quote()}"))
        return self._unit_terms[key]

    def _unit_score(self, question: str, terms: set[str], chunk: Chunk, position: int) -> float:
        unit = chunk.units[position]
        unit_terms = self._terms_of(chunk, position)
        score = sum(self._idf.get(term, self._default_idf) for term in terms & unit_terms)
        text = f"{unit.label} {unit.quote()}"
        for asks, looks_like in _ASKS.values():
            if asks.search(question) and looks_like.search(text):
                score += 2.0
        if _WINDOW_LABEL.search(unit.label) and not _ASKS["where"][0].search(question):
            score -= 3.0  # the window has its own line in the answer
        return score

    def select_facts(self, question: str, terms: list[str], chunk: Chunk) -> list[Unit]:
        """The best-matching units of `chunk`, in document order, plus its opening sentence as context."""
        if not chunk.units:
            return []
        wanted = set(terms)
        scored = sorted(
            range(len(chunk.units)),
            key=lambda i: (-self._unit_score(question, wanted, chunk, i), i),
        )
        chosen = scored[:MAX_FACTS]
        lead = 0
        if lead not in chosen and chunk.units[lead].kind == "sentence" and not chunk.units[lead].label:
            chosen = [lead, *chosen[: MAX_FACTS - 1]]
        return [chunk.units[i] for i in sorted(set(chosen))]

    # --- windows ----------------------------------------------------------------------------------------
    def _window_units(self, chunk: Chunk) -> list[Unit]:
        return [unit for unit in chunk.units if _WINDOW_LABEL.search(unit.label)]

    def window_for(self, chunk: Chunk) -> str:
        """Where to apply for the program of `chunk`: its own 窓口 lines, else those of the enclosing section."""
        candidates = [chunk] + [
            other
            for other in self._by_doc.get(chunk.doc, [])
            if other is not chunk
            and other.sections == chunk.sections[: len(other.sections)]
            and len(other.sections) >= 1
        ]
        for candidate in candidates:
            units = self._window_units(candidate)
            if units:
                return " ".join(_shorten(unit.quote(), 120) for unit in units[:2])
        return ""

    def local_window(self, place: str, search: Search) -> str:
        """The resident's own consultation window: the best-ranked chunk of their jurisdiction with a phone."""
        ranked = [hit.chunk for hit in search.hits] + self.chunks
        for relation in (SAME, COVERS):
            for chunk in ranked:
                if self.places.relation(place, chunk.jurisdiction) != relation:
                    continue
                phones = [unit for unit in chunk.units if _PHONE.search(unit.quote())]
                if phones:
                    return f"{program_name(chunk)} " + " ".join(_shorten(u.quote(), 80) for u in phones[:1])
        return ""

    # --- answers ----------------------------------------------------------------------------------------
    def compose(self, question: str, search: Search) -> Answer:
        sources = [Source.from_hit(hit) for hit in search.hits]
        related = self._related(search.hits)
        if not search.query:
            return Answer(question=question, text=messages.EMPTY_QUESTION, confident=False, sources=sources)
        if not search.hits:
            return Answer(question=question, text=messages.NO_DOCUMENTS, confident=False, sources=sources)
        if not self.confident(search):
            return Answer(
                question=question,
                text=self._not_sure(search.hits),
                confident=False,
                sources=sources,
                related=related[:3],
            )
        best = search.hits[0].chunk
        text = self._confident_text(question, search, best)
        return Answer(question=question, text=text, confident=True, sources=sources, related=related[1:4])

    def _related(self, hits: list[Hit]) -> list[str]:
        names: list[str] = []
        for hit in hits:
            name = program_name(hit.chunk)
            if name not in names:
                names.append(name)
        return names

    def _not_sure(self, hits: list[Hit]) -> str:
        lines = [messages.NOT_SURE, messages.CLOSEST_PROGRAMS]
        lines += [messages.CLOSEST_ITEM.format(program=name) for name in self._related(hits)[:3]]
        lines.append(messages.OFFER_COUNSELOR)
        return "\n".join(lines)

    def _confident_text(self, question: str, search: Search, best: Chunk) -> str:
        program = program_name(best)
        facts = self.select_facts(clean(question), search.terms, best)
        window = self.window_for(best)
        notes: list[str] = []
        relation = self.places.relation(search.place, best.jurisdiction) if search.place else ""
        if relation == CONFLICT:
            notes.append(messages.OTHER_JURISDICTION.format(jurisdiction=best.jurisdiction))
            local = self.local_window(search.place or "", search)
            window_line = messages.LOCAL_WINDOW.format(window=local) if local else messages.WINDOW_FALLBACK
        else:
            window_line = messages.WINDOW.format(window=window) if window else messages.WINDOW_FALLBACK
        head = messages.PROGRAM_INTRO.format(program=program)
        tail = [source_line(best)]

        def render(selected: list[Unit]) -> str:
            quoted = [f"・{_fact_text(unit)}" for unit in selected]
            body = "\n".join(quoted)
            amount_notes = []
            if _AMOUNT.search(body):
                if best.date:
                    amount_notes.append(messages.AMOUNT_AS_OF.format(date=display_date(best.date)))
                amount_notes += [
                    note
                    for keyword, note in messages.AMOUNT_NOTES.items()
                    if keyword in best.heading or keyword in body
                ]
            window_in_facts = window and all(part in body for part in window.split(" ")[:1])
            lines = [head, *quoted, *amount_notes, *notes]
            if not window_in_facts or relation == CONFLICT:
                lines.append(window_line)
            return "\n".join([*lines, *tail])

        selected = list(facts)
        text = render(selected)
        while len(text) > MAX_ANSWER_CHARS and len(selected) > 1:
            selected.pop(0 if len(selected) > 1 and selected[0].kind == "sentence" else -1)
            text = render(selected)
        if len(text) > MAX_ANSWER_CHARS:
            text = text[: MAX_ANSWER_CHARS - 1] + "…"
        return text


def clean(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _fact_text(unit: Unit) -> str:
    text = _shorten(unit.quote(), MAX_FACT_CHARS)
    label = unit.label.split(HEADING_SEPARATOR)[-1] if unit.label else ""
    if label and label not in text:
        return f"{label}: {text}"
    return text
