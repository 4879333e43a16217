"""One SQLite database in the data directory, one connection per thread.

The stores of `handoff`, `intents` and `bot` receive `connect` (a zero-argument callable returning a
`sqlite_utils.Database`) so they never open files themselves and never share a connection across threads.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import sqlite_utils

Connect = Callable[[], sqlite_utils.Database]

DATABASE_FILE = "yorisoi.db"


def database_connector(data_dir: Path, timeout: float = 5.0) -> Connect:
    """Return a `connect` callable giving each thread its own WAL-mode connection to the data directory's DB.

    `timeout` is how long a writer waits for the lock; the webhook answers 503 after it rather than hang.
    """
    path = Path(data_dir) / DATABASE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    # Owner-only from the first byte; SQLite gives the -wal and -shm files the same mode.
    path.touch(mode=0o600, exist_ok=True)
    local = threading.local()

    def connect() -> sqlite_utils.Database:
        db = getattr(local, "db", None)
        if db is None:
            conn = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA secure_delete=ON")
            db = sqlite_utils.Database(conn)
            local.db = db
        return db

    return connect
