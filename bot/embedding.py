"""One query embedding per message: every component that reads a message's meaning gets the same vector.

Handoff's crisis check, the intent detector and the knowledge answer each ask for the message's vector.
`SharedQueryEmbedder` embeds the message's own words (cleaned as the knowledge cleans a query) and remembers
the last vectors, so the first asker runs the model and the others get its vector; the knowledge then steers
it with the documents' words for the message's everyday words, from vectors it keeps per word. Measured
before choosing it: the crisis check on its own words catches as many crises (1,297 of 1,310 on every
committed set, against 1,294 on the text with the documents' words appended; 28 of 1,036 false urgent
against 24), and the answers stay as they were (README, "answers").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from knowledge.embedders import EmbeddingCache, QueryEmbedder


class SharedQueryEmbedder:
    """The embedder for one message's text, remembering its last vectors. Batches (the exemplars embedded
    at start-up) are passed through as they are. `size` covers a burst's backlog (1.5 kB a vector): the
    crisis triage embeds queued texts newest first, and their answers reuse those vectors in their turn."""

    def __init__(
        self, embedder: QueryEmbedder, query_text: Callable[[str], str] = str, size: int = 1024
    ) -> None:
        self._embedder = embedder
        self._query_text = query_text
        self._vectors = EmbeddingCache(embedder, size)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if len(texts) != 1:
            return self._embedder.embed_queries(texts)
        return self.vector(texts[0]).reshape(1, -1)

    def vector(self, text: str) -> np.ndarray:
        """The message's one vector (computed on first ask)."""
        return self._vectors(self._query_text(text))
