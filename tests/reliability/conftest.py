"""Fixtures for the reliability tests, on top of tests/conftest.py (fake LINE, apps, `yorisoi serve`).

Helpers live in tests/serve_support.py: importing `conftest` by name is ambiguous once several exist.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from serve_support import FlakyLine


@pytest.fixture
def flaky_line(settings_for: Callable[..., Any]) -> Iterator[FlakyLine]:
    """A fake LINE API that can be told to fail for a while (see `FlakyLine.outage` and `.slow`)."""
    fake = FlakyLine(access_token=settings_for().channel_access_token).start()
    yield fake
    fake.stop()
