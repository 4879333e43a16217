"""`yorisoi purge` clears what the bot itself keeps: finished webhook events and outbox rows after the
deduplication window, and the per-resident count of unanswered questions after a day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from click.testing import CliRunner
from fake_line import LineEvents
from postgres import BOTH_BACKENDS

from bot.cli import cli
from bot.conversation import ConversationState
from bot.database import open_database
from bot.events import FINISHED_RETENTION_DAYS, EventStore
from handoff import ResidentIdentity, generate_secret_key

pytestmark = BOTH_BACKENDS


def test_purge_deletes_old_finished_events_and_stale_counters(tmp_path, monkeypatch, database_url):
    monkeypatch.setenv("YORISOI_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("YORISOI_DATABASE_URL", database_url)
    db = open_database(tmp_path)
    events = EventStore(db, ResidentIdentity(generate_secret_key()))
    builder = LineEvents("secret")
    old, unanswered, fresh = (builder.text(text) for text in ("古い質問", "古い未回答", "新しい質問"))
    events.accept([old, unanswered, fresh])
    events.finish(old["webhookEventId"], "done")
    events.finish(fresh["webhookEventId"], "done")
    long_ago = (datetime.now(UTC) - timedelta(days=FINISHED_RETENTION_DAYS + 1)).isoformat()
    db.execute(
        "UPDATE bot_events SET received_at = ? WHERE webhook_event_id IN (?, ?)",
        [long_ago, old["webhookEventId"], unanswered["webhookEventId"]],
    )
    counters = ConversationState(db)
    counters.record_answer("stale-key", confident=False)
    counters.record_answer("recent-key", confident=False)
    yesterday = (datetime.now(UTC) - timedelta(hours=25)).isoformat(timespec="seconds")
    db.execute("UPDATE bot_conversations SET updated_at = ? WHERE user_key = 'stale-key'", [yesterday])

    result = CliRunner().invoke(cli, ["purge"])

    assert result.exit_code == 0, result.output
    assert "bot_events: 1" in result.output and "bot_conversations: 1" in result.output
    assert events.status(old["webhookEventId"]) is None
    assert events.status(unanswered["webhookEventId"]) == "pending"  # never dropped before it is answered
    assert events.status(fresh["webhookEventId"]) == "done"  # still needed to recognise a redelivery
    assert (counters.unanswered("stale-key"), counters.unanswered("recent-key")) == (0, 1)
