"""`KnowledgeBase`: the one object the bot holds — documents, index, retriever and composer, loaded once."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import numpy as np

from knowledge.amounts import Amounts, default_amounts
from knowledge.answer import Answer, Composer, Source
from knowledge.documents import Document, load_documents
from knowledge.embedders import Embedder, load_embedder
from knowledge.index import INDEX_DIR, KnowledgeIndex, ensure_index
from knowledge.library import ContentStore, content_amounts, content_places, load_library
from knowledge.local_numbers import for_residents_place
from knowledge.places import LivePlaces, PlaceRegister, default_register
from knowledge.retrieval import QueryExpander, Retriever, Search, default_expander

log = logging.getLogger(__name__)


class KnowledgeBase:
    """Answers questions from the program documents. Build with `KnowledgeBase.open(data_dir)`."""

    def __init__(
        self,
        index: KnowledgeIndex,
        embedder: Embedder,
        documents: list[Document],
        expander: QueryExpander | None = None,
        places: PlaceRegister | LivePlaces | None = None,
        rebuilt: str | None = None,
        home_municipality: str | None = None,
        amounts: Amounts | None = None,
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.documents = documents
        self.places = places or default_register()
        self.amounts = amounts or default_amounts()
        self.retriever = Retriever(index, embedder, expander or default_expander(), self.places)
        self.composer = Composer(
            index.chunks, self.places, index.unit_offsets.tolist(), index.unit_scores, self.amounts
        )
        self.rebuilt = rebuilt  # why the index was rebuilt when opening (None: it was current)
        # Whose bot this is: a resident who names no place is answered as a resident of it. None (the demo):
        # such a resident is given no local office's number at all.
        self.home_municipality = self.places.canonical(home_municipality)

    @classmethod
    def open(
        cls,
        data_dir: Path,
        embedder: Embedder | None = None,
        docs_dir: Path | None = None,
        force_rebuild: bool = False,
        home_municipality: str | None = None,
        places: PlaceRegister | LivePlaces | None = None,
        content: ContentStore | None = None,
    ) -> KnowledgeBase:
        """Load the persisted index from `data_dir/index/`, rebuilding it first when the documents, the
        embedder or the indexing code changed since it was built. `docs_dir` defaults to knowledge/docs/
        with the city's published documents and amounts periods (`content`) laid over the shipped ones."""
        embedder = embedder or load_embedder()
        amounts = content_amounts(content)
        places = places or (content_places(content) if content is not None else None)
        documents = all_documents(data_dir, docs_dir, content, amounts)
        index, rebuilt = ensure_index(Path(data_dir) / INDEX_DIR, documents, embedder, force=force_rebuild)
        if rebuilt:
            log.info("knowledge index rebuilt (%s): %d chunks", rebuilt, index.size)
        return cls(
            index,
            embedder,
            documents,
            rebuilt=rebuilt,
            places=places,
            home_municipality=home_municipality,
            amounts=amounts,
        )

    def search_hits(self, query: str, k: int = 5, municipality: str | None = None) -> Search:
        return self.retriever.search(query, k=k, municipality=municipality)

    def search(self, query: str, k: int = 5, municipality: str | None = None) -> list[Source]:
        """The `k` best chunks for `query`, best first, as `Source`s."""
        return [Source.from_hit(hit) for hit in self.search_hits(query, k, municipality).hits]

    def dense_query(self, question: str) -> str:
        """The text embedded for a message (the question plus the documents' words for its everyday words):
        the bot embeds it once and shares the vector with intent and crisis detection."""
        return self.retriever.dense_query(question if isinstance(question, str) else "")

    def query_vector(self, question: str) -> np.ndarray:
        """The one embedding of a message. The bot computes it once and hands it to `answer` and to intent
        and crisis detection, so a message costs one embedding however many components read it."""
        return self.retriever.query_vector(question if isinstance(question, str) else "")

    def answer(
        self,
        question: str,
        municipality: str | None = None,
        today: dt.date | None = None,
        query_vector: np.ndarray | None = None,
    ) -> Answer:
        """A short grounded answer; never raises on odd input (empty, huge, emoji, other languages).

        The resident's place is the one the question names, else `municipality` (what the chat remembers),
        else the home municipality; the answer carries no other place's local phone number. `today` picks
        the amounts in force (default: YORISOI_TODAY or the real date); `query_vector` is
        `query_vector(question)` when the caller already computed it."""
        question = question if isinstance(question, str) else ""
        # More hits than sources shown: rules and plans with nothing for a resident are set aside.
        search = self.retriever.search(
            question,
            k=8,
            municipality=municipality or self.home_municipality,
            query_vector=query_vector,
        )
        return for_residents_place(self.composer.compose(question, search, today), search.place, self.places)

    def place_named(self, text: str) -> str | None:
        """The place a resident's message names (「白山です」 → 白山市), for the chat to remember."""
        return self.places.find(text)


def all_documents(
    data_dir: Path,
    docs_dir: Path | None = None,
    content: ContentStore | None = None,
    amounts: Amounts | None = None,
) -> list[Document]:
    """The curated program documents (with the city's published ones laid over them) plus those generated
    from the amounts (児童手当 is in no source); a `docs_dir` of one's own is taken as it is. `data_dir`
    holds only the index: a city's content comes from `content`."""
    if docs_dir is not None:
        return load_documents(docs_dir)
    return [*load_library(content), *(amounts or content_amounts(content)).documents()]


def build_index(
    data_dir: Path,
    embedder: Embedder | None = None,
    docs_dir: Path | None = None,
    force: bool = False,
    content: ContentStore | None = None,
) -> dict:
    """(Re)build the index in `data_dir/index/` if it is stale (or `force`); returns statistics."""
    embedder = embedder or load_embedder()
    documents = all_documents(data_dir, docs_dir, content)
    index, rebuilt = ensure_index(Path(data_dir) / INDEX_DIR, documents, embedder, force=force)
    stats = dict(index.manifest.get("stats", {}))
    stats.update(
        {
            "rebuilt": bool(rebuilt),
            "reason": rebuilt or "index is current",
            "embedder": embedder.name,
            "index_dir": str(Path(data_dir) / INDEX_DIR),
            "documents": len(documents),
            "chunks": index.size,
        }
    )
    return stats
