"""The household facts a suggestion is based on.

Every fact is optional: `None` means "not known yet", and an unknown fact never rules a program out. The
vocabulary is a public contract (`yorisoi recommend --json` reads it), so unknown values are rejected with a
message that names the field and the values it accepts instead of being guessed at.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, fields
from typing import Any

PARENTS = ("mother", "father", "widow", "guardian")
SITUATIONS = ("single", "considering_divorce", "separated", "bereaved", "married")
CHILD_ALLOWANCE = ("receiving", "applying", "not_receiving")
RESIDENT_TAX = ("exempt", "taxed")
EMPLOYMENTS = ("full_time", "part_time", "self_employed", "job_seeking", "not_working")
NEEDS = (
    "money",
    "loan",
    "job",
    "qualification",
    "childcare",
    "education",
    "housing",
    "child_support",
    "medical",
    "legal",
    "dv",
)
CIRCUMSTANCES = ("dv", "traffic_accident", "disaster", "illness")

CHOICE_FIELDS: dict[str, tuple[str, ...]] = {
    "parent": PARENTS,
    "situation": SITUATIONS,
    "child_allowance": CHILD_ALLOWANCE,
    "resident_tax": RESIDENT_TAX,
    "employment": EMPLOYMENTS,
}
LIST_FIELDS: dict[str, tuple[str, ...]] = {"needs": NEEDS, "circumstances": CIRCUMSTANCES}
MAX_CHILD_AGE = 30


class FactsError(ValueError):
    """A facts object that does not follow the schema; the message names the field and what it accepts."""


@dataclass
class Facts:
    """What is known about one household; `None` everywhere means nothing is known yet."""

    parent: str | None = None
    situation: str | None = None
    municipality: str | None = None
    children_ages: list[int] | None = None
    child_allowance: str | None = None
    resident_tax: str | None = None
    employment: str | None = None
    needs: list[str] | None = None
    circumstances: list[str] | None = None

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def from_dict(cls, data: Any) -> Facts:
        """Validate a JSON-like object; absent or null fields stay unknown."""
        if data is None:
            return cls()
        if not isinstance(data, dict):
            raise FactsError('facts must be a JSON object, e.g. {"parent": "mother"}')
        allowed = cls.field_names()
        for key in data:
            if key not in allowed:
                raise FactsError(f"unknown field {key!r}; allowed fields: {', '.join(allowed)}")
        values: dict[str, Any] = {}
        for name, choices in CHOICE_FIELDS.items():
            value = data.get(name)
            if value is not None and value not in choices:
                raise FactsError(f"{name}: {value!r} is not allowed; allowed values: {', '.join(choices)}")
            values[name] = value
        for name, choices in LIST_FIELDS.items():
            values[name] = _valid_list(name, data.get(name), choices)
        values["children_ages"] = _valid_ages(data.get("children_ages"))
        values["municipality"] = _valid_municipality(data.get("municipality"))
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, every field present (null = unknown)."""
        return {
            f.name: (list(value) if isinstance(value := getattr(self, f.name), list) else value)
            for f in fields(self)
        }

    def merged(self, other: Facts) -> Facts:
        """These facts updated with whatever `other` knows; lists are united, newer scalars win."""
        values = self.to_dict()
        for name, value in other.to_dict().items():
            if value is None:
                continue
            if name in LIST_FIELDS and values[name]:
                values[name] = values[name] + [item for item in value if item not in values[name]]
            else:
                values[name] = value
        return Facts.from_dict(values)

    @property
    def dv(self) -> bool:
        """DV is present when the household says so, either as a circumstance or as a need."""
        return "dv" in (self.circumstances or []) or "dv" in (self.needs or [])

    def known(self) -> list[str]:
        return [f.name for f in fields(self) if getattr(self, f.name) is not None]


def _valid_list(name: str, value: Any, choices: tuple[str, ...]) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise FactsError(f"{name}: expected a list; allowed items: {', '.join(choices)}")
    for item in value:
        if item not in choices:
            raise FactsError(f"{name}: {item!r} is not allowed; allowed items: {', '.join(choices)}")
    return list(dict.fromkeys(value))


def _valid_ages(value: Any) -> list[int] | None:
    if value is None:
        return None
    message = f"children_ages: expected a list of whole numbers from 0 to {MAX_CHILD_AGE}, e.g. [4, 9]"
    if not isinstance(value, list):
        raise FactsError(message)
    for age in value:
        if isinstance(age, bool) or not isinstance(age, int) or not 0 <= age <= MAX_CHILD_AGE:
            raise FactsError(message)
    return sorted(value)


def _valid_municipality(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise FactsError('municipality: expected the name of a city, ward, town or village, e.g. "金沢市"')
    return unicodedata.normalize("NFKC", value).strip()
