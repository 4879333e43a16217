"""`yorisoi notices`: the notice runs with their counts, and the subscribers per topic.

Also the notice recipients' retention job (added to `yorisoi purge`): who got a finished run is kept a week;
subscriptions are never purged (they last until the resident stops, blocks the bot or deletes their data).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

import click

from bot.commands.handoff_commands import register_retention_job
from bot.config import Settings
from bot.database import Database, open_database
from handoff.hours import to_tokyo
from handoff.notices import NoticeTopics
from handoff.subscriptions import RECIPIENTS_TABLE, NoticeRuns, Subscriptions


@register_retention_job
def purge_notice_recipients(settings: Settings, db: Database, now: datetime) -> Mapping[str, int]:
    return {RECIPIENTS_TABLE: NoticeRuns(db).purge(now)}


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def notices(as_json: bool) -> None:
    """Notice runs (newest first) with sent / failed / skipped, and subscribers per topic."""
    db = open_database(Settings.from_env().data_dir)
    subscriptions, runs = Subscriptions(db), NoticeRuns(db).list()
    topics = NoticeTopics.load().topics
    counts = {topic.key: subscriptions.count(topic.key) for topic in topics}
    if as_json:
        payload = {"subscribers": counts, "runs": [run.to_dict() for run in runs]}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    click.echo("Subscribers per topic:")
    for topic in topics:
        click.echo(f"  {topic.key:<14} {counts[topic.key]:>6}  {topic.label}")
    click.echo("\nRuns:")
    if not runs:
        click.echo("  none")
    for run in runs:
        when = to_tokyo(run.send_at).strftime("%Y-%m-%d %H:%M")
        reason = f" ({run.stop_reason})" if run.stop_reason else ""
        click.echo(
            f"  #{run.id:<4} {run.topic:<14} {when}  {run.status}{reason}  targeted {run.targeted}, "
            f"sent {run.sent}, failed {run.failed}, skipped {run.skipped}"
        )


COMMANDS: list[click.Command] = [notices]
