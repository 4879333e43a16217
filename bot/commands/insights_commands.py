"""`yorisoi report`: what residents asked that the bot could not answer, and the feedback on answers.

Also the question log's retention job (added to `yorisoi purge`): questions go after the same retention
period as threads, and a confident answer nobody rated badly after a week.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime

import click

from bot.commands.handoff_commands import register_retention_job
from bot.config import Settings
from bot.database import Database, open_database
from handoff import QuestionLog, Report, require_secret_key
from handoff.insights import QUESTIONS_TABLE

NO_PROGRAM = "(no nearby program)"


def _question_log(settings: Settings, db: Database) -> QuestionLog:
    identity = require_secret_key(
        settings.secret_key, local_mode=settings.local_mode, data_dir=settings.data_dir
    )
    return QuestionLog(db, identity)


@register_retention_job
def purge_questions(settings: Settings, db: Database, now: datetime) -> Mapping[str, int]:
    """Deleting needs no key, so `yorisoi purge` runs where the secret is not set."""
    return {QUESTIONS_TABLE: QuestionLog(db).purge(settings.retention_days, now=now)}


def _print_report(report: Report) -> None:
    click.echo("Unanswered questions (not confident, escalated or rated unhelpful), masked:")
    if not report.unanswered:
        click.echo("  none")
    for group in report.unanswered:
        click.echo(f"\n{group.program or NO_PROGRAM}  ({group.count})")
        for week, questions in group.weeks.items():
            click.echo(f"  {week}")
            for question in questions:
                reasons = ",".join(question.reasons)
                click.echo(f"    {question.asked_at}  {question.masked}  [{reasons}] {question.source}")
    for title, counts in (("program", report.feedback_by_program), ("source", report.feedback_by_source)):
        click.echo(f"\nFeedback per {title} (helpful / unhelpful):")
        if not counts:
            click.echo("  none")
        for name, count in counts.items():
            click.echo(f"  {name or NO_PROGRAM}: {count.helpful} / {count.unhelpful}")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="From the week (Monday, Asia/Tokyo) containing this date.",
)
def report(as_json: bool, since: datetime | None) -> None:
    """Questions the bot could not answer, by nearest program and week (masked), and feedback counts."""
    settings = Settings.from_env()
    start: date | None = since.date() if since else None
    result = _question_log(settings, open_database(settings.data_dir)).report(start)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    _print_report(result)


COMMANDS: list[click.Command] = [report]
