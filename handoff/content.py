"""What the dashboard's content pages work on (`ContentDesk`), and what it hands them back.

City staff keep the content true from the dashboard: the `docs check` warnings, importing a saved page or a
PDF into a draft with its fidelity report, editing, publishing or discarding the draft, and adding an amounts
period with its source. `bot` wires the real desk from knowledge's functions (handoff never imports them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol


class ContentInputError(ValueError):
    """Input the desk refuses; `code` picks the page's message (handoff.messages.PAGE), `detail` says more."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class LapsedAmount:
    """An amount revised every April whose newest known period began before the current fiscal year."""

    program: str
    newest: dt.date
    fiscal_year: dt.date


@dataclass(frozen=True)
class CheckReport:
    checked: int
    errors: list[tuple[str, str]] = field(default_factory=list)  # (document or file, what is wrong)
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
    problems: list[str]  # why it may not be published yet (empty: it may)
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
