"""`yorisoi serve`: the production server (gunicorn), or local mode with the LINE emulator."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import click

from bot.commands.handoff_commands import register_retention_job
from bot.config import ConfigurationError, Settings
from bot.events import purge_finished
from bot.storage import Connect


@register_retention_job
def purge_bot_events(settings: Settings, connect: Connect, now: datetime) -> Mapping[str, int]:
    """`yorisoi purge`: finished webhook events and outbox rows (kept a week for deduplication)."""
    return purge_finished(connect, now)


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
    try:
        settings = Settings.from_env(**overrides).resolved()
    except ConfigurationError as error:
        raise click.ClickException(str(error)) from error
    if workers > 1:
        click.echo("warning: more than one process breaks per-chat ordering; see bot/server.py", err=True)
    run_server(settings, host, port, workers, threads)


COMMANDS: list[click.Command] = [serve]
