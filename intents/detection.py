"""What a message is for: a greeting, a question, starting the check, a counselor, deleting data, ...

Keywords decide first, because they are exact and explainable; otherwise the message goes to the intent of
its nearest exemplar when that is close enough, and to `question` (the knowledge base's job) when nothing
is. Crises are not an intent: handoff's crisis authority checks every message before intents are asked.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import yaml

EXEMPLARS_PATH = Path(__file__).with_name("exemplars.yaml")
# Cosine similarity (multilingual-e5-small on Japanese) at which the nearest exemplar is trusted, and the
# lead it needs over the nearest question exemplar; measured on paraphrases that are not exemplars.
MIN_SIMILARITY = 0.915
MIN_LEAD_OVER_QUESTION = 0.01
SHORT_MESSAGE = 16
KEYWORD_SCORE = 1.0


class Intent(enum.StrEnum):
    GREETING = "greeting"
    QUESTION = "question"
    START_CHECK = "start_check"
    COUNSELOR = "counselor"
    RESET = "reset"
    DELETE_DATA = "delete_data"
    THANKS = "thanks"
    PRIVACY = "privacy"


# When keywords of several intents match, the first of these wins: the resident's rights first.
PRIORITY = (
    Intent.DELETE_DATA,
    Intent.COUNSELOR,
    Intent.RESET,
    Intent.PRIVACY,
    Intent.START_CHECK,
    Intent.THANKS,
    Intent.GREETING,
)


class QueryEmbedder(Protocol):
    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class IntentResult:
    """The intent and how sure: 1.0 for a keyword, else the cosine to the nearest exemplar."""

    intent: Intent
    score: float
    by: str = "exemplar"


@dataclass(frozen=True)
class _Rules:
    keywords: tuple[re.Pattern[str], ...]
    short_only: bool
    unless: tuple[re.Pattern[str], ...]

    def ruled_out(self, words: str) -> bool:
        return any(pattern.search(words) for pattern in self.unless)


class IntentDetector:
    """Detects intents with the injected embedder (anything with `embed_queries`); exemplars embedded once."""

    def __init__(self, embedder: QueryEmbedder, path: Path | None = None) -> None:
        data = yaml.safe_load(Path(path or EXEMPLARS_PATH).read_text(encoding="utf-8"))
        unknown = set(data) - {intent.value for intent in Intent}
        if unknown:
            raise ValueError(f"exemplars: unknown intent(s) {sorted(unknown)}")
        self._embedder = embedder
        self._rules = {
            Intent(name): _Rules(
                keywords=tuple(re.compile(pattern) for pattern in entry.get("keywords") or []),
                short_only=bool(entry.get("short_only", False)),
                unless=tuple(re.compile(pattern) for pattern in entry.get("unless") or []),
            )
            for name, entry in data.items()
        }
        self._labels = [Intent(name) for name, entry in data.items() for _ in entry["exemplars"]]
        texts = [_normalise(text) for entry in data.values() for text in entry["exemplars"]]
        self._exemplars = _unit_rows(embedder.embed_queries(texts))

    def detect(self, text: str) -> IntentResult:
        words = _normalise(text)
        if not words:
            return IntentResult(Intent.QUESTION, 0.0, "default")
        keyword = self._by_keyword(words)
        if keyword is not None:
            return IntentResult(keyword, KEYWORD_SCORE, "keyword")
        return self._by_exemplar(words)

    def _by_keyword(self, words: str) -> Intent | None:
        for intent in PRIORITY:
            rules = self._rules.get(intent)
            if rules is None or (rules.short_only and len(words) > SHORT_MESSAGE) or rules.ruled_out(words):
                continue
            if any(pattern.search(words) for pattern in rules.keywords):
                return intent
        return None

    def _by_exemplar(self, words: str) -> IntentResult:
        query = _unit_rows(self._embedder.embed_queries([words]))[0]
        similarities = self._exemplars @ query
        best: dict[Intent, float] = {}
        for intent, similarity in zip(self._labels, similarities, strict=True):
            if not self._rules[intent].ruled_out(words):
                best[intent] = max(best.get(intent, -1.0), float(similarity))
        intent, score = max(best.items(), key=lambda item: item[1])
        lead = score - best.get(Intent.QUESTION, -1.0)
        if intent is Intent.QUESTION or score < MIN_SIMILARITY or lead < MIN_LEAD_OVER_QUESTION:
            return IntentResult(Intent.QUESTION, best.get(Intent.QUESTION, 0.0), "default")
        return IntentResult(intent, score, "exemplar")


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    if matrix.ndim == 1:
        matrix = matrix.reshape(1, -1)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)
