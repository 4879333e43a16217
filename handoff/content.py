"""What the dashboard's content pages work on (`ContentDesk`), and what it hands them back.

City staff keep the content true from the dashboard: the `docs check` warnings, importing a saved page or a
PDF into a draft with its fidelity report, editing, publishing or discarding the draft, adding an amounts
period with its source, and setting a place's window (contact). `bot` wires the real desk from knowledge's
functions (handoff never imports them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol


class ContentInputError(ValueError):
    """Input the desk refuses; `code` picks the page's message (handoff.messages.PAGE), `detail` is the
    operator's English for the log (never shown to staff), `codes` every reason when there are several."""

    def __init__(self, code: str, detail: str = "", codes: tuple[str, ...] = ()) -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail
        self.codes = codes or (code,)


@dataclass(frozen=True)
class ContentProblem:
    """A finding of `docs check` as data: `subject` is the document, program or place it is about; `code`
    and `args` pick and fill the page's Japanese sentence (handoff.messages.CHECK_PROBLEMS)."""

    subject: str
    code: str
    args: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LapsedAmount:
    """An amount revised every April whose newest known period began before the current fiscal year."""

    program: str
    newest: dt.date
    fiscal_year: dt.date


@dataclass(frozen=True)
class CheckReport:
    checked: int
    errors: list[ContentProblem] = field(default_factory=list)
    lapsed: list[LapsedAmount] = field(default_factory=list)


@dataclass(frozen=True)
class LibraryRow:
    name: str
    title: str
    status: str  # shipped | overridden | added | draft


@dataclass(frozen=True)
class FactCheck:
    kind: str  # amount | phone | date | address
    text: str
    found: bool


@dataclass(frozen=True)
class DraftView:
    name: str
    title: str
    markdown: str
    source_text: str
    source_file: str
    facts: list[FactCheck]
    problems: list[ContentProblem]  # why it may not be published yet (empty: it may)
    updated_at: str = ""

    @property
    def missing(self) -> list[FactCheck]:
        return [fact for fact in self.facts if not fact.found]


@dataclass(frozen=True)
class AmountProgram:
    """A program of the dated amounts and its newest period, which the form to add a period starts from."""

    name: str
    unit: str
    newest_from: dt.date
    newest_source: str
    bands: dict[str, tuple[int, int, int]]  # first/second/third → (full, partial low, partial high)
    rows: list[tuple[str, int]]
    notes: list[str]
    periods: list[dt.date]


@dataclass(frozen=True)
class ContactRow:
    """A place's window as the content page lists it; status is shipped, overridden or added."""

    place: str
    window: str
    phone: str
    hours: str
    address: str
    source: str
    status: str
    updated_by: str = ""


class ContentDesk(Protocol):
    def check(self, today: dt.date) -> CheckReport: ...

    def library(self) -> list[LibraryRow]: ...

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
    ) -> str: ...

    def draft(self, name: str) -> DraftView | None: ...

    def drafts(self) -> list[DraftView]: ...

    def save_draft(self, name: str, markdown: str, by: str = "") -> None: ...

    def publish(self, name: str, by: str = "") -> None: ...

    def discard(self, name: str) -> bool: ...

    def amount_programs(self) -> list[AmountProgram]: ...

    def add_amount_period(self, program: str, period: dict, by: str = "") -> None: ...

    def contacts(self) -> list[ContactRow]: ...

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
        """Store the window of `place` (returns the place in the register's spelling); refused input raises
        ContentInputError with every reason in `codes` (contact_unknown_place, contact_bad_phone …)."""
        ...
