"""Official amounts as dated data (amounts.yaml): the period in force on a given day, household totals, and
the sentences an answer about an amount needs.

One source of truth: the answer composer replaces amounts quoted from older documents with the period in
force, and `bot` hands the same `Amounts` to `intents` for the household estimate. Programs no document
describes (児童手当) become a generated document here, so retrieval can find them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from knowledge import messages
from knowledge.documents import Document

AMOUNTS_FILE = Path(__file__).with_name("amounts.yaml")
TODAY_ENV = "YORISOI_TODAY"
GENERATED_PREFIX = "amounts-"
CHILD_ALLOWANCE = "児童扶養手当"
# Counts written in kana (「こどもがふたり」); not ひとり, which is also ひとり親.
_KANA_COUNTS = {"ふたり": "2人", "さんにん": "3人", "よにん": "4人", "ごにん": "5人"}
_KANJI_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6}
_CHILDREN = re.compile(
    r"(?:子ども|子供|こども|子|児童|きょうだい|兄弟|姉妹|小学生|中学生|高校生|園児|幼児|未就学児)"
    r"(?:が|は|を)?\s*([1-9一二三四五六])\s*人(?!目)"
    r"|([1-9一二三四五六])\s*人の(?:子|こども|子ども|子供|きょうだい|兄弟)"
    # a follow-up that gives only the count (「3人だと？」「じゃあ2人なら」)
    r"|(?:^|[、,\s]|じゃあ|では)([1-9一二三四五六])\s*人(?:だと|なら|の場合|では|だったら|いると|いたら)"
)


def today() -> dt.date:
    """Today, or `YORISOI_TODAY` (YYYY-MM-DD) so tests and demos can ask as of another day."""
    value = os.environ.get(TODAY_ENV, "").strip()
    return dt.date.fromisoformat(value) if value else dt.date.today()


def children_in(question: str) -> int | None:
    """How many children the resident says they have (「子ども2人」「二人の子」), or None."""
    text = unicodedata.normalize("NFKC", question or "")
    for word, digit in _KANA_COUNTS.items():
        text = text.replace(word, digit)
    text = re.sub(r"([1-9])\s*にん", r"\1人", text)  # 「2にん」
    match = _CHILDREN.search(text)
    if not match:
        return None
    digit = match.group(1) or match.group(2) or match.group(3)
    return _KANJI_DIGITS.get(digit) or int(digit)


def yen(value: int) -> str:
    return f"{value:,}円"


def from_date(value: dt.date) -> str:
    month = f"{value.year}年{value.month}月"
    return month if value.day == 1 else f"{month}{value.day}日"


@dataclass(frozen=True)
class Band:
    """A child-rearing-allowance amount: all paid (全部支給) and the range when partly paid (一部支給)."""

    full: int
    partial_low: int
    partial_high: int


@dataclass(frozen=True)
class Period:
    start: dt.date
    source: str
    as_of: bool = False  # the source says only that the amounts held on `start`
    bands: dict[str, Band] = field(default_factory=dict)  # 児童扶養手当: first / second / third
    rows: list[tuple[str, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def since(self) -> str:
        """「2025年4月から」 or 「2024年6月20日時点」."""
        return (
            messages.AMOUNT_AS_OF_DAY.format(date=from_date(self.start))
            if self.as_of
            else (messages.AMOUNT_FROM.format(date=from_date(self.start)))
        )


@dataclass(frozen=True)
class Total:
    """A household's monthly 児童扶養手当: all paid, and the range when partly paid."""

    children: int
    full: int
    partial_low: int
    partial_high: int
    period: Period


# What identifies a page in an amounts source: a document's title in 「」 with its date, or a web address.
_PAGE = re.compile(r"「[^」]+」(?:（[^）]*）)?|[a-z0-9-]+(?:\.[a-z0-9-]+)+/[!-~]*")


@dataclass(frozen=True)
class Program:
    name: str
    unit: str
    window: str
    periods: list[Period]
    unknown_from: list[dt.date] = field(default_factory=list)
    revised_every_april: bool = False
    national: bool = False  # a national amount, read from whichever page published it

    def source_line(self, period: Period) -> str:
        """Where the amounts were read. A national amount is said to be the nation's, the same everywhere,
        and cited by the pages it was read from (their addresses and titles), without the name of the town
        that published it: a resident of 金沢市 reading 「糸満市」 takes it for another town's amount."""
        if not self.national:
            return messages.AMOUNT_SOURCE.format(source=period.source)
        pages = _PAGE.findall(period.source)
        return messages.AMOUNT_SOURCE_NATIONAL.format(pages="、".join(pages) if pages else period.source)

    def in_force(self, day: dt.date) -> Period | None:
        """The newest period that began on or before `day` (None before the first)."""
        started = [period for period in self.periods if period.start <= day]
        return started[-1] if started else None

    def newer_may_apply(self, day: dt.date) -> dt.date | None:
        """The first date after the newest known period from which newer amounts are expected (a known
        unknown, or a new fiscal year for amounts revised every April) if it has come by `day`."""
        newest = self.periods[-1].start
        expected = [date for date in self.unknown_from if newest < date <= day]
        if self.revised_every_april:
            april = dt.date(newest.year + (newest.month >= 4), 4, 1)
            if april <= day:
                expected.append(april)
        return min(expected) if expected else None

    def total(self, children: int, day: dt.date) -> Total | None:
        period = self.in_force(day)
        if period is None or not period.bands or children < 1:
            return None
        bands = [period.bands["first"]]
        if children >= 2:
            bands.append(period.bands["second"])
        bands += [period.bands["third"]] * max(children - 2, 0)
        return Total(
            children=children,
            full=sum(band.full for band in bands),
            partial_low=sum(band.partial_low for band in bands),
            partial_high=sum(band.partial_high for band in bands),
            period=period,
        )

    def lines(self, day: dt.date, children: int | None = None) -> list[str]:
        """What an answer says about this program's amounts as of `day`: first, when a newer period has begun
        that the data lacks, that its amounts are not known yet; then the last known amounts with the date
        they apply from, the household total when the number of children is known, and the source."""
        period = self.in_force(day)
        if period is None:
            return [messages.AMOUNT_UNKNOWN.format(program=self.name, window=self.window)]
        lines = self._newer_not_known(day)
        lines.append(messages.AMOUNT_HEADER.format(program=self.name, unit=self.unit, since=period.since))
        if period.bands:
            names = messages.BAND_NAMES
            for key in ("first", "second", "third"):
                band = period.bands[key]
                lines.append(
                    messages.BAND_LINE.format(
                        who=names[key],
                        full=yen(band.full),
                        low=yen(band.partial_low),
                        high=yen(band.partial_high),
                    )
                )
            total = self.total(children, day) if children else None
            if total and children and children >= 2:
                lines.append(
                    messages.HOUSEHOLD_TOTAL.format(
                        children=children,
                        full=yen(total.full),
                        low=yen(total.partial_low),
                        high=yen(total.partial_high),
                    )
                )
        lines += [messages.ROW_LINE.format(who=who, amount=yen(amount)) for who, amount in period.rows]
        lines += [f"※ {note}" for note in period.notes]
        lines.append(self.source_line(period))
        return lines

    def _newer_not_known(self, day: dt.date) -> list[str]:
        """The line said before the last known figures when a newer period has begun by `day` (or none)."""
        expected = self.newer_may_apply(day)
        if expected is None:
            return []
        return [messages.NEWER_NOT_KNOWN.format(date=from_date(expected), window=self.window)]

    def summary(self, day: dt.date) -> list[str]:
        """The last known amounts on `day` in one line (for an answer that compares programs), after the
        not-known-yet line when a newer period has begun."""
        period = self.in_force(day)
        if period is None:
            return [messages.AMOUNT_UNKNOWN.format(program=self.name, window=self.window)]
        lines = self._newer_not_known(day)
        if period.bands:
            first, second, third = (period.bands[key] for key in ("first", "second", "third"))
            lines += [
                messages.BAND_SUMMARY.format(
                    unit=self.unit,
                    since=period.since,
                    full=yen(first.full),
                    low=yen(first.partial_low),
                    high=yen(first.partial_high),
                    second=yen(second.full),
                    third=yen(third.full),
                )
            ]
        else:
            rows = "、".join(
                messages.ROW_SUMMARY.format(who=who, amount=yen(amount)) for who, amount in period.rows
            )
            lines.append(messages.ROWS_SUMMARY.format(unit=self.unit, since=period.since, rows=rows))
        return lines


class Amounts:
    """Every program's dated amounts (see amounts.yaml)."""

    def __init__(self, programs: dict[str, Program]) -> None:
        self.programs = programs

    @classmethod
    def load(cls, path: Path = AMOUNTS_FILE) -> Amounts:
        return cls.from_data(yaml.safe_load(path.read_text(encoding="utf-8")) or {})

    @classmethod
    def from_data(cls, data: dict) -> Amounts:
        """Programs from the mapping amounts.yaml holds (name → unit, window, periods …)."""
        programs: dict[str, Program] = {}
        for name, entry in data.items():
            periods = [
                Period(
                    start=_date(period["from"]),
                    source=str(period["source"]),
                    as_of=bool(period.get("as_of", False)),
                    bands={
                        key: Band(period[key]["full"], *period[key]["partial"])
                        for key in ("first", "second", "third")
                        if key in period
                    },
                    rows=[(str(row["who"]), int(row["amount"])) for row in period.get("rows", [])],
                    notes=[str(note) for note in period.get("notes", [])],
                )
                for period in entry["periods"]
            ]
            programs[name] = Program(
                name=name,
                unit=str(entry.get("unit", "")),
                window=str(entry.get("window", "")),
                periods=sorted(periods, key=lambda period: period.start),
                unknown_from=[_date(value) for value in entry.get("unknown_from", [])],
                revised_every_april=bool(entry.get("revised_every_april", False)),
                national=bool(entry.get("national", False)),
            )
        return cls(programs)

    def get(self, name: str) -> Program | None:
        return self.programs.get(name)

    def for_heading(self, heading: str) -> Program | None:
        """The program whose name ends a chunk's heading path, or is its last section ("児童扶養手当" must not
        match "児童手当"; the loan "高等職業訓練促進資金貸付金" must not match the 給付金)."""
        sections = heading.split(" > ")[1:] or [heading]
        for section in reversed(sections):
            for name, program in self.programs.items():
                if name in section:
                    return program
        return None

    def household_total(self, children: int, day: dt.date | None = None) -> Total | None:
        """Monthly 児童扶養手当 of a household with `children` children as of `day` (default today)."""
        program = self.programs.get(CHILD_ALLOWANCE)
        return program.total(children, day or today()) if program else None

    def documents(self) -> list[Document]:
        """Programs with amounts that no source document describes, as documents retrieval can find."""
        return [generated_document(self.programs["児童手当"])] if "児童手当" in self.programs else []


def generated_document(program: Program) -> Document:
    newest = program.periods[-1]
    body = "\n".join(
        [
            f"# {messages.GENERATED_TITLE.format(program=program.name)}",
            "",
            f"## {program.name}",
            "",
            messages.GENERATED_INTRO.format(program=program.name),
            "",
            f"#### {program.name}の額",
            "",
            *[f"- {who}: {program.unit}{yen(amount)}" for who, amount in newest.rows],
            *[f"- {note}" for note in newest.notes],
            "",
            "#### 窓口",
            "",
            program.window,
        ]
    )
    return Document(
        id=f"{GENERATED_PREFIX}{program.name}",
        title=messages.GENERATED_TITLE.format(program=program.name),
        body=body,
        jurisdiction="国",
        source_date=newest.start.isoformat(),
        publisher=newest.source,
        kind="data",
        path=str(AMOUNTS_FILE),
        sha256=hashlib.sha256(f"data\n{body}".encode()).hexdigest(),  # rebuilds the index when it changes
    )


def _date(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


@lru_cache(maxsize=1)
def default_amounts() -> Amounts:
    return Amounts.load()


def shipped_data(path: Path = AMOUNTS_FILE) -> dict:
    """amounts.yaml as data (a fresh copy each call: callers lay a city's periods over it)."""
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def with_periods(data: dict, periods: list[tuple[str, dict]]) -> dict:
    """`data` (amounts.yaml's mapping) with each (program, period) added; a period starting on the same day
    as one already there replaces it. A program amounts.yaml does not have is refused: its unit and window
    are not known."""
    merged = {name: {**entry, "periods": list(entry.get("periods") or [])} for name, entry in data.items()}
    for program, period in periods:
        if program not in merged:
            raise ValueError(f"{program!r} is not a program of {AMOUNTS_FILE.name}")
        start = str(period.get("from"))
        kept = [old for old in merged[program]["periods"] if str(old.get("from")) != start]
        merged[program]["periods"] = [*kept, period]
    return merged


def city_amounts(periods: list[tuple[str, dict]]) -> Amounts:
    """The shipped amounts with a city's periods laid over them (the shipped ones when there are none)."""
    return Amounts.from_data(with_periods(shipped_data(), periods)) if periods else default_amounts()
