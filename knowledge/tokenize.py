"""Japanese text → BM25 terms: SudachiPy normalised forms of content words.

Normalised forms let 引越し / 引っ越し and ４５,５００ / 45500 meet; dropping particles, auxiliaries
and symbols keeps BM25 from rewarding chunks for sharing の and です with the question. The Sudachi
dictionary takes ~100 ms to load, so one tokenizer per process is created lazily and reused.
"""

from __future__ import annotations

import threading
import unicodedata
from functools import lru_cache

from sudachipy import Dictionary, SplitMode

# A character a noun is spelled with: kanji or katakana (市営住宅, ガイドブック), for spotting the nouns of a
# question without the tokenizer.
NOUN_CHAR = r"[\u4e00-\u9fff\u30a1-\u30fa\u30fc]"
# Sudachi refuses inputs over ~49 KB; questions are capped long before, documents are fed per chunk.
MAX_INPUT_CHARS = 12_000
_DROPPED_POS = frozenset({"助詞", "助動詞", "補助記号", "記号", "空白"})
# Light verbs and fillers that occur in nearly every question and say nothing about the program.
_STOP_FORMS = frozenset(
    {
        "為る",
        "居る",
        "有る",
        "成る",
        "出来る",
        "ある",
        "いる",
        "する",
        "なる",
        "できる",
        "れる",
        "られる",
        "こと",
        "もの",
        "よう",
        "ため",
        "とき",
        "ところ",
        "方",
        "何",
        "どう",
        "どこ",
        "いつ",
        "教える",
        "ください",
        "下さる",
        "思う",
        "言う",
        "良い",
        "いい",
        "其れ",
        "此れ",
    }
)
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _tokenizer():
    return Dictionary(dict="core").tokenizer(mode=SplitMode.B)


def normalize(text: str) -> str:
    """NFKC and lower case: full-width digits and letters become ASCII, so ４５，５００ equals 45,500."""
    return unicodedata.normalize("NFKC", text).lower()


def content_terms(text: str) -> list[str]:
    """Normalised content-word terms of `text`, in order (duplicates kept: BM25 counts them)."""
    return list(_content_terms(normalize(text)[:MAX_INPUT_CHARS]))


# Answering one question tokenizes the same texts again and again (the question, the expansions, the
# headings and sentences of the chosen program): Sudachi was a fifth of `answer`'s own time.
@lru_cache(maxsize=8192)
def _content_terms(text: str) -> tuple[str, ...]:
    if not text.strip():
        return ()
    tokenizer = _tokenizer()
    with _lock:  # a Sudachi tokenizer is not safe to share between threads
        morphemes = tokenizer.tokenize(text)
        terms = [(morpheme.normalized_form(), morpheme.part_of_speech()[0]) for morpheme in morphemes]
    return tuple(
        form for form, pos in terms if pos not in _DROPPED_POS and form not in _STOP_FORMS and form.strip()
    )


def place_names(text: str) -> list[tuple[int, str]]:
    """Where `text` names a place the dictionary knows (固有名詞・地名, not a country: 横浜, 神戸, 札幌),
    with the position of each, so that a place outside the register is still recognised as one."""
    return list(_place_names(unicodedata.normalize("NFKC", text or "")[:MAX_INPUT_CHARS]))


@lru_cache(maxsize=1024)  # every search asks where the resident lives, often of the same text twice
def _place_names(text: str) -> tuple[tuple[int, str], ...]:
    if not text.strip():
        return ()
    with _lock:
        morphemes = _tokenizer().tokenize(text)
        return tuple(
            (morpheme.begin(), morpheme.surface())
            for morpheme in morphemes
            if morpheme.part_of_speech()[1:4] == ("固有名詞", "地名", "一般")
        )


@lru_cache(maxsize=1024)
def is_place_name(word: str) -> bool:
    """`word` is, as a whole, a place name the dictionary knows (横浜; not 実家, 田中)."""
    return [name for _, name in place_names(word)] == [unicodedata.normalize("NFKC", word)]


def content_words(text: str) -> list[tuple[str, str]]:
    """(normalised term, as typed) for each content word of `text`, in order: the term to compare, the
    spelling to tell apart a word typed in kana (しごと → 仕事) from a conjugated one (払って → 払う)."""
    return list(_content_words(normalize(text)[:MAX_INPUT_CHARS]))


@lru_cache(maxsize=1024)
def _content_words(text: str) -> tuple[tuple[str, str], ...]:
    if not text.strip():
        return ()
    with _lock:
        morphemes = _tokenizer().tokenize(text)
        words = [(m.normalized_form(), m.surface(), m.part_of_speech()[0]) for m in morphemes]
    return tuple(
        (form, surface)
        for form, surface, pos in words
        if pos not in _DROPPED_POS and form not in _STOP_FORMS and form.strip()
    )


def reading(text: str) -> str:
    """How `text` is read, in hiragana (学童 → がくどう), for matching words a resident types in kana."""
    with _lock:
        katakana = "".join(morpheme.reading_form() for morpheme in _tokenizer().tokenize(normalize(text)))
    return _hiragana(katakana)


def kanji_words(text: str) -> list[tuple[str, str]]:
    """(word, reading in hiragana) of each noun (or adjectival noun, 高等) of `text` written all in kanji,
    two characters or more (養育費 → よういくひ, 家賃 → やちん), and of each two such nouns in a row
    (児童手当 → じどうてあて): the documents' own words, found when a resident types them in kana."""
    return list(_kanji_words(normalize(text)[:MAX_INPUT_CHARS]))


@lru_cache(maxsize=4096)
def _kanji_words(text: str) -> tuple[tuple[str, str], ...]:
    if not text.strip():
        return ()
    with _lock:
        morphemes = [
            (m.surface(), m.reading_form(), m.part_of_speech()[0]) for m in _tokenizer().tokenize(text)
        ]
    words: list[tuple[str, str]] = []
    previous: tuple[str, str] | None = None
    for surface, spoken, pos in morphemes:
        if pos in ("名詞", "形状詞") and len(surface) >= 2 and all(_is_kanji(char) for char in surface):
            current = (surface, _hiragana(spoken))
            words.append(current)
            if previous:
                words.append((previous[0] + surface, previous[1] + current[1]))
            previous = current
        else:
            previous = None
    return tuple(words)


def _is_kanji(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or char == "々"


def _hiragana(katakana: str) -> str:
    return "".join(chr(ord(char) - 0x60) if "ァ" <= char <= "ヶ" else char for char in katakana)
