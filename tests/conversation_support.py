"""What the webhook conversation tests share: asking the live test server one message and reading the reply
that reached the fake LINE API, and counting the query embeddings a message costs."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fake_line import REPLY_PATH

from knowledge import load_embedder

RESIDENT = "U" + "7" * 32

# How long a test waits for the worker: reached only when something is wrong. A test server loads the whole
# conversation (embedder, crisis classifier, index) before its first answer, which on a busy two-core machine
# has taken over two minutes; a slow machine is no failure.
WORKER_DEADLINE = 900.0


def settle(server: Any) -> None:
    assert server.core.worker.queue.wait_idle(WORKER_DEADLINE), "the worker did not finish"


def ask(server: Any, signed_event: Any, fake_line: Any, text: str, user: str = RESIDENT) -> tuple[str, str]:
    """The reply's texts, and the whole reply body as JSON (every string a resident can see or tap)."""
    event = signed_event.text(text, source=signed_event.source(user))
    assert signed_event.post(server.url, event)[0] == 200
    settle(server)
    reply = fake_line.delivered()[-1]
    assert reply.path == REPLY_PATH and reply.body["replyToken"] == event["replyToken"]
    return "\n".join(reply.texts), json.dumps(reply.body, ensure_ascii=False)


class CountingEmbedder:
    """The real embedder, counting model runs on one text (a message; exemplars come in batches)."""

    def __init__(self, embedder: Any) -> None:
        self._embedder = embedder
        self.message_runs: list[str] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._embedder, name)

    def embed_queries(self, texts: Any) -> Any:
        texts = list(texts)
        if len(texts) == 1:
            self.message_runs.append(texts[0])
        return self._embedder.embed_queries(texts)


def count_embeddings(monkeypatch: pytest.MonkeyPatch) -> list[CountingEmbedder]:
    """Make every app built afterwards load a CountingEmbedder; the list fills as apps are built."""
    from bot import services

    counted: list[CountingEmbedder] = []

    def load_counting(name: str) -> CountingEmbedder:
        counted.append(CountingEmbedder(load_embedder(name)))
        return counted[-1]

    monkeypatch.setattr(services, "load_embedder", load_counting)
    return counted
