"""`yorisoi docs import|publish|list|check|contact`: city staff keep content true without a developer or a
release.

Drafts and published city documents and the windows a city sets (`docs contact set`) live in the database
(bot.content, tables of migrations 0006 and 0008), so they survive an upgrade and every process on that
database answers from them (a serving process reloads within `YORISOI_CONTENT_POLL_SECONDS`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from bot.config import Settings
from bot.content import CityContent, open_content
from bot.database import open_database
from knowledge import DocumentError, EmbedderError, build_index, load_embedder
from knowledge.checking import AMOUNTS_FILE
from knowledge.fidelity import compare, report_lines
from knowledge.importing import KINDS, ImportFailure, convert, draft_markdown, draft_name
from knowledge.library import (
    CONTACT_PROBLEM_TEXT,
    DRAFT,
    StoredContact,
    StoredDocument,
    check_content,
    clean_contact,
    contact_entries,
    contact_problems,
    library_entries,
    publish_draft,
)

JAPAN = ZoneInfo("Asia/Tokyo")


def _data_dir() -> Path:
    return Settings.from_env().data_dir


def _content() -> CityContent:
    data_dir = _data_dir()
    return open_content(open_database(data_dir), data_dir)


def _date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from error


@click.group("docs")
def docs_group() -> None:
    """Import, review, publish and check the program documents."""


@docs_group.command("import")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--title", required=True, help="The document's title as the publisher gives it.")
@click.option("--jurisdiction", required=True, help="Whose rules these are: 国, 石川県, 小平市 …")
@click.option("--date", "source_date", required=True, help="The date the source's figures hold (YYYY-MM-DD).")
@click.option("--publisher", help="Who published it (default: the jurisdiction).")
@click.option("--kind", type=click.Choice(KINDS), help="program, law or plan.")
@click.option("--url", help="Where the source was published.")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write the draft here (default: review)."
)
def import_command(
    source: Path,
    title: str,
    jurisdiction: str,
    source_date: str,
    publisher: str | None,
    kind: str | None,
    url: str | None,
    out: Path | None,
) -> None:
    """Convert SOURCE (a saved HTML page or a PDF) into a Markdown draft and report its fidelity: every
    amount, phone number, date and address of the source and whether the draft has it (exit 1 if one is
    missing)."""
    date = _date(source_date)
    assert date is not None
    try:
        converted = convert(source)
        draft = draft_markdown(
            converted,
            title=title,
            jurisdiction=jurisdiction,
            source_date=date,
            publisher=publisher or jurisdiction,
            kind=kind,
            url=url,
            source_file=source.name,
        )
    except ImportFailure as error:
        raise click.ClickException(str(error)) from error
    facts = compare(converted.text, draft)
    if out is None:
        name = draft_name(title, source)
        _content().save(StoredDocument(name, draft, DRAFT, converted.text, source.name))
        click.echo(f"draft: {name} (in the database, for review)")
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(draft, encoding="utf-8")
        click.echo(f"draft: {out}")
    for line in report_lines(facts):
        click.echo(line)
    missing = sum(not fact.found for fact in facts)
    if missing:
        click.echo(f"{missing} fact(s) of the source are not in the draft: add them before publishing.")
        raise SystemExit(1)
    click.echo("every amount, phone number, date and address of the source is in the draft.")
    if out is None:
        click.echo(f"review it, then: yorisoi docs publish {name}")


def _reindex(data_dir: Path, content: CityContent) -> dict:
    settings = Settings.from_env()
    try:
        return build_index(data_dir, load_embedder(settings.embedder), content=content)
    except (EmbedderError, DocumentError) as error:
        raise click.ClickException(str(error)) from error


@docs_group.command("publish")
@click.argument("name")
def publish_command(name: str) -> None:
    """Make the draft NAME live (it overrides a shipped document of the same name) and reindex; running
    servers on the same database answer from it once they see the new content version."""
    content = _content()
    try:
        published = publish_draft(content, name)
    except DocumentError as error:
        raise click.ClickException(str(error)) from error
    stats = _reindex(_data_dir(), content)
    click.echo(
        f"published {published.name} (content version {content.version()}); "
        f"index: {stats['documents']} documents, {stats['chunks']} chunks."
    )


@docs_group.command("list")
def list_command() -> None:
    """The documents answers come from (shipped, overridden by the city, added by the city) and drafts."""
    content = _content()
    try:
        entries = library_entries(content)
    except DocumentError as error:
        raise click.ClickException(str(error)) from error
    for entry in entries:
        hint = f"  (yorisoi docs publish {entry.id})" if entry.status == DRAFT else ""
        click.echo(f"{entry.status:<10} {entry.id}  {entry.title}{hint}")
    city = [entry for entry in contact_entries(content) if entry.status != "shipped"]
    for entry in city:
        click.echo(f"{entry.status:<10} window {entry.place}  {entry.window}")


@docs_group.command("check")
@click.option("--today", help="Check as of this date (YYYY-MM-DD; default: today in Japan).")
@click.option(
    "--amounts",
    "amounts_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help=f"Check this amounts file alone (default: {AMOUNTS_FILE.name} with the city's periods).",
)
def check_command(today: str | None, amounts_file: Path | None) -> None:
    """Validate every document and the dated amounts: errors exit 1, warnings are printed and exit 0."""
    as_of = _date(today) or dt.datetime.now(JAPAN).date()
    content = _content()
    problems, checked = check_content(content, as_of, amounts_file)
    amounts = amounts_file or (AMOUNTS_FILE if AMOUNTS_FILE.is_file() else None)
    for problem in problems:
        click.echo(str(problem))
    errors = sum(problem.level == "error" for problem in problems)
    warnings = len(problems) - errors
    windows = len(content.contacts())
    what = f"{checked} documents" + (f", {windows} city window(s)" if windows else "")
    what += f" and {amounts.name}" if amounts else ""
    click.echo(f"checked {what} as of {as_of.isoformat()}: {errors} error(s), {warnings} warning(s).")
    if errors:
        raise SystemExit(1)


@docs_group.group("contact")
def contact_group() -> None:
    """The window (name, phone, hours, address, source) residents of a place are sent to."""


@contact_group.command("list")
@click.option("--all", "show_all", is_flag=True, help="Also the windows shipped in places.yaml.")
def contact_list_command(show_all: bool) -> None:
    """The windows the city set (overridden or added), or with --all every place's window."""
    for entry in contact_entries(_content()):
        if entry.status == "shipped" and not show_all:
            continue
        window = entry.window
        extra = [f"hours: {window.hours}"] if window.hours else []
        extra += [f"address: {window.address}"] if window.address else []
        extra += [f"source: {window.source}"] if window.source else []
        extra += [f"by {entry.updated_by}"] if entry.updated_by else []
        click.echo(f"{entry.status:<10} {entry.place}  {window.name} {window.phone}")
        for line in extra:
            click.echo(f"{'':<10}   {line}")


@contact_group.command("set")
@click.argument("place")
@click.option("--window", "window_name", required=True, help="The office's name (金沢市 こども家庭センター).")
@click.option("--phone", required=True, help="Its number as printed (076-220-2285).")
@click.option("--source", required=True, help="The page the facts were read from (title and URL).")
@click.option("--hours", default="", help="Opening hours as the source states them (平日 8:30〜17:15).")
@click.option("--address", default="", help="Its address as the source states it.")
@click.option("--by", default="", help="Who made the change (recorded with it).")
def contact_set_command(
    place: str, window_name: str, phone: str, source: str, hours: str, address: str, by: str
) -> None:
    """Set the window of PLACE (a prefecture or municipality of the place register): it replaces the shipped
    one, or adds one where there was none. Answers and household results name it at once in this process
    and within YORISOI_CONTENT_POLL_SECONDS in running servers; the number it replaces is no longer given."""
    content = _content()
    contact = clean_contact(StoredContact(place, window_name, phone, source, hours, address))
    problems = contact_problems(contact)
    if problems:
        reasons = "; ".join(CONTACT_PROBLEM_TEXT[code] for code in problems)
        raise click.ClickException(f"window of {place!r} not saved: {reasons}")
    content.set_contact(contact, by)
    version = content.version()
    click.echo(f"window of {contact.place} set: {contact.window} {contact.phone} (content version {version})")


COMMANDS: list[click.Command] = [docs_group]
