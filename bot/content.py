"""The city's content in the database (tables of migrations 0006 and 0008), and the dashboard's content desk.

`CityContent` is the database-backed `knowledge.library.ContentStore`: documents (drafts and published),
amounts periods and windows (contacts) a city adds or overrides, and a version every published change
increments. The tables are
city data, not resident data: `forget` and `purge` leave them alone. Every serving process runs one watcher
thread that asks for the version every few seconds and, when it changed, calls its listeners (the live
knowledge base reloads); a publish in this process calls them at once.

`Desk` is what handoff's content pages (`handoff.content.ContentDesk`) work through: import, fidelity, drafts,
publish, amounts periods, windows and `docs check`, built from knowledge's functions so handoff never imports
them.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from bot.database import Database, Transaction
from handoff.content import (
    AmountProgram,
    CheckReport,
    ContactRow,
    ContentInputError,
    ContentProblem,
    DraftView,
    FactCheck,
    LapsedAmount,
    LibraryRow,
)
from knowledge.amounts import Amounts, shipped_data, with_periods
from knowledge.checking import Problem
from knowledge.documents import DocumentError
from knowledge.fidelity import compare
from knowledge.importing import (
    HTML_SUFFIXES,
    PDF_SUFFIXES,
    ImportFailure,
    convert,
    draft_markdown,
    draft_name,
)
from knowledge.library import (
    DRAFT,
    PUBLISHED,
    StoredContact,
    StoredDocument,
    StoredPeriod,
    check_content,
    clean_contact,
    contact_entries,
    contact_problems,
    content_amounts,
    content_places,
    draft_check,
    import_files,
    library_entries,
    publish_draft,
)
from knowledge.places import LivePlaces

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class CityContent:
    """Documents and amounts periods a city keeps in the database (see the module docstring)."""

    def __init__(self, db: Database, clock: Clock = _utc_now) -> None:
        self._db = db
        self._clock = clock
        self._listeners: list[Callable[[], None]] = []
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None
        self._amounts: tuple[int, Amounts] | None = None

    def version(self) -> int:
        row = self._db.one("SELECT version FROM content_version WHERE id = 1")
        return int(row["version"]) if row else 0

    def _bump(self, tx: Transaction) -> None:
        tx.execute(
            "UPDATE content_version SET version = version + 1, changed_at = ? WHERE id = 1",
            (self._clock().isoformat(),),
        )

    def documents(self, status: str = PUBLISHED) -> list[StoredDocument]:
        rows = self._db.query("SELECT * FROM content_documents WHERE status = ? ORDER BY name", (status,))
        return [self._stored(row) for row in rows]

    def document(self, name: str, status: str = DRAFT) -> StoredDocument | None:
        row = self._db.one("SELECT * FROM content_documents WHERE name = ? AND status = ?", (name, status))
        return self._stored(row) if row else None

    @staticmethod
    def _stored(row: dict) -> StoredDocument:
        return StoredDocument(
            name=row["name"],
            markdown=row["markdown"],
            status=row["status"],
            source_text=row["source_text"],
            source_file=row["source_file"],
            updated_at=row["updated_at"],
            updated_by=row["updated_by"],
        )

    def save(self, document: StoredDocument) -> None:
        """Insert or replace the document of this name and status; a published one changes the version."""
        with self._db.atomic() as tx:
            self._write(tx, document)
        if document.status == PUBLISHED:
            self._changed()

    def _write(self, tx: Transaction, document: StoredDocument) -> None:
        try:
            parsed = document.document()
            title, kind = parsed.title, parsed.kind
            jurisdiction, source_date = parsed.jurisdiction, parsed.source_date
        except DocumentError:  # a draft may be unreadable while it is being curated; it is never indexed
            title, kind, jurisdiction, source_date = document.name, "program", "", ""
        tx.execute(
            "INSERT INTO content_documents (name, status, title, kind, jurisdiction, source_date, markdown,"
            " source_text, source_file, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (name, status) DO UPDATE SET title = excluded.title, kind = excluded.kind,"
            " jurisdiction = excluded.jurisdiction, source_date = excluded.source_date,"
            " markdown = excluded.markdown, source_text = excluded.source_text,"
            " source_file = excluded.source_file, updated_at = excluded.updated_at,"
            " updated_by = excluded.updated_by",
            (
                document.name,
                document.status,
                title,
                kind,
                jurisdiction,
                source_date,
                document.markdown,
                document.source_text,
                document.source_file,
                self._clock().isoformat(),
                document.updated_by,
            ),
        )
        if document.status == PUBLISHED:
            self._bump(tx)

    def publish(self, name: str, by: str = "") -> StoredDocument:
        """The draft NAME becomes the published document of that name (the draft row is gone)."""
        draft = self.document(name, DRAFT)
        if draft is None:
            raise DocumentError(f"no draft named {name!r}")
        published = StoredDocument(
            name, draft.markdown, PUBLISHED, draft.source_text, draft.source_file, updated_by=by
        )
        with self._db.atomic() as tx:
            self._write(tx, published)
            tx.execute("DELETE FROM content_documents WHERE name = ? AND status = ?", (name, DRAFT))
        self._changed()
        return published

    def discard(self, name: str) -> bool:
        return (
            self._db.execute("DELETE FROM content_documents WHERE name = ? AND status = ?", (name, DRAFT)) > 0
        )

    def periods(self) -> list[StoredPeriod]:
        rows = self._db.query("SELECT program, body FROM content_amount_periods ORDER BY program, starts")
        return [StoredPeriod(row["program"], json.loads(row["body"])) for row in rows]

    def add_period(self, period: StoredPeriod, by: str = "") -> None:
        """Add (or, for the same program and start date, replace) an amounts period; changes the version."""
        with self._db.atomic() as tx:
            tx.execute(
                "INSERT INTO content_amount_periods (program, starts, source, body, added_at, added_by)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (program, starts) DO UPDATE SET"
                " source = excluded.source, body = excluded.body, added_at = excluded.added_at,"
                " added_by = excluded.added_by",
                (
                    period.program,
                    str(period.period["from"]),
                    str(period.period["source"]),
                    json.dumps(period.period, ensure_ascii=False),
                    self._clock().isoformat(),
                    by,
                ),
            )
            self._bump(tx)
        self._changed()

    def contacts(self) -> list[StoredContact]:
        rows = self._db.query("SELECT * FROM content_contacts ORDER BY place")
        return [
            StoredContact(
                place=row["place"],
                window=row["window_name"],
                phone=row["phone"],
                source=row["source"],
                hours=row["hours"],
                address=row["address"],
                updated_at=row["updated_at"],
                updated_by=row["updated_by"],
            )
            for row in rows
        ]

    def set_contact(self, contact: StoredContact, by: str = "") -> None:
        """Add (or, for the same place, replace) a place's window; changes the version. The caller checks
        it first (`knowledge.library.contact_problems`)."""
        with self._db.atomic() as tx:
            tx.execute(
                "INSERT INTO content_contacts (place, window_name, phone, hours, address, source, updated_at,"
                " updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (place) DO UPDATE SET"
                " window_name = excluded.window_name, phone = excluded.phone, hours = excluded.hours,"
                " address = excluded.address, source = excluded.source, updated_at = excluded.updated_at,"
                " updated_by = excluded.updated_by",
                (
                    contact.place,
                    contact.window,
                    contact.phone,
                    contact.hours,
                    contact.address,
                    contact.source,
                    self._clock().isoformat(),
                    by,
                ),
            )
            self._bump(tx)
        self._changed()

    def live_places(self) -> LivePlaces:
        """The place register with the city's windows, read again whenever the content changes (listeners run
        in order: call this before the knowledge base registers its own, so answers see the new windows)."""
        places = LivePlaces(lambda: content_places(self))
        self.on_change(places.refresh)
        return places

    def amounts(self) -> Amounts:
        """amounts.yaml with the city's periods, re-read only when the version changed."""
        version = self.version()
        if self._amounts is None or self._amounts[0] != version:
            self._amounts = (version, content_amounts(self))
        return self._amounts[1]

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call `listener` after a published change in this process and when the watcher sees one."""
        self._listeners.append(listener)

    def _changed(self) -> None:
        for listener in self._listeners:
            listener()

    def watch(self, every: float) -> None:
        """Start the thread that checks the version every `every` seconds (once per process)."""
        if self._watcher is not None or every <= 0:
            return
        seen = self.version()

        def run() -> None:
            nonlocal seen
            while not self._stop.wait(every):
                try:
                    current = self.version()
                except Exception:  # a busy or briefly unreachable database: ask again later
                    log.warning("content version check failed", exc_info=True)
                    continue
                if current != seen:
                    seen = current
                    self._changed()

        self._watcher = threading.Thread(target=run, name="content-watcher", daemon=True)
        self._watcher.start()

    def close(self) -> None:
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join(timeout=5)


def open_content(db: Database, data_dir: Path) -> CityContent:
    """The city's content, with documents kept as files before the store existed imported once."""
    content = CityContent(db)
    imported = import_files(content, data_dir)
    if imported:
        log.info("imported %d city document file(s) into the database", imported)
    return content


PDF_MAGIC = b"%PDF-"


class Desk:
    """The dashboard's content pages, through knowledge's import, fidelity and check functions."""

    def __init__(self, content: CityContent) -> None:
        self._content = content

    def check(self, today: dt.date) -> CheckReport:
        problems, checked = check_content(self._content, today)
        lapsed = [
            LapsedAmount(problem.program, problem.newest, problem.fiscal_year)
            for problem in problems
            if problem.level == "warning" and problem.newest and problem.fiscal_year
        ]
        errors = [_problem(problem) for problem in problems if problem.level == "error"]
        return CheckReport(checked=checked, errors=errors, lapsed=lapsed)

    def library(self) -> list[LibraryRow]:
        return [LibraryRow(entry.id, entry.title, entry.status) for entry in library_entries(self._content)]

    def import_file(
        self,
        filename: str,
        data: bytes,
        *,
        title: str,
        jurisdiction: str,
        source_date: dt.date,
        publisher: str = "",
        kind: str | None = None,
        by: str = "",
    ) -> str:
        """Convert an uploaded page or PDF into a draft; returns the draft's name."""
        suffix = Path(filename).suffix.lower()
        if not data:
            raise ContentInputError("empty_file")
        if suffix not in (*HTML_SUFFIXES, *PDF_SUFFIXES):
            raise ContentInputError("unsupported_file")
        if suffix in PDF_SUFFIXES and data.lstrip()[:5] != PDF_MAGIC:
            raise ContentInputError("not_a_pdf")
        source = Path(filename).name
        with tempfile.TemporaryDirectory(prefix="yorisoi-import-") as folder:
            path = Path(folder) / (Path(source).stem or "upload")
            path = path.with_suffix(suffix)
            path.write_bytes(data)
            try:
                converted = convert(path)
                markdown = draft_markdown(
                    converted,
                    title=title,
                    jurisdiction=jurisdiction,
                    source_date=source_date,
                    publisher=publisher or jurisdiction,
                    kind=kind,
                    source_file=source,
                )
            except ImportFailure as error:
                raise ContentInputError("unreadable_file", str(error)) from error
        name = self._free_name(draft_name(title, Path(source)))
        self._content.save(StoredDocument(name, markdown, DRAFT, converted.text, source, updated_by=by))
        return name

    def _free_name(self, wanted: str) -> str:
        """A name no draft has yet (a second upload never overwrites one under review), usable in a URL."""
        base = wanted.replace("/", "-").replace("\\", "-").strip("-.") or "draft"
        name, number = base, 1
        while self._content.document(name, DRAFT) is not None:
            number += 1
            name = f"{base}-{number}"
        return name

    def draft(self, name: str) -> DraftView | None:
        stored = self._content.document(name, DRAFT)
        if stored is None:
            return None
        facts = [
            FactCheck(fact.kind, fact.text, fact.found)
            for fact in compare(stored.source_text, stored.markdown)
        ]
        try:
            title = stored.document().title
        except DocumentError:
            title = name
        return DraftView(
            name=name,
            title=title,
            markdown=stored.markdown,
            source_text=stored.source_text,
            source_file=stored.source_file,
            facts=facts,
            problems=[_problem(problem) for problem in draft_check(stored)],
            updated_at=stored.updated_at,
        )

    def drafts(self) -> list[DraftView]:
        return [view for stored in self._content.documents(DRAFT) if (view := self.draft(stored.name))]

    def save_draft(self, name: str, markdown: str, by: str = "") -> None:
        stored = self._content.document(name, DRAFT)
        if stored is None:
            raise ContentInputError("no_draft")
        self._content.save(
            StoredDocument(name, markdown, DRAFT, stored.source_text, stored.source_file, updated_by=by)
        )

    def publish(self, name: str, by: str = "") -> None:
        if self._content.document(name, DRAFT) is None:
            raise ContentInputError("no_draft")
        try:
            publish_draft(self._content, name, by)
        except DocumentError as error:  # the page lists the draft's problems in Japanese (DraftView)
            raise ContentInputError("draft_not_publishable", str(error)) from error

    def discard(self, name: str) -> bool:
        return self._content.discard(name)

    def amount_programs(self) -> list[AmountProgram]:
        amounts = self._content.amounts()
        programs = []
        for name, program in amounts.programs.items():
            newest = program.periods[-1]
            programs.append(
                AmountProgram(
                    name=name,
                    unit=program.unit,
                    newest_from=newest.start,
                    newest_source=newest.source,
                    bands={key: (b.full, b.partial_low, b.partial_high) for key, b in newest.bands.items()},
                    rows=list(newest.rows),
                    notes=list(newest.notes),
                    periods=[period.start for period in program.periods],
                )
            )
        return programs

    def add_amount_period(self, program: str, period: dict, by: str = "") -> None:
        """Store a period in the shape of amounts.yaml once the amounts read with it (checked here, not only
        in the form: a period that cannot be read would stop every answer about amounts)."""
        try:
            merged = with_periods(shipped_data(), [(p.program, p.period) for p in self._content.periods()])
            Amounts.from_data(with_periods(merged, [(program, period)]))
        except (ValueError, KeyError, TypeError) as error:
            raise ContentInputError("bad_period", str(error)) from error
        self._content.add_period(StoredPeriod(program, period), by)

    def contacts(self) -> list[ContactRow]:
        return [
            ContactRow(
                place=entry.place,
                window=entry.window.name,
                phone=entry.window.phone,
                hours=entry.window.hours,
                address=entry.window.address,
                source=entry.window.source,
                status=entry.status,
                updated_by=entry.updated_by,
            )
            for entry in contact_entries(self._content)
        ]

    def set_contact(
        self,
        place: str,
        *,
        window: str,
        phone: str,
        source: str,
        hours: str = "",
        address: str = "",
        by: str = "",
    ) -> str:
        contact = clean_contact(StoredContact(place, window, phone, source, hours, address))
        problems = contact_problems(contact)
        if problems:
            codes = tuple(f"contact_{code}" for code in problems)
            raise ContentInputError(codes[0], ", ".join(problems), codes)
        self._content.set_contact(contact, by)
        return contact.place


def _problem(problem: Problem) -> ContentProblem:
    """A check finding as the page reads it (its code and values, never the operator's English)."""
    return ContentProblem(problem.subject or problem.where, problem.code or "unknown", dict(problem.args))
