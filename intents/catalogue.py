"""The program catalogue (catalogue.yaml), checked against the place register bot hands in.

Programs are data, not code: a city edits the YAML when a program changes, and `Catalogue.load` refuses a
file with an unknown field or value so that a typo cannot silently switch a condition off. Which places exist
and where their windows are is the place register's (knowledge/places.yaml); intents only reads it through
the `Places` protocol, so it never imports the package that owns it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml

from intents import messages
from intents.facts import CIRCUMSTANCES, EMPLOYMENTS, NEEDS, PARENTS, RESIDENT_TAX, SITUATIONS

CATALOGUE_PATH = Path(__file__).with_name("catalogue.yaml")

CATEGORIES = (
    "手当・給付",
    "貸付",
    "就業・資格",
    "子育て・保育",
    "教育",
    "医療",
    "住まい",
    "養育費・法律",
    "相談",
    "安全",
)
NATIONAL = "国"
_PHONE = re.compile(r"\d{2,5}-\d{1,4}-\d{3,4}")
INCOME_LEVELS = ("allowance_level", "low", "limited")
ALLOWANCE_RULES = ("receiving", "receiving_or_pension")
OLDEST_AGE = 99

PROGRAM_FIELDS = {
    "id",
    "name",
    "topic",
    "part_of",
    "category",
    "jurisdiction",
    "for",
    "conditions",
    "needs",
    "weight",
    "core",
    "urgent_window",
    "summary",
    "contact",
    "local_office",
    "town_contact",
    "contacts",
    "source",
    "heading",
    "estimate",
    "requirements",
    "suits",
    "serves",
}
CONDITION_FIELDS = {
    "parent",
    "situation",
    "child_age",
    "income",
    "income_rule",
    "allowance",
    "resident_tax",
    "employment",
    "circumstances",
}


REQUIREMENT_CHECKS = (*sorted(CONDITION_FIELDS - {"income_rule"}), "place")


class CatalogueError(ValueError):
    """The catalogue breaks its schema; the message names the program and the field."""


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    publisher: str
    date: str
    label: str


@dataclass(frozen=True)
class ChildAge:
    """At least one child aged within [min, max]; ages in the wider maybe-range leave it open."""

    min: int = 0
    max: int = OLDEST_AGE
    maybe_min: int = 0
    maybe_max: int = OLDEST_AGE
    label: str = ""


@dataclass(frozen=True)
class Conditions:
    parent: tuple[str, ...] | None = None
    situation: tuple[str, ...] | None = None
    child_age: ChildAge | None = None
    income: str | None = None
    income_rule: str | None = None  # the income limit in the source's own words, shown while it is open
    allowance: str | None = None
    resident_tax: str | None = None
    employment: tuple[str, ...] | None = None
    circumstances: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Program:
    id: str
    name: str
    category: str
    jurisdiction: str
    for_whom: str
    conditions: Conditions
    needs: tuple[str, ...]
    summary: str
    contact: str
    source: Source
    heading: str
    weight: int = 1
    core: bool = False
    urgent_window: bool = False
    topic: str | None = None
    part_of: str | None = None
    local_office: bool = False
    town_contact: str | None = None
    contacts: dict[str, str] = field(default_factory=dict)
    estimate: bool = False  # the card shows the amount in force for the household (dated amounts data)
    requirements: tuple[Requirement, ...] = ()  # every requirement the source lists
    # Work situations the program is made for (ハローワーク for someone looking for work): it comes first
    # among the programs of a need for such a household. It rules nobody out.
    suits: tuple[str, ...] = ()
    # The municipalities a prefecture's office covers (石川県七尾児童相談所: the Noto towns); empty = the
    # whole jurisdiction. A resident elsewhere is never given that office.
    serves: tuple[str, ...] = ()

    @property
    def group(self) -> str:
        """Programs sharing a group are one service offered by several jurisdictions."""
        return self.topic or self.id


class Window(Protocol):
    """A municipality's own window for single-parent support."""

    name: str
    phone: str


class Places(Protocol):
    """The place register (knowledge.PlaceRegister, handed in by bot): which places exist, which prefecture
    a municipality lies in, and its window."""

    def normalise(self, name: str) -> str:
        """The register's spelling ("石川県 金沢市", "金沢" → "金沢市"); unknown names cleaned only."""
        ...

    def prefecture_of(self, name: str) -> str | None: ...

    def is_prefecture(self, name: str) -> bool: ...

    def is_municipality(self, name: str) -> bool: ...

    def is_town(self, municipality: str) -> bool: ...

    def window_of(self, name: str | None) -> Window | None: ...

    def municipality_in(self, text: str) -> str | None:
        """The register's municipality a sentence names (「白山です」 → 白山市), if any."""
        ...


@dataclass(frozen=True)
class Requirement:
    """One requirement as the source lists it; `check` names the condition of the facts that settles it
    (None: only the window can tell, e.g. 「保証人が必要」)."""

    text: str
    check: str | None = None


class Catalogue:
    """All programs, in file order (the order breaks ties when suggestions fit equally well)."""

    def __init__(self, programs: list[Program], places: Places, sources: dict[str, Source]) -> None:
        self.programs = programs
        self.places = places
        self.sources = sources
        self._by_id = {program.id: program for program in programs}

    @classmethod
    def load(cls, places: Places, path: Path | None = None) -> Catalogue:
        data = yaml.safe_load(Path(path or CATALOGUE_PATH).read_text(encoding="utf-8"))
        sources = {
            key: Source(key=key, **{name: str(value) for name, value in entry.items()})
            for key, entry in data["sources"].items()
        }
        raw_programs = data["programs"]
        programs = [_program(entry, sources, places) for entry in raw_programs]
        _check_unique_and_linked(programs)
        return cls(programs, places, sources)

    def __iter__(self) -> Iterator[Program]:
        return iter(self.programs)

    def __len__(self) -> int:
        return len(self.programs)

    @property
    def home_prefecture(self) -> str | None:
        """The prefecture the catalogue's local programs come from first (its documents reach most residents):
        a program of another prefecture waits behind it while the resident's place is unknown."""
        return next(
            (p.jurisdiction for p in self.programs if self.places.is_prefecture(p.jurisdiction)), None
        )

    def get(self, program_id: str) -> Program:
        return self._by_id[program_id]

    def contact_for(self, program: Program, municipality: str | None) -> str:
        """The window to name for this household: the municipality's own when the sources give one; with no
        place known, a local program's own office (a number, a named town) is another area's for most."""
        if municipality is None:
            if program.jurisdiction != NATIONAL and self._names_an_office(program):
                return messages.CONTACT_UNKNOWN_PLACE
            return program.contact
        name = self.places.normalise(municipality)
        prefecture = self.places.prefecture_of(name)
        if name in program.contacts:
            return program.contacts[name]
        if program.town_contact and prefecture == program.jurisdiction and self.places.is_town(name):
            return program.town_contact
        window = self.places.window_of(name)
        if program.local_office and window is not None:
            return str(window)
        if prefecture in program.contacts:
            return program.contacts[prefecture]
        return program.contact

    def _names_an_office(self, program: Program) -> bool:
        """The contact gives a phone number or names the program's own prefecture or municipality."""
        jurisdiction = program.jurisdiction
        names = {jurisdiction, self.places.prefecture_of(jurisdiction) or jurisdiction}
        return bool(_PHONE.search(program.contact)) or any(name in program.contact for name in names)


def _program(entry: dict[str, Any], sources: dict[str, Source], places: Places) -> Program:
    program_id = entry.get("id", "?")
    unknown = set(entry) - PROGRAM_FIELDS
    if unknown:
        raise CatalogueError(f"{program_id}: unknown field(s) {sorted(unknown)}")
    _require_choice(program_id, "category", entry.get("category"), CATEGORIES)
    _require_jurisdiction(program_id, entry.get("jurisdiction"), places)
    _require_choice(program_id, "source", entry.get("source"), tuple(sources))
    for need in entry.get("needs", []):
        _require_choice(program_id, "needs", need, NEEDS)
    for employment in entry.get("suits", []):
        _require_choice(program_id, "suits", employment, EMPLOYMENTS)
    try:
        return Program(
            id=program_id,
            name=entry["name"],
            category=entry["category"],
            jurisdiction=entry["jurisdiction"],
            for_whom=entry["for"],
            conditions=_conditions(program_id, entry.get("conditions") or {}),
            needs=tuple(entry.get("needs", [])),
            summary=entry["summary"],
            contact=entry["contact"],
            source=sources[entry["source"]],
            heading=entry["heading"],
            weight=int(entry.get("weight", 1)),
            core=bool(entry.get("core", False)),
            urgent_window=bool(entry.get("urgent_window", False)),
            topic=entry.get("topic"),
            part_of=entry.get("part_of"),
            local_office=bool(entry.get("local_office", False)),
            town_contact=entry.get("town_contact"),
            contacts={str(key): str(value) for key, value in (entry.get("contacts") or {}).items()},
            estimate=bool(entry.get("estimate", False)),
            requirements=tuple(_requirement(program_id, item) for item in entry.get("requirements") or ()),
            suits=tuple(entry.get("suits") or ()),
            serves=_serves(program_id, entry.get("serves"), places),
        )
    except KeyError as missing:
        raise CatalogueError(f"{program_id}: missing field {missing}") from None


def _serves(program_id: str, raw: Any, places: Places) -> tuple[str, ...]:
    """Municipalities of the register only, so a misspelt town cannot silently lose its office."""
    names = tuple(str(name) for name in raw or ())
    for name in names:
        if not places.is_municipality(name):
            raise CatalogueError(f"{program_id}: serves {name!r} is not a municipality of the register")
    return names


def _requirement(program_id: str, item: Any) -> Requirement:
    """A plain line, or {text, check} where check is a condition name (or `place`) the facts settle."""
    if isinstance(item, str):
        return Requirement(item)
    if not isinstance(item, dict) or set(item) - {"text", "check"} or "text" not in item:
        raise CatalogueError(f"{program_id}: a requirement is a line or {{text, check}}, not {item!r}")
    check = item.get("check")
    if check is not None:
        _require_choice(program_id, "requirements.check", check, REQUIREMENT_CHECKS)
    return Requirement(str(item["text"]), check)


def _conditions(program_id: str, raw: dict[str, Any]) -> Conditions:
    unknown = set(raw) - CONDITION_FIELDS
    if unknown:
        raise CatalogueError(f"{program_id}: unknown condition(s) {sorted(unknown)}")
    for name, choices in (
        ("parent", PARENTS),
        ("situation", SITUATIONS),
        ("employment", EMPLOYMENTS),
        ("circumstances", CIRCUMSTANCES),
    ):
        for value in raw.get(name, []):
            _require_choice(program_id, f"conditions.{name}", value, choices)
    for name, choices in (
        ("income", INCOME_LEVELS),
        ("allowance", ALLOWANCE_RULES),
        ("resident_tax", RESIDENT_TAX),
    ):
        if name in raw:
            _require_choice(program_id, f"conditions.{name}", raw[name], choices)
    return Conditions(
        parent=_tuple(raw.get("parent")),
        situation=_tuple(raw.get("situation")),
        child_age=_child_age(raw.get("child_age")),
        income=raw.get("income"),
        income_rule=raw.get("income_rule"),
        allowance=raw.get("allowance"),
        resident_tax=raw.get("resident_tax"),
        employment=_tuple(raw.get("employment")),
        circumstances=_tuple(raw.get("circumstances")),
    )


def _child_age(raw: dict[str, Any] | None) -> ChildAge | None:
    if raw is None:
        return None
    low = int(raw.get("min", 0))
    high = int(raw.get("max", OLDEST_AGE))
    return ChildAge(
        min=low,
        max=high,
        maybe_min=int(raw.get("maybe_min", low)),
        maybe_max=int(raw.get("maybe_max", high)),
        label=str(raw.get("label", "")),
    )


def _tuple(values: list[str] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(values)


def _require_choice(program_id: str, name: str, value: Any, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise CatalogueError(f"{program_id}: {name} {value!r} is not one of {', '.join(choices)}")


def _require_jurisdiction(program_id: str, value: Any, places: Places) -> None:
    """国, or a prefecture or municipality of the place register."""
    if value != NATIONAL and not (
        isinstance(value, str) and (places.is_prefecture(value) or places.is_municipality(value))
    ):
        raise CatalogueError(f"{program_id}: jurisdiction {value!r} is not 国 or a place of the register")


def _check_unique_and_linked(programs: list[Program]) -> None:
    ids = [program.id for program in programs]
    duplicates = sorted({program_id for program_id in ids if ids.count(program_id) > 1})
    if duplicates:
        raise CatalogueError(f"duplicate program id(s): {duplicates}")
    for program in programs:
        if program.part_of and program.part_of not in ids:
            raise CatalogueError(f"{program.id}: part_of {program.part_of!r} is not a program id")
