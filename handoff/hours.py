"""When counselors are at their desks: weekly windows in Asia/Tokyo, minus 祝日 and 年末年始.

Residents write at any hour; the bot must tell them honestly when a person will answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import jpholiday

from handoff import messages

TOKYO = ZoneInfo("Asia/Tokyo")
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
NEW_YEAR_CLOSURE = ((12, 29), (12, 30), (12, 31), (1, 1), (1, 2), (1, 3))
_SEARCH_DAYS = 400
_WINDOW = re.compile(r"^(?P<days>[a-z,\-]+)\s+(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})$")


def to_tokyo(now: datetime | None = None) -> datetime:
    """`now` as an aware Tokyo time; naive datetimes are taken to be Tokyo time already."""
    if now is None:
        return datetime.now(TOKYO)
    if now.tzinfo is None:
        return now.replace(tzinfo=TOKYO)
    return now.astimezone(TOKYO)


@dataclass(frozen=True)
class Window:
    """One weekly opening: the weekdays (0 = Monday) and the hours, start inclusive, end exclusive."""

    days: tuple[int, ...]
    start: time
    end: time


def _parse_time(text: str, spec: str) -> time:
    hour, minute = (int(part) for part in text.split(":"))
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise ValueError(f"reception hours {spec!r}: {text!r} is not a time of day")
    return time(hour, minute)


def _parse_days(text: str, spec: str) -> tuple[int, ...]:
    days: set[int] = set()
    for part in text.split(","):
        first, _, last = part.partition("-")
        if first not in DAY_NAMES or (last and last not in DAY_NAMES):
            raise ValueError(f"reception hours {spec!r}: {part!r} is not a day or day range like 'mon-fri'")
        start, stop = DAY_NAMES.index(first), DAY_NAMES.index(last or first)
        if stop < start:
            raise ValueError(f"reception hours {spec!r}: the range {part!r} runs backwards")
        days.update(range(start, stop + 1))
    return tuple(sorted(days))


@dataclass(frozen=True)
class ReceptionHours:
    """Weekly reception windows; closed on national holidays and from 12/29 to 1/3 unless told otherwise."""

    windows: tuple[Window, ...]
    spec: str = ""
    close_on_holidays: bool = True
    close_new_year: bool = True

    @classmethod
    def parse(cls, spec: str) -> ReceptionHours:
        """Read e.g. "mon-fri 08:30-16:00" or "mon-fri 08:30-12:00; mon-fri 13:00-16:00; sat 09:00-12:00"."""
        windows = []
        for chunk in spec.lower().split(";"):
            match = _WINDOW.match(chunk.strip())
            if match is None:
                raise ValueError(f"reception hours {spec!r}: expected entries like 'mon-fri 08:30-16:00'")
            start = _parse_time(match["start"], spec)
            end = _parse_time(match["end"], spec)
            if end <= start:
                span = f"{match['start']}-{match['end']}"
                raise ValueError(f"reception hours {spec!r}: {span} ends before it starts")
            windows.append(Window(_parse_days(match["days"], spec), start, end))
        return cls(tuple(windows), spec=spec.strip())

    def is_service_day(self, day: date) -> bool:
        """False on 祝日 and during the 年末年始 closure."""
        if self.close_new_year and (day.month, day.day) in NEW_YEAR_CLOSURE:
            return False
        return not (self.close_on_holidays and jpholiday.is_holiday(day))

    def is_open(self, now: datetime | None = None) -> bool:
        moment = to_tokyo(now)
        if not self.is_service_day(moment.date()):
            return False
        clock = moment.time().replace(tzinfo=None)
        return any(moment.weekday() in w.days and w.start <= clock < w.end for w in self.windows)

    def next_opening(self, now: datetime | None = None) -> datetime:
        """The first moment at or after `now` when counselors are in; `now` itself while open."""
        moment = to_tokyo(now)
        if self.is_open(moment):
            return moment
        for offset in range(_SEARCH_DAYS):
            day = moment.date() + timedelta(days=offset)
            if not self.is_service_day(day):
                continue
            starts = sorted(
                datetime.combine(day, w.start, TOKYO) for w in self.windows if day.weekday() in w.days
            )
            for start in starts:
                if start >= moment:
                    return start
        raise ValueError(f"reception hours {self.spec!r} never open within {_SEARCH_DAYS} days")

    def when_phrase(self, now: datetime | None = None) -> str:
        """Japanese for the next opening relative to `now`, e.g. 本日13時 or 1月4日（月）8時30分."""
        moment = to_tokyo(now)
        opening = self.next_opening(moment)
        clock = _clock_phrase(opening.time())
        if opening.date() == moment.date():
            return messages.OPENING_TODAY.format(time=clock)
        if opening.date() == moment.date() + timedelta(days=1):
            return messages.OPENING_TOMORROW.format(month=opening.month, day=opening.day, time=clock)
        return messages.OPENING_DATE.format(
            month=opening.month, day=opening.day, weekday=messages.WEEKDAYS[opening.weekday()], time=clock
        )

    def describe(self) -> str:
        """Japanese summary for residents, e.g. 月〜金 8時30分〜16時（祝日・年末年始を除く）."""
        parts = [
            messages.HOURS_WINDOW.format(
                days=_days_phrase(w.days), start=_clock_phrase(w.start), end=_clock_phrase(w.end)
            )
            for w in self.windows
        ]
        suffix = messages.HOURS_CLOSED_DAYS if self.close_on_holidays or self.close_new_year else ""
        return messages.HOURS_WINDOW_SEPARATOR.join(parts) + suffix


def _clock_phrase(moment: time) -> str:
    if moment.minute == 0:
        return messages.TIME_ON_THE_HOUR.format(hour=moment.hour)
    return messages.TIME_WITH_MINUTES.format(hour=moment.hour, minute=moment.minute)


def _days_phrase(days: tuple[int, ...]) -> str:
    names = messages.WEEKDAYS
    if len(days) > 2 and days == tuple(range(days[0], days[-1] + 1)):
        return messages.HOURS_DAYS_RANGE.format(first=names[days[0]], last=names[days[-1]])
    return messages.HOURS_DAYS_SEPARATOR.join(names[d] for d in days)
