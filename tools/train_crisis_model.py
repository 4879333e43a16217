"""Train handoff/crisis_model.npz (handoff.wording_model) on the committed crisis and non-crisis sets.

    python -m tools.train_crisis_model [--sealed heldout20 ...] [--out handoff/crisis_model.npz]

Every tests/handoff/{crisis,noncrisis}*.jsonl is read, except the sets named `--sealed`: a set written to
measure the next round stays out of training until it has been counted (tests/handoff/test_wording_model.py
checks that every set is either trained on or sealed, and unchanged since). The residents' questions and
household descriptions of the answer and dialogue sets (tests/knowledge, tests/intents) and the intents'
exemplars (thanks, greetings, "a person please") are read as ordinary messages: without them one plain
question in thirty-five read as a crisis, and short lines such as 「ありがとうございました」 did.
crisis.yaml's exemplars and wordings are crisis messages of their kind, its `not_crisis`, `everyday` and
`ordinary_neighbours` ordinary ones. Every message is also read in kana (handoff.readings.reading), as some
residents type: without it, a quarter of the plain questions typed in kana read as a crisis.
Deterministic: the same sets give the same weights. Needs scikit-learn (`pip install -e '.[dev]'`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from handoff.crisis import RULES_FILE
from handoff.readings import mostly_kana, reading
from handoff.wording_model import MODEL_FILE, char_ngrams

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
SETS_DIR = TESTS / "handoff"
ORDINARY_DIRS = (TESTS / "knowledge", TESTS / "intents")
INTENT_EXEMPLARS = ROOT / "intents" / "exemplars.yaml"
MIN_DOCUMENTS = 2  # an n-gram seen in one message only says nothing general
REGULARISATION = 4.0  # scikit-learn's C; chosen by leave-one-set-out cross-validation


def set_files(sets_dir: Path = SETS_DIR) -> list[Path]:
    return sorted(path for path in sets_dir.glob("*.jsonl") if path.name.startswith(("crisis", "noncrisis")))


def ordinary_files(dirs: tuple[Path, ...] = ORDINARY_DIRS) -> list[Path]:
    return sorted(path for folder in dirs for path in folder.glob("*.jsonl"))


def set_name(path: Path) -> str:
    """crisis_heldout19.jsonl and noncrisis_heldout19.jsonl are one set: heldout19."""
    stem = path.stem
    return stem.split("_", 1)[1] if "_" in stem else "base"


def _named(path: Path) -> str:
    return path.resolve().relative_to(ROOT).as_posix()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _crisis_yaml_messages() -> tuple[list[tuple[str, str]], list[str]]:
    """crisis.yaml's crisis messages with their kind (exemplars and wordings), and its ordinary lines."""
    data = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    crises = [
        (kind, text)
        for kind, spec in data["kinds"].items()
        for text in [*(spec.get("exemplars") or ()), *(data.get("wordings", {}).get(kind) or ())]
    ]
    keys = ("not_crisis", "everyday", "ordinary_neighbours")
    return crises, [text for key in keys for text in data.get(key) or ()]


def _intent_exemplars() -> list[str]:
    """The intents' exemplars (greetings, thanks, "a person please"): ordinary messages."""
    data = yaml.safe_load(INTENT_EXEMPLARS.read_text(encoding="utf-8"))
    return [text for spec in data.values() for text in spec.get("exemplars") or ()]


def train(
    sealed: set[str], sets_dir: Path = SETS_DIR, ordinary_dirs: tuple[Path, ...] = ORDINARY_DIRS
) -> dict[str, np.ndarray]:
    texts: list[str] = []
    labels: list[str] = []
    trained: dict[str, str] = {}
    for path in set_files(sets_dir):
        if set_name(path) in sealed:
            continue
        trained[_named(path)] = digest(path)
        for row in _lines(path):
            texts.append(row["text"])
            labels.append(row.get("kind") or "none")
    for path in ordinary_files(ordinary_dirs):
        said = [text for row in _lines(path) if (text := row.get("q") or row.get("text"))]
        if said:
            trained[_named(path)] = digest(path)
            texts.extend(said)
            labels.extend("none" for _ in said)
    crises, ordinary = _crisis_yaml_messages()
    ordinary += _intent_exemplars()
    for path in (RULES_FILE, INTENT_EXEMPLARS):
        trained[_named(path)] = digest(path)
    texts.extend(text for _, text in crises)
    labels.extend(kind for kind, _ in crises)
    texts.extend(ordinary)
    labels.extend("none" for _ in ordinary)
    written = len(texts)
    in_kana = [
        (reading(text), label) for text, label in zip(texts, labels, strict=True) if not mostly_kana(text)
    ]
    texts.extend(text for text, _ in in_kana)
    labels.extend(label for _, label in in_kana)
    vectoriser = TfidfVectorizer(analyzer=char_ngrams, sublinear_tf=True, min_df=MIN_DOCUMENTS)
    matrix = vectoriser.fit_transform(texts)
    crisis = LogisticRegression(C=REGULARISATION, max_iter=5000, class_weight="balanced")
    crisis.fit(matrix, [label != "none" for label in labels])
    kinds = LogisticRegression(C=REGULARISATION, max_iter=5000, class_weight="balanced")
    kinds.fit(matrix, labels)
    about = {"trained_on": trained, "sealed": sorted(sealed), "messages": written, "in_kana": len(in_kana)}
    return {
        "ngrams": np.array(vectoriser.get_feature_names_out(), dtype=str),
        "idf": vectoriser.idf_.astype(np.float32),
        "crisis": crisis.coef_[0].astype(np.float32),
        "crisis_bias": np.float64(crisis.intercept_[0]),
        "kinds": np.array(kinds.classes_, dtype=str),
        "kind_weights": kinds.coef_.astype(np.float32),
        "kind_bias": kinds.intercept_.astype(np.float64),
        "about": np.array(json.dumps(about, ensure_ascii=False, sort_keys=True)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sealed", nargs="*", default=[], help="sets kept out of training (e.g. heldout20)")
    parser.add_argument("--out", type=Path, default=MODEL_FILE)
    args = parser.parse_args()
    arrays = train(set(args.sealed))
    np.savez_compressed(args.out, **arrays)
    about = json.loads(str(arrays["about"]))
    print(
        f"{args.out}: {len(arrays['ngrams']):,} n-grams from {about['messages']:,} messages in "
        f"{len(about['trained_on'])} files (and {about['in_kana']:,} of them read in kana); "
        f"sealed: {', '.join(about['sealed']) or 'none'}"
    )


if __name__ == "__main__":
    main()
