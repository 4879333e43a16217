"""The documents the index is built from: the shipped ones (knowledge/docs/) and the city's own.

A city's documents and amounts periods live in the data store (`ContentStore`; `bot` hands the database-backed
one), not in the package, so they survive upgrades and every process on that store sees them:
    published documents   indexed beside the shipped ones; one named like a shipped document replaces it
    drafts                imported and waiting for review; never indexed
    amounts periods       laid over knowledge/amounts.yaml by program and start date (knowledge.amounts)
    contacts              a place's window (name, phone, hours, address, source) over places.yaml's, by place
Files a city kept in `$YORISOI_DATA_DIR/content/{docs,drafts}/` before the store existed are imported into it
once (`import_files`) and their directory renamed, so there is one place to edit and no second truth.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from knowledge.amounts import Amounts, city_amounts, with_periods
from knowledge.checking import (
    AMOUNTS_FILE,
    Problem,
    check_amounts,
    check_amounts_data,
    check_document,
    check_document_paths,
    phone_problem,
    read_amounts,
    unreadable,
)
from knowledge.documents import (
    DOCS_DIR,
    Document,
    DocumentError,
    document_from_markdown,
    document_paths,
    load_documents,
)
from knowledge.places import PlaceRegister, Window, default_register, phone_key, phones_in

log = logging.getLogger(__name__)

CONTENT_DIR = "content"
CITY_DOCS = "docs"
DRAFTS = "drafts"
IMPORTED_SUFFIX = ".imported"
DRAFT = "draft"
PUBLISHED = "published"


@dataclass(frozen=True)
class StoredDocument:
    """A city's document as the store keeps it: the whole Markdown (front matter included) and, for an
    imported one, the plain text of its source (what the fidelity report reads facts from)."""

    name: str
    markdown: str
    status: str = DRAFT
    source_text: str = ""
    source_file: str = ""
    updated_at: str = ""
    updated_by: str = ""

    def document(self) -> Document:
        return document_from_markdown(self.name, self.markdown, f"{self.name}.md")


@dataclass(frozen=True)
class StoredPeriod:
    """An amounts period a city added: `period` has the shape of a period in amounts.yaml (`from`,
    `source`, `first`/`second`/`third` bands or `rows`, `notes`)."""

    program: str
    period: dict = field(default_factory=dict)


@dataclass(frozen=True)
class StoredContact:
    """A window a city keeps for one place of the register (a municipality or prefecture): it replaces the
    window places.yaml gives that place, or adds one where places.yaml has none."""

    place: str
    window: str
    phone: str
    source: str
    hours: str = ""
    address: str = ""
    updated_at: str = ""
    updated_by: str = ""

    def as_window(self) -> Window:
        return Window(self.window, self.phone, self.hours, self.address, self.source)


# Why a contact is refused (`contact_problems`); each surface words them itself (the CLI in English, the
# dashboard in handoff.messages).
CONTACT_UNKNOWN_PLACE = "unknown_place"
CONTACT_NO_WINDOW = "no_window"
CONTACT_NO_PHONE = "no_phone"
CONTACT_BAD_PHONE = "bad_phone"
CONTACT_NO_SOURCE = "no_source"
CONTACT_TOO_LONG = "too_long"
CONTACT_FIELD_LIMIT = 300
CONTACT_PROBLEM_TEXT = {
    CONTACT_UNKNOWN_PLACE: "the place is not a prefecture or municipality of knowledge/places.yaml",
    CONTACT_NO_WINDOW: "the window has no name",
    CONTACT_NO_PHONE: "the window has no phone number",
    CONTACT_BAD_PHONE: "the phone number is not a well-formed Japanese number (e.g. 076-220-2285)",
    CONTACT_NO_SOURCE: "the window has no source (the page its number was read from)",
    CONTACT_TOO_LONG: f"a field is longer than {CONTACT_FIELD_LIMIT} characters",
}


def contact_problems(contact: StoredContact, places: PlaceRegister | None = None) -> list[str]:
    """The codes above for what keeps `contact` from answering residents (empty: nothing). The place must
    be one the register knows (its residents are matched by it); the phone must hold one or more
    well-formed Japanese numbers the answers can recognise; the source is required."""
    register = places or default_register()
    problems = []
    if not register.knows(contact.place):
        problems.append(CONTACT_UNKNOWN_PLACE)
    if not contact.window.strip():
        problems.append(CONTACT_NO_WINDOW)
    numbers = phones_in(contact.phone)
    if not contact.phone.strip():
        problems.append(CONTACT_NO_PHONE)
    elif not numbers or any(phone_problem(phone_key(number)) for number in numbers):
        problems.append(CONTACT_BAD_PHONE)
    if not contact.source.strip():
        problems.append(CONTACT_NO_SOURCE)
    fields = (contact.window, contact.phone, contact.source, contact.hours, contact.address)
    if any(len(text) > CONTACT_FIELD_LIMIT for text in fields):
        problems.append(CONTACT_TOO_LONG)
    return problems


def clean_contact(contact: StoredContact, places: PlaceRegister | None = None) -> StoredContact:
    """`contact` with its text NFKC-normalised and trimmed, its place in the register's spelling."""
    register = places or default_register()

    def clean(text: str) -> str:
        return unicodedata.normalize("NFKC", text or "").strip()

    return StoredContact(
        place=register.normalise(contact.place),
        window=clean(contact.window),
        phone=clean(contact.phone),
        source=clean(contact.source),
        hours=clean(contact.hours),
        address=clean(contact.address),
        updated_at=contact.updated_at,
        updated_by=contact.updated_by,
    )


class ContentStore(Protocol):
    """Where a city's content is kept. `version` changes with every published change, so a serving process
    learns of one with a cheap call; drafts do not change it (they are never answered from)."""

    def version(self) -> int: ...

    def documents(self, status: str = PUBLISHED) -> list[StoredDocument]: ...

    def document(self, name: str, status: str = DRAFT) -> StoredDocument | None: ...

    def save(self, document: StoredDocument) -> None: ...

    def publish(self, name: str, by: str = "") -> StoredDocument: ...

    def discard(self, name: str) -> bool: ...

    def periods(self) -> list[StoredPeriod]: ...

    def add_period(self, period: StoredPeriod, by: str = "") -> None: ...

    def contacts(self) -> list[StoredContact]: ...

    def set_contact(self, contact: StoredContact, by: str = "") -> None: ...


def city_documents(content: ContentStore | None, status: str = PUBLISHED) -> list[Document]:
    """The city's documents that read as documents; one that does not (only a file imported from the
    layout before the store can be) is left out with a log line, and `docs check` names it."""
    documents = []
    for stored in content.documents(status) if content is not None else []:
        try:
            documents.append(stored.document())
        except DocumentError as error:
            log.error("city document %r left out: %s", stored.name, error)
    return documents


def load_library(content: ContentStore | None = None, shipped_dir: Path | None = None) -> list[Document]:
    """Shipped documents with the city's published ones laid over them by id (the city's win)."""
    shipped = load_documents(shipped_dir or DOCS_DIR)
    city = {document.id: document for document in city_documents(content)}
    merged = [city.pop(document.id, document) for document in shipped]
    return merged + sorted(city.values(), key=lambda document: document.id)


@dataclass(frozen=True)
class Entry:
    """One document as `yorisoi docs list` shows it: status is shipped, overridden, added or draft."""

    id: str
    title: str
    status: str
    path: str


def library_entries(content: ContentStore | None = None, shipped_dir: Path | None = None) -> list[Entry]:
    shipped = {document.id: document for document in load_documents(shipped_dir or DOCS_DIR)}
    city = {document.id: document for document in city_documents(content)}
    entries = [
        Entry(
            doc_id,
            (city.get(doc_id) or document).title,
            "overridden" if doc_id in city else "shipped",
            (city.get(doc_id) or document).path,
        )
        for doc_id, document in shipped.items()
    ]
    entries += [
        Entry(doc_id, document.title, "added", document.path)
        for doc_id, document in sorted(city.items())
        if doc_id not in shipped
    ]
    entries += [
        Entry(document.id, document.title, DRAFT, document.path)
        for document in city_documents(content, DRAFT)
    ]
    return entries


def draft_check(stored: StoredDocument) -> list[Problem]:
    """Why a draft may not go live (empty: it may): it must read as a document and pass `docs check`."""
    try:
        document = stored.document()
    except DocumentError as error:
        return [unreadable(f"{stored.name}.md", error, stored.name)]
    return [problem for problem in check_document(document) if problem.level == "error"]


def draft_problems(stored: StoredDocument) -> list[str]:
    """`draft_check` as the operator's English lines."""
    return [problem.message for problem in draft_check(stored)]


def publish_draft(content: ContentStore, name: str, by: str = "") -> StoredDocument:
    """Make the draft NAME live (replacing an earlier published one of that name). The draft is read and
    checked first, so a broken draft never reaches the index."""
    stem = name.removesuffix(".md")
    if not stem or Path(stem).name != stem:
        raise DocumentError(f"{name!r} is not a draft name (see `yorisoi docs list`)")
    draft = content.document(stem, DRAFT)
    if draft is None:
        raise DocumentError(f"no draft named {stem!r} (see `yorisoi docs list`)")
    problems = draft_problems(draft)
    if problems:
        raise DocumentError(f"{stem}: " + "; ".join(problems))
    return content.publish(stem, by)


def import_files(content: ContentStore, data_dir: Path) -> int:
    """Move documents a city kept as files (`content/docs/`, `content/drafts/`, the layout before the store)
    into the store, once: a name the store already has is left as the store has it, and each directory is
    renamed `….imported` afterwards, so the files are kept but no longer read. Returns how many were new."""
    imported = 0
    for folder, status in ((CITY_DOCS, PUBLISHED), (DRAFTS, DRAFT)):
        directory = Path(data_dir) / CONTENT_DIR / folder
        paths = [path for path in document_paths(directory) if path.suffix.lower() in {".md", ".markdown"}]
        for path in paths:
            if content.document(path.stem, status) is not None:
                continue
            content.save(
                StoredDocument(path.stem, path.read_text(encoding="utf-8-sig"), status, source_file=path.name)
            )
            imported += 1
        if directory.is_dir():
            try:
                os.replace(directory, directory.with_name(folder + IMPORTED_SUFFIX))
            except OSError as error:  # another process starting at the same moment renamed it first
                log.info("content files in %s already imported (%s)", directory, error)
    return imported


def content_places(content: ContentStore | None, base: PlaceRegister | None = None) -> PlaceRegister:
    """The register answers and household results use: places.yaml's windows with the city's over them. A
    stored contact that no longer passes `contact_problems` (a place dropped from the register by an
    upgrade) is left out with a log line; `docs check` names it."""
    register = base or default_register()
    windows = {}
    for contact in content.contacts() if content is not None else []:
        if contact_problems(contact, register):
            log.error("city contact for %r left out: it no longer passes the check", contact.place)
            continue
        windows[contact.place] = contact.as_window()
    return register.with_windows(windows) if windows else register


@dataclass(frozen=True)
class ContactEntry:
    """One place's window as `yorisoi docs contact list` shows it: status is shipped, overridden or added."""

    place: str
    window: Window
    status: str
    updated_by: str = ""


def contact_entries(content: ContentStore | None, base: PlaceRegister | None = None) -> list[ContactEntry]:
    register = base or default_register()
    city = {contact.place: contact for contact in (content.contacts() if content is not None else [])}
    entries = [
        ContactEntry(place, city[place].as_window(), "overridden", city[place].updated_by)
        if place in city
        else ContactEntry(place, window, "shipped")
        for place, window in register.windows.items()
    ]
    entries += [
        ContactEntry(place, contact.as_window(), "added", contact.updated_by)
        for place, contact in sorted(city.items())
        if place not in register.windows
    ]
    return entries


def content_amounts(content: ContentStore | None) -> Amounts:
    """The amounts answers and the household estimate use: amounts.yaml with the city's periods over it."""
    periods = content.periods() if content is not None else []
    return city_amounts([(stored.program, stored.period) for stored in periods])


def check_content(
    content: ContentStore | None, today: dt.date, amounts_file: Path | None = None
) -> tuple[list[Problem], int]:
    """`docs check` over what answers come from: the shipped documents, the city's published ones and the
    amounts (amounts.yaml with the city's periods, or `amounts_file` alone). Returns the problems and how
    many documents were checked."""
    paths = document_paths(DOCS_DIR)
    problems = check_document_paths(paths)
    stored = content.documents(PUBLISHED) if content is not None else []
    for item in stored:
        try:
            problems += check_document(item.document())
        except DocumentError as error:
            problems.append(unreadable(f"{item.name}.md", error, item.name))
    if amounts_file is not None:
        problems += check_amounts(amounts_file, today)
    elif AMOUNTS_FILE.is_file():
        try:
            data = read_amounts(AMOUNTS_FILE)
        except ValueError as error:
            unread = Problem("error", AMOUNTS_FILE.name, str(error), code="amounts_unreadable")
            return [*problems, unread], len(paths) + len(stored)
        city = [(period.program, period.period) for period in (content.periods() if content else [])]
        try:
            data = with_periods(data, city)
        except ValueError as error:
            problems.append(Problem("error", "content_amount_periods", str(error), code="periods_unreadable"))
        problems += check_amounts_data(data, AMOUNTS_FILE.name, today)
    for contact in content.contacts() if content is not None else []:
        problems += [
            Problem(
                "error",
                f"content_contacts: {contact.place}",
                CONTACT_PROBLEM_TEXT[code],
                code=f"contact_{code}",
                subject=contact.place,
            )
            for code in contact_problems(contact)
        ]
    return problems, len(paths) + len(stored)
