"""`yorisoi` commands for intents: suggest programs for a household, and check suggestions against a set.

`recommend --json` and `eval-recommend` are a contract outside checks rely on: the JSON keys, exit code 2 for
facts that break the schema, exit code 1 when an evaluation case fails.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from bot.amounts import DatedAmounts
from bot.commands.handoff_commands import register_retention_job
from bot.config import Settings
from bot.database import Database
from intents import (
    DEFAULT_LIMIT,
    Catalogue,
    CatalogueError,
    Facts,
    FactsDialogue,
    FactsError,
    Recommendation,
    parse_facts,
    recommend,
)
from knowledge import default_amounts, default_register

INVALID_INPUT = 2


@register_retention_job
def purge_idle_dialogues(settings: Settings, db: Database, now: datetime) -> Mapping[str, int]:
    """`yorisoi purge`: household checks left silent past their time-to-live (facts about DV, divorce …)."""
    return {"intents_dialogues": FactsDialogue(db).purge_idle(now)}


@click.command("recommend")
@click.option(
    "--json", "as_json", is_flag=True, help="Print the result as JSON (the contract for other tools)."
)
@click.option(
    "--all", "show_all", is_flag=True, help="Every program that is not ruled out, not only the best 10."
)
@click.option(
    "--catalogue",
    "catalogue_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A catalogue YAML to use instead of the packaged one.",
)
def recommend_command(as_json: bool, show_all: bool, catalogue_path: Path | None) -> None:
    """Suggest programs for the household facts read as a JSON object on stdin.

    Fields (all optional; absent or null = unknown): parent, situation, municipality, children_ages,
    child_allowance, resident_tax, employment, needs, circumstances.
    """
    try:
        data = json.loads(sys.stdin.read() or "{}")
    except json.JSONDecodeError as error:
        raise _usage_error(f"stdin is not valid JSON: {error}") from None
    try:
        facts = Facts.from_dict(data)
    except FactsError as error:
        raise _usage_error(str(error)) from None
    catalogue = _catalogue(catalogue_path)
    amounts = DatedAmounts(default_amounts(), catalogue)
    result = recommend(facts, catalogue, limit=None if show_all else DEFAULT_LIMIT, amounts=amounts)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(_as_text(result))


@click.command("facts")
@click.argument("text")
@click.option("--json", "as_json", is_flag=True, help="Print the facts as JSON (what `recommend` reads).")
def facts_command(text: str, as_json: bool) -> None:
    """Read household facts from one resident message, as the household check does.

    The JSON is the facts object of `yorisoi recommend` (every field present, null = not said), so
    `yorisoi facts --json "..." | yorisoi recommend` suggests programs for a description.
    """
    facts = parse_facts(text, default_register()).facts
    if as_json:
        click.echo(json.dumps(facts.to_dict(), ensure_ascii=False))
        return
    for name, value in facts.to_dict().items():
        click.echo(f"{name}: {'-' if value is None else value}")


@click.command("eval-recommend")
@click.argument("cases_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--catalogue",
    "catalogue_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A catalogue YAML to use instead of the packaged one.",
)
def eval_recommend_command(cases_file: Path, catalogue_path: Path | None) -> None:
    """Run every household case of a JSONL file; exit 1 when any case fails.

    A case passes when each `expect` string is part of some suggested program's name and no suggested
    name contains an `exclude` string. A case with `"all": true` is checked against every program that is
    not ruled out instead of the best 10.
    """
    catalogue = _catalogue(catalogue_path)
    passed = failed = 0
    for number, line in enumerate(cases_file.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        name, problems = _run_case(number, line, catalogue)
        if problems:
            failed += 1
            click.echo(f"FAIL {name}: {'; '.join(problems)}")
        else:
            passed += 1
            click.echo(f"PASS {name}")
    click.echo(f"{passed} passed, {failed} failed, {passed + failed} total")
    if failed:
        sys.exit(1)


def _run_case(number: int, line: str, catalogue: Catalogue) -> tuple[str, list[str]]:
    """Check one case; a malformed case fails with the reason instead of stopping the run."""
    try:
        case: dict[str, Any] = json.loads(line)
    except json.JSONDecodeError as error:
        return f"line {number}", [f"not valid JSON: {error}"]
    name = str(case.get("name") or f"line {number}")
    try:
        facts = Facts.from_dict(case.get("facts"))
    except FactsError as error:
        return name, [f"invalid facts: {error}"]
    limit = None if case.get("all") else DEFAULT_LIMIT
    names = [suggestion.name for suggestion in recommend(facts, catalogue, limit=limit).programs]
    problems = [
        f"expected {wanted!r} not suggested"
        for wanted in case.get("expect", [])
        if not _any_contains(names, wanted)
    ]
    problems += [
        f"excluded {unwanted!r} suggested"
        for unwanted in case.get("exclude", [])
        if _any_contains(names, unwanted)
    ]
    return name, problems


def _any_contains(names: list[str], text: str) -> bool:
    return any(text in name for name in names)


def _catalogue(path: Path | None) -> Catalogue:
    """The packaged catalogue, or the one at `path`, checked against the packaged place register."""
    try:
        return Catalogue.load(default_register(), path)
    except CatalogueError as error:
        raise _usage_error(f"catalogue {path}: {error}") from None


def _usage_error(message: str) -> click.exceptions.Exit:
    click.echo(f"Error: {message}", err=True)
    return click.exceptions.Exit(INVALID_INPUT)


def _as_text(result: Recommendation) -> str:
    lines = []
    if result.urgent:
        lines.append("URGENT: DV windows first")
    for number, suggestion in enumerate(result.programs, start=1):
        lines.append(f"{number}. [{suggestion.label}] {suggestion.name} ({suggestion.category})")
        lines.append(f"   {suggestion.summary}")
        lines.extend(f"   - {reason}" for reason in suggestion.why)
        if suggestion.estimate:
            lines.append(f"   {suggestion.estimate.text}")
        lines.append(f"   窓口: {suggestion.contact}")
        lines.append(f"   出典: {suggestion.source}")
    if result.missing:
        lines.append(f"missing: {', '.join(result.missing)}")
    return "\n".join(lines)


COMMANDS: list[click.Command] = [recommend_command, facts_command, eval_recommend_command]
