"""A second reader of crisis messages: character n-grams weighed by a model trained on labelled messages.

The rules in crisis.yaml are exact but know only the words someone wrote down, and the query embedding of a
small model places most worries near each other; every new set of crisis messages brought wordings neither
knew. Character n-grams of a message («帰れ», «もうむ», «ぶたれ») weighed by a logistic regression trained on
every committed set of crisis and hard non-crisis messages (tests/handoff/*.jsonl, written as residents type)
and on plain questions caught, on sets written after it was trained, most of what the rules missed and almost
nothing ordinary. The detector reads it where the classifier is read (with the message's vector, on the
worker), so a webhook event is still accepted on the rules alone.

The weights are data: crisis_model.npz, built by `tools/train_crisis_model.py` (scikit-learn, a dev
dependency) and read here with numpy alone. The file records the sets it was trained on and their hashes.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from handoff.escalation import normalise

MODEL_FILE = Path(__file__).with_name("crisis_model.npz")
NGRAM_SIZES = (1, 2, 3)
SECOND_KIND = 0.5


def char_ngrams(text: str) -> list[str]:
    """The character 1-, 2- and 3-grams of the message in its one spelling (`normalise`: NFKC, lower case,
    hiragana, no spaces): 「ｶﾞﾏﾝ　できない」 and 「がまんできない」 give the same grams."""
    folded = normalise(text)
    return [folded[start : start + size] for size in NGRAM_SIZES for start in range(len(folded) - size + 1)]


@dataclass(frozen=True)
class WordingReading:
    """The model's probability that a message is a crisis, and the kinds it reads, most likely first."""

    probability: float
    kinds: tuple[str, ...]


class WordingModel:
    """Sublinear TF-IDF over `char_ngrams`, a binary logistic regression for "crisis or not" and a
    multinomial one for the kind, as scikit-learn trained them."""

    def __init__(
        self,
        ngrams: np.ndarray,
        idf: np.ndarray,
        crisis: np.ndarray,
        crisis_bias: float,
        kinds: tuple[str, ...],
        kind_weights: np.ndarray,
        kind_bias: np.ndarray,
        about: dict,
    ) -> None:
        self._index = {str(gram): column for column, gram in enumerate(ngrams)}
        self._idf = idf.astype(np.float64)
        self._crisis = crisis.astype(np.float64)
        self._crisis_bias = float(crisis_bias)
        self._kinds = kinds
        self._kind_weights = kind_weights.astype(np.float64)
        self._kind_bias = kind_bias.astype(np.float64)
        self.about = about

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> WordingModel:
        with np.load(path, allow_pickle=False) as saved:
            return cls(
                saved["ngrams"],
                saved["idf"],
                saved["crisis"],
                float(saved["crisis_bias"]),
                tuple(str(kind) for kind in saved["kinds"]),
                saved["kind_weights"],
                saved["kind_bias"],
                json.loads(str(saved["about"])),
            )

    def read(self, text: str) -> WordingReading:
        """The probability of a crisis and the likeliest kind (with a second as likely as half of it)."""
        counts = Counter(self._index[gram] for gram in char_ngrams(text) if gram in self._index)
        if not counts:
            return WordingReading(0.0, ())
        columns = np.fromiter(counts, dtype=np.int64)
        values = np.array([1.0 + math.log(counts[column]) for column in columns]) * self._idf[columns]
        values /= np.linalg.norm(values)
        logit = float(values @ self._crisis[columns] + self._crisis_bias)
        scores = self._kind_weights[:, columns] @ values + self._kind_bias
        likelihood = np.exp(scores - scores.max())
        ranked = [row for row in np.argsort(-scores) if self._kinds[row] != "none"]
        # a second kind as likely as half the first is named too: an unsure message gets the lines of both
        floor = SECOND_KIND * likelihood[ranked[0]]
        kinds = [self._kinds[row] for row in ranked[:2] if likelihood[row] >= floor]
        return WordingReading(1.0 / (1.0 + math.exp(-logit)), tuple(kinds))
