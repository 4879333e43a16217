"""Crisis lines with their sourced hours, and which of them are open at a given moment (Asia/Tokyo).

A resident in crisis at 01:30 must not be handed a number that closed at 21:00, so every line carries its
hours twice: as the source words them (shown) and structured (checked). Lines whose hours depend on the
local office the call reaches are never presented as open now; they are listed apart with their wording.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

import yaml

from handoff.hours import DAY_NAMES, to_tokyo

CONTACTS_FILE = Path(__file__).with_name("contacts.yaml")
_WINDOW = re.compile(r"^(?P<days>[a-z,\-]+)\s+(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})$")


@dataclass(frozen=True)
class WeeklyWindow:
    """Open from `start` on each of `days` (0 = Monday) for `length`; may run past midnight."""

    days: frozenset[int]
    start: time
    length: timedelta


@dataclass(frozen=True)
class MonthlyOpening:
    day: int
    start: time
    length: timedelta


@dataclass(frozen=True)
class Contact:
    key: str
    name: str
    reach: str
    hours_text: str
    always: bool
    local: bool
    windows: tuple[WeeklyWindow, ...]
    monthly: MonthlyOpening | None
    cost: str
    for_whom: str
    source: str
    date: str

    def is_open(self, now: datetime) -> bool:
        """True when the line answers at `now`; never for lines whose hours depend on a local office."""
        if self.always:
            return True
        moment = to_tokyo(now).replace(tzinfo=None)
        for back in (0, 1):
            day = moment.date() - timedelta(days=back)
            for window in self.windows:
                begin = datetime.combine(day, window.start)
                if day.weekday() in window.days and begin <= moment < begin + window.length:
                    return True
            if self.monthly and day.day == self.monthly.day:
                begin = datetime.combine(day, self.monthly.start)
                if begin <= moment < begin + self.monthly.length:
                    return True
        return False


def _clock(text: str, where: str) -> time | None:
    hour, minute = (int(part) for part in text.split(":"))
    if (hour, minute) == (24, 0):
        return None
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise ValueError(f"contacts, {where}: {text!r} is not a time of day")
    return time(hour, minute)


def _window(spec: str, where: str) -> WeeklyWindow:
    match = _WINDOW.match(spec.strip().lower())
    if match is None:
        raise ValueError(f"contacts, {where}: expected windows like 'mon-fri 08:30-17:15', got {spec!r}")
    days: set[int] = set()
    for part in match["days"].split(","):
        first, _, last = part.partition("-")
        if first not in DAY_NAMES or (last and last not in DAY_NAMES):
            raise ValueError(f"contacts, {where}: {part!r} is not a day or day range")
        days.update(range(DAY_NAMES.index(first), DAY_NAMES.index(last or first) + 1))
    start = _clock(match["start"], where) or time(0)
    end = _clock(match["end"], where)
    start_at = datetime.combine(datetime.min.date(), start)
    end_at = datetime.combine(datetime.min.date(), end or time(0))
    if end is None or end_at <= start_at:
        end_at += timedelta(days=1)
    return WeeklyWindow(frozenset(days), start, end_at - start_at)


def _contact(key: str, spec: dict) -> Contact:
    hours = spec["hours"]
    where = f"contacts.{key}"
    if hours not in ("always", "local") and not isinstance(hours, list):
        raise ValueError(f"{where}.hours: 'always', 'local' or a list of weekly windows")
    monthly = spec.get("monthly")
    return Contact(
        key=key,
        name=str(spec["name"]),
        reach=str(spec["reach"]),
        hours_text=str(spec.get("hours_text") or ""),
        always=hours == "always",
        local=hours == "local",
        windows=tuple(_window(w, where) for w in hours) if isinstance(hours, list) else (),
        monthly=MonthlyOpening(
            int(monthly["day"]), _clock(monthly["start"], where) or time(0), timedelta(hours=monthly["hours"])
        )
        if monthly
        else None,
        cost=str(spec.get("cost") or ""),
        for_whom=str(spec.get("for_whom") or ""),
        source=str(spec["source"]),
        date=str(spec["date"]),
    )


class ContactBook:
    """The lines of contacts.yaml by key; `split` tells which are open at a moment."""

    def __init__(self, data: dict) -> None:
        self.contacts = {key: _contact(key, spec) for key, spec in data["contacts"].items()}

    @classmethod
    def load(cls, path: Path | None = None) -> ContactBook:
        with open(path or CONTACTS_FILE, encoding="utf-8") as handle:
            return cls(yaml.safe_load(handle))

    def split(self, keys: list[str], now: datetime) -> tuple[list[Contact], list[Contact]]:
        """(open now, hours depend on the local office); lines closed at `now` are in neither."""
        chosen = [self.contacts[key] for key in keys]
        return [c for c in chosen if c.is_open(now)], [c for c in chosen if c.local]
