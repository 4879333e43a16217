"""The project's shared material (seed documents, evaluation sets): `../shared` beside the repository, or
wherever `YORISOI_SHARED_DIR` points. Tests that need it skip with this reason when it is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DIR = Path(os.environ.get("YORISOI_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))
SEEDS_DIR = SHARED_DIR / "seeds"
DEV_QA = SHARED_DIR / "eval" / "dev_qa.jsonl"
DEV_HOUSEHOLDS = SHARED_DIR / "eval" / "dev_households.jsonl"

needs_shared = pytest.mark.skipif(
    not SHARED_DIR.is_dir(), reason=f"seeds and eval sets not found at {SHARED_DIR} (YORISOI_SHARED_DIR)"
)
