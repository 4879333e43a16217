"""Hybrid retrieval: dense (e5 cosine via FAISS) + lexical (BM25 over Sudachi terms), fused, then nudged
towards sources of the resident's own jurisdiction.

Dense retrieval understands paraphrase ("返さなくていい" ≈ 給付型); BM25 pins exact program names, amounts and
place names that a 384-dimensional embedding blurs. Both are scored over the whole corpus (a few hundred
chunks), min-max normalised and mixed with a weight calibrated on the eval sets. Colloquial words are expanded
with the documents' own terms from synonyms.yaml (学童 → 放課後児童クラブ).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml

from knowledge.chunking import Chunk
from knowledge.embedders import Embedder, EmbeddingCache
from knowledge.index import KnowledgeIndex
from knowledge.places import CONFLICT, COVERS, INSIDE, SAME, PlaceRegister, default_register
from knowledge.tokenize import content_terms, kanji_words, reading

SYNONYMS_FILE = Path(__file__).with_name("synonyms.yaml")
# Longer questions are not better questions: the embedder truncates at 512 tokens anyway, and a 10,000
# character paste should cost no more than a normal question.
MAX_QUERY_CHARS = 400
DENSE_WEIGHT = 0.7
# Share of the lexical part given to the best single unit (sentence / row) of a chunk instead of the chunk.
UNIT_SHARE = 0.3
# Weight of "the question names this program" (see NameMatcher) in the fused score.
NAME_WEIGHT = 0.2
MIN_NAME_MATCH = 3
# A part of names that this many programs' names share (ひとり親家庭, in 13 of them) names none of them: a
# question that says 「ひとり親家庭になる予定です」 has not named 小平市's ひとり親家庭医療費助成制度.
GENERIC_NAME_COUNT = 10
MAX_NAME_QUERY_CHARS = 120
_PARENTHETICAL = re.compile(r"[（(]([^）)]*)[）)]")
_ENUMERATOR = re.compile(r"^(?:[（(][^）)]{1,3}[）)]|[0-9]{1,2}\.?|[ア-ン]|第\d+)\s*")
_GENERIC_SUFFIX = re.compile(r"(制度|事業|について)$")
# Multipliers on the fused score by how a chunk's jurisdiction relates to the resident's place.
JURISDICTION_FACTOR = {SAME: 1.15, COVERS: 1.0, INSIDE: 0.95, CONFLICT: 0.5}
# Chunks generated from amounts data (kind "data": 児童手当, in no document) are short lists of figures that
# match any money question; they lead only when the question names their program, so that 児童手当 is never
# given for 児童扶養手当.
UNNAMED_DATA_FACTOR = 0.8
NAMED = 0.99
# A program synonyms.yaml marks as no help for the need the question's words name ("-住宅資金" under 家賃).
UNHELPFUL_FACTOR = 0.5
# A resident who asks to borrow money (「医療費を借りられる制度」) asks for a loan: program pages of other
# help (the 医療費助成 that shares the words) are ranked down. Borrowing a computer or renting a flat is
# not that: a word for money comes just before (医療費を借り) or お金・制度 just after (借りられるお金).
_BORROW = re.compile(r"借り|貸し|貸して|融資|ローン")
_MONEY_BEFORE = re.compile(r"(?:お金|金|資金|費|費用|代|円)(?:を|が|も)?$")
_MONEY_AFTER = re.compile(r"^(?:られる|れる|たい|る)?(?:お金|資金|制度|貸付)")
NOT_A_LOAN_FACTOR = 0.65
# A program the documents say is for the child (「お子さんが高校・大学等に修学するために」) is ranked down
# when the question speaks of no child: the resident asks for their own need (a licence, a shop).
_FOR_THE_CHILD = re.compile(r"^(?:お子さん|子ども|児童)が")
_CHILD_WORDS = re.compile(r"子|息子|娘|児童|生徒|学生|進学|入学|受験|結婚|長男|長女|次男|次女")
CHILDS_NEED_FACTOR = 0.85
# A program whose name the question's named program is spelled inside, with characters between
# (児童手当 in 児童扶養手当, 児童育成手当), is another program the resident did not name: asked 「児童手当は
# どちらの親に」, the 児童扶養手当 that shares the words of separation is not the answer. Its score is
# multiplied by this (unless the question names it too).
CONFUSABLE_NAME_FACTOR = 0.6
# A question for the range of help (「どんな支援制度がありますか」) is best answered by a source that lists
# the programs (a catalogue: at least CATALOGUE_MIN_ITEMS list items that are programs' names), not by the one
# program whose text happens to share its words (小平市's 医療費助成: 「離婚や…ひとり親家庭…制度です」);
# unless the question spells out the program it asks about (「教育費負担軽減奨学金ってどんな制度」).
_ASKS_RANGE = re.compile(r"(?:どんな|どのような|どういう|どういった)(?:支援制度|制度|支援|サービス)")
CATALOGUE_MIN_ITEMS = 5
CATALOGUE_FACTOR = 1.3
# Share of the name weight a program gets when an everyday word of the question expands to its whole name.
EXPANSION_NAME_SHARE = 0.5
# What follows a word the resident rules out (「ハローワークとは別に」「ハローワーク以外で」).
_DECLINED = r"(?:とは別|以外|じゃなく|ではなく|じゃない|でなく)"
# A time of the evening or night (「夜10時」「22時近く」「19時まで」): the resident needs care at that hour,
# which synonyms.yaml gives under LATE_HOUR_KEY (夜間 → トワイライトステイ). NFKC has made the digits ASCII.
_LATE_HOUR = re.compile(
    r"(?:夜|よる|深夜)\s*(?:\d{1,2}|[一二三四五六七八九十]{1,2})時(?!間)|(?<!\d)(?:1[89]|2[0-4])時(?!間)"
)
LATE_HOUR_KEY = "夜間"
# A key is also found written in hiragana (学童 → がくどう, 給食費 → きゅうしょくひ) when its reading is at
# least this long: a shorter one (じゅく, すめる) turns up inside other words (すすめる).
MIN_READING_CHARS = 4
# Characters allowed between the two words of a synonyms.yaml key written "A…B".
MAX_SYNONYM_GAP = 12
# The documents' words that steer the query vector, at most this many characters (the lexical side gets every
# word): a third word seldom changes the ranking (measured: the same answers on every eval set at 16 as with
# no cap; 12 loses one).
MAX_DENSE_EXTRA_CHARS = 16
# How far the documents' words move the query vector: the message's own embedding plus this weight times the
# mean of their vectors. Measured over every eval set against embedding the question and the words as one
# text: 1.0 keeps every committed floor (0.5 and 0.75 lose the kana 「がくどうのおかね」 and
# 「離婚する前に準備」 to plans and the court's page) at one more confident-and-wrong answer in 368 and one
# fewer hit@1.
WORD_WEIGHT = 1.0
# A question that spells out the program it asks about is steered less: its own words say what it is about
# (「母子生活支援施設の食費や光熱費は」 is no question about the 生活資金 that 食費 stands for).
NAMED_STEERING_SHARE = 0.5
# Word vectors kept per process (the synonyms' words and the documents' words typed in kana).
MAX_WORD_VECTORS = 4096


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float  # fused, after the jurisdiction preference; what the ranking uses
    dense: float  # cosine similarity of question and chunk
    lexical: float  # BM25 score, normalised by the best BM25 score of this query
    index: int  # position of the chunk in the index
    name: float = 0.0  # share of the chunk's program name spelled out in the question
    base: float = 0.0  # fused score before the preferences (place, loan, whose need): how clearly it matches


@dataclass(frozen=True)
class Search:
    """Hits plus what the question was understood as, for the answer composer."""

    query: str
    terms: list[str]
    place: str | None
    hits: list[Hit]
    unit_scores: np.ndarray | None = None  # BM25 of every unit of the index, for quoting the best ones
    lexical_max: float = (
        0.0  # best raw BM25 over all chunks: does the question share words with the documents?
    )
    # The documents' words for the question's everyday words (塾 → 学習支援): the needs it names.
    expansions: tuple[str, ...] = ()
    # Those everyday words as the question typed them (学童): words the documents know by another name.
    everyday: tuple[str, ...] = ()
    # The documents' words of each everyday word of the question, one tuple per word (急な出費 → 小口資金,
    # 一時的): a program more of them name is what more of the question asks for.
    named_by: tuple[tuple[str, ...], ...] = ()


class QueryExpander:
    """Adds the documents' own words for the everyday words of a question (data: synonyms.yaml)."""

    def __init__(self, synonyms: dict[str, list[str]]) -> None:
        normalised = {
            unicodedata.normalize("NFKC", key).lower(): [str(value) for value in values]
            for key, values in synonyms.items()
            if values
        }
        # "-住宅資金": a program that shares the documents' words but never helps with this need (a loan to
        # build or buy a home is no help with rent): it is ranked down, not added.
        self.synonyms = {
            key: [value for value in values if not value.startswith("-")]
            for key, values in normalised.items()
        }
        self.not_for = {
            key: [value[1:] for value in values if value.startswith("-")]
            for key, values in normalised.items()
        }
        # "家で…仕事": both words in this order, a few characters apart (「家で子どもを見ながらできる仕事」).
        # NFKC has turned "…" into "...".
        self.patterns = {
            key: re.compile(f".{{0,{MAX_SYNONYM_GAP}}}".join(re.escape(part) for part in key.split("...")))
            for key in self.synonyms
            if "..." in key
        }
        # Residents type words in kana (「がくどうのおかね」): each key's reading finds it too.
        self.readings: dict[str, str] = {}
        for key in self.synonyms:
            if key in self.patterns:
                continue
            spoken = reading(key)
            if len(spoken) >= MIN_READING_CHARS and spoken != key and spoken not in self.synonyms:
                self.readings.setdefault(spoken, key)
        # One search asks for the keys of the same text several times (expansions, declined, unhelpful).
        self._keys_in = lru_cache(maxsize=256)(self._find_keys)

    @classmethod
    def load(cls, path: Path = SYNONYMS_FILE) -> QueryExpander:
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")) or {})

    def _find_keys(self, query: str) -> tuple[str, ...]:
        text = unicodedata.normalize("NFKC", query).lower()
        keys = [
            key
            for key in self.synonyms
            if (self.patterns[key].search(text) if key in self.patterns else key in text)
        ]
        keys += [key for spoken, key in self.readings.items() if spoken in text and key not in keys]
        if LATE_HOUR_KEY in self.synonyms and LATE_HOUR_KEY not in keys and _LATE_HOUR.search(text):
            keys.append(LATE_HOUR_KEY)
        return tuple(keys)

    def _declined(self, query: str) -> list[str]:
        """Keys the resident rules out (「ハローワークとは別に」「ハローワーク以外で」)."""
        text = unicodedata.normalize("NFKC", query).lower()
        return [
            key
            for key in self._keys_in(query)
            if key not in self.patterns
            and re.search(re.escape(key) + _DECLINED, text)
            and not re.search(re.escape(key) + f"(?!{_DECLINED})", text)
        ]

    def expansions(self, query: str) -> list[str]:
        text = unicodedata.normalize("NFKC", query).lower()
        added: list[str] = []
        declined = self._declined(query)
        ruled_out = {value for key in declined for value in self.synonyms[key]}
        for key in self._keys_in(query):
            if key in declined:
                continue
            values = self.synonyms[key]
            added.extend(
                value
                for value in values
                if value not in added and value.lower() not in text and value not in ruled_out
            )
        return added

    def words_by_key(self, query: str) -> tuple[tuple[str, ...], ...]:
        """The documents' words of each everyday word of the query that it does not rule out."""
        declined = self._declined(query)
        return tuple(tuple(self.synonyms[key]) for key in self._keys_in(query) if key not in declined)

    def everyday_words(self, query: str) -> tuple[str, ...]:
        """The everyday words of the query this file knows (not its "A…B" pairs)."""
        return tuple(key for key in self._keys_in(query) if key not in self.patterns)

    def stands_for(self, query: str) -> list[str]:
        """The documents' words of the query's everyday words that have only one (開業 → 事業開始資金)."""
        found = [self.synonyms[key][0] for key in self._keys_in(query) if len(self.synonyms[key]) == 1]
        return list(dict.fromkeys(found))

    def unhelpful(self, query: str) -> list[str]:
        """Programs (their last heading) that never help with what the query's everyday words ask."""
        declined = self._declined(query)
        return [
            name
            for key in self._keys_in(query)
            for name in (self.synonyms[key] if key in declined else self.not_for.get(key, []))
        ]


# A word of the documents typed in kana is found by its reading when the reading is at least this long, and
# only where a word begins: the start of the message or after a punctuation mark, after a particle, or right
# after another such word (じどうふよう・てあて); kana right after kanji are the rest of that word (してい
# of 中退している is no 指定). A reading of exactly this length (やちん, いない) only at the start or after
# の: after が or は it is as often a verb (人がいない is no 以内).
MIN_WORD_READING = 3
_KANA_RUN = re.compile(r"[ぁ-ゖー]+")
_WORD_BEGINS_AFTER = frozenset("のがをはにもとでやへ")
_SHORT_WORD_BEGINS_AFTER = frozenset("の")
_PART_OF_A_WORD = re.compile(r"[\u4e00-\u9fff\u3005\u30a0-\u30ffa-z0-9]")
# What may follow a word read in kana inside a run: a particle, a copula, 「って」, する
# (「しょうがくせい」 is no 少額 followed by せい).
_WORD_ENDS_BEFORE = frozenset("のがをはにもとでやへっかまよなだじねけすしさ")


class ReadingIndex:
    """The documents' own words by their reading (よういくひ → 養育費, やちん → 家賃): a question typed in
    hiragana finds the word the documents write in kanji. Built from the index, so a city's added document
    brings its words along; no list of words to keep."""

    def __init__(self, words: Iterable[tuple[str, str]]) -> None:
        by_reading: dict[str, str] = {}
        # Two words read alike (高校, 孝行): the one the documents use most.
        for (word, spoken), _ in Counter(words).most_common():
            if len(spoken) >= MIN_WORD_READING and spoken != word:
                by_reading.setdefault(spoken, word)
        self.words = by_reading
        self.longest = max(map(len, by_reading), default=0)
        self._spell = lru_cache(maxsize=256)(self._find)

    @classmethod
    def of(cls, chunks: Iterable[Chunk], everyday: Iterable[str] = ()) -> ReadingIndex:
        """The words of the chunks, and of the everyday words synonyms.yaml expands (家賃, which no
        document writes)."""
        texts = [chunk.index_text for chunk in chunks] + list(everyday)
        return cls(word for text in texts for word in kanji_words(text))

    def spell(self, text: str) -> tuple[str, tuple[str, ...]]:
        """`text` with the documents' words typed in kana written as the documents write them, and those
        words in order (「よういくひがとどかない」 → 「養育費がとどかない」, (養育費,))."""
        return self._spell(text)

    def _find(self, text: str) -> tuple[str, tuple[str, ...]]:
        found: list[str] = []
        pieces: list[str] = []
        last = 0
        for run in _KANA_RUN.finditer(text):
            kana = run.group()
            starts_a_word = run.start() == 0 or not _PART_OF_A_WORD.match(text[run.start() - 1])
            i, after_word = 0, -1
            while i < len(kana) - MIN_WORD_READING + 1:
                for size in range(min(self.longest, len(kana) - i), MIN_WORD_READING - 1, -1):
                    word = self.words.get(kana[i : i + size])
                    if not word:
                        continue
                    begins = (i == 0 and starts_a_word) or i == after_word
                    after = kana[i - 1] if i else ""
                    if i + size < len(kana) and kana[i + size] not in _WORD_ENDS_BEFORE:
                        continue
                    if begins or after in (
                        _WORD_BEGINS_AFTER if size > MIN_WORD_READING else _SHORT_WORD_BEGINS_AFTER
                    ):
                        pieces.append(text[last : run.start() + i] + word)
                        last = run.start() + i + size
                        if word not in found:
                            found.append(word)
                        i = after_word = i + size
                        break
                else:
                    i += 1
        return "".join(pieces) + text[last:], tuple(found)


@lru_cache(maxsize=1)
def default_expander() -> QueryExpander:
    return QueryExpander.load()


def asks_to_borrow(text: str) -> bool:
    """The question asks to borrow money (not to rent a home)."""
    return "貸付" in text or any(
        _MONEY_BEFORE.search(text[max(0, match.start() - 6) : match.start()])
        or _MONEY_AFTER.search(text[match.end() : match.end() + 8])
        for match in _BORROW.finditer(text)
    )


def is_loan(chunk: Chunk) -> bool:
    """A chunk of a loan program (its heading path names a 貸付)."""
    return any("貸付" in section for section in chunk.sections)


def for_the_child(chunk: Chunk) -> bool:
    """The chunk's program is, in its own first words, for the child (修学資金, 修業資金)."""
    return bool(chunk.units) and _FOR_THE_CHILD.match(chunk.units[0].text) is not None


def speaks_of_a_child(text: str) -> bool:
    """The question speaks of a child (not only of 母子家庭 or 父子家庭)."""
    return _CHILD_WORDS.search(re.sub(r"[母父]子", "", text)) is not None


def clean_query(text: str) -> str:
    """Whitespace collapsed, control characters removed, length capped."""
    text = unicodedata.normalize("NFKC", text or "")
    text = "".join(char for char in text if unicodedata.category(char)[0] != "C" or char in "\n\t")
    return re.sub(r"\s+", " ", text).strip()[:MAX_QUERY_CHARS]


def steering_words(extra: list[str]) -> list[str]:
    """As many of the documents' words as fit in MAX_DENSE_EXTRA_CHARS, in order."""
    kept: list[str] = []
    used = 0
    for word in extra:
        if used + len(word) > MAX_DENSE_EXTRA_CHARS:
            break
        kept.append(word)
        used += len(word)
    return kept


def dense_text(text: str, extra: list[str]) -> str:
    """The question plus its steering words: where program names are looked for (学童 → 放課後児童クラブ)."""
    kept = steering_words(extra)
    return f"{text} {' '.join(kept)}" if kept else text


class WordVectors:
    """The query vectors of the documents' words, each embedded once per process.

    A message costs one embedding of its own words; the documents' words for its everyday words
    (synonyms.yaml) then move that vector by their own vectors, computed the first time a word is needed and
    kept. Embedding the question and the words as one text cost like a longer question (about 1 ms a token)
    on every message.
    """

    def __init__(self, embedder: Embedder, size: int = MAX_WORD_VECTORS) -> None:
        self._cache = EmbeddingCache(embedder, size)

    def __call__(self, word: str) -> np.ndarray:
        return self._cache(word)

    def warm(self, words: Iterable[str]) -> None:
        """Embed `words` now (a benchmark or a server start), not on the first message that needs them."""
        for word in words:
            self(word)

    def steer(self, vector: np.ndarray, extra: list[str], weight: float = WORD_WEIGHT) -> np.ndarray:
        """The message's vector moved towards its steering words (`weight` × their mean), unit length."""
        words = steering_words(extra)
        vector = np.asarray(vector, dtype=np.float32)
        if not words:
            return vector
        steered = vector + weight * np.mean([self(word) for word in words], axis=0)
        norm = float(np.linalg.norm(steered))
        return (steered / norm).astype(np.float32) if norm else vector


_SHARED_WORDS: dict[str, WordVectors] = {}
_SHARED_WORDS_LOCK = threading.Lock()


def word_vectors(embedder: Embedder) -> WordVectors:
    """The process's word vectors for this embedder (by name): a knowledge base reopened for new content keeps
    them, so each word is embedded once per process."""
    with _SHARED_WORDS_LOCK:
        return _SHARED_WORDS.setdefault(embedder.name, WordVectors(embedder))


def _minmax(scores: np.ndarray) -> np.ndarray:
    if not scores.size:
        return scores
    low, high = float(scores.min()), float(scores.max())
    if high - low < 1e-9:
        return np.zeros_like(scores)
    return (scores - low) / (high - low)


def _name_variants(section: str) -> list[str]:
    """A heading as residents would type it: "子どもの学習支援(個別学習教室)" → both parts;
    numbering ("（ア）", "5 ") and generic endings (制度, 事業) are not part of what residents type."""
    text = unicodedata.normalize("NFKC", section).lower()
    inner = [part.strip() for part in _PARENTHETICAL.findall(text)]
    main = _ENUMERATOR.sub("", _PARENTHETICAL.sub("", text)).strip()
    main = _GENERIC_SUFFIX.sub("", main) or main
    return [name for name in [main, *inner] if len(name) >= MIN_NAME_MATCH]


class NameMatcher:
    """How much of a chunk's program name the question spells out (longest common substring / name length).

    Residents often name the program ("高等職業訓練促進給付金は…"); BM25 splits the name into words that the
    loan "高等職業訓練促進資金貸付金" shares and embeddings blur the difference; the literal name does not.
    Names are indexed by all their substrings once, so a question costs a few dictionary lookups.
    """

    def __init__(self, chunks: list[Chunk], ignore: list[str] = ()) -> None:
        names: dict[str, int] = {}
        links: list[tuple[int, int, float]] = []
        for row, chunk in enumerate(chunks):
            for depth, section in enumerate(reversed(chunk.sections)):
                for name in _name_variants(section):
                    column = names.setdefault(name, len(names))
                    links.append((row, column, 1.0 if depth == 0 else 0.5))
        self.weights = np.zeros((len(chunks), max(len(names), 1)), dtype=np.float32)
        # Each chunk's own program name(s), as residents type them (its last heading).
        self.own_names = [_name_variants(chunk.sections[-1]) if chunk.sections else [] for chunk in chunks]
        for row, column, weight in links:
            self.weights[row, column] = max(self.weights[row, column], weight)
        self.lengths = np.ones(max(len(names), 1), dtype=np.float32)
        substrings: dict[str, set[int]] = {}
        for name, column in names.items():
            self.lengths[column] = len(name)
            for start in range(len(name)):
                for end in range(start + MIN_NAME_MATCH, len(name) + 1):
                    substrings.setdefault(name[start:end], set()).add(column)
        self.substrings = {key: np.fromiter(value, dtype=np.int64) for key, value in substrings.items()}
        self.generic = {key for key, value in substrings.items() if len(value) >= GENERIC_NAME_COUNT}
        self.longest = max((len(name) for name in names), default=0)
        self.ignore = [unicodedata.normalize("NFKC", word).lower() for word in ignore if word]

    def scores(self, query: str) -> np.ndarray:
        text = unicodedata.normalize("NFKC", query).lower()[:MAX_NAME_QUERY_CHARS]
        for word in self.ignore:
            text = text.replace(word, " ")
        found: list[np.ndarray] = []
        sizes: list[int] = []
        for start in range(len(text)):
            for end in range(start + MIN_NAME_MATCH, min(len(text), start + self.longest) + 1):
                part = text[start:end]
                columns = self.substrings.get(part)
                if columns is None:
                    break
                if part in self.generic:
                    continue
                found.append(columns)
                sizes.append(end - start)
        if not found:
            return np.zeros(self.weights.shape[0], dtype=np.float32)
        matched = np.zeros_like(self.lengths)
        # One scatter for all matches (a call per match cost more than the lookups).
        np.maximum.at(
            matched,
            np.concatenate(found),
            np.repeat(np.asarray(sizes, dtype=np.float32), [len(columns) for columns in found]),
        )
        return (self.weights * (matched / self.lengths)).max(axis=1)

    def confusable(self, query: str, named: np.ndarray) -> np.ndarray:
        """Chunks of a program the question does not name whose name a named program (`named`: the
        chunks whose whole name the question spells) is spelled inside: 児童扶養手当 when only 児童手当 is
        named. A boolean per chunk."""
        text = unicodedata.normalize("NFKC", query).lower()
        spelled = {name for row in np.flatnonzero(named) for name in self.own_names[row] if name in text}
        result = np.zeros(len(self.own_names), dtype=bool)
        if not spelled:
            return result
        for row, own in enumerate(self.own_names):
            if named[row]:
                continue
            result[row] = any(
                name not in text and _spelled_inside(short, name) for name in own for short in spelled
            )
        return result


def _spelled_inside(short: str, long: str) -> bool:
    """`short` is `long` with characters left out (児童手当 in 児童扶養手当), and not a part of it."""
    if len(short) < MIN_NAME_MATCH or len(short) >= len(long) or short in long:
        return False
    rest = iter(long)
    return all(char in rest for char in short) and short[0] == long[0] and short[-1] == long[-1]


def _share_of_best(scores: np.ndarray) -> np.ndarray:
    best = float(scores.max()) if scores.size else 0.0
    return scores / best if best > 0 else scores


class Retriever:
    def __init__(
        self,
        index: KnowledgeIndex,
        embedder: Embedder,
        expander: QueryExpander | None = None,
        places: PlaceRegister | None = None,
        dense_weight: float = DENSE_WEIGHT,
        unit_share: float = UNIT_SHARE,
        name_weight: float = NAME_WEIGHT,
        expand: bool = True,
        question_words: Iterable[str] = (),
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.expander = expander or default_expander()
        self.places = places or default_register()
        self.dense_weight = dense_weight
        self.name_weight = name_weight
        self.unit_share = unit_share
        self.expand = expand
        self.words = word_vectors(embedder)
        self.names = NameMatcher(index.chunks, ignore=sorted(self.places.names(), key=len, reverse=True))
        # `question_words`: what the answer looks for in a question (相場, 何月), found typed in kana too.
        self.readings = ReadingIndex.of(index.chunks, [*self.expander.synonyms, *question_words])
        self._factors: dict[str, np.ndarray] = {}
        self.data_chunks = np.array([chunk.kind == "data" for chunk in index.chunks], dtype=bool)
        self.childs_need = np.array([for_the_child(chunk) for chunk in index.chunks], dtype=bool)
        names = {name for chunk in index.chunks for part in chunk.sections for name in _name_variants(part)}
        self.catalogues = np.array(
            [
                sum(
                    unit.kind == "item" and name in names
                    for unit in chunk.units
                    for name in _name_variants(unit.text)[:1]
                )
                >= CATALOGUE_MIN_ITEMS
                for chunk in index.chunks
            ],
            dtype=bool,
        )
        # Program pages of what is not a loan (a grant, an allowance); plans list loans among their services.
        self.not_loans = np.array(
            [chunk.kind in ("program", "data") and not is_loan(chunk) for chunk in index.chunks], dtype=bool
        )

    def place_for(self, query: str, municipality: str | None) -> str | None:
        """A place named in the question wins over the resident's registered municipality."""
        return self.places.find(query) or self.places.canonical(municipality)

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

    def _lexical(self, terms: list[str], place: str | None) -> tuple[np.ndarray, np.ndarray]:
        """BM25 of chunks and of units, except that the resident's own place name earns nothing in sources
        of that very place: there it is true of every chunk (the jurisdiction preference handles it), while
        in a prefecture's table it singles out the right row (能美市福祉事務所)."""
        place_terms = set(content_terms(place)) if place else set()
        if not place_terms & set(terms):
            return self.index.bm25_scores(terms), self.index.unit_scores(terms)
        rest = [term for term in terms if term not in place_terms]
        named = [term for term in terms if term in place_terms]
        same = self._jurisdiction_factors(place) == JURISDICTION_FACTOR[SAME]
        chunks = self.index.bm25_scores(rest) + np.where(same, 0.0, self.index.bm25_scores(named))
        same_units = same[self.index.unit_chunk] if self.index.unit_count else np.zeros(0, dtype=bool)
        units = self.index.unit_scores(rest) + np.where(same_units, 0.0, self.index.unit_scores(named))
        return chunks.astype(np.float32), units.astype(np.float32)

    def dense_query(self, query: str) -> str:
        """The question plus the documents' words that steer its vector (see QueryExpander, WordVectors)."""
        text = clean_query(query)
        _, extra = self._expansions(text)
        return dense_text(text, extra)

    def spell(self, query: str) -> str:
        """The question with the words it typed in kana written as the documents write them
        (「よういくひのそうばは」 → 「養育費の相場は」), for the answer to read what is asked."""
        return self.readings.spell(query)[0] if self.expand else query

    def _expansions(self, text: str) -> tuple[str, list[str]]:
        """The question with the documents' words it typed in kana spelled out (what everyday words and
        program names are looked for in), and the words added to it: those spelled out, then the documents'
        words for its everyday words."""
        if not self.expand or not text:
            return text, []
        spelled, typed = self.readings.spell(text)
        extra = list(typed)
        extra += [word for word in self.expander.expansions(spelled) if word not in extra]
        return spelled, extra

    def query_vector(self, query: str) -> np.ndarray:
        """The one embedding of a message (its own words, cleaned); the bot computes it once and shares it
        with every component. `search` steers it with the documents' words."""
        return self.embedder.embed_queries([clean_query(query)])[0]

    def warm(self) -> None:
        """Embed every synonym's documents' words now, as a running server has them."""
        self.words.warm(sorted({word for words in self.expander.synonyms.values() for word in words}))

    def search(
        self,
        query: str,
        k: int = 5,
        municipality: str | None = None,
        query_vector: np.ndarray | None = None,
    ) -> Search:
        """`query_vector`, when given, is the message's `query_vector` (computed once per message): a part of
        the message or a follow-up is searched with it, steered by its own words."""
        text = clean_query(query)
        place = self.place_for(text, municipality) if text else self.places.canonical(municipality)
        if not text or not self.index.size:
            return Search(query=text, terms=[], place=place, hits=[])
        spelled, extra = self._expansions(text)
        terms = content_terms(text)
        for phrase in extra:
            terms.extend(content_terms(phrase))
        if query_vector is None:
            query_vector = self.embedder.embed_queries([text])[0]
        names = self.names.scores(spelled)
        spelled_out = bool(names.size) and float(names.max()) >= NAMED
        standing_for = self.expander.stands_for(spelled) if self.expand else []
        # A word that stands for one program (住める施設 → 母子生活支援施設) is what the resident asks for:
        # it steers first, before the words of the wider need (DV → DV相談) fill the rest.
        steering_order = sorted(extra, key=lambda word: word not in standing_for)  # stable: in order
        steering = WORD_WEIGHT * (NAMED_STEERING_SHARE if spelled_out else 1.0)
        dense = self.index.dense_scores(self.words.steer(query_vector, steering_order, steering))
        if place and spelled_out:
            # The resident names their place and a program by its whole name (「金沢市在住です。児童扶養手当
            # の窓口は」): the place picks the window, not a directory's row that has the place's name.
            place_terms = set(content_terms(place))
            terms = [term for term in terms if term not in place_terms]
        chunk_lexical, unit_lexical = self._lexical(terms, place)
        lexical_share = (1 - self.unit_share) * _share_of_best(
            chunk_lexical
        ) + self.unit_share * _share_of_best(self.index.best_unit_per_chunk(unit_lexical))
        fused = self.dense_weight * _minmax(dense) + (1 - self.dense_weight) * lexical_share
        confusable = None
        if spelled_out:
            # One program's whole name is spelled out: a part of it shared by another program's name
            # (高等職業訓練促進 of the loan 高等職業訓練促進資金貸付金) is no sign of that other program.
            names = np.where(names >= NAMED, names, 0.0)
            confusable = self.names.confusable(spelled, names >= NAMED)
        if standing_for:
            # An everyday word that stands for one program by its whole name (開業 → 事業開始資金) names
            # it, a little less surely than the resident spelling it out.
            named = np.zeros_like(names)
            for phrase in standing_for:
                whole = self.names.scores(phrase)
                named = np.maximum(named, np.where(whole >= NAMED, whole, 0.0))
            names = np.maximum(names, EXPANSION_NAME_SHARE * named)
        fused = fused + self.name_weight * names
        unhelpful = self.expander.unhelpful(spelled) if self.expand else []
        if unhelpful:
            last = [chunk.sections[-1] if chunk.sections else "" for chunk in self.index.chunks]
            fused = np.where([name in unhelpful for name in last], fused * UNHELPFUL_FACTOR, fused)
        if self.data_chunks.any():
            fused = np.where(self.data_chunks & (names < NAMED), fused * UNNAMED_DATA_FACTOR, fused)
        if confusable is not None and confusable.any():
            fused = np.where(confusable, fused * CONFUSABLE_NAME_FACTOR, fused)
        base = fused
        # Preferences, like the place's below: they order the hits, not how clearly each matches.
        if self.childs_need.any() and not speaks_of_a_child(text):
            fused = np.where(self.childs_need, fused * CHILDS_NEED_FACTOR, fused)
        if asks_to_borrow(text):
            fused = np.where(self.not_loans, fused * NOT_A_LOAN_FACTOR, fused)
        if self.catalogues.any() and not spelled_out and _ASKS_RANGE.search(spelled):
            fused = np.where(self.catalogues, fused * CATALOGUE_FACTOR, fused)
        if place:
            fused = fused * self._jurisdiction_factors(place)
        order = np.argsort(-fused, kind="stable")[: max(k, 1)]
        hits = [
            Hit(
                chunk=self.index.chunks[i],
                score=float(fused[i]),
                dense=float(dense[i]),
                lexical=float(lexical_share[i]),
                index=int(i),
                name=float(names[i]),
                base=float(base[i]),
            )
            for i in order
        ]
        return Search(
            query=text,
            terms=terms,
            place=place,
            hits=hits,
            unit_scores=unit_lexical,
            lexical_max=float(chunk_lexical.max()) if chunk_lexical.size else 0.0,
            expansions=tuple(extra),
            everyday=self.expander.everyday_words(spelled) if self.expand else (),
            named_by=self.expander.words_by_key(spelled) if self.expand else (),
        )
