"""Escalated threads in SQLite: status, urgency, transcript, household facts, notes and the audit trail.

A leaked database file is in the threat model, so every text a resident or counselor wrote (messages,
notes, facts, suggested programs) is sealed with the resident-identity key, residents are known only by
`user_key`, and the push target only as the sealed `user_ref`. Deleting is real deletion: `secure_delete`
and a WAL checkpoint make sure forgotten rows do not linger in the file.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import sqlite_utils

from handoff import messages
from handoff.identity import ResidentIdentity, SealError

Connect = Callable[[], sqlite_utils.Database]
Deliver = Callable[[str, str, str], str]
Sender = Literal["resident", "bot", "counselor"]
SENDERS = ("resident", "bot", "counselor")
OPEN_STATUSES = ("waiting", "claimed")
DELETED_STATUS = "deleted"
# How long a counselor's last message keeps the bot from auto-acknowledging the resident.
COUNSELOR_ACTIVE_WINDOW = timedelta(minutes=30)
# How long the queue shows that a resident deleted their data mid-thread.
DELETED_VISIBLE = timedelta(days=1)
MAX_TEXT_LENGTH = 20_000
TEXT_PURPOSE = "handoff-text"
_USER_KEY = re.compile(r"[0-9a-f]{64}")


class ThreadNotFound(KeyError):
    """No thread with that id (it may have been forgotten or purged)."""


class ThreadStateError(ValueError):
    """The thread is not in a state that allows this step; `reason` is a key of messages.DASHBOARD."""

    def __init__(self, reason: str, claimed_by: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.claimed_by = claimed_by


def utcnow() -> datetime:
    return datetime.now(UTC)


def _stamp(moment: datetime | None) -> str:
    moment = moment or utcnow()
    if moment.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def parse_stamp(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


@dataclass(frozen=True)
class Thread:
    id: int
    user_key: str
    user_ref: str
    status: str
    urgent: bool
    reason: str
    categories: list[str]
    created_at: datetime
    last_message_at: datetime | None
    message_count: int
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    resolved_at: datetime | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    programs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


@dataclass(frozen=True)
class Message:
    id: int
    thread_id: int
    sender: str
    text: str
    at: datetime
    author: str | None = None
    delivery: str | None = None
    retry_key: str | None = None

    @property
    def delivered(self) -> bool:
        return self.delivery is not None and self.delivery == "delivered"

    @property
    def can_retry(self) -> bool:
        """A counselor reply whose push failed (or may have) can be pushed again under the same retry key."""
        return self.sender == "counselor" and self.delivery is not None and not self.delivered


@dataclass(frozen=True)
class Latest:
    """The queue's view of a thread: its last message and whether the resident wrote after the counselor."""

    message: Message | None
    resident_waiting: bool


@dataclass(frozen=True)
class Note:
    id: int
    thread_id: int
    author: str
    text: str
    at: datetime


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    thread_id: int | None
    detail: str


class ThreadStore:
    """The handoff tables. Text columns need `identity`; without it only metadata can be read or changed."""

    def __init__(self, connect: Connect, identity: ResidentIdentity | None = None) -> None:
        self._connect = connect
        self._identity = identity
        self._create_tables(connect())

    @staticmethod
    def _create_tables(db: sqlite_utils.Database) -> None:
        db["handoff_threads"].create(
            {
                "id": int,
                "user_key": str,
                "user_ref": str,
                "status": str,
                "urgent": int,
                "reason": str,
                "categories": str,
                "facts": str,
                "programs": str,
                "claimed_by": str,
                "created_at": str,
                "claimed_at": str,
                "resolved_at": str,
                "last_message_at": str,
            },
            pk="id",
            not_null={"user_key", "user_ref", "status", "urgent", "reason", "categories", "created_at"},
            if_not_exists=True,
        )
        db["handoff_threads"].create_index(["user_key"], if_not_exists=True)
        db["handoff_threads"].create_index(["status", "urgent", "created_at"], if_not_exists=True)
        db["handoff_messages"].create(
            {
                "id": int,
                "thread_id": int,
                "sender": str,
                "text": str,
                "at": str,
                "author": str,
                "delivery": str,
                "retry_key": str,
            },
            pk="id",
            not_null={"thread_id", "sender", "text", "at"},
            if_not_exists=True,
        )
        db["handoff_messages"].create_index(["thread_id"], if_not_exists=True)
        db["handoff_messages"].create_index(["retry_key"], unique=True, if_not_exists=True)
        db["handoff_notes"].create(
            {"id": int, "thread_id": int, "author": str, "text": str, "at": str},
            pk="id",
            not_null={"thread_id", "author", "text", "at"},
            if_not_exists=True,
        )
        db["handoff_notes"].create_index(["thread_id"], if_not_exists=True)
        db["handoff_audit"].create(
            {"id": int, "at": str, "actor": str, "action": str, "thread_id": int, "detail": str},
            pk="id",
            not_null={"at", "actor", "action", "detail"},
            if_not_exists=True,
        )

    # --- sealing -------------------------------------------------------------------------------------
    def _require_identity(self) -> ResidentIdentity:
        if self._identity is None:
            raise RuntimeError("ThreadStore needs the ResidentIdentity to read or write message text")
        return self._identity

    def _seal(self, text: str) -> str:
        return self._require_identity().seal(text, purpose=TEXT_PURPOSE)

    def _unseal(self, token: str) -> str:
        return self._require_identity().unseal(token, purpose=TEXT_PURPOSE)

    def _seal_json(self, value: object) -> str | None:
        return self._seal(json.dumps(value, ensure_ascii=False)) if value else None

    def _unseal_json(self, token: str | None, empty: Any) -> Any:
        if not token or self._identity is None:
            return empty
        return json.loads(self._unseal(token))

    # --- transactions --------------------------------------------------------------------------------
    @contextmanager
    def _transaction(self) -> Iterator[sqlite_utils.Database]:
        db = self._connect()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    @staticmethod
    def _audit(
        db: sqlite_utils.Database, actor: str, action: str, thread_id: int | None, detail: str, at: str
    ):
        db.execute(
            "INSERT INTO handoff_audit (at, actor, action, thread_id, detail) VALUES (?, ?, ?, ?, ?)",
            [at, actor, action, thread_id, detail],
        )

    # --- threads -------------------------------------------------------------------------------------
    _THREAD_SELECT = (
        "SELECT t.*, (SELECT COUNT(*) FROM handoff_messages m WHERE m.thread_id = t.id) AS message_count "
        "FROM handoff_threads t"
    )

    def _thread(self, row: dict[str, Any]) -> Thread:
        return Thread(
            id=row["id"],
            user_key=row["user_key"],
            user_ref=row["user_ref"],
            status=row["status"],
            urgent=bool(row["urgent"]),
            reason=row["reason"],
            categories=json.loads(row["categories"]),
            created_at=parse_stamp(row["created_at"]),  # type: ignore[arg-type]
            last_message_at=parse_stamp(row["last_message_at"]),
            message_count=row["message_count"],
            claimed_by=row["claimed_by"],
            claimed_at=parse_stamp(row["claimed_at"]),
            resolved_at=parse_stamp(row["resolved_at"]),
            facts=self._unseal_json(row["facts"], {}),
            programs=self._unseal_json(row["programs"], []),
        )

    def _rows(self, db: sqlite_utils.Database, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        cursor = db.execute(sql, list(params))
        columns = [c[0] for c in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]

    def get(self, thread_id: int) -> Thread:
        rows = self._rows(self._connect(), f"{self._THREAD_SELECT} WHERE t.id = ?", [thread_id])
        if not rows:
            raise ThreadNotFound(thread_id)
        return self._thread(rows[0])

    def open_thread_for(self, user_key: str) -> Thread | None:
        """The resident's waiting or claimed thread, if any (the bot relays messages into it)."""
        rows = self._rows(
            self._connect(),
            f"{self._THREAD_SELECT} WHERE t.user_key = ? AND t.status IN ('waiting', 'claimed') "
            "ORDER BY t.id DESC LIMIT 1",
            [user_key],
        )
        return self._thread(rows[0]) if rows else None

    def open(
        self,
        user_key: str,
        user_ref: str,
        reason: str,
        urgent: bool,
        facts: dict | None = None,
        programs: list[dict] | None = None,
        *,
        categories: list[str] | None = None,
        now: datetime | None = None,
    ) -> Thread:
        """Open a thread for the resident, or return their open one (raising its urgency if need be)."""
        if not _USER_KEY.fullmatch(user_key or ""):
            raise ValueError("user_key must be ResidentIdentity.user_key(...), never a LINE user id")
        identity = self._require_identity()
        try:
            identity.unseal(user_ref)
        except SealError as error:
            raise ValueError("user_ref must be a token from ResidentIdentity.seal(...)") from error
        at = _stamp(now)
        with self._transaction() as db:
            rows = self._rows(
                db,
                "SELECT * FROM handoff_threads WHERE user_key = ? AND status IN ('waiting', 'claimed') "
                "ORDER BY id DESC LIMIT 1",
                [user_key],
            )
            if rows:
                thread_id = rows[0]["id"]
                known = json.loads(rows[0]["categories"])
                merged = known + [c for c in categories or [] if c not in known]
                raised = urgent and not rows[0]["urgent"]
                db.execute(
                    "UPDATE handoff_threads SET urgent = MAX(urgent, ?), categories = ?, user_ref = ?, "
                    "reason = CASE WHEN ? THEN ? ELSE reason END, "
                    "facts = COALESCE(?, facts), programs = COALESCE(?, programs) WHERE id = ?",
                    [
                        int(urgent),
                        json.dumps(merged),
                        user_ref,
                        int(raised),
                        reason,
                        self._seal_json(facts),
                        self._seal_json(programs),
                        thread_id,
                    ],
                )
                if raised:
                    self._audit(db, "bot", "escalate", thread_id, f"reason={reason} urgent=1", at)
            else:
                cursor = db.execute(
                    "INSERT INTO handoff_threads (user_key, user_ref, status, urgent, reason, categories, "
                    "facts, programs, created_at, last_message_at) "
                    "VALUES (?, ?, 'waiting', ?, ?, ?, ?, ?, ?, ?)",
                    [
                        user_key,
                        user_ref,
                        int(urgent),
                        reason,
                        json.dumps(categories or []),
                        self._seal_json(facts),
                        self._seal_json(programs),
                        at,
                        at,
                    ],
                )
                thread_id = cursor.lastrowid
                self._audit(db, "bot", "open", thread_id, f"reason={reason} urgent={int(urgent)}", at)
        return self.get(thread_id)

    def list(self, statuses: Iterable[str] | None = None, *, limit: int | None = None) -> list[Thread]:
        """Threads, urgent first, then those waiting longest."""
        where, params = "", []
        if statuses is not None:
            wanted = list(statuses)
            where = f" WHERE t.status IN ({', '.join('?' for _ in wanted)})"
            params.extend(wanted)
        sql = f"{self._THREAD_SELECT}{where} ORDER BY t.urgent DESC, t.created_at ASC, t.id ASC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [self._thread(row) for row in self._rows(self._connect(), sql, params)]

    def queue(self) -> list[Thread]:
        """Open threads in the order counselors should take them."""
        return self.list(OPEN_STATUSES)

    def recently_resolved(self, limit: int = 30) -> list[Thread]:
        sql = (
            f"{self._THREAD_SELECT} WHERE t.status = 'resolved' "
            "ORDER BY t.resolved_at DESC, t.id DESC LIMIT ?"
        )
        return [self._thread(row) for row in self._rows(self._connect(), sql, [limit])]

    def claim(self, thread_id: int, counselor: str, *, take_over: bool = False, now: datetime | None = None):
        """waiting → claimed by `counselor`; taking over someone else's thread needs `take_over`."""
        at = _stamp(now)
        with self._transaction() as db:
            rows = self._rows(db, "SELECT status, claimed_by FROM handoff_threads WHERE id = ?", [thread_id])
            if not rows:
                raise ThreadNotFound(thread_id)
            status, holder = rows[0]["status"], rows[0]["claimed_by"]
            if status == "resolved":
                raise ThreadStateError("not_open")
            if status == "claimed" and holder != counselor and not take_over:
                raise ThreadStateError("claimed_by_other", claimed_by=holder)
            if holder != counselor or status != "claimed":
                db.execute(
                    "UPDATE handoff_threads SET status = 'claimed', claimed_by = ?, claimed_at = ? "
                    "WHERE id = ?",
                    [counselor, at, thread_id],
                )
                detail = f"from={holder}" if holder and holder != counselor else ""
                self._audit(db, counselor, "claim", thread_id, detail, at)
        return self.get(thread_id)

    def resolve(self, thread_id: int, counselor: str, *, now: datetime | None = None) -> Thread:
        """waiting/claimed → resolved; the bot answers the resident again from now on."""
        at = _stamp(now)
        with self._transaction() as db:
            rows = self._rows(db, "SELECT status FROM handoff_threads WHERE id = ?", [thread_id])
            if not rows:
                raise ThreadNotFound(thread_id)
            if rows[0]["status"] == "resolved":
                raise ThreadStateError("not_open")
            db.execute(
                "UPDATE handoff_threads SET status = 'resolved', resolved_at = ? WHERE id = ?",
                [at, thread_id],
            )
            self._audit(db, counselor, "resolve", thread_id, "", at)
        return self.get(thread_id)

    # --- transcript ----------------------------------------------------------------------------------
    def _message(self, row: dict[str, Any]) -> Message:
        return Message(
            id=row["id"],
            thread_id=row["thread_id"],
            sender=row["sender"],
            text=self._unseal(row["text"]),
            at=parse_stamp(row["at"]),  # type: ignore[arg-type]
            author=row["author"],
            delivery=row["delivery"],
            retry_key=row["retry_key"],
        )

    def append(
        self,
        thread_id: int,
        sender: Sender,
        text: str,
        *,
        author: str | None = None,
        delivery: str | None = None,
        retry_key: str | None = None,
        now: datetime | None = None,
    ) -> Message:
        """Add a message to the transcript; the bot relays resident messages here while a thread is open."""
        if sender not in SENDERS:
            raise ValueError(f"sender must be one of {SENDERS}, not {sender!r}")
        if len(text) > MAX_TEXT_LENGTH:
            raise ValueError(f"message text is longer than {MAX_TEXT_LENGTH} characters")
        sealed, at = self._seal(text), _stamp(now)
        with self._transaction() as db:
            if not self._rows(db, "SELECT id FROM handoff_threads WHERE id = ?", [thread_id]):
                raise ThreadNotFound(thread_id)
            cursor = db.execute(
                "INSERT INTO handoff_messages (thread_id, sender, text, at, author, delivery, retry_key) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [thread_id, sender, sealed, at, author, delivery, retry_key],
            )
            db.execute("UPDATE handoff_threads SET last_message_at = ? WHERE id = ?", [at, thread_id])
            message_id = cursor.lastrowid
        return self.message(message_id)

    def message(self, message_id: int) -> Message:
        rows = self._rows(self._connect(), "SELECT * FROM handoff_messages WHERE id = ?", [message_id])
        if not rows:
            raise KeyError(message_id)
        return self._message(rows[0])

    def message_by_retry_key(self, retry_key: str) -> Message | None:
        rows = self._rows(self._connect(), "SELECT * FROM handoff_messages WHERE retry_key = ?", [retry_key])
        return self._message(rows[0]) if rows else None

    def transcript(self, thread_id: int) -> list[Message]:
        rows = self._rows(
            self._connect(), "SELECT * FROM handoff_messages WHERE thread_id = ? ORDER BY at, id", [thread_id]
        )
        return [self._message(row) for row in rows]

    def set_delivery(self, message_id: int, status: str) -> None:
        self._connect().execute("UPDATE handoff_messages SET delivery = ? WHERE id = ?", [status, message_id])

    def send_reply(
        self, thread_id: int, counselor: str, text: str, retry_key: str, deliver: Deliver
    ) -> tuple[Message, bool]:
        """Record a counselor reply and push it once; a second call with the same retry key sends nothing.

        Returns the message and whether this call pushed it. The row is written before the push, so a crash
        in between leaves a "sending" reply that the counselor can push again under the same retry key.
        """
        existing = self.message_by_retry_key(retry_key)
        if existing is not None:
            return existing, False
        thread = self.get(thread_id)
        if not thread.is_open:
            raise ThreadStateError("not_open")
        try:
            message = self.append(
                thread_id, "counselor", text, author=counselor, delivery="sending", retry_key=retry_key
            )
        except sqlite3.IntegrityError:
            return self.message_by_retry_key(retry_key), False  # type: ignore[return-value]
        return self._push(message, thread.user_ref, deliver, counselor), True

    def retry_delivery(self, message_id: int, counselor: str, deliver: Deliver) -> Message:
        """Push a reply whose delivery failed again, under its original retry key (LINE drops duplicates)."""
        message = self.message(message_id)
        if not message.can_retry:
            return message
        return self._push(message, self.get(message.thread_id).user_ref, deliver, counselor)

    def _push(self, message: Message, user_ref: str, deliver: Deliver, actor: str) -> Message:
        wire_text = messages.COUNSELOR_REPLY.format(text=message.text)
        try:
            status = str(deliver(user_ref, wire_text, message.retry_key or ""))
        except Exception as error:  # the bot's delivery failed; the reply stays recorded and can be retried
            status = f"failed: {type(error).__name__}"
        self.set_delivery(message.id, status)
        self.audit(actor, "reply", message.thread_id, f"message={message.id} delivery={status[:60]}")
        return self.message(message.id)

    def counselor_active(
        self, thread: Thread, now: datetime | None = None, window: timedelta = COUNSELOR_ACTIVE_WINDOW
    ) -> bool:
        """A counselor claimed the thread and wrote in it within `window`: the bot keeps quiet then."""
        if thread.status != "claimed":
            return False
        row = (
            self._connect()
            .execute(
                "SELECT 1 FROM handoff_messages WHERE thread_id = ? AND sender = 'counselor' AND at >= ? "
                "LIMIT 1",
                [thread.id, _stamp((now or utcnow()) - window)],
            )
            .fetchone()
        )
        return row is not None

    def latest(self, thread_id: int) -> Latest:
        """The last message and whether a resident message came after the last counselor message."""
        rows = self._rows(
            self._connect(),
            "SELECT * FROM handoff_messages WHERE thread_id = ? ORDER BY at DESC, id DESC LIMIT 1",
            [thread_id],
        )
        waiting = self._connect().execute(
            "SELECT EXISTS (SELECT 1 FROM handoff_messages r WHERE r.thread_id = ? AND r.sender = 'resident' "
            "AND r.id > COALESCE((SELECT MAX(c.id) FROM handoff_messages c "
            "WHERE c.thread_id = ? AND c.sender = 'counselor'), 0))",
            [thread_id, thread_id],
        )
        return Latest(self._message(rows[0]) if rows else None, bool(waiting.fetchone()[0]))

    def recently_deleted(self, now: datetime | None = None) -> list[Thread]:
        """Tombstones of open threads whose resident deleted their data, for a day."""
        sql = f"{self._THREAD_SELECT} WHERE t.status = ? AND t.resolved_at >= ? ORDER BY t.resolved_at DESC"
        cutoff = _stamp((now or utcnow()) - DELETED_VISIBLE)
        return [self._thread(row) for row in self._rows(self._connect(), sql, [DELETED_STATUS, cutoff])]

    def _leave_tombstones(self, db: sqlite_utils.Database, thread_ids: list[int], at: str) -> None:
        """Open threads of a forgotten resident become rows with no resident data: status, counselor, time."""
        for thread_id in thread_ids:
            db.execute(
                "INSERT INTO handoff_threads (id, user_key, user_ref, status, urgent, reason, categories, "
                "claimed_by, created_at, resolved_at) VALUES (?, '', '', ?, 0, ?, '[]', ?, ?, ?)",
                [thread_id, DELETED_STATUS, DELETED_STATUS, None, at, at],
            )

    # --- notes ---------------------------------------------------------------------------------------
    def add_note(self, thread_id: int, author: str, text: str, *, now: datetime | None = None) -> Note:
        if len(text) > MAX_TEXT_LENGTH:
            raise ValueError(f"note text is longer than {MAX_TEXT_LENGTH} characters")
        sealed, at = self._seal(text), _stamp(now)
        with self._transaction() as db:
            if not self._rows(db, "SELECT id FROM handoff_threads WHERE id = ?", [thread_id]):
                raise ThreadNotFound(thread_id)
            cursor = db.execute(
                "INSERT INTO handoff_notes (thread_id, author, text, at) VALUES (?, ?, ?, ?)",
                [thread_id, author, sealed, at],
            )
            self._audit(db, author, "note", thread_id, f"note={cursor.lastrowid}", at)
        return Note(cursor.lastrowid, thread_id, author, text, parse_stamp(at))  # type: ignore[arg-type]

    def notes(self, thread_id: int) -> list[Note]:
        rows = self._rows(
            self._connect(), "SELECT * FROM handoff_notes WHERE thread_id = ? ORDER BY at, id", [thread_id]
        )
        return [
            Note(r["id"], r["thread_id"], r["author"], self._unseal(r["text"]), parse_stamp(r["at"]))  # type: ignore[arg-type]
            for r in rows
        ]

    # --- audit ---------------------------------------------------------------------------------------
    def audit(self, actor: str, action: str, thread_id: int | None = None, detail: str = "") -> None:
        """Record who did what; `detail` must never carry message text or resident identifiers."""
        self._audit(self._connect(), actor, action, thread_id, detail, _stamp(None))

    def audit_log(self, *, limit: int = 200, offset: int = 0) -> list[AuditEntry]:
        rows = self._rows(
            self._connect(), "SELECT * FROM handoff_audit ORDER BY id DESC LIMIT ? OFFSET ?", [limit, offset]
        )
        return [
            AuditEntry(r["id"], parse_stamp(r["at"]), r["actor"], r["action"], r["thread_id"], r["detail"])  # type: ignore[arg-type]
            for r in rows
        ]

    # --- deletion ------------------------------------------------------------------------------------
    def _delete_threads(self, db: sqlite_utils.Database, thread_ids: list[int]) -> dict[str, int]:
        counts = {"handoff_threads": 0, "handoff_messages": 0, "handoff_notes": 0}
        for start in range(0, len(thread_ids), 500):
            chunk = thread_ids[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            for table in ("handoff_messages", "handoff_notes"):
                counts[table] += db.execute(
                    f"DELETE FROM {table} WHERE thread_id IN ({marks})", chunk
                ).rowcount
            counts["handoff_threads"] += db.execute(
                f"DELETE FROM handoff_threads WHERE id IN ({marks})", chunk
            ).rowcount
        return counts

    def _scrub_file(self) -> None:
        """Push the deletions from the WAL into the main file and empty the WAL, so no old page survives."""
        db = self._connect()
        for attempt in range(10):
            busy = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if not busy or busy[0] == 0:
                return
            time.sleep(0.02 * (attempt + 1))  # a reader still holds an old snapshot; let it finish

    def forget(self, user_key: str) -> int:
        """Delete every thread, message and note about this resident; returns the number of threads deleted.

        The audit trail keeps a line saying that a deletion happened, with counts only.
        """
        db = self._connect()
        db.execute("PRAGMA secure_delete = ON")
        with self._transaction() as db:
            rows = self._rows(db, "SELECT id, status FROM handoff_threads WHERE user_key = ?", [user_key])
            ids = [r["id"] for r in rows]
            counts = self._delete_threads(db, ids)
            self._leave_tombstones(db, [r["id"] for r in rows if r["status"] in OPEN_STATUSES], _stamp(None))
            detail = f"threads={counts['handoff_threads']} messages={counts['handoff_messages']}"
            self._audit(db, "resident", "forget", None, detail, _stamp(None))
        self._scrub_file()
        return counts["handoff_threads"]

    def purge(self, retention_days: int, now: datetime | None = None) -> dict[str, int]:
        """Delete resolved threads (transcript, notes, facts) and tombstones older than `retention_days`."""
        if retention_days < 0:
            raise ValueError("retention_days must not be negative")
        cutoff = _stamp((now or utcnow()) - timedelta(days=retention_days))
        db = self._connect()
        db.execute("PRAGMA secure_delete = ON")
        with self._transaction() as db:
            ids = [
                r["id"]
                for r in self._rows(
                    db,
                    "SELECT id FROM handoff_threads WHERE status IN ('resolved', ?) AND resolved_at <= ?",
                    [DELETED_STATUS, cutoff],
                )
            ]
            counts = self._delete_threads(db, ids)
            if ids:
                detail = " ".join(f"{table}={n}" for table, n in counts.items())
                self._audit(db, "retention", "purge", None, detail, _stamp(now))
        if ids:
            self._scrub_file()
        return counts
