"""`yorisoi serve` (granian, or local mode with the LINE emulator), `yorisoi worker` (answers from the
shared store), `yorisoi backup` (online copy), `yorisoi migrate` (the schema to the newest numbered
migration) and `yorisoi copy-data` (a SQLite data directory into PostgreSQL)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import click

from bot.commands.handoff_commands import register_retention_job
from bot.config import ConfigurationError, Settings
from bot.conversation import STATE_TABLE, ConversationState
from bot.database import DATABASE_FILE, Database, DatabaseError, PostgresDatabase, connect, copy_data, migrate
from bot.delivery import OUTBOX_TABLE, purge_outbox
from bot.events import EVENTS_TABLE, purge_events
from handoff import SecretKeyError, require_secret_key


@register_retention_job
def purge_bot_events(settings: Settings, db: Database, now: datetime) -> Mapping[str, int]:
    """`yorisoi purge`: finished webhook events and outbox rows (kept a week for deduplication), and the
    router's per-resident counters of unanswered questions once they are a day old."""
    return {
        EVENTS_TABLE: purge_events(db, now),
        OUTBOX_TABLE: purge_outbox(db, now),
        STATE_TABLE: ConversationState(db).purge_idle(now),
    }


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, envvar="PORT", help="Port (env PORT).")
@click.option("--local", is_flag=True, help="Local mode: generated secrets and the LINE emulator at /.")
@click.option(
    "--workers", default=1, show_default=True, type=click.IntRange(1, 16), help="Processes (keep 1)."
)
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 256), help="Request threads.")
@click.option("--no-worker", is_flag=True, help="Serve only: answers come from `yorisoi worker` processes.")
@click.option(
    "--in-process", is_flag=True, help="Answer in the web process (an in-memory queue; one process only)."
)
def serve(
    host: str, port: int, local: bool, workers: int, threads: int, no_worker: bool, in_process: bool
) -> None:
    """Serve the webhook, the counselor dashboard and /healthz with granian, and run an answer worker.

    The worker is a separate process (`yorisoi worker`), restarted if it dies; `--no-worker` leaves answering
    to workers started elsewhere, against the same database (YORISOI_DATABASE_URL).
    """
    from bot.server import serve as run_server

    if no_worker and in_process:
        raise click.UsageError("--no-worker and --in-process exclude each other.")
    overrides: dict[str, object] = {"port": port, "worker_mode": "thread" if in_process else "process"}
    if local:
        overrides["local_mode"] = True
        if host not in {"0.0.0.0", "::", "localhost", "127.0.0.1"} and not os.environ.get(
            "LINE_API_BASE_URL"
        ):
            # The SDK calls our own /emulator; bound to one other address, 127.0.0.1 would not answer.
            overrides["line_api_base_url"] = f"http://{host}:{port}/emulator"
    try:
        settings = Settings.from_env(**overrides).resolved()
        require_secret_key(settings.secret_key, local_mode=settings.local_mode, data_dir=settings.data_dir)
    except (ConfigurationError, SecretKeyError) as error:
        raise click.ClickException(str(error)) from error
    if workers > 1 and in_process:
        click.echo("warning: --in-process with more than one process breaks per-chat ordering", err=True)
    run_server(settings, host, port, workers, threads, answer_worker=not no_worker)


@click.command()
@click.option(
    "--threads",
    default=0,
    type=click.IntRange(0, 64),
    help="Answer threads (default YORISOI_WORKER_THREADS).",
)
@click.option("--parent", type=int, hidden=True, help="Exit when this process (yorisoi serve) is gone.")
@click.option(
    "--nice", "niceness", default=0, type=click.IntRange(0, 19), help="Lower CPU priority by this much."
)
def worker(threads: int, parent: int | None, niceness: int) -> None:
    """Answer webhook events from the shared store: claim under a lease, converse, deliver through LINE.

    Run any number, on any machine with the same YORISOI_DATABASE_URL, secret key and documents; each chat is
    answered in order by one worker at a time, and a worker that dies has its events taken over after
    YORISOI_WORKER_LEASE seconds.
    """
    from bot.server import run_worker

    try:
        settings = Settings.from_env(worker_mode="process").resolved()
        require_secret_key(settings.secret_key, local_mode=settings.local_mode, data_dir=settings.data_dir)
    except (ConfigurationError, SecretKeyError) as error:
        raise click.ClickException(str(error)) from error
    if niceness:
        os.nice(niceness)
    run_worker(settings, threads, parent)


@click.command()
@click.argument("destination", type=click.Path(path_type=Path))
def backup(destination: Path) -> None:
    """Copy the database to DESTINATION (a file, or a folder for a timestamped file) while the bot runs.

    Uses SQLite's online backup, so the copy is consistent even while webhooks are being written. The copy
    is as sensitive as the database and useless without YORISOI_SECRET_KEY: keep the key somewhere else.
    """
    settings = Settings.from_env()
    if settings.database_url:
        raise click.ClickException("The database is PostgreSQL (YORISOI_DATABASE_URL): use pg_dump.")
    source_path = settings.data_dir / DATABASE_FILE
    if not source_path.exists():
        raise click.ClickException(f"No database at {source_path} (check YORISOI_DATA_DIR).")
    if destination.is_dir():
        destination = destination / f"yorisoi-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.db"
    try:
        Database(source_path).backup(destination)
    except DatabaseError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"backup: {destination} ({destination.stat().st_size} bytes)")


@click.command("migrate")
@click.option(
    "--backup-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the copy taken before migrating goes (default: backups/ in the data directory).",
)
def migrate_command(backup_dir: Path | None) -> None:
    """Bring the database to the newest schema (safe to run again, and while other processes start)."""
    settings = Settings.from_env()
    try:
        db = connect(settings.data_dir, settings.database_url)
        click.echo(f"database: {db.backend} {db.describe()}")
        report = migrate(db, backup_dir)
    except (*DatabaseError, ValueError) as error:
        raise click.ClickException(str(error)) from error
    if report.backup is not None:
        click.echo(f"backup: {report.backup}")
    if report.stamped:
        click.echo("found a database from before numbered migrations: recorded as version 1")
    for migration in report.applied:
        click.echo(f"applied {migration.version:04d}_{migration.name}")
    click.echo(f"schema version {report.version}" + ("" if report.applied else " (already current)"))


@click.command("copy-data")
@click.option("--to", "target_url", required=True, help="postgresql://user:password@host/database (empty).")
@click.option(
    "--from-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="The SQLite data directory to copy (default: YORISOI_DATA_DIR).",
)
def copy_data_command(target_url: str, from_dir: Path | None) -> None:
    """Carry a SQLite data directory's database over to PostgreSQL, every table and row, in one transaction.

    The source is migrated to the newest schema first (with its backup), the target too; the target's tables
    must be empty. Stop the bot while copying; then set YORISOI_DATABASE_URL and start it again. The sealed
    values are copied as they are: the same YORISOI_SECRET_KEY opens them.
    """
    settings = Settings.from_env()
    folder = from_dir or settings.data_dir
    if not (folder / DATABASE_FILE).exists():
        raise click.ClickException(f"No database at {folder / DATABASE_FILE} (check YORISOI_DATA_DIR).")
    if not target_url.startswith(("postgresql://", "postgres://")):
        raise click.ClickException("--to must be a postgresql:// URL.")
    source = Database.in_data_dir(folder)
    target = PostgresDatabase(target_url)
    try:
        migrate(source)
        migrate(target)
        counts = copy_data(source, target)
    except (*DatabaseError, ValueError) as error:
        raise click.ClickException(str(error)) from error
    finally:
        target.close()
    for table, count in counts.items():
        click.echo(f"{table}: {count} rows")
    click.echo(f"copied {sum(counts.values())} rows to {target.describe()}")


COMMANDS: list[click.Command] = [serve, worker, backup, migrate_command, copy_data_command]
