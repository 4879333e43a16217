"""A crisis is flagged when the webhook accepts it and is answered before a backlog of other chats, live and
after a restart, while every chat keeps its own order. Orders of deliveries are asserted, never durations:
the backlog is held in place by a conversation that waits for the test."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from fake_line import PUSH_PATH, REPLY_PATH, SECRET_KEY, LineEvents, Recorded, ScriptedConversation

from bot.database import open_database
from bot.events import EventStore
from bot.webhook import flagged_crises
from handoff import CrisisDetector, ResidentIdentity

CRISIS_TEXT = "もう死にたい"
CHATS = 60
EVENTS_PER_CHAT = 5
THREADS = 4
GENEROUS = 300.0


class HeldConversation(ScriptedConversation):
    """The scripted router, holding every answer until the test opens `held` (no short timeout)."""

    def __init__(self, settings: Any, stores: Any) -> None:
        super().__init__(settings, stores)
        self.held = threading.Event()
        self.waiting = threading.Semaphore(0)
        self.started: list[str] = []  # texts in the order the worker took their events up
        self._lock = threading.Lock()

    def respond(self, event: Any) -> list[Any]:
        with self._lock:
            self.started.append(getattr(getattr(event, "message", None), "text", ""))
        self.waiting.release()
        self.held.wait(GENEROUS)
        return super().respond(event)


def user(n: int) -> str:
    return f"U{n:032x}"


def backlog(events: LineEvents) -> list[dict]:
    """Hundreds of ordinary questions from many chats, interleaved the way a burst arrives."""
    return [
        events.text(f"質問{chat}-{number}", source=events.source(user(chat)))
        for number in range(EVENTS_PER_CHAT)
        for chat in range(CHATS)
    ]


def answered_texts(calls: list[Recorded]) -> list[str]:
    return [call.texts[0] for call in calls]


def assert_each_chat_in_order(calls: list[Recorded]) -> None:
    """Every chat's answers arrived in the order its messages were posted."""
    by_chat: dict[str, list[int]] = {}
    for text in answered_texts(calls):
        if text.startswith("message:質問"):
            chat, number = text.removeprefix("message:質問").split("-")
            by_chat.setdefault(chat, []).append(int(number))
    assert all(numbers == sorted(numbers) for numbers in by_chat.values()), by_chat


def acquire(semaphore: threading.Semaphore, count: int) -> None:
    for _ in range(count):
        assert semaphore.acquire(timeout=GENEROUS), "the worker threads did not start"


def test_a_crisis_posted_behind_a_held_backlog_is_answered_before_it_drains(
    make_app, live_server_for, signed_event, fake_line
):
    server = live_server_for(make_app(HeldConversation, worker_threads=THREADS))
    conversation = server.core.conversation
    burst = backlog(signed_event)
    # LINE sends up to hundreds of events in one body; two bodies keep the crisis strictly last.
    assert signed_event.post(server.url, *burst[: len(burst) // 2])[0] == 200
    assert signed_event.post(server.url, *burst[len(burst) // 2 :])[0] == 200
    acquire(conversation.waiting, THREADS)  # every thread holds a backlog job
    crisis = signed_event.text(CRISIS_TEXT, source=signed_event.source(user(CHATS)))
    assert signed_event.post(server.url, crisis)[0] == 200
    assert server.core.worker.queue.backlog == len(burst) + 1

    conversation.held.set()
    assert server.core.worker.queue.wait_idle(GENEROUS)
    delivered = fake_line.wait_for_deliveries(len(burst) + 1, timeout=GENEROUS)
    texts = answered_texts(delivered)
    assert len(texts) == len(burst) + 1
    # Taken up right after the jobs the threads held when the gate opened (at most one more each for the
    # threads freed at the same moment). The order of taking up, not of delivery: deliveries race each other
    # on a busy machine.
    assert conversation.started.index(CRISIS_TEXT) < 2 * THREADS
    assert_each_chat_in_order(delivered)


def test_a_crisis_takes_its_own_chat_to_the_front_without_overtaking_it(
    make_app, live_server_for, signed_event, fake_line
):
    server = live_server_for(make_app(HeldConversation, worker_threads=1))
    conversation = server.core.conversation
    burst = backlog(signed_event)
    assert signed_event.post(server.url, *burst)[0] == 200
    acquire(conversation.waiting, 1)
    resident = signed_event.source(user(CHATS))
    earlier = [signed_event.text(f"質問{CHATS}-{number}", source=resident) for number in range(2)]
    assert signed_event.post(server.url, *earlier)[0] == 200
    assert signed_event.post(server.url, signed_event.text(CRISIS_TEXT, source=resident))[0] == 200

    conversation.held.set()
    delivered = fake_line.wait_for_deliveries(len(burst) + 3, timeout=GENEROUS)
    texts = answered_texts(delivered)
    # The one job in hand, then the resident's chat in its own order, crisis last of it, then the backlog.
    assert texts[1:4] == [f"message:質問{CHATS}-0", f"message:質問{CHATS}-1", f"message:{CRISIS_TEXT}"]
    assert len(texts) == len(burst) + 3
    assert_each_chat_in_order(delivered)


def test_after_a_restart_the_flagged_chat_is_answered_first(
    make_app, live_server_for, signed_event, fake_line
):
    first = live_server_for(make_app(HeldConversation, worker_threads=1))
    burst = backlog(signed_event)
    resident = signed_event.source(user(CHATS))
    server_url = first.url
    assert signed_event.post(server_url, *burst[:100])[0] == 200
    acquire(first.core.conversation.waiting, 1)
    assert signed_event.post(server_url, signed_event.text(f"質問{CHATS}-0", source=resident))[0] == 200
    assert signed_event.post(server_url, *burst[100:])[0] == 200
    assert signed_event.post(server_url, signed_event.text(CRISIS_TEXT, source=resident))[0] == 200

    # The first process stays stuck on its first job; a second one on the same data stands in for a restart.
    second = live_server_for(make_app(ScriptedConversation, worker_threads=1))
    assert second.core.worker.queue.wait_idle(GENEROUS)
    pushes = fake_line.calls(PUSH_PATH, status=200)
    texts = answered_texts(pushes)
    assert texts[:2] == [f"message:質問{CHATS}-0", f"message:{CRISIS_TEXT}"]
    assert len(texts) == len(burst) + 2
    assert_each_chat_in_order(pushes)

    first.core.conversation.held.set()
    assert first.core.worker.queue.wait_idle(GENEROUS)
    assert len(fake_line.delivered()) == len(burst) + 2  # the stuck process answers nothing twice
    assert fake_line.calls(REPLY_PATH) == []


def test_the_flag_is_stored_and_the_crisis_text_is_not(
    make_app, live_server_for, signed_event, data_dir: Path
):
    server = live_server_for(make_app(HeldConversation, worker_threads=1))
    crisis = signed_event.text(CRISIS_TEXT, source=signed_event.source(user(1)))
    question = signed_event.text("児童扶養手当はいくらですか", source=signed_event.source(user(2)))
    in_group = signed_event.text(CRISIS_TEXT, source=signed_event.source(user(3), group_id="C" + "b" * 32))
    assert signed_event.post(server.url, crisis, question, in_group)[0] == 200
    rows = server.core.stores.db.query("SELECT webhook_event_id, priority FROM bot_events")
    priorities = {row["webhook_event_id"]: row["priority"] for row in rows}
    assert priorities[crisis["webhookEventId"]] == 1
    # Not flagged; triage (whose scripted conversation cannot tell) leaves the question untriaged and may
    # already have marked the group's message, which has no text to read, as ordinary (-1).
    assert priorities[question["webhookEventId"]] == 0
    assert priorities[in_group["webhookEventId"]] in {0, -1}
    for path in data_dir.glob("yorisoi.db*"):
        assert CRISIS_TEXT.encode() not in path.read_bytes()
    server.core.conversation.held.set()
    assert server.core.worker.queue.wait_idle(GENEROUS)


class BrokenRules:
    def assess(self, text: str) -> None:
        raise RuntimeError("a broken rule")


def test_broken_rules_store_the_event_unflagged(signed_event):
    crisis = signed_event.text(CRISIS_TEXT)
    assert flagged_crises([crisis], BrokenRules()) == set()
    assert flagged_crises([crisis], CrisisDetector.load()) == {crisis["webhookEventId"]}


def test_pending_lists_flagged_chats_first_each_in_arrival_order(data_dir: Path, signed_event):
    store = EventStore(open_database(data_dir), ResidentIdentity(SECRET_KEY))
    a1, b1, a2, c1 = (
        signed_event.text(text, source=signed_event.source(user(n)))
        for n, text in [(1, "a1"), (2, "b1"), (1, "a2"), (3, "c1")]
    )
    store.accept([a1, b1], urgent=())
    store.accept([a2, c1], urgent={a2["webhookEventId"]})
    order = [(event.event_id, event.urgent) for event in store.pending()]
    assert order == [
        (a1["webhookEventId"], False),
        (a2["webhookEventId"], True),
        (b1["webhookEventId"], False),
        (c1["webhookEventId"], False),
    ]
