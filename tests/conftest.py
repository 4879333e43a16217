"""Shared fixtures: the fake LINE API, signed webhook events, a per-test app (flaskr style) and a live server.

The knowledge index is built once per session with the real embedder and copied into each test's data
directory, so every app answers from the real index without rebuilding it.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# The project root and tests/ are on the import path through pytest's `pythonpath` (pyproject.toml), so the
# packages resolve to the checkout and test modules import `fake_line`, `serve_support`, `shared_files`.
from fake_line import (
    ACCESS_TOKEN,
    CHANNEL_SECRET,
    SECRET_KEY,
    FakeLine,
    LineEvents,
    ScriptedConversation,
)
from flask import Flask
from postgres import BACKENDS, PostgresCluster
from serve_support import ServeProcess
from werkzeug.serving import make_server


@pytest.fixture
def fake_line() -> Iterator[FakeLine]:
    """LINE's Messaging API on 127.0.0.1 (real HTTP), recording every call."""
    fake = FakeLine(access_token=ACCESS_TOKEN).start()
    yield fake
    fake.stop()


@pytest.fixture
def signed_event() -> LineEvents:
    """Builds webhook events of every type, signs them with the test channel secret, posts them."""
    return LineEvents(CHANNEL_SECRET)


@pytest.fixture(scope="session")
def knowledge_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real index (real embedder, FAISS, BM25), built once for the whole session.

    A developer's `make index` result (.data/index) is reused as the starting point; `build_index` keeps it
    only if its manifest still matches the documents and embedder, and rebuilds it otherwise.
    """
    from knowledge import build_index

    data_dir = tmp_path_factory.mktemp("knowledge-index")
    local_index = Path(__file__).parents[1] / ".data" / "index"
    if local_index.is_dir():
        shutil.copytree(local_index, data_dir / "index")
    build_index(data_dir)
    return data_dir / "index"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "both_backends: run the tests that use the database on both backends")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.definition.get_closest_marker("both_backends") and "database_url" in metafunc.fixturenames:
        metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """One throwaway PostgreSQL cluster for the session (started only if a test asks for PostgreSQL)."""
    try:
        cluster = PostgresCluster()
    except FileNotFoundError as error:
        pytest.skip(str(error))
    yield cluster
    cluster.stop()


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """ "sqlite" unless the test module runs on both (`pytestmark = BOTH_BACKENDS`, tests/postgres.py)."""
    return getattr(request, "param", "sqlite")


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """ "" (SQLite in the data directory) or a fresh PostgreSQL database, dropped after the test."""
    if backend != "postgresql":
        yield ""
        return
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    url = cluster.create_database()
    yield url
    cluster.drop_database(url)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def settings_for(data_dir: Path, fake_line: FakeLine, database_url: str) -> Callable[..., Any]:
    """Settings for a test app talking to the fake LINE API, with fast retries; overrides as keywords."""
    from bot.config import Settings

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "data_dir": data_dir,
            "database_url": database_url,
            "channel_secret": CHANNEL_SECRET,
            "channel_access_token": ACCESS_TOKEN,
            "line_api_base_url": fake_line.base_url,
            "secret_key": SECRET_KEY,
            "testing": True,
            "worker_threads": 2,
            "db_timeout": 0.5,
            "backoff_base": 0.01,
            "backoff_cap": 0.05,
            "line_timeout": 2.0,
        }
        values.update(overrides)
        return Settings(**values)

    return make


@pytest.fixture
def make_app(
    settings_for: Callable[..., Any], request: pytest.FixtureRequest
) -> Iterator[Callable[..., Flask]]:
    """Build apps the way `yorisoi serve` does; pass `conversation_factory` to use a test router.

    With the default (the real conversation) the session's knowledge index is copied into the data dir first.
    """
    from bot.app import create_app

    built: list[Flask] = []

    def make(conversation_factory: Any = None, **overrides: Any) -> Flask:
        settings = settings_for(**overrides)
        if conversation_factory is None:
            index = request.getfixturevalue("knowledge_index")
            if not (settings.data_dir / "index").exists():
                shutil.copytree(index, settings.data_dir / "index")
            app = create_app(settings)
        else:
            app = create_app(settings, conversation_factory)
        built.append(app)
        return app

    yield make
    for app in built:
        app.extensions["yorisoi"].close()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    """The app with the real conversation and the real knowledge index."""
    return make_app()


@pytest.fixture
def plumbing_app(make_app: Callable[..., Flask]) -> Callable[..., Flask]:
    """Build an app whose conversation is a `ScriptedConversation` (reach it as `core.conversation`)."""

    def make(**overrides: Any) -> Flask:
        return make_app(ScriptedConversation, **overrides)

    return make


@dataclass
class LiveServer:
    url: str
    app: Flask

    @property
    def core(self) -> Any:
        return self.app.extensions["yorisoi"]


@pytest.fixture
def live_server_for() -> Iterator[Callable[[Flask], LiveServer]]:
    """Serve an app with werkzeug's threaded server on a random loopback port, so tests use real HTTP."""
    servers: list[Any] = []

    def serve(app: Flask) -> LiveServer:
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True, name="live-server").start()
        servers.append(server)
        return LiveServer(f"http://127.0.0.1:{server.port}", app)

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def live_server(live_server_for: Callable[[Flask], LiveServer], app: Flask) -> LiveServer:
    return live_server_for(app)


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
        # A killed worker's events are taken over after this; short, so the kill -9 tests stay quick.
        YORISOI_WORKER_LEASE="5",
    )
    if settings.database_url:
        env["YORISOI_DATABASE_URL"] = settings.database_url
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


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium through Playwright (`make browser` installs it), one per test module."""
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        pytest.skip("Debian's chromium is not installed (make browser)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
