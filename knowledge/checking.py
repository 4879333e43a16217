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
from dataclasses import dataclass, field
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
    """One finding of the check. `message` is the operator's English (the CLI prints it); `code` and `args`
    say the same as data, so a staff page can word it in Japanese (handoff.messages.CHECK_PROBLEMS), and
    `subject` is what that page names (a document, a program, a place)."""

    level: str  # "error" | "warning"
    where: str  # the file or program
    message: str
    # A lapsed yearly amount also says what it found, so a page can say it in its own words.
    program: str = ""
    newest: dt.date | None = None
    fiscal_year: dt.date | None = None
    code: str = ""
    args: dict[str, str] = field(default_factory=dict)
    subject: str = ""

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


def phone_digits(number: str) -> tuple[int, int] | None:
    """(digits found, digits expected) when `number` is not a well-formed Japanese phone number; a short
    dial that is not # and four digits gives (0, 4); None when the number is well-formed."""
    if number.startswith("#"):
        return None if _SHORT_DIALS.fullmatch(number) else (0, 4)
    digits = number.replace("-", "")
    expected = 11 if digits.startswith(_ELEVEN_DIGIT_PREFIXES) else 10
    if digits.startswith("0800"):
        expected = 11
    return (len(digits), expected) if len(digits) != expected else None


def phone_problem(number: str) -> str | None:
    """Why `number` is not a well-formed Japanese phone number (None: it is)."""
    found = phone_digits(number)
    if found is None:
        return None
    if found[0] == 0:
        return "a short dial has # and four digits (#8008)"
    return f"has {found[0]} digits where {found[1]} are expected"


def unreadable(where: str, error: Exception, subject: str = "") -> Problem:
    """A document or file that cannot be read at all (its front matter, its encoding, its YAML)."""
    return Problem("error", where, str(error), code="unreadable", subject=subject or where)


def check_document(document: Document) -> list[Problem]:
    where = Path(document.path).name or document.id

    def error(message: str, code: str, **args: str) -> Problem:
        return Problem("error", where, message, code=code, args=args, subject=document.id)

    problems = [
        error(f"front matter has no {key}", "no_front_matter_key", key=key)
        for key in REQUIRED_FRONT_MATTER
        if not document.meta.get(key, "").strip()
    ]
    date_text = next((document.meta[key] for key in DATE_KEYS if document.meta.get(key)), "")
    if not date_text:
        problems.append(error("front matter has no source_date (YYYY-MM-DD)", "no_source_date"))
    elif parse_date(date_text) is None:
        problems.append(
            error(f"source_date {date_text!r} is not a date (YYYY-MM-DD)", "bad_source_date", date=date_text)
        )
    kind = document.meta.get("kind")
    if kind is not None and kind not in KINDS:
        problems.append(error(f"kind {kind!r} is not one of {', '.join(KINDS)}", "bad_kind", kind=kind))
    for match in _PHONE_CANDIDATE.finditer(unicodedata.normalize("NFKC", document.body)):
        number = match.group(0)
        reason, digits = phone_problem(number), phone_digits(number)
        if reason and digits:
            code = "bad_short_dial" if digits[0] == 0 else "bad_phone_digits"
            problems.append(
                error(
                    f"phone number {number} {reason}",
                    code,
                    number=number,
                    digits=str(digits[0]),
                    expected=str(digits[1]),
                )
            )
    return problems


def check_document_paths(paths: list[Path]) -> list[Problem]:
    problems: list[Problem] = []
    for path in paths:
        try:
            document = load_document(path)
        except (DocumentError, ValueError) as error:  # yaml raises ValueError for a date like 2025-13-01
            problems.append(unreadable(path.name, error, path.stem))
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
        return [Problem("error", path.name, str(error), code="amounts_unreadable", subject=path.name)]
    return check_amounts_data(data, path.name, today)


def check_amounts_data(data: object, where: str, today: dt.date) -> list[Problem]:
    """`check_amounts` on data already read (amounts.yaml with a city's periods laid over it)."""
    programs = _programs(data)
    if not programs:
        message = "has no programs (expected `programs:` with a list of programs)"
        return [Problem("error", where, message, code="no_programs", subject=where)]
    problems: list[Problem] = []
    for name, program in programs:
        periods = program.get("periods")
        if not isinstance(periods, list) or not periods:
            problems.append(
                Problem("error", f"{where}: {name}", "has no periods", code="no_periods", subject=name)
            )
            continue
        starts: list[dt.date] = []
        for period in periods:
            period = period if isinstance(period, dict) else {}
            start = parse_date(period.get("from"))
            label = f"period from {period.get('from')!s}"
            args = {"start": str(period.get("from"))}
            if start is None:
                message = f"{label}: `from` is not a date (YYYY-MM-DD)"
                problems.append(
                    Problem(
                        "error", f"{where}: {name}", message, code="bad_period_start", args=args, subject=name
                    )
                )
            else:
                starts.append(start)
            if not str(period.get("source") or "").strip():
                message = f"{label} has no source"
                problems.append(
                    Problem(
                        "error", f"{where}: {name}", message, code="period_no_source", args=args, subject=name
                    )
                )
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
                        code="lapsed",
                        subject=name,
                    )
                )
    return problems
