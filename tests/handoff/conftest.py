"""Fixtures for the handoff tests: a real SQLite file per test, a real identity, a recording `deliver`."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from bot.database import Database, open_database
from handoff import (
    AuditLog,
    CounselorAccounts,
    CounselorReplies,
    ResidentIdentity,
    ThreadStore,
    generate_secret_key,
)

LINE_USER_ID = "U4af4980629f8c7b5e3f1a2b3c4d5e6f7"


@pytest.fixture
def handoff_dir(tmp_path: Path) -> Path:
    path = tmp_path / "handoff-data"
    path.mkdir()
    return path


@pytest.fixture
def db(handoff_dir: Path, database_url: str) -> Iterator[Database]:
    """SQLite in the test's folder, or a fresh PostgreSQL database where the module runs on both backends."""
    database = open_database(handoff_dir, url=database_url)
    yield database
    if database.backend == "postgresql":
        database.close()


@pytest.fixture
def identity() -> ResidentIdentity:
    return ResidentIdentity(generate_secret_key())


@pytest.fixture
def audit(db: Database) -> AuditLog:
    return AuditLog(db)


@pytest.fixture
def store(db: Database, identity: ResidentIdentity, audit: AuditLog) -> ThreadStore:
    return ThreadStore(db, identity, audit)


@pytest.fixture
def accounts(db: Database) -> CounselorAccounts:
    return CounselorAccounts(db)


@dataclass
class RecordingDeliver:
    """Stands in for the bot's push: records every call and answers with a chosen status."""

    identity: ResidentIdentity
    status: str = "delivered"
    calls: list[tuple[str, str, str]] = field(default_factory=list)

    def __call__(self, user_ref: str, text: str, retry_key: str) -> str:
        self.calls.append((self.identity.unseal(user_ref), text, retry_key))
        if self.status == "raise":
            raise ConnectionError("LINE unreachable")
        return self.status


@pytest.fixture
def deliver(identity: ResidentIdentity) -> RecordingDeliver:
    return RecordingDeliver(identity)


@pytest.fixture
def replies(store: ThreadStore, audit: AuditLog, deliver: RecordingDeliver) -> CounselorReplies:
    return CounselorReplies(store, audit, deliver)


@pytest.fixture
def open_thread(store: ThreadStore, identity: ResidentIdentity) -> Callable:
    """Open a thread for a LINE user id the way the bot does (keyed hash + sealed push target)."""

    def make(line_user_id: str = LINE_USER_ID, reason: str = "request", urgent: bool = False, **kwargs):
        user_key, user_ref = identity.user_key(line_user_id), identity.seal(line_user_id)
        return store.open(user_key, user_ref, reason, urgent, **kwargs)

    return make


@pytest.fixture
def dashboard_app(
    store: ThreadStore, accounts: CounselorAccounts, replies: CounselorReplies, audit: AuditLog
):
    """A small Flask app with only the dashboard, configured the way the app factory must configure it."""
    from flask import Flask

    from handoff import DashboardServices, ReceptionHours, init_dashboard, load_canned_replies

    app = Flask("dashboard-test")
    app.config.update(
        SECRET_KEY=generate_secret_key(),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=False,
    )
    hours = ReceptionHours.parse("mon-fri 08:30-16:00")
    init_dashboard(
        app, DashboardServices(store, accounts, replies, audit, hours, canned_replies=load_canned_replies())
    )
    accounts.add("admin", "admin-password", admin=True)
    accounts.add("suzuki", "suzuki-password")
    return app


@pytest.fixture
def base_url(dashboard_app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, dashboard_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True, name="dashboard-server")
    thread.start()
    yield f"http://127.0.0.1:{server.port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def page(browser) -> Iterator:
    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
