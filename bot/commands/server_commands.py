"""`yorisoi serve` (gunicorn, or local mode with the LINE emulator), `yorisoi backup` (online copy) and
`yorisoi migrate` (the schema to the newest numbered migration)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import click

from bot.commands.handoff_commands import register_retention_job
from bot.config import ConfigurationError, Settings
from bot.conversation import STATE_TABLE, ConversationState
from bot.database import DATABASE_FILE, Database, DatabaseError, migrate
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
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256), help="Request threads.")
def serve(host: str, port: int, local: bool, workers: int, threads: int) -> None:
    """Serve the webhook, the counselor dashboard and /healthz with gunicorn."""
    from bot.server import serve as run_server

    overrides: dict[str, object] = {"port": port}
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
    if workers > 1:
        click.echo("warning: more than one process breaks per-chat ordering; see bot/server.py", err=True)
    run_server(settings, host, port, workers, threads)


@click.command()
@click.argument("destination", type=click.Path(path_type=Path))
def backup(destination: Path) -> None:
    """Copy the database to DESTINATION (a file, or a folder for a timestamped file) while the bot runs.

    Uses SQLite's online backup, so the copy is consistent even while webhooks are being written. The copy
    is as sensitive as the database and useless without YORISOI_SECRET_KEY: keep the key somewhere else.
    """
    settings = Settings.from_env()
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
    report = migrate(Database.in_data_dir(settings.data_dir), backup_dir)
    if report.backup is not None:
        click.echo(f"backup: {report.backup}")
    if report.stamped:
        click.echo("found a database from before numbered migrations: recorded as version 1")
    for migration in report.applied:
        click.echo(f"applied {migration.version:04d}_{migration.name}")
    click.echo(f"schema version {report.version}" + ("" if report.applied else " (already current)"))


COMMANDS: list[click.Command] = [serve, backup, migrate_command]
