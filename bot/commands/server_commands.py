"""`yorisoi serve` (gunicorn, or local mode with the LINE emulator) and `yorisoi backup` (online copy)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import click

from bot.commands.handoff_commands import register_retention_job
from bot.config import ConfigurationError, Settings
from bot.conversation import STATE_TABLE, ConversationState
from bot.events import purge_finished
from bot.storage import DATABASE_FILE, Connect
from handoff import SecretKeyError, require_secret_key


@register_retention_job
def purge_bot_events(settings: Settings, connect: Connect, now: datetime) -> Mapping[str, int]:
    """`yorisoi purge`: finished webhook events and outbox rows (kept a week for deduplication), and the
    router's per-resident counters of unanswered questions once they are a day old."""
    return {**purge_finished(connect, now), STATE_TABLE: ConversationState(connect).purge_idle(now)}


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
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    target = sqlite3.connect(partial)
    try:
        with target:
            source.backup(target, pages=1024)
        check = target.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        source.close()
        target.close()
    if check != "ok":
        partial.unlink(missing_ok=True)
        raise click.ClickException(f"The copy failed its integrity check: {check}")
    partial.replace(destination)
    click.echo(f"backup: {destination} ({destination.stat().st_size} bytes)")


COMMANDS: list[click.Command] = [serve, backup]
