"""`LiveKnowledge`: a serving process's knowledge base, replaced whole when the city's content changes.

A city publishes a document or an amounts period on one node; every process learns of it from the content
version (one cheap call, `refresh`, made by the caller's timer and right after a publish in this process).
The new knowledge base is opened beside the one answering (its index built in a new directory and linked in
by knowledge.index), then swapped in with one reference assignment under a lock: a question in flight keeps
the base it started with, and no question ever finds no base.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from knowledge.base import KnowledgeBase

log = logging.getLogger(__name__)


class LiveKnowledge:
    """Answers from the newest published content; the KnowledgeBase API the bot uses, delegated."""

    def __init__(self, open_base: Callable[[], KnowledgeBase], version: Callable[[], int]) -> None:
        self._open_base = open_base
        self._version = version
        self._swap = threading.Lock()  # guards the one reference below
        self._building = threading.Lock()  # one rebuild at a time per process
        self._current_version = version()
        self._current = open_base()

    @property
    def current(self) -> KnowledgeBase:
        with self._swap:
            return self._current

    @property
    def version(self) -> int:
        """The content version the answering base was built from."""
        return self._current_version

    def refresh(self) -> bool:
        """Reload when the content version changed since the answering base was built; True if it did.
        The version is read before the build, so a change published during the build triggers another."""
        with self._building:
            seen = self._version()
            if seen == self._current_version:
                return False
            base = self._open_base()
            with self._swap:
                self._current, self._current_version = base, seen
        log.info("knowledge reloaded for content version %d (%d chunks)", seen, base.index.size)
        return True

    def refresh_quietly(self) -> None:
        """`refresh` for a timer: a failed rebuild is logged and the base answering keeps answering."""
        try:
            self.refresh()
        except Exception:  # any failure must leave the serving base in place
            log.exception("knowledge reload failed; still answering from content version %d", self.version)

    @property
    def embedder(self) -> Any:
        return self.current.embedder

    def answer(self, *args: Any, **kwargs: Any) -> Any:
        return self.current.answer(*args, **kwargs)

    def search(self, *args: Any, **kwargs: Any) -> Any:
        return self.current.search(*args, **kwargs)

    def query_vector(self, question: str) -> Any:
        return self.current.query_vector(question)

    def place_named(self, text: str) -> str | None:
        return self.current.place_named(text)

    def covers_place(self, place: str) -> bool:
        return self.current.covers_place(place)

    def names_service(self, text: str) -> bool:
        return self.current.names_service(text)
