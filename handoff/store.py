"""Escalated threads: status, urgency, transcript, household facts and counselor notes (tables
handoff_threads, handoff_messages, handoff_notes). The audit trail is `handoff.audit`; pushing a counselor's
reply is `handoff.counselor_replies`.

A leaked database file is in the threat model, so every text a resident or counselor wrote (messages,
notes, facts, suggested programs) is sealed with the resident-identity key, residents are known only by
`user_key`, and the push target only as the sealed `user_ref`. Deleting is real deletion: `secure_delete`
and a WAL checkpoint make sure forgotten rows do not linger in the file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from handoff.audit import AuditLog
from handoff.identity import ResidentIdentity, SealError
from handoff.storage import Database, Rows

Sender = Literal["resident", "bot", "counselor"]
SENDERS = ("resident", "bot", "counselor")
OPEN_STATUSES = ("waiting", "claimed")
DELETED_STATUS = "deleted"
# How long a counselor's last message keeps the bot from auto-acknowledging the resident.
COUNSELOR_ACTIVE_WINDOW = timedelta(minutes=30)
# How long the queue shows that a resident deleted their data mid-thread.
DELETED_VISIBLE = timedelta(days=1)
# A resident whose urgent thread was closed at most this long before they opened a new one: the new thread is
# taken before other non-urgent ones (Settings.return_window_days; see ThreadStore.returning).
RETURN_WINDOW = timedelta(days=14)
MAX_TEXT_LENGTH = 20_000
TEXT_PURPOSE = "handoff-text"
_USER_KEY = re.compile(r"[0-9a-f]{64}")


class ThreadNotFound(KeyError):
    """No thread with that id (it may have been forgotten or purged)."""


class DuplicateRetryKey(ValueError):
    """A message with this retry key is already in a transcript (a counselor's reply sent twice)."""


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
    # When the resident's first message not yet answered by a counselor came (None when none waits).
    waiting_since: datetime | None = None


@dataclass(frozen=True)
class Returning:
    """What the console knows of a thread's resident from their earlier threads (same `user_key`).

    `urgent_before`: one of them was urgent (the list says 「以前に緊急の相談あり」). `recent_urgent`: the
    latest urgent one that was closed within the return window before this thread opened, if any; the
    thread then needs attention (see `ThreadStore.returning`).
    """

    earlier: int = 0
    urgent_before: bool = False
    recent_urgent: Thread | None = None

    @property
    def needs_attention(self) -> bool:
        return self.recent_urgent is not None


@dataclass(frozen=True)
class Note:
    id: int
    thread_id: int
    author: str
    text: str
    at: datetime


class ThreadStore:
    """The thread tables. Text columns need `identity`; without it only metadata can be read or changed."""

    def __init__(
        self,
        db: Database,
        identity: ResidentIdentity | None = None,
        audit: AuditLog | None = None,
        *,
        live_window: timedelta = COUNSELOR_ACTIVE_WINDOW,
    ) -> None:
        self._db = db
        self._identity = identity
        self._audit = audit or AuditLog(db)
        # How long after a counselor's last message (or claim) the bot keeps quiet in their thread.
        self.live_window = live_window

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

    def get(self, thread_id: int) -> Thread:
        row = self._db.one(f"{self._THREAD_SELECT} WHERE t.id = ?", [thread_id])
        if row is None:
            raise ThreadNotFound(thread_id)
        return self._thread(row)

    def open_thread_for(self, user_key: str) -> Thread | None:
        """The resident's waiting or claimed thread, if any (the bot relays messages into it)."""
        row = self._db.one(
            f"{self._THREAD_SELECT} WHERE t.user_key = ? AND t.status IN ('waiting', 'claimed') "
            "ORDER BY t.id DESC LIMIT 1",
            [user_key],
        )
        return self._thread(row) if row else None

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
        with self._db.atomic() as tx:
            row = tx.one(
                "SELECT * FROM handoff_threads WHERE user_key = ? AND status IN ('waiting', 'claimed') "
                "ORDER BY id DESC LIMIT 1",
                [user_key],
            )
            if row is not None:
                thread_id = row["id"]
                known = json.loads(row["categories"])
                merged = known + [c for c in categories or [] if c not in known]
                raised = urgent and not row["urgent"]
                tx.execute(
                    "UPDATE handoff_threads SET urgent = ?, categories = ?, user_ref = ?, "
                    "reason = CASE WHEN ? = 1 THEN ? ELSE reason END, "
                    "facts = COALESCE(?, facts), programs = COALESCE(?, programs) WHERE id = ?",
                    [
                        int(urgent or bool(row["urgent"])),
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
                    self._audit.record("bot", "escalate", thread_id, f"reason={reason} urgent=1", now=now)
            else:
                inserted = tx.one(
                    "INSERT INTO handoff_threads (user_key, user_ref, status, urgent, reason, categories, "
                    "facts, programs, created_at, last_message_at) "
                    "VALUES (?, ?, 'waiting', ?, ?, ?, ?, ?, ?, ?) RETURNING id",
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
                thread_id = inserted["id"]  # type: ignore[index]
                self._audit.record("bot", "open", thread_id, f"reason={reason} urgent={int(urgent)}", now=now)
        return self.get(thread_id)

    def list(self, statuses: Iterable[str] | None = None, *, limit: int | None = None) -> list[Thread]:
        """Threads, urgent first, unclaimed before claimed, then those waiting longest."""
        where, params = "", []
        if statuses is not None:
            wanted = list(statuses)
            where = f" WHERE t.status IN ({', '.join('?' for _ in wanted)})"
            params.extend(wanted)
        # Urgent first; among them, those nobody has taken yet before those a counselor holds.
        sql = (
            f"{self._THREAD_SELECT}{where} "
            "ORDER BY t.urgent DESC, CASE WHEN t.status = 'claimed' THEN 1 ELSE 0 END, "
            "t.created_at ASC, t.id ASC"
        )
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [self._thread(row) for row in self._db.query(sql, params)]

    def queue(self, return_window: timedelta = RETURN_WINDOW) -> list[Thread]:
        """Open threads in the order counselors should take them (see `queue_with_returning`)."""
        return [thread for thread, _ in self.queue_with_returning(return_window)]

    def queue_with_returning(
        self, return_window: timedelta = RETURN_WINDOW
    ) -> list[tuple[Thread, Returning]]:
        """Open threads in the order counselors should take them: urgent first, then a resident who comes
        back soon after an urgent thread was closed (`returning`), then the rest; untaken before taken. Each
        with what its resident's earlier threads say, read once for the whole list."""
        threads = self.list(OPEN_STATUSES)
        returning = self.returning(threads, return_window)
        ordered = sorted(
            threads,
            key=lambda t: (not t.urgent, t.status == "claimed", not returning[t.id].needs_attention),
        )
        return [(thread, returning[thread.id]) for thread in ordered]

    def earlier_threads(self, thread: Thread) -> list[Thread]:
        """The resident's threads opened before this one, newest first (kept until `purge`; none after the
        resident's `forget`, and a tombstone has no resident to link)."""
        if not thread.user_key:
            return []
        sql = f"{self._THREAD_SELECT} WHERE t.user_key = ? AND t.id < ? ORDER BY t.id DESC"
        return [self._thread(row) for row in self._db.query(sql, [thread.user_key, thread.id])]

    def later_threads(self, thread: Thread) -> list[Thread]:
        """The resident's threads opened after this one, oldest first: a counselor reading an older thread
        sees that the resident came back (and where), the way the new thread names the earlier ones."""
        if not thread.user_key:
            return []
        sql = f"{self._THREAD_SELECT} WHERE t.user_key = ? AND t.id > ? ORDER BY t.id"
        return [self._thread(row) for row in self._db.query(sql, [thread.user_key, thread.id])]

    def returning(self, threads: Iterable[Thread], window: timedelta = RETURN_WINDOW) -> dict[int, Returning]:
        """For each thread, what its resident's earlier threads say (metadata only, no sealed text).

        A resident who comes back after a crisis often writes about something ordinary (a form, the
        allowance), so the new thread opens non-urgent and nothing in it says why it matters. When an urgent
        thread of theirs was closed at most `window` before the new one opened, the crisis may not be over:
        the new thread is flagged for attention, so the list puts it right after the urgent ones and the
        thread page names the earlier thread. It is not made urgent: nothing the resident wrote is a crisis,
        so no on-call alert goes out and the resident gets no crisis contacts; a counselor decides. An urgent
        thread closed longer ago is still shown (「以前に緊急の相談あり」) without changing the order.
        """
        threads = list(threads)
        result = {t.id: Returning() for t in threads}
        keys = sorted({t.user_key for t in threads if t.user_key})
        rows: list[dict[str, Any]] = []
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            rows += self._db.query(
                "SELECT id, user_key, urgent, resolved_at FROM handoff_threads "
                f"WHERE user_key IN ({', '.join('?' for _ in chunk)}) ORDER BY id",
                chunk,
            )
        by_key: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            by_key.setdefault(row["user_key"], []).append(row)
        for thread in threads:
            earlier = [r for r in by_key.get(thread.user_key, []) if r["id"] < thread.id]
            urgent = [r for r in earlier if r["urgent"]]
            recent = [
                r
                for r in urgent
                if r["resolved_at"] and parse_stamp(r["resolved_at"]) >= thread.created_at - window  # type: ignore[operator]
            ]
            result[thread.id] = Returning(
                earlier=len(earlier),
                urgent_before=bool(urgent),
                recent_urgent=self.get(max(recent, key=lambda r: r["resolved_at"])["id"]) if recent else None,
            )
        return result

    def recently_resolved(self, limit: int = 30) -> list[Thread]:
        sql = (
            f"{self._THREAD_SELECT} WHERE t.status = 'resolved' "
            "ORDER BY t.resolved_at DESC, t.id DESC LIMIT ?"
        )
        return [self._thread(row) for row in self._db.query(sql, [limit])]

    def claim(self, thread_id: int, counselor: str, *, take_over: bool = False, now: datetime | None = None):
        """waiting → claimed by `counselor`; taking over someone else's thread needs `take_over`."""
        at = _stamp(now)
        with self._db.atomic() as tx:
            row = tx.one("SELECT status, claimed_by FROM handoff_threads WHERE id = ?", [thread_id])
            if row is None:
                raise ThreadNotFound(thread_id)
            status, holder = row["status"], row["claimed_by"]
            if status == "resolved":
                raise ThreadStateError("not_open")
            if status == "claimed" and holder != counselor and not take_over:
                raise ThreadStateError("claimed_by_other", claimed_by=holder)
            if holder != counselor or status != "claimed":
                tx.execute(
                    "UPDATE handoff_threads SET status = 'claimed', claimed_by = ?, claimed_at = ? "
                    "WHERE id = ?",
                    [counselor, at, thread_id],
                )
                detail = f"from={holder}" if holder and holder != counselor else ""
                self._audit.record(counselor, "claim", thread_id, detail, now=now)
        return self.get(thread_id)

    def resolve(self, thread_id: int, counselor: str, *, now: datetime | None = None) -> Thread:
        """waiting/claimed → resolved; the bot answers the resident again from now on."""
        at = _stamp(now)
        with self._db.atomic() as tx:
            row = tx.one("SELECT status FROM handoff_threads WHERE id = ?", [thread_id])
            if row is None:
                raise ThreadNotFound(thread_id)
            if row["status"] == "resolved":
                raise ThreadStateError("not_open")
            tx.execute(
                "UPDATE handoff_threads SET status = 'resolved', resolved_at = ? WHERE id = ?",
                [at, thread_id],
            )
            self._audit.record(counselor, "resolve", thread_id, "", now=now)
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
        """Add a message to the transcript; the bot relays resident messages here while a thread is open.

        `DuplicateRetryKey` when a message with `retry_key` is already there (nothing is added).
        """
        if sender not in SENDERS:
            raise ValueError(f"sender must be one of {SENDERS}, not {sender!r}")
        if len(text) > MAX_TEXT_LENGTH:
            raise ValueError(f"message text is longer than {MAX_TEXT_LENGTH} characters")
        sealed, at = self._seal(text), _stamp(now)
        with self._db.atomic() as tx:
            self._require_thread(tx, thread_id)
            inserted = tx.one(
                "INSERT INTO handoff_messages (thread_id, sender, text, at, author, delivery, retry_key) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
                [thread_id, sender, sealed, at, author, delivery, retry_key],
            )
            if inserted is None:
                raise DuplicateRetryKey(retry_key)
            tx.execute("UPDATE handoff_threads SET last_message_at = ? WHERE id = ?", [at, thread_id])
        return self.message(inserted["id"])

    @staticmethod
    def _require_thread(tx: Rows, thread_id: int) -> None:
        if tx.one("SELECT id FROM handoff_threads WHERE id = ?", [thread_id]) is None:
            raise ThreadNotFound(thread_id)

    def message(self, message_id: int) -> Message:
        row = self._db.one("SELECT * FROM handoff_messages WHERE id = ?", [message_id])
        if row is None:
            raise KeyError(message_id)
        return self._message(row)

    def message_by_retry_key(self, retry_key: str) -> Message | None:
        row = self._db.one("SELECT * FROM handoff_messages WHERE retry_key = ?", [retry_key])
        return self._message(row) if row else None

    def transcript(self, thread_id: int) -> list[Message]:
        rows = self._db.query(
            "SELECT * FROM handoff_messages WHERE thread_id = ? ORDER BY at, id", [thread_id]
        )
        return [self._message(row) for row in rows]

    def set_delivery(self, message_id: int, status: str) -> None:
        self._db.execute("UPDATE handoff_messages SET delivery = ? WHERE id = ?", [status, message_id])

    def counselor_active(
        self, thread: Thread, now: datetime | None = None, window: timedelta | None = None
    ) -> bool:
        """A counselor claimed the thread and wrote in it within `window` (the store's `live_window`): the
        bot keeps quiet then."""
        window = self.live_window if window is None else window
        if thread.status != "claimed":
            return False
        row = self._db.one(
            "SELECT 1 AS found FROM handoff_messages "
            "WHERE thread_id = ? AND sender = 'counselor' AND at >= ? LIMIT 1",
            [thread.id, _stamp((now or utcnow()) - window)],
        )
        return row is not None

    def latest(self, thread_id: int) -> Latest:
        """The last message a person wrote (the bot's replies only when nobody has: its crisis reply is the
        same in every urgent thread and hides the resident's words) and whether a resident message came
        after the last counselor message."""
        last = self._db.one(
            "SELECT * FROM handoff_messages WHERE thread_id = ? ORDER BY sender = 'bot', at DESC, id DESC "
            "LIMIT 1",
            [thread_id],
        )
        waiting = self._db.one(
            "SELECT MIN(r.at) AS since FROM handoff_messages r "
            "WHERE r.thread_id = ? AND r.sender = 'resident' AND r.id > COALESCE("
            "(SELECT MAX(c.id) FROM handoff_messages c WHERE c.thread_id = ? AND c.sender = 'counselor'), 0)",
            [thread_id, thread_id],
        )
        since = parse_stamp(waiting["since"]) if waiting and waiting["since"] else None
        return Latest(self._message(last) if last else None, since is not None, since)

    def recently_deleted(self, now: datetime | None = None) -> list[Thread]:
        """Tombstones of open threads whose resident deleted their data, for a day."""
        sql = f"{self._THREAD_SELECT} WHERE t.status = ? AND t.resolved_at >= ? ORDER BY t.resolved_at DESC"
        cutoff = _stamp((now or utcnow()) - DELETED_VISIBLE)
        return [self._thread(row) for row in self._db.query(sql, [DELETED_STATUS, cutoff])]

    @staticmethod
    def _leave_tombstones(tx: Rows, thread_ids: list[int], at: str) -> None:
        """Open threads of a forgotten resident become rows with no resident data: status, counselor, time."""
        for thread_id in thread_ids:
            tx.execute(
                "INSERT INTO handoff_threads (id, user_key, user_ref, status, urgent, reason, categories, "
                "claimed_by, created_at, resolved_at) VALUES (?, '', '', ?, 0, ?, '[]', ?, ?, ?)",
                [thread_id, DELETED_STATUS, DELETED_STATUS, None, at, at],
            )

    # --- notes ---------------------------------------------------------------------------------------
    def add_note(self, thread_id: int, author: str, text: str, *, now: datetime | None = None) -> Note:
        if len(text) > MAX_TEXT_LENGTH:
            raise ValueError(f"note text is longer than {MAX_TEXT_LENGTH} characters")
        sealed, at = self._seal(text), _stamp(now)
        with self._db.atomic() as tx:
            self._require_thread(tx, thread_id)
            note_id = tx.one(
                "INSERT INTO handoff_notes (thread_id, author, text, at) VALUES (?, ?, ?, ?) RETURNING id",
                [thread_id, author, sealed, at],
            )["id"]  # type: ignore[index]
            self._audit.record(author, "note", thread_id, f"note={note_id}", now=now)
        return Note(note_id, thread_id, author, text, parse_stamp(at))  # type: ignore[arg-type]

    def notes(self, thread_id: int) -> list[Note]:
        rows = self._db.query("SELECT * FROM handoff_notes WHERE thread_id = ? ORDER BY at, id", [thread_id])
        return [
            Note(r["id"], r["thread_id"], r["author"], self._unseal(r["text"]), parse_stamp(r["at"]))  # type: ignore[arg-type]
            for r in rows
        ]

    # --- deletion ------------------------------------------------------------------------------------
    @staticmethod
    def _delete_threads(tx: Rows, thread_ids: list[int]) -> dict[str, int]:
        counts = {"handoff_threads": 0, "handoff_messages": 0, "handoff_notes": 0}
        for start in range(0, len(thread_ids), 500):
            chunk = thread_ids[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            for table in ("handoff_messages", "handoff_notes"):
                counts[table] += tx.execute(f"DELETE FROM {table} WHERE thread_id IN ({marks})", chunk)
            counts["handoff_threads"] += tx.execute(
                f"DELETE FROM handoff_threads WHERE id IN ({marks})", chunk
            )
        return counts

    def forget(self, user_key: str) -> int:
        """Delete every thread, message and note about this resident; returns the number of threads deleted.

        The audit trail keeps a line saying that a deletion happened, with counts only. The database then
        scrubs its log, so no copy of a deleted row lingers in the file.
        """
        with self._db.atomic() as tx:
            rows = tx.query("SELECT id, status FROM handoff_threads WHERE user_key = ?", [user_key])
            counts = self._delete_threads(tx, [r["id"] for r in rows])
            self._leave_tombstones(tx, [r["id"] for r in rows if r["status"] in OPEN_STATUSES], _stamp(None))
            detail = f"threads={counts['handoff_threads']} messages={counts['handoff_messages']}"
            self._audit.record("resident", "forget", None, detail)
        self._db.scrub()
        return counts["handoff_threads"]

    def purge(self, retention_days: int, now: datetime | None = None) -> dict[str, int]:
        """Delete resolved threads (transcript, notes, facts) and tombstones older than `retention_days`."""
        if retention_days < 0:
            raise ValueError("retention_days must not be negative")
        cutoff = _stamp((now or utcnow()) - timedelta(days=retention_days))
        with self._db.atomic() as tx:
            ids = [
                r["id"]
                for r in tx.query(
                    "SELECT id FROM handoff_threads WHERE status IN ('resolved', ?) AND resolved_at <= ?",
                    [DELETED_STATUS, cutoff],
                )
            ]
            counts = self._delete_threads(tx, ids)
            if ids:
                detail = " ".join(f"{table}={n}" for table, n in counts.items())
                self._audit.record("retention", "purge", None, detail, now=now)
        if ids:
            self._db.scrub()
        return counts
