"""`KnowledgeBase`: the one object the bot holds — documents, index, retriever and composer, loaded once."""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path

import numpy as np

from knowledge.amounts import Amounts, default_amounts
from knowledge.answer import (
    Answer,
    Composer,
    Source,
    asks,
    follows_up,
    question_words,
    resident_facing,
    same_program,
    split_questions,
    with_condolence,
)
from knowledge.chunking import Chunk
from knowledge.documents import Document, load_documents
from knowledge.embedders import Embedder, load_embedder
from knowledge.index import INDEX_DIR, KnowledgeIndex, ensure_index
from knowledge.library import ContentStore, content_amounts, content_places, load_library
from knowledge.local_numbers import for_residents_place
from knowledge.places import LivePlaces, PlaceRegister, default_register
from knowledge.retrieval import QueryExpander, Retriever, Search, clean_query, default_expander
from knowledge.tokenize import NOUN_CHAR

log = logging.getLogger(__name__)

# Share of a program's name a part of a message must spell out (after everyday words are expanded) to be
# taken as a question of its own about that program.
PART_NAME_SHARE = 0.45
# A part that names no program's name but whose longest word (市営住宅) is written in a source the rest of
# the message did not lead to (a plan's row 「市営住宅ひとり親世帯向け優先入居」) is a question of its own.
_NOUN_RUN = re.compile(rf"{NOUN_CHAR}{{3,}}")


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
        self.retriever = Retriever(
            index, embedder, expander or default_expander(), self.places, question_words=question_words()
        )
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

    def query_vector(self, question: str) -> np.ndarray:
        """The one embedding of a message. The bot computes it once and hands it to `answer` and to intent
        and crisis detection, so a message costs one embedding however many components read it."""
        return self.retriever.query_vector(question if isinstance(question, str) else "")

    def warm(self) -> None:
        """Embed the documents' words that steer answers now, not on the first messages that need them."""
        self.retriever.warm()

    def answer(
        self,
        question: str,
        municipality: str | None = None,
        today: dt.date | None = None,
        query_vector: np.ndarray | None = None,
        topic: str | None = None,
        children: int | None = None,
    ) -> Answer:
        """A short grounded answer; never raises on odd input (empty, huge, emoji, other languages).

        The resident's place is the one the question names, else `municipality` (what the chat remembers),
        else the home municipality; the answer carries no other place's local phone number. `today` picks
        the amounts in force (default: YORISOI_TODAY or the real date); `query_vector` is
        `query_vector(question)` when the caller already computed it. `topic` is the program the chat's
        previous answer was about (`Answer.topic`): a short follow-up that names no program
        (「子ども2人の場合は？」) is answered about it. `children` is how many children the chat said the
        household has (an amount's household total when the question gives no count). A message asking
        about two or three programs gets each answered."""
        question = question if isinstance(question, str) else ""
        place = municipality or self.home_municipality
        if query_vector is None and question.strip():
            query_vector = self.query_vector(question)
        # One embedding per message: a follow-up and each part of a message are searched with the message's
        # vector; the words (the topic's name, the part's own words) tell them apart.
        query = question
        if topic and follows_up(question) and not self.names_program(question):
            query = f"{topic} {question}"
        # More hits than sources shown: rules and plans with nothing for a resident are set aside.
        search = self.retriever.search(query, k=8, municipality=place, query_vector=query_vector)
        parts = split_questions(question) if query is question else [question]
        if len(parts) > 1:
            answer = self._answer_parts(question, parts, search, place, today, query_vector)
            if answer is not None:
                return with_condolence(for_residents_place(answer, search.place, self.places))
        # A question typed in kana is read with its words spelled as the documents write them (そうば → 相場).
        answer = self.composer.compose(self.retriever.spell(query), search, today, children)
        answer.question = question
        return with_condolence(for_residents_place(answer, search.place, self.places))

    def names_program(self, text: str) -> bool:
        """The text names a program (or an everyday word for one, 学童 → 放課後児童クラブ) well enough to be
        asked about on its own."""
        scores = self.retriever.names.scores(self.retriever.dense_query(text))
        return bool(scores.size) and float(scores.max()) >= PART_NAME_SHARE

    def names_service(self, text: str) -> bool:
        """The text names one service, by a program's name or by an everyday word the documents know it by
        (保育園 → 保育所, 学童 → 放課後児童クラブ): a question about it, not a request to look through every
        program (「どんな支援が受けられますか」)."""
        if self.names_program(text):
            return True
        return bool(self.retriever.expander.expansions(self.retriever.spell(clean_query(text))))

    def _answer_parts(
        self,
        question: str,
        parts: list[str],
        search: Search,
        place: str | None,
        today: dt.date | None,
        vector: np.ndarray | None,
    ) -> Answer | None:
        """Each further part that names another program than the whole message's answer is searched on
        its own words (with the message's one vector); None when every part is about one program
        (「児童扶養手当はいくら？あと申請はどこで？」 is one answer with amounts and the window)."""
        if not search.hits or not self.composer.confident(search):
            return None
        # Each search led as its answer would lead (a program page before a plan's row of it).
        search = self.composer.ranked(question, search)
        searches = [search]
        answered: list[str] = []  # the part each further search answers
        best = search.hits[0].chunk
        for part in parts:
            if not asks(part):
                continue
            named = self.names_program(part)
            found = self.retriever.search(part, k=8, municipality=place, query_vector=vector)
            if not self.composer.confident(found):
                continue
            found = self.composer.ranked(part, found)
            top = next((hit for hit in found.hits if resident_facing(hit.chunk)), None)
            if top is not None and not named and not _own_words(part, top.chunk, best):
                continue
            if (
                top is None
                or any(same_program(top.chunk, other.hits[0].chunk) for other in searches)
                or same_program(top.chunk, best)
            ):
                continue
            searches.append(found)
            answered.append(part)
        if len(searches) < 2:
            return None
        # The message's own search answers the part no other search took (the first one that asks).
        rest = [part for part in parts if part not in answered and asks(part)] or [question]
        # In the order the message asks them.
        asked = sorted(
            zip([rest[0], *answered], searches, strict=True),
            key=lambda pair: parts.index(pair[0]) if pair[0] in parts else 0,
        )
        return self.composer.compose_parts(
            question, [search for _, search in asked], today, [part for part, _ in asked]
        )

    def place_named(self, text: str) -> str | None:
        """The place a resident's message names (「白山です」 → 白山市), for the chat to remember."""
        return self.places.find(text)

    def covers_place(self, place: str) -> bool:
        """The documents speak for `place` (its own, its prefecture's or the nation's sources): not 横浜,
        whose windows and local programs the bot cannot name."""
        return not self.places.outside(place)


def _own_words(part: str, found: Chunk, best: Chunk) -> bool:
    """The part's longest word (a run of kanji or katakana, 市営住宅) is written in `found` and not in
    `best` (the message's answer): 「市営住宅って優先で入れるの？」 after a question about 医療費助成 is
    about the plan's row of 市営住宅's 優先入居, while 「申請はどこで？」 is about the program already
    answered and 「国民健康保険はどうなりますか？」 is not about a page that only says 健康保険証."""
    runs = sorted(_NOUN_RUN.findall(part), key=len, reverse=True)
    return bool(runs) and runs[0] in found.index_text and runs[0] not in best.index_text


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
