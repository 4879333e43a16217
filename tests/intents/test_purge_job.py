"""`yorisoi purge` also deletes household checks left silent past their time-to-live."""

from datetime import UTC, datetime, timedelta

from click.testing import CliRunner

from bot.cli import cli
from bot.database import open_database
from intents import FactsDialogue


def test_purge_deletes_idle_dialogues(tmp_path, monkeypatch):
    monkeypatch.setenv("YORISOI_DATA_DIR", str(tmp_path))
    db = open_database(tmp_path)
    two_days_ago = datetime.now(UTC) - timedelta(days=2)
    FactsDialogue(db, clock=lambda: two_days_ago).start("k" * 64)
    FactsDialogue(db).start("f" * 64)

    result = CliRunner().invoke(cli, ["purge"])

    assert result.exit_code == 0, result.output
    assert "intents_dialogues" in result.output
    assert not FactsDialogue(db).active("k" * 64)
    assert FactsDialogue(db).active("f" * 64)
