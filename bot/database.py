"""The one data layer (sqlite-utils on SQLite): a `Database` per process, one connection per thread, rows as
dicts, `?` placeholders.

Every store in `bot`, `handoff` and `intents` receives this object and speaks portable SQL through four
methods (`query`, `one`, `execute`, `atomic`); nothing outside this module opens a file, sets a PRAGMA or
writes BEGIN/COMMIT, so a PostgreSQL backend can be added here without touching the callers. The schema is
not created by the stores: numbered migrations (`bot/migrations`) build and change it, see `migrate`.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import sqlite_utils

log = logging.getLogger(__name__)

DATABASE_FILE = "yorisoi.db"
VERSION_TABLE = "schema_migrations"
# Raised for locked, unavailable or broken storage; the webhook answers 503 and the worker retries on it.
DatabaseError = sqlite3.Error
# Locked or unreachable: worth trying again.
DatabaseUnavailable = sqlite3.OperationalError
Params = Sequence[Any]
_MIGRATION_NAME = re.compile(r"(\d{4})_([a-z0-9_]+)\.sql")


class Transaction:
    """`query`, `one` and `execute` on one thread's connection (what `Database.atomic` yields, bound to the
    open write transaction). Rows come from sqlite-utils as dicts, all fetched, so no reader lingers."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    def query(self, sql: str, params: Params = ()) -> list[dict[str, Any]]:
        return list(self._db.query(sql, tuple(params)))

    def one(self, sql: str, params: Params = ()) -> dict[str, Any] | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def execute(self, sql: str, params: Params = ()) -> int:
        """Run a statement; returns the number of rows it changed."""
        cursor = self._db.execute(sql, tuple(params))
        cursor.fetchall()
        return cursor.rowcount


class Database:
    """One SQLite file in the data directory, each thread with its own WAL-mode connection.

    `timeout` is how long a writer waits for the lock; the webhook answers 503 after it rather than hang.
    Outside `atomic`, each statement commits on its own.
    """

    def __init__(self, path: Path, timeout: float = 5.0) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Owner-only from the first byte; SQLite gives the -wal and -shm files the same mode.
        self.path.touch(mode=0o600, exist_ok=True)
        self._timeout = timeout
        self._local = threading.local()

    @classmethod
    def in_data_dir(cls, data_dir: Path, timeout: float = 5.0) -> Database:
        return cls(Path(data_dir) / DATABASE_FILE, timeout=timeout)

    def _connection(self) -> sqlite_utils.Database:
        db = getattr(self._local, "db", None)
        if db is None:
            conn = sqlite3.connect(
                self.path, timeout=self._timeout, isolation_level=None, check_same_thread=False
            )
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            # Deleted rows are overwritten with zeros, so a forgotten resident leaves nothing in free pages.
            conn.execute("PRAGMA secure_delete=ON")
            db = sqlite_utils.Database(conn)
            self._local.db = db
            self._local.depth = 0
        return db

    def query(self, sql: str, params: Params = ()) -> list[dict[str, Any]]:
        return Transaction(self._connection()).query(sql, params)

    def one(self, sql: str, params: Params = ()) -> dict[str, Any] | None:
        return Transaction(self._connection()).one(sql, params)

    def execute(self, sql: str, params: Params = ()) -> int:
        return Transaction(self._connection()).execute(sql, params)

    @contextmanager
    def atomic(self) -> Iterator[Transaction]:
        """One write transaction (taken at once, so two writers never deadlock upgrading a read lock).

        Used inside another `atomic` on the same thread, it joins the outer transaction.
        """
        db = self._connection()
        conn = db.conn
        if self._local.depth:
            self._local.depth += 1
            try:
                yield Transaction(db)
            finally:
                self._local.depth -= 1
            return
        conn.execute("BEGIN IMMEDIATE")
        self._local.depth = 1
        try:
            yield Transaction(db)
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")
        finally:
            self._local.depth = 0

    def scrub(self) -> None:
        """Move committed deletions out of the write-ahead log into the (zeroed) file and empty the log."""
        conn = self._connection().conn
        for attempt in range(10):
            busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if not busy or busy[0] == 0:
                return
            threading.Event().wait(0.02 * (attempt + 1))  # a reader still holds an old snapshot

    def table_exists(self, name: str) -> bool:
        return self._connection()[name].exists()

    def backup(self, destination: Path) -> Path:
        """A consistent online copy (owner-only) at `destination`, checked before it replaces anything."""
        destination.parent.mkdir(parents=True, exist_ok=True)
        partial = destination.with_name(destination.name + ".partial")
        partial.unlink(missing_ok=True)
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        source = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=self._timeout)
        target = sqlite3.connect(partial)
        try:
            with target:
                source.backup(target, pages=1024)
            check = target.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            source.close()
            target.close()
        if check != "ok":
            partial.unlink(missing_ok=True)
            raise DatabaseError(f"The copy failed its integrity check: {check}")
        partial.replace(destination)
        return destination

    def close(self) -> None:
        """Close this thread's connection (other threads' connections close with the process)."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None


# ---- migrations ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str = field(repr=False)

    def statements(self) -> list[str]:
        """The file's statements (split on `;`; migrations hold no `;` inside strings or triggers)."""
        lines = [line for line in self.sql.splitlines() if not line.lstrip().startswith("--")]
        return [statement.strip() for statement in "\n".join(lines).split(";") if statement.strip()]


def available_migrations() -> list[Migration]:
    """Every `bot/migrations/NNNN_name.sql`, in order; the numbers must run 1, 2, 3… without a gap."""
    found = []
    for entry in resources.files("bot.migrations").iterdir():
        match = _MIGRATION_NAME.fullmatch(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda migration: migration.version)
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..n without gaps: {[m.version for m in found]}")
    return found


# Tables that the release before numbered migrations (b2eb11d) created lazily; any of them means "version 1".
RELEASE_TABLES = (
    "bot_events",
    "bot_outbox",
    "bot_conversations",
    "handoff_threads",
    "handoff_messages",
    "handoff_notes",
    "handoff_audit",
    "handoff_accounts",
    "intents_dialogues",
)


@dataclass(frozen=True)
class MigrationReport:
    applied: list[Migration]
    stamped: bool  # a database from before numbered migrations, recorded as version 1
    backup: Path | None
    version: int


def applied_versions(db: Database) -> set[int]:
    if not db.table_exists(VERSION_TABLE):
        return set()
    return {row["version"] for row in db.query(f"SELECT version FROM {VERSION_TABLE}")}


@contextmanager
def _migration_lock(db: Database) -> Iterator[None]:
    """Held while one process checks and migrates; the others wait here, then find nothing to do."""
    lock_path = db.path.with_name(db.path.name + ".migrate-lock")
    descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        os.close(descriptor)


def migrate(
    db: Database, backup_dir: Path | None = None, migrations: Sequence[Migration] | None = None
) -> MigrationReport:
    """Bring the schema to the newest migration; idempotent and safe for processes starting together.

    A database that holds data gets a `backup` copy in `backup_dir` (default: `backups/` beside it) before
    the first change. A database from before numbered migrations has the tables of migration 1 and no
    version table: its missing tables (if any) are created and it is stamped version 1, nothing else changes.
    `migrations` (default: the packaged ones) lets tests add a later version.
    """
    migrations = available_migrations() if migrations is None else list(migrations)
    with _migration_lock(db):
        done = applied_versions(db)
        pending = [m for m in migrations if m.version not in done]
        if not pending:
            return MigrationReport([], False, None, max(done, default=0))
        legacy = not done and any(db.table_exists(table) for table in RELEASE_TABLES)
        has_data = legacy or bool(
            db.one("SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name != ?", [VERSION_TABLE])
        )
        copy = None
        if has_data:
            folder = backup_dir or db.path.parent / "backups"
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # the copies are as sensitive as the DB
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            copy = db.backup(folder / f"yorisoi-{stamp}-before-v{pending[-1].version:04d}.db")
            log.info("database copied to %s before migrating", copy)
        with db.atomic() as tx:
            tx.execute(
                f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} ("
                "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            for migration in pending:
                # Migration 1 only adds what is missing, so on a release database it changes nothing.
                for statement in migration.statements():
                    tx.execute(statement)
                tx.execute(
                    f"INSERT INTO {VERSION_TABLE} (version, name, applied_at) VALUES (?, ?, ?)",
                    [migration.version, migration.name, datetime.now(UTC).isoformat(timespec="seconds")],
                )
        return MigrationReport(pending, legacy, copy, pending[-1].version)


def open_database(data_dir: Path, timeout: float = 5.0) -> Database:
    """The data directory's database, migrated to the newest schema (what the app and the CLI start with)."""
    db = Database.in_data_dir(data_dir, timeout=timeout)
    report = migrate(db)
    if report.applied:
        log.info(
            "database migrated to version %d (%s)",
            report.version,
            ", ".join(f"{m.version:04d}_{m.name}" for m in report.applied),
        )
    return db
