"""Crisis triage after acceptance: the classifier's look at queued texts, newest first.

The webhook flags a crisis its rules recognise before the event joins the queue. A crisis said indirectly
(「子どもを置いてどこか遠くへ行ってしまいたい」) needs the message's embedding, too slow to compute while LINE
waits for the acknowledgement, so without triage it would wait behind a burst. A triage thread in each answer
process reads the newest pending 1:1 texts nobody has looked at, asks the conversation whether each is a
crisis (rules and classifier), and flags those that are: their chats go ahead of the backlog, as a chat the
webhook flagged does. The vector it computes is the one answering the text uses (the conversation keeps
vectors per text), so triage moves the work earlier rather than adding to it. Until the conversation has
loaded nothing is triaged, and the webhook's flag stands.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol

from bot.database import DatabaseUnavailable
from bot.events import EventStore

log = logging.getLogger(__name__)


class CrisisReader(Protocol):
    """What triage needs from the conversation: whether a text is a crisis, None while it cannot tell."""

    def urgent(self, text: str) -> bool | None: ...


class CrisisTriage:
    """One thread: reads `batch` untriaged events at a time, flags crises, calls `flagged(chat, event)` for
    each (the in-process queue moves the chat up); sleeps up to `idle_poll` when nothing is new."""

    def __init__(
        self,
        events: EventStore,
        reader: CrisisReader,
        flagged: Callable[[str, str], None] = lambda chat_key, event_id: None,
        batch: int = 16,
        idle_poll: float = 0.2,
    ) -> None:
        self._events = events
        self._reader = reader
        self._flagged = flagged
        self._batch = batch
        self._idle_poll = idle_poll
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> int:
        """Triage the newest untriaged events once; how many were recorded (0 while the conversation is
        still loading, or when there is nothing new)."""
        recorded = 0
        for event_id, chat_key, text in self._events.untriaged(self._batch):
            try:
                urgent = self._reader.urgent(text) if text else False
            except Exception:
                log.exception("crisis triage failed on an event; it is answered in its turn")
                urgent = False
            if urgent is None:
                return recorded
            if self._events.triaged(event_id, urgent):
                recorded += 1
                if urgent:
                    log.info("triage flagged a queued message as a crisis; its chat goes first")
                    self._flagged(chat_key, event_id)
        return recorded

    def start(self) -> None:
        self._stopping.clear()
        self._thread = threading.Thread(target=self._loop, name="yorisoi-triage", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        idle = 0.01
        while not self._stopping.is_set():
            try:
                recorded = self.run_once()
            except DatabaseUnavailable as error:
                log.warning("crisis triage could not read the queue (%s); trying again", error)
                recorded = 0
            if recorded:
                idle = 0.01
                continue
            self._stopping.wait(idle)
            idle = min(self._idle_poll, idle * 2)

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
