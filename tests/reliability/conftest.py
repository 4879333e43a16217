"""Fixtures for the reliability tests, on top of tests/conftest.py (fake LINE, settings, apps, live server).

Helpers live in reliability_support.py: importing `conftest` by name is ambiguous once several exist.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_line import FakeLine
from reliability_support import FlakyLine, ServeProcess


@pytest.fixture
def flaky_line(settings_for: Callable[..., Any]) -> Iterator[FlakyLine]:
    """A fake LINE API that can be told to fail for a while (see `FlakyLine.outage` and `.slow`)."""
    fake = FlakyLine(access_token=settings_for().channel_access_token).start()
    yield fake
    fake.stop()


@pytest.fixture
def serve_env(
    data_dir: Path, fake_line: FakeLine, knowledge_index: Path, settings_for: Callable[..., Any]
) -> dict[str, str]:
    """Production-mode environment for `yorisoi serve` against the fake LINE API, with the session's index."""
    settings = settings_for()
    shutil.copytree(knowledge_index, data_dir / "index")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("LINE_", "YORISOI_"))}
    env.update(
        YORISOI_DATA_DIR=str(data_dir),
        LINE_CHANNEL_SECRET=settings.channel_secret,
        LINE_CHANNEL_ACCESS_TOKEN=settings.channel_access_token,
        LINE_API_BASE_URL=fake_line.base_url,
        YORISOI_SECRET_KEY=settings.secret_key,
        YORISOI_WORKER_THREADS="4",
    )
    return env


@pytest.fixture
def serve(serve_env: dict[str, str], tmp_path: Path) -> Iterator[Callable[[], ServeProcess]]:
    """Start `yorisoi serve` subprocesses (each call one more, same data dir); all are stopped afterwards."""
    started: list[ServeProcess] = []

    def start() -> ServeProcess:
        server = ServeProcess(serve_env, tmp_path / "serve.log")
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
