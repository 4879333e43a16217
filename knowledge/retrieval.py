"""Hybrid retrieval: dense (e5 cosine via FAISS) + lexical (BM25 over Sudachi terms), fused, then nudged
towards sources of the resident's own jurisdiction.

Dense retrieval understands paraphrase ("返さなくていい" ≈ 給付型); BM25 pins exact program names, amounts and
place names that a 384-dimensional embedding blurs. Both are scored over the whole corpus (a few hundred
chunks), min-max normalised and mixed with a weight calibrated on the eval sets. Colloquial words are expanded
with the documents' own terms from synonyms.yaml (学童 → 放課後児童クラブ).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml

from knowledge.chunking import Chunk
from knowledge.embedders import Embedder
from knowledge.index import KnowledgeIndex
from knowledge.jurisdictions import CONFLICT, COVERS, INSIDE, SAME, Places, default_places
from knowledge.tokenize import content_terms

SYNONYMS_FILE = Path(__file__).with_name("synonyms.yaml")
# Longer questions are not better questions: the embedder truncates at 512 tokens anyway, and a 10,000
# character paste should cost no more than a normal question.
MAX_QUERY_CHARS = 400
DENSE_WEIGHT = 0.6
# Multipliers on the fused score by how a chunk's jurisdiction relates to the resident's place.
JURISDICTION_FACTOR = {SAME: 1.15, COVERS: 1.0, INSIDE: 0.95, CONFLICT: 0.6}


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float  # fused, after the jurisdiction preference; what the ranking uses
    dense: float  # cosine similarity of question and chunk
    lexical: float  # BM25 score, normalised by the best BM25 score of this query


@dataclass(frozen=True)
class Search:
    """Hits plus what the question was understood as, for the answer composer."""

    query: str
    terms: list[str]
    place: str | None
    hits: list[Hit]


class QueryExpander:
    """Adds the documents' own words for the everyday words of a question (data: synonyms.yaml)."""

    def __init__(self, synonyms: dict[str, list[str]]) -> None:
        self.synonyms = {
            unicodedata.normalize("NFKC", key).lower(): list(values)
            for key, values in synonyms.items()
            if values
        }

    @classmethod
    def load(cls, path: Path = SYNONYMS_FILE) -> QueryExpander:
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")) or {})

    def expansions(self, query: str) -> list[str]:
        text = unicodedata.normalize("NFKC", query).lower()
        added: list[str] = []
        for key, values in self.synonyms.items():
            if key in text:
                added.extend(value for value in values if value not in added and value.lower() not in text)
        return added


@lru_cache(maxsize=1)
def default_expander() -> QueryExpander:
    return QueryExpander.load()


def clean_query(text: str) -> str:
    """Whitespace collapsed, control characters removed, length capped."""
    text = unicodedata.normalize("NFKC", text or "")
    text = "".join(char for char in text if unicodedata.category(char)[0] != "C" or char in "\n\t")
    return re.sub(r"\s+", " ", text).strip()[:MAX_QUERY_CHARS]


def _minmax(scores: np.ndarray) -> np.ndarray:
    if not scores.size:
        return scores
    low, high = float(scores.min()), float(scores.max())
    if high - low < 1e-9:
        return np.zeros_like(scores)
    return (scores - low) / (high - low)


class Retriever:
    def __init__(
        self,
        index: KnowledgeIndex,
        embedder: Embedder,
        expander: QueryExpander | None = None,
        places: Places | None = None,
        dense_weight: float = DENSE_WEIGHT,
        expand: bool = True,
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.expander = expander or default_expander()
        self.places = places or default_places()
        self.dense_weight = dense_weight
        self.expand = expand
        self._factors: dict[str, np.ndarray] = {}

    def place_for(self, query: str, municipality: str | None) -> str | None:
        """A place named in the question wins over the resident's registered municipality."""
        return self.places.detect(query) or self.places.canonical(municipality)

    def _jurisdiction_factors(self, place: str) -> np.ndarray:
        if place not in self._factors:
            self._factors[place] = np.array(
                [
                    JURISDICTION_FACTOR.get(self.places.relation(place, chunk.jurisdiction), 1.0)
                    for chunk in self.index.chunks
                ],
                dtype=np.float32,
            )
        return self._factors[place]

    def search(self, query: str, k: int = 5, municipality: str | None = None) -> Search:
        text = clean_query(query)
        place = self.place_for(text, municipality) if text else self.places.canonical(municipality)
        if not text or not self.index.size:
            return Search(query=text, terms=[], place=place, hits=[])
        extra = self.expander.expansions(text) if self.expand else []
        terms = content_terms(text)
        for phrase in extra:
            terms.extend(content_terms(phrase))
        dense_query = f"{text} {' '.join(extra)}" if extra else text
        dense = self.index.dense_scores(self.embedder.embed_queries([dense_query])[0])
        lexical = self.index.bm25_scores(terms)
        best_lexical = float(lexical.max()) if lexical.size else 0.0
        lexical_share = lexical / best_lexical if best_lexical > 0 else lexical
        fused = self.dense_weight * _minmax(dense) + (1 - self.dense_weight) * lexical_share
        if place:
            fused = fused * self._jurisdiction_factors(place)
        order = np.argsort(-fused, kind="stable")[: max(k, 1)]
        hits = [
            Hit(
                chunk=self.index.chunks[i],
                score=float(fused[i]),
                dense=float(dense[i]),
                lexical=float(lexical_share[i]),
            )
            for i in order
        ]
        return Search(query=text, terms=terms, place=place, hits=hits)
