"""The persisted search index: chunks, their vectors (FAISS) and their BM25 terms (bm25s), plus a manifest.

Layout of `$YORISOI_DATA_DIR/index/`:
    manifest.json   embedder identity, per-document SHA-256, code version, build statistics
    chunks.json     the chunks (text, heading path, jurisdiction, date, quotable units)
    vectors.faiss   IndexFlatIP over L2-normalised passage vectors (inner product = cosine)
    bm25/           bm25s index over SudachiPy content-word terms of each chunk (heading path counted twice)
    bm25_units/     bm25s index over each quotable unit (sentence, list item, table row with its label), so
                    one row that matches well ("能美市福祉事務所") counts even inside a long table
The manifest is compared with what the documents, embedder and code are now; any difference rebuilds. A
rebuild reuses the vectors of chunks whose text did not change (same embedder), so editing one document costs
seconds, not a full re-embedding. A build goes to a new directory `index.<stamp>/` beside the current one and
`index` is a symbolic link that one os.replace points at it, under a file lock: a reader resolves the link
once and sees the old index or the new one, never half of one or none, and two processes never build at once.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import bm25s
import faiss
import numpy as np

from knowledge.chunking import CHUNKER_VERSION, MAX_CHARS, Chunk, chunk_documents
from knowledge.documents import Document
from knowledge.embedders import Embedder
from knowledge.tokenize import content_terms

log = logging.getLogger(__name__)

INDEX_DIR = "index"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CHUNKS = "chunks.json"
VECTORS = "vectors.faiss"
BM25_DIR = "bm25"
UNITS_BM25_DIR = "bm25_units"
EMBED_BATCH = 16
# Heading terms are counted twice: the program name in the heading path is the strongest evidence we have.
HEADING_WEIGHT = 2


def code_version() -> str:
    """Changes whenever the code that turns documents into index entries changes, so an upgrade that
    chunks or tokenises differently rebuilds the index by itself."""
    digest = hashlib.sha256(f"{FORMAT_VERSION}:{CHUNKER_VERSION}:{MAX_CHARS}:{HEADING_WEIGHT}".encode())
    here = Path(__file__).parent
    for module in ("documents.py", "chunking.py", "tokenize.py", "index.py"):
        digest.update((here / module).read_bytes())
    return digest.hexdigest()[:16]


def index_terms(chunk: Chunk) -> list[str]:
    return content_terms(chunk.heading) * HEADING_WEIGHT + content_terms(chunk.text)


def unit_terms(chunk: Chunk) -> list[list[str]]:
    return [content_terms(f"{unit.label} {unit.quote()}") for unit in chunk.units]


def _bm25(corpus: list[list[str]]) -> bm25s.BM25:
    bm25 = bm25s.BM25()
    bm25.index([terms or [""] for terms in corpus] or [[""]], show_progress=False)
    return bm25


def _bm25_scores(bm25: bm25s.BM25, terms: list[str], size: int) -> np.ndarray:
    vocab = bm25.vocab_dict
    ids = [vocab[term] for term in terms if term in vocab]
    if not ids or not size:
        return np.zeros(size, dtype=np.float32)
    return np.asarray(bm25.get_scores_from_ids(ids), dtype=np.float32)[:size]


def _text_key(embedder_name: str, text: str) -> str:
    return hashlib.sha256(f"{embedder_name}\n{text}".encode()).hexdigest()


def expected_manifest(documents: list[Document], embedder: Embedder) -> dict:
    """The parts of a manifest that decide whether a stored index is still valid."""
    return {
        "format": FORMAT_VERSION,
        "code_version": code_version(),
        "embedder": embedder.name,
        "dim": embedder.dim,
        "documents": {document.id: document.sha256 for document in documents},
    }


def stale_reason(manifest: dict | None, expected: dict) -> str | None:
    """Why a stored index cannot be used (None: it can)."""
    if manifest is None:
        return "no index yet"
    for key, label in (
        ("format", "index format"),
        ("code_version", "chunking/indexing code"),
        ("embedder", "embedder"),
        ("dim", "embedding size"),
    ):
        if manifest.get(key) != expected[key]:
            return f"{label} changed"
    stored, current = manifest.get("documents", {}), expected["documents"]
    changed = sorted(set(stored) ^ set(current) | {d for d in current if stored.get(d) != current[d]})
    if changed:
        return "documents changed: " + ", ".join(changed)
    return None


@dataclass
class KnowledgeIndex:
    """Chunks with their dense and sparse indexes, loaded in memory (the corpus is small)."""

    chunks: list[Chunk]
    vectors: faiss.IndexFlatIP
    bm25: bm25s.BM25
    unit_bm25: bm25s.BM25
    manifest: dict

    def __post_init__(self) -> None:
        counts = np.array([len(chunk.units) for chunk in self.chunks], dtype=np.int64)
        self.unit_offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        self.unit_chunk = np.repeat(np.arange(len(self.chunks)), counts)

    @property
    def size(self) -> int:
        return len(self.chunks)

    @property
    def unit_count(self) -> int:
        return int(self.unit_offsets[-1])

    def dense_scores(self, query_vector: np.ndarray) -> np.ndarray:
        """Cosine similarity of the query with every chunk, in chunk order."""
        scores = np.zeros(self.size, dtype=np.float32)
        if self.size:
            found, ids = self.vectors.search(query_vector.reshape(1, -1).astype(np.float32), self.size)
            valid = ids[0] >= 0
            scores[ids[0][valid]] = found[0][valid]
        return scores

    def bm25_scores(self, terms: list[str]) -> np.ndarray:
        """BM25 score of every chunk for the query terms (terms the corpus never uses are ignored)."""
        return _bm25_scores(self.bm25, terms, self.size)

    def unit_scores(self, terms: list[str]) -> np.ndarray:
        """BM25 score of every unit (flattened in chunk order; chunk i owns unit_offsets[i]:[i+1])."""
        return _bm25_scores(self.unit_bm25, terms, self.unit_count)

    def best_unit_per_chunk(self, unit_scores: np.ndarray) -> np.ndarray:
        best = np.zeros(self.size, dtype=np.float32)
        if unit_scores.size:
            np.maximum.at(best, self.unit_chunk, unit_scores)
        return best

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / CHUNKS).write_text(
            json.dumps([chunk.to_dict() for chunk in self.chunks], ensure_ascii=False), encoding="utf-8"
        )
        faiss.write_index(self.vectors, str(directory / VECTORS))
        self.bm25.save(str(directory / BM25_DIR), show_progress=False)
        self.unit_bm25.save(str(directory / UNITS_BM25_DIR), show_progress=False)
        (directory / MANIFEST).write_text(
            json.dumps(self.manifest, ensure_ascii=False, indent=2), encoding="utf-8"
        )

    @classmethod
    def load(cls, directory: Path) -> KnowledgeIndex:
        directory = directory.resolve()  # one version throughout, even if a rebuild swaps the link meanwhile
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        chunks = [
            Chunk.from_dict(item) for item in json.loads((directory / CHUNKS).read_text(encoding="utf-8"))
        ]
        vectors = faiss.read_index(str(directory / VECTORS))
        bm25 = bm25s.BM25.load(str(directory / BM25_DIR))
        unit_bm25 = bm25s.BM25.load(str(directory / UNITS_BM25_DIR))
        return cls(chunks=chunks, vectors=vectors, bm25=bm25, unit_bm25=unit_bm25, manifest=manifest)


def read_manifest(directory: Path) -> dict | None:
    try:
        return json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _previous_vectors(directory: Path, embedder_name: str) -> dict[str, np.ndarray]:
    """Vectors of the stored index by text, when it was built with the same embedder."""
    manifest = read_manifest(directory)
    if not manifest or manifest.get("embedder") != embedder_name:
        return {}
    try:
        old = KnowledgeIndex.load(directory)
        matrix = old.vectors.reconstruct_n(0, old.vectors.ntotal)
    except (OSError, RuntimeError, ValueError, KeyError):
        return {}
    return {_text_key(embedder_name, chunk.index_text): matrix[i] for i, chunk in enumerate(old.chunks)}


def build(documents: list[Document], embedder: Embedder, reuse_from: Path | None = None) -> KnowledgeIndex:
    """Chunk, embed (reusing unchanged vectors) and index `documents`."""
    started = time.perf_counter()
    chunks = chunk_documents(documents)
    texts = [chunk.index_text for chunk in chunks]
    cached = _previous_vectors(reuse_from, embedder.name) if reuse_from else {}
    keys = [_text_key(embedder.name, text) for text in texts]
    missing = [i for i, key in enumerate(keys) if key not in cached]
    matrix = np.zeros((len(chunks), embedder.dim), dtype=np.float32)
    for i, key in enumerate(keys):
        if key in cached:
            matrix[i] = cached[key]
    for start in range(0, len(missing), EMBED_BATCH):
        batch = missing[start : start + EMBED_BATCH]
        matrix[batch] = embedder.embed_documents([texts[i] for i in batch])
    embedded = time.perf_counter()
    vectors = faiss.IndexFlatIP(embedder.dim)
    if len(chunks):
        vectors.add(matrix)
    bm25 = _bm25([index_terms(chunk) for chunk in chunks])
    unit_bm25 = _bm25([terms for chunk in chunks for terms in unit_terms(chunk)])
    manifest = {
        **expected_manifest(documents, embedder),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "stats": {
            "documents": len(documents),
            "chunks": len(chunks),
            "embedded": len(missing),
            "reused_vectors": len(chunks) - len(missing),
            "embed_seconds": round(embedded - started, 3),
            "build_seconds": round(time.perf_counter() - started, 3),
        },
    }
    return KnowledgeIndex(chunks=chunks, vectors=vectors, bm25=bm25, unit_bm25=unit_bm25, manifest=manifest)


@contextmanager
def _build_lock(directory: Path):
    directory.parent.mkdir(parents=True, exist_ok=True)
    with open(directory.parent / f".{directory.name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _swap_in(new: Path, target: Path) -> None:
    """Point the link `target` at the built directory `new` with one os.replace. The version it pointed at
    before is kept (a reader may have resolved it a moment ago); older ones are removed. An index in the
    layout before links (a plain directory) is moved aside once: in that one moment there is no index, and
    `ensure_index` waits on the build lock instead of failing."""
    previous = target.resolve() if target.is_symlink() else None
    if target.exists() and not target.is_symlink():
        legacy = target.with_name(f"{target.name}.v-legacy-{os.getpid()}")
        target.rename(legacy)
        previous = legacy
    link = target.with_name(f".{target.name}.link-{os.getpid()}")
    link.unlink(missing_ok=True)
    link.symlink_to(new.name)
    os.replace(link, target)
    for version in target.parent.glob(f"{target.name}.v-*"):
        if version not in {new, previous} and version.is_dir() and not version.is_symlink():
            shutil.rmtree(version, ignore_errors=True)


def ensure_index(
    directory: Path, documents: list[Document], embedder: Embedder, force: bool = False
) -> tuple[KnowledgeIndex, str | None]:
    """Load the index in `directory`, rebuilding it first when stale (or `force`); returns the index and
    the reason it was rebuilt (None when the stored one was current)."""
    expected = expected_manifest(documents, embedder)
    reason = "rebuild requested" if force else stale_reason(read_manifest(directory), expected)
    if reason is None:
        try:
            return KnowledgeIndex.load(directory), None
        except (OSError, ValueError, KeyError, RuntimeError) as error:
            reason = f"stored index unreadable ({error.__class__.__name__})"
    with _build_lock(directory):
        if not force:  # another process may have rebuilt it while we waited for the lock
            current = stale_reason(read_manifest(directory), expected)
            if current is None:
                try:
                    return KnowledgeIndex.load(directory), None
                except (OSError, ValueError, KeyError, RuntimeError):
                    pass
        log.info("building the knowledge index: %s", reason)
        index = build(documents, embedder, reuse_from=directory if directory.exists() else None)
        version = directory.with_name(f"{directory.name}.v-{time.time_ns()}")
        shutil.rmtree(version, ignore_errors=True)
        index.save(version)
        _swap_in(version, directory)
    return index, reason
