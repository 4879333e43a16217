"""The one data layer: a `Database` per process, rows as dicts, `?` placeholders, on SQLite or PostgreSQL.

Every store in `bot`, `handoff` and `intents` receives this object and speaks portable SQL through four
methods (`query`, `one`, `execute`, `atomic`); nothing outside this module opens a file, sets a PRAGMA or
writes BEGIN/COMMIT. `YORISOI_DATABASE_URL` picks the backend (`connect`): unset, one SQLite file in the data
directory (sqlite-utils, one WAL connection per thread); `postgresql://…`, `PostgresDatabase` (psycopg 3 with
a connection pool), for several web nodes and workers on one shared store. The schema is not created by the
stores: numbered migrations (`bot/migrations`) build and change it on both, see `migrate`; `postgres_sql` is
the whole dialect translation (placeholders, and integer/identity column types in DDL).
"""

from __future__ import annotations

import fcntl
import functools
import logging
import os
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import psycopg
import sqlite_utils
from psycopg.adapt import Loader
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

log = logging.getLogger(__name__)

DATABASE_FILE = "yorisoi.db"
VERSION_TABLE = "schema_migrations"
DATABASE_URL_ENV = "YORISOI_DATABASE_URL"
# Raised for locked, unavailable or broken storage; the webhook answers 503 and the worker retries on it.
DatabaseError: tuple[type[Exception], ...] = (sqlite3.Error, psycopg.Error)
# Locked or unreachable (a lock wait timed out, a deadlock or serialization failure, a lost connection): worth
# trying again.
DatabaseUnavailable: tuple[type[Exception], ...] = (sqlite3.OperationalError, psycopg.OperationalError)
Params = Sequence[Any]
_MIGRATION_NAME = re.compile(r"(\d{4})_([a-z0-9_]+)\.sql")


_WRITER_LOCKS: dict[Path, threading.Lock] = {}
_WRITER_LOCKS_GUARD = threading.Lock()


def _writer_lock(path: Path) -> threading.Lock:
    """One lock per database file in this process, shared by every `Database` opened on it."""
    with _WRITER_LOCKS_GUARD:
        return _WRITER_LOCKS.setdefault(path.resolve(), threading.Lock())


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

    `backend` names it in /healthz; `skip_locked` is the clause a claiming SELECT ends with (empty here:
    SQLite has one writer at a time, so the claim's conditional UPDATE alone decides).

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
        self._writer = _writer_lock(self.path)

    backend = "sqlite"
    skip_locked = ""

    def describe(self) -> str:
        return str(self.path)

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
    def atomic(self, exclusive: bool = True) -> Iterator[Transaction]:
        """One write transaction (taken at once, so two writers never deadlock upgrading a read lock).

        Used inside another `atomic` on the same thread, it joins the outer transaction. `exclusive=False`
        lets PostgreSQL run it beside other writers (claims that lock their own rows); SQLite has one writer.
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
        # This process's writers queue here, woken the moment the lock is free; SQLite's own wait (for
        # writers in other processes) sleeps in growing steps, which under a burst of webhooks turns a
        # millisecond's work into tens of milliseconds.
        if not self._writer.acquire(timeout=self._timeout):
            raise sqlite3.OperationalError("database is locked (waited for this process's other writers)")
        try:
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
        finally:
            self._writer.release()

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

    def table_names(self) -> list[str]:
        return self._connection().table_names()

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
            raise sqlite3.DatabaseError(f"The copy failed its integrity check: {check}")
        partial.replace(destination)
        return destination

    def close(self) -> None:
        """Close this thread's connection (other threads' connections close with the process)."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None


# ---- PostgreSQL ---------------------------------------------------------------------------------------
# Advisory lock keys (any fixed 64-bit numbers; they only have to differ from each other).
WRITE_LOCK = 0x59_4F_52_49_00_01  # held by each exclusive `atomic`: one writer at a time, as on SQLite
MIGRATION_LOCK = 0x59_4F_52_49_00_02  # held by the process that checks and applies migrations
# DDL column types SQLite takes loosely and PostgreSQL needs spelled out: ids become identity columns
# (explicit ids still insert), every INTEGER is 64-bit (LINE's millisecond timestamps do not fit in 32 bits).
_DDL = re.compile(r"^\s*(CREATE|ALTER)\s+TABLE\b", re.IGNORECASE)
_DDL_TYPES = (
    (
        re.compile(r"\bINTEGER\s+PRIMARY\s+KEY(\s+AUTOINCREMENT)?\b", re.IGNORECASE),
        "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    ),
    (re.compile(r"\bINTEGER\b", re.IGNORECASE), "BIGINT"),
    (re.compile(r"\bREAL\b", re.IGNORECASE), "DOUBLE PRECISION"),
    (re.compile(r"\bBLOB\b", re.IGNORECASE), "BYTEA"),
)


@functools.lru_cache(maxsize=1024)
def postgres_sql(sql: str) -> str:
    """Portable SQL as PostgreSQL takes it: `?` → `%s` (and a literal `%` → `%%`) outside quoted strings
    and names; in CREATE/ALTER TABLE, the column types above. Nothing else in the project's SQL differs."""
    if _DDL.match(sql):
        for pattern, replacement in _DDL_TYPES:
            sql = pattern.sub(replacement, sql)
    out: list[str] = []
    quote = ""
    for char in sql:
        if quote:
            out.append("%%" if char == "%" else char)
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
            out.append(char)
        elif char == "?":
            out.append("%s")
        elif char == "%":
            out.append("%%")
        else:
            out.append(char)
    return "".join(out)


def _postgres_params(params: Params) -> tuple[Any, ...]:
    """Booleans go in as 0/1 (the schema keeps them INTEGER, as SQLite stores them)."""
    return tuple(int(value) if isinstance(value, bool) else value for value in params)


class _NumberLoader(Loader):
    """NUMERIC (what SUM and AVG of BIGINT give) as int when whole, else float: the types SQLite returns."""

    def load(self, data: Any) -> int | float:
        number = Decimal(bytes(data).decode("ascii"))
        return int(number) if number == number.to_integral_value() else float(number)


class PostgresTransaction(Transaction):
    """`query`, `one` and `execute` on one pooled connection (inside `atomic`, the open transaction)."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self._conn = conn

    def query(self, sql: str, params: Params = ()) -> list[dict[str, Any]]:
        with self._conn.cursor(row_factory=dict_row) as cursor:
            cursor.execute(postgres_sql(sql), _postgres_params(params))  # type: ignore[arg-type]
            return cursor.fetchall() if cursor.description else []

    def execute(self, sql: str, params: Params = ()) -> int:
        with self._conn.cursor() as cursor:
            cursor.execute(postgres_sql(sql), _postgres_params(params))  # type: ignore[arg-type]
            if cursor.description:
                cursor.fetchall()
            return cursor.rowcount


class PostgresDatabase(Database):
    """A PostgreSQL database shared by every web node and worker, through a psycopg connection pool.

    Outside `atomic` each statement borrows a pooled connection and commits on its own. `atomic` holds one
    connection for the transaction and, unless `exclusive=False`, the WRITE_LOCK advisory lock for it, so
    transactions keep the one-writer-at-a-time meaning they have on SQLite (the stores' read-then-write steps
    rely on it); worker claims run without it and lock their own rows with FOR UPDATE SKIP LOCKED. A lock wait
    longer than `timeout` raises DatabaseUnavailable, as SQLite's busy timeout does.
    """

    backend = "postgresql"
    skip_locked = " FOR UPDATE SKIP LOCKED"

    def __init__(self, url: str, timeout: float = 5.0, pool_size: int | None = None) -> None:
        self.url = url
        self.path = None  # type: ignore[assignment]
        self._timeout = timeout
        self._local = threading.local()
        try:  # one direct connection first, so a wrong URL or password says why, not "pool timeout"
            psycopg.connect(url, connect_timeout=10).close()
        except psycopg.OperationalError as error:
            raise psycopg.OperationalError(f"cannot connect to {self.describe()}: {error}".strip()) from None
        size = pool_size or int(os.environ.get("YORISOI_DATABASE_POOL", "16"))
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=size,
            kwargs={"autocommit": True},
            configure=self._configure,
            timeout=max(30.0, timeout),
            name="yorisoi",
            open=True,
        )

    def _configure(self, conn: psycopg.Connection[Any]) -> None:
        conn.adapters.register_loader("numeric", _NumberLoader)
        conn.execute(f"SET lock_timeout = {int(self._timeout * 1000)}")

    def describe(self) -> str:
        """The URL without its password (for logs and the CLI)."""
        return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", self.url)

    @contextmanager
    def _borrow(self) -> Iterator[psycopg.Connection[Any]]:
        held = getattr(self._local, "conn", None)
        if held is not None:
            yield held
            return
        with self._pool.connection() as conn:
            yield conn

    def query(self, sql: str, params: Params = ()) -> list[dict[str, Any]]:
        with self._borrow() as conn:
            return PostgresTransaction(conn).query(sql, params)

    def one(self, sql: str, params: Params = ()) -> dict[str, Any] | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def execute(self, sql: str, params: Params = ()) -> int:
        with self._borrow() as conn:
            return PostgresTransaction(conn).execute(sql, params)

    @contextmanager
    def atomic(self, exclusive: bool = True) -> Iterator[Transaction]:
        held = getattr(self._local, "conn", None)
        if held is not None:
            yield PostgresTransaction(held)
            return
        with self._pool.connection() as conn:
            self._local.conn = conn
            try:
                with conn.transaction():
                    if exclusive:
                        conn.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])
                    yield PostgresTransaction(conn)
            finally:
                self._local.conn = None

    @contextmanager
    def session_lock(self, key: int) -> Iterator[None]:
        """A session advisory lock on a connection of its own, waited for without a timeout."""
        with self._pool.connection() as conn:
            conn.execute("SET lock_timeout = 0")
            conn.execute("SELECT pg_advisory_lock(%s)", [key])
            try:
                yield
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", [key])
                conn.execute(f"SET lock_timeout = {int(self._timeout * 1000)}")

    def scrub(self) -> None:
        """Nothing to do from here: PostgreSQL frees deleted rows at VACUUM (see README, "More than one
        machine", on the server's own disk hygiene)."""

    def table_exists(self, name: str) -> bool:
        return name in self.table_names()

    def table_names(self) -> list[str]:
        rows = self.query(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
        return [row["table_name"] for row in rows]

    def backup(self, destination: Path) -> Path:
        raise psycopg.NotSupportedError(
            "PostgreSQL is backed up with pg_dump (see README, 'More than one machine')"
        )

    def close(self) -> None:
        """Close the pool (the process is done with the database)."""
        self._pool.close()


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
    if isinstance(db, PostgresDatabase):
        with db.session_lock(MIGRATION_LOCK):
            yield
        return
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
        has_data = legacy or any(table != VERSION_TABLE for table in db.table_names())
        copy = None
        if has_data and db.backend == "sqlite":  # PostgreSQL: the operator's pg_dump, see the README
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


def connect(data_dir: Path, url: str | None = None, timeout: float = 5.0) -> Database:
    """The configured database, not migrated: `url` (default: $YORISOI_DATABASE_URL) if it names PostgreSQL,
    else the SQLite file in `data_dir`."""
    url = os.environ.get(DATABASE_URL_ENV, "") if url is None else url
    if not url:
        return Database.in_data_dir(data_dir, timeout=timeout)
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresDatabase(url, timeout=timeout)
    raise ValueError(f"{DATABASE_URL_ENV} must be empty (SQLite) or start with postgresql://")


def open_database(data_dir: Path, timeout: float = 5.0, url: str | None = None) -> Database:
    """The configured database, migrated to the newest schema (what the app and the CLI start with)."""
    db = connect(data_dir, url, timeout)
    report = migrate(db)
    if report.applied:
        log.info(
            "database migrated to version %d (%s)",
            report.version,
            ", ".join(f"{m.version:04d}_{m.name}" for m in report.applied),
        )
    return db


# Rows a migration inserts into a new database (a condition naming exactly them): a migrated, empty target
# holds these, and the copy replaces them with the source's.
SEEDED_BY_MIGRATIONS = {"content_version": "id = 1 AND version = 0"}


def copy_data(source: Database, target: Database) -> dict[str, int]:
    """Copy every row of every table of `source` into the same tables of `target` (both migrated to the same
    version), in one transaction; identity counters on PostgreSQL continue after the copied ids.

    Refuses a target whose tables already hold rows (other than the migration record and the rows the
    migrations themselves seed), so nothing is mixed.
    """
    versions = applied_versions(source), applied_versions(target)
    if versions[0] != versions[1]:
        raise ValueError(
            f"schema versions differ: {max(versions[0])} → {max(versions[1])}; migrate both first"
        )
    tables = [table for table in source.table_names() if table != VERSION_TABLE]
    missing = set(tables) - set(target.table_names())
    if missing:
        raise ValueError(f"the target lacks tables {sorted(missing)}")
    counts: dict[str, int] = {}
    with target.atomic() as tx:
        for table in tables:
            if table in SEEDED_BY_MIGRATIONS:
                tx.execute(f"DELETE FROM {table} WHERE {SEEDED_BY_MIGRATIONS[table]}")
            if tx.one(f"SELECT 1 AS found FROM {table} LIMIT 1"):
                raise ValueError(f"the target's table {table} is not empty")
            rows = source.query(f"SELECT * FROM {table}")
            counts[table] = len(rows)
            if not rows:
                continue
            columns = list(rows[0])
            insert = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
            for row in rows:
                tx.execute(insert, [row[column] for column in columns])
            if isinstance(target, PostgresDatabase) and "id" in columns:
                tx.query(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
                )
    return counts
