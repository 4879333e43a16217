"""`yorisoi docs check`: is the content still fit to answer residents from?

Errors (content that must not ship): a document whose front matter lacks title, publisher, jurisdiction or
date, a date that does not parse, a `kind` other than program|law|plan, a phone number that is not a
Japanese number, an amounts period without its `from` date or its source. Warnings (content that may have
lapsed): an amount revised every April whose newest period is older than the fiscal year `today` is in.

Amounts file interface (knowledge/amounts.yaml; the fields this check reads, others are free):
    programs:
      - name: 児童扶養手当            # `program` or `id` are accepted too
        revised_every_april: true     # amounts change every April (fiscal year start)
        periods:
          - from: 2025-04-01          # YYYY-MM-DD or YYYY-MM (the first of the month)
            source: 糸満市 …           # where the figures were read; required
            …                         # the amounts themselves
A mapping of name → {revised_every_april, periods} is read the same way.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from knowledge.documents import Document, DocumentError, load_document
from knowledge.importing import KINDS

AMOUNTS_FILE = Path(__file__).parent / "amounts.yaml"
REQUIRED_FRONT_MATTER = ("title", "publisher", "jurisdiction")
DATE_KEYS = ("source_date", "date")
FISCAL_YEAR_START_MONTH = 4

_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")
# Digit-and-hyphen runs that start like a Japanese phone number (0…) or a short dial (#…).
_PHONE_CANDIDATE = re.compile(r"(?<![\d-])(?:0\d(?:-?\d){7,11}|#\d{2,6})(?![\d-])")
_SHORT_DIALS = re.compile(r"#\d{4}")
_ELEVEN_DIGIT_PREFIXES = ("070", "080", "090", "050", "0800")


class _DatesAsText(yaml.SafeLoader):
    """Reads dates as written, so `2025-13-01` is reported as a bad date instead of failing the whole file."""


_DatesAsText.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


@dataclass(frozen=True)
class Problem:
    level: str  # "error" | "warning"
    where: str  # the file or program
    message: str
    # A lapsed yearly amount also says what it found, so a page can say it in its own words.
    program: str = ""
    newest: dt.date | None = None
    fiscal_year: dt.date | None = None

    def __str__(self) -> str:
        return f"{self.level.upper()} {self.where}: {self.message}"


def parse_date(value: object) -> dt.date | None:
    """YYYY, YYYY-MM or YYYY-MM-DD (or a YAML date) → the first day it names; None if it does not parse."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    match = _ISO_DATE.match(str(value or "").strip())
    if not match:
        return None
    year, month, day = (int(part) if part else 1 for part in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def phone_problem(number: str) -> str | None:
    """Why `number` is not a well-formed Japanese phone number (None: it is)."""
    if number.startswith("#"):
        return None if _SHORT_DIALS.fullmatch(number) else "a short dial has # and four digits (#8008)"
    digits = number.replace("-", "")
    expected = 11 if digits.startswith(_ELEVEN_DIGIT_PREFIXES) else 10
    if digits.startswith("0800"):
        expected = 11
    if len(digits) != expected:
        return f"has {len(digits)} digits where {expected} are expected"
    return None


def check_document(document: Document) -> list[Problem]:
    where = Path(document.path).name or document.id
    problems = [
        Problem("error", where, f"front matter has no {key}")
        for key in REQUIRED_FRONT_MATTER
        if not document.meta.get(key, "").strip()
    ]
    date_text = next((document.meta[key] for key in DATE_KEYS if document.meta.get(key)), "")
    if not date_text:
        problems.append(Problem("error", where, "front matter has no source_date (YYYY-MM-DD)"))
    elif parse_date(date_text) is None:
        problems.append(Problem("error", where, f"source_date {date_text!r} is not a date (YYYY-MM-DD)"))
    kind = document.meta.get("kind")
    if kind is not None and kind not in KINDS:
        problems.append(Problem("error", where, f"kind {kind!r} is not one of {', '.join(KINDS)}"))
    for match in _PHONE_CANDIDATE.finditer(unicodedata.normalize("NFKC", document.body)):
        reason = phone_problem(match.group(0))
        if reason:
            problems.append(Problem("error", where, f"phone number {match.group(0)} {reason}"))
    return problems


def check_document_paths(paths: list[Path]) -> list[Problem]:
    problems: list[Problem] = []
    for path in paths:
        try:
            document = load_document(path)
        except (DocumentError, ValueError) as error:  # yaml raises ValueError for a date like 2025-13-01
            problems.append(Problem("error", path.name, str(error)))
            continue
        problems += check_document(document)
    return problems


def _programs(data: object) -> list[tuple[str, dict]]:
    programs = data.get("programs", data) if isinstance(data, dict) else data
    if isinstance(programs, dict):
        return [(str(name), body if isinstance(body, dict) else {}) for name, body in programs.items()]
    if isinstance(programs, list):
        named = []
        for number, body in enumerate(programs, start=1):
            body = body if isinstance(body, dict) else {}
            name = body.get("name") or body.get("program") or body.get("id") or f"program #{number}"
            named.append((str(name), body))
        return named
    return []


def fiscal_year_start(today: dt.date) -> dt.date:
    year = today.year if today.month >= FISCAL_YEAR_START_MONTH else today.year - 1
    return dt.date(year, FISCAL_YEAR_START_MONTH, 1)


def read_amounts(path: Path) -> object:
    """amounts.yaml with its dates as written (so a bad one is reported, not fatal); raises ValueError."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_DatesAsText)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ValueError(f"cannot be read as YAML ({error})") from error


def check_amounts(path: Path, today: dt.date) -> list[Problem]:
    """Every period dated and sourced (errors); yearly amounts older than this fiscal year (warnings)."""
    try:
        data = read_amounts(path)
    except ValueError as error:
        return [Problem("error", path.name, str(error))]
    return check_amounts_data(data, path.name, today)


def check_amounts_data(data: object, where: str, today: dt.date) -> list[Problem]:
    """`check_amounts` on data already read (amounts.yaml with a city's periods laid over it)."""
    programs = _programs(data)
    if not programs:
        return [Problem("error", where, "has no programs (expected `programs:` with a list of programs)")]
    problems: list[Problem] = []
    for name, program in programs:
        periods = program.get("periods")
        if not isinstance(periods, list) or not periods:
            problems.append(Problem("error", f"{where}: {name}", "has no periods"))
            continue
        starts: list[dt.date] = []
        for period in periods:
            period = period if isinstance(period, dict) else {}
            start = parse_date(period.get("from"))
            label = f"period from {period.get('from')!s}"
            if start is None:
                problems.append(
                    Problem("error", f"{where}: {name}", f"{label}: `from` is not a date (YYYY-MM-DD)")
                )
            else:
                starts.append(start)
            if not str(period.get("source") or "").strip():
                problems.append(Problem("error", f"{where}: {name}", f"{label} has no source"))
        if program.get("revised_every_april") and starts:
            newest, this_year = max(starts), fiscal_year_start(today)
            if newest < this_year:
                problems.append(
                    Problem(
                        "warning",
                        name,
                        f"the newest amounts are from {newest.isoformat()}, but fiscal year {this_year.year} "
                        f"began on {this_year.isoformat()} and {name} is revised every April: "
                        f"the {newest.isoformat()} amounts may be superseded. Read the {this_year.year} "
                        f"(令和{this_year.year - 2018}年度) amounts from an official page and add a period "
                        f"from {this_year.isoformat()} with its source "
                        "(dashboard: /counselor/admin/content).",
                        program=name,
                        newest=newest,
                        fiscal_year=this_year,
                    )
                )
    return problems
