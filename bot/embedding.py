"""One query embedding per message: the router's collaborators ask the same embedder for the same text.

The intent detector and handoff's crisis check each embed the message; `SharedQueryEmbedder` remembers the
last vectors, so the second asker gets the first one's vector instead of a second model run.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Protocol

import numpy as np


class QueryEmbedder(Protocol):
    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...


class SharedQueryEmbedder:
    """The embedder, remembering its last vectors: intents and the crisis check embed the same text once."""

    def __init__(self, embedder: QueryEmbedder, size: int = 64) -> None:
        self._embedder = embedder
        self._size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if len(texts) != 1:
            return self._embedder.embed_queries(texts)
        with self._lock:
            vector = self._vectors.get(texts[0])
            if vector is not None:
                self._vectors.move_to_end(texts[0])
                return vector.reshape(1, -1)
        vector = np.asarray(self._embedder.embed_queries(texts))[0]
        with self._lock:
            self._vectors[texts[0]] = vector
            while len(self._vectors) > self._size:
                self._vectors.popitem(last=False)
        return vector.reshape(1, -1)
