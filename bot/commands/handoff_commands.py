"""`yorisoi` commands for handoff: counselor accounts, the thread list, retention, a fresh secret key.

Retention is a list of jobs, so other packages add theirs without touching this file:
`register_retention_job(job)` where `job(settings, db, now) -> {table: rows deleted}`; `yorisoi purge`
runs them all and prints every count.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

import click

from bot.config import Settings
from bot.database import Database, open_database
from handoff import (
    AccountError,
    AlertSettings,
    AuditLog,
    CounselorAccounts,
    CrisisAlerts,
    ThreadStore,
    generate_secret_key,
)
from handoff.alerts import ALERT_TABLE
from handoff.hours import to_tokyo

RetentionJob = Callable[[Settings, Database, datetime], Mapping[str, int]]
THREAD_FIELDS = ("id", "status", "urgent", "created_at", "last_message_at", "message_count")


def purge_handoff(settings: Settings, db: Database, now: datetime) -> Mapping[str, int]:
    """Resolved threads older than the retention period: transcript, notes, facts, and their alert records."""
    counts = dict(ThreadStore(db).purge(settings.retention_days, now=now))
    counts[ALERT_TABLE] = CrisisAlerts(db, AlertSettings()).purge()
    return counts


RETENTION_JOBS: list[RetentionJob] = [purge_handoff]


def register_retention_job(job: RetentionJob) -> RetentionJob:
    """Add a job to `yorisoi purge` (usable as a decorator); each runs once per purge, in order."""
    if job not in RETENTION_JOBS:
        RETENTION_JOBS.append(job)
    return job


def run_retention(
    settings: Settings, db: Database, now: datetime | None = None, jobs: list[RetentionJob] | None = None
) -> dict[str, int]:
    """Run every retention job and merge their counts (rows deleted per table)."""
    moment = now or datetime.now(UTC)
    counts: dict[str, int] = {}
    for job in RETENTION_JOBS if jobs is None else jobs:
        for table, deleted in job(settings, db, moment).items():
            counts[table] = counts.get(table, 0) + deleted
    return counts


def _settings_and_db() -> tuple[Settings, Database]:
    settings = Settings.from_env()
    return settings, open_database(settings.data_dir)


def _read_password() -> str:
    """From a prompt when a person is typing, otherwise the first line of stdin (scripts pipe it in)."""
    if sys.stdin is not None and sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    line = sys.stdin.readline() if sys.stdin is not None else ""
    return line.rstrip("\r\n")


@click.group()
def counselor() -> None:
    """Manage counselor dashboard accounts (passwords are read from stdin)."""


@counselor.command("add")
@click.argument("name")
@click.option("--admin", is_flag=True, help="May manage accounts and read the audit log.")
def counselor_add(name: str, admin: bool) -> None:
    """Add an account NAME; the password is read from stdin."""
    _, db = _settings_and_db()
    password = _read_password()
    try:
        account = CounselorAccounts(db).add(name, password, admin=admin)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    AuditLog(db).record("cli", "account_add", detail=f"account={account.name} role={account.role}")
    click.echo(f"added {account.role} account {account.name!r}")


@counselor.command("reset-password")
@click.argument("name")
def counselor_reset_password(name: str) -> None:
    """Set a new password for NAME (read from stdin) and lift a lockout."""
    _, db = _settings_and_db()
    password = _read_password()
    try:
        account = CounselorAccounts(db).reset_password(name, password)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    AuditLog(db).record("cli", "account_reset_password", detail=f"account={account.name}")
    click.echo(f"new password set for {account.name!r}")


@counselor.command("list")
def counselor_list() -> None:
    """List accounts with role and state."""
    _, db = _settings_and_db()
    for account in CounselorAccounts(db).list():
        state = "active" if account.active else "disabled"
        click.echo(f"{account.name}\t{account.role}\t{state}")


def _stamp(moment: datetime | None) -> str | None:
    return to_tokyo(moment).isoformat(timespec="seconds") if moment else None


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(["waiting", "claimed", "resolved"]),
    help="Only threads with this status (repeatable).",
)
def threads(as_json: bool, statuses: tuple[str, ...]) -> None:
    """List handoff threads, urgent first, then by waiting time (times in Asia/Tokyo)."""
    _, db = _settings_and_db()
    rows = [
        {
            "id": thread.id,
            "status": thread.status,
            "urgent": thread.urgent,
            "created_at": _stamp(thread.created_at),
            "last_message_at": _stamp(thread.last_message_at),
            "message_count": thread.message_count,
        }
        for thread in ThreadStore(db).list(statuses or None)
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = [list(THREAD_FIELDS)] + [
        [str(row["id"]), row["status"], "yes" if row["urgent"] else "no"]
        + [str(row[f] if row[f] is not None else "-") for f in THREAD_FIELDS[3:]]
        for row in rows
    ]
    widths = [max(len(line[i]) for line in table) for i in range(len(THREAD_FIELDS))]
    for line in table:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())


@click.command()
@click.option("--days", type=click.IntRange(0), default=None, help="Override YORISOI_RETENTION_DAYS.")
def purge(days: int | None) -> None:
    """Run retention now: delete what is older than the retention period, print rows deleted per table."""
    settings, db = _settings_and_db()
    if days is not None:
        settings = Settings.from_env(retention_days=days)
    counts = run_retention(settings, db)
    click.echo(f"retention: {settings.retention_days} days")
    for table, deleted in counts.items():
        click.echo(f"{table}: {deleted}")


@click.command("secret-key")
def secret_key() -> None:
    """Print a new random key for YORISOI_SECRET_KEY (keep it safe: sealed data needs it)."""
    click.echo(generate_secret_key())


COMMANDS: list[click.Command] = [counselor, threads, purge, secret_key]
