"""The event store: every webhook event LINE delivered, sealed, until it has been answered.

The webhook writes here before it answers 200, so an acknowledged event survives a crash; the worker reads
it back, and `finish` clears the sealed payload while keeping the id for dedupe. Nothing in this table names
a resident: the chat key is a keyed hash, the payload is encrypted, group and room messages lose their text
before they are stored.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from bot.database import Database, DatabaseError, Transaction

EVENTS_TABLE = "bot_events"
WORKERS_TABLE = "bot_workers"
# Finished events keep only an id, a hashed chat key and timestamps, for deduplicating LINE's redeliveries,
# which come within hours; a week is ample.
FINISHED_RETENTION_DAYS = 7

# Message fields that carry what someone wrote or where they are; dropped for group and room chats.
_GROUP_REDACTED_FIELDS = ("text", "emojis", "mention", "keywords", "title", "address", "quotedMessageId")


# AES-GCM binds a purpose into every sealed token, so an event payload never opens as a push target.
PAYLOAD_PURPOSE = "bot_event"


class Sealer(Protocol):
    """What the stores need from `handoff.ResidentIdentity`."""

    def user_key(self, line_user_id: str) -> str: ...

    def seal(self, value: str, *, purpose: str = ...) -> str: ...

    def unseal(self, token: str, *, purpose: str = ...) -> str: ...


@dataclass(frozen=True)
class Accepted:
    """An event to answer: its chat (the ordering unit) and whether it was flagged to go first."""

    chat_key: str
    event_id: str
    urgent: bool = False


@dataclass(frozen=True)
class StoredEvent:
    event_id: str
    chat_key: str
    event_type: str
    timestamp_ms: int
    payload: dict[str, Any]


def chat_target(payload: dict[str, Any]) -> tuple[str, str]:
    """(kind, LINE id) of the chat an event belongs to: the push target and the ordering unit."""
    source = payload.get("source") or {}
    kind = source.get("type", "")
    if kind == "group":
        return kind, source.get("groupId", "")
    if kind == "room":
        return kind, source.get("roomId", "")
    return kind or "none", source.get("userId", "")


def direct_text(payload: dict[str, Any]) -> str | None:
    """The text of a 1:1 text message (what the crisis checks read), None for any other event."""
    message = payload.get("message") or {}
    if payload.get("type") != "message" or message.get("type") != "text" or chat_target(payload)[0] != "user":
        return None
    return str(message.get("text") or "")


def is_standby(payload: dict[str, Any]) -> bool:
    return payload.get("mode") == "standby"


def redact_group_message(payload: dict[str, Any]) -> dict[str, Any]:
    """Drop what was written in a group or room: we answer briefly there and must not keep the chat."""
    kind, _ = chat_target(payload)
    if payload.get("type") != "message" or kind not in {"group", "room"}:
        return payload
    message = {
        key: value for key, value in payload.get("message", {}).items() if key not in _GROUP_REDACTED_FIELDS
    }
    if message.get("type") == "text":
        message["text"] = ""
    if message.get("type") == "location":
        message.update(latitude=0.0, longitude=0.0)
    if message.get("type") == "file":
        message["fileName"] = ""
    return {**payload, "message": message}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


_SEQ_LOCK = threading.Lock()
_last_seq = 0
# Larger than any integer a 64-bit column holds: refused with a 400, as SQLite refuses it.
_INT64 = 2**63


def _next_seqs(count: int) -> list[int]:
    """Arrival numbers for `count` events: microseconds since the epoch ×1000 plus a counter, increasing in
    this process; across web nodes they follow the clocks, and LINE sends one chat's events one at a time."""
    global _last_seq
    with _SEQ_LOCK:
        first = max(time.time_ns() // 1000 * 1000, _last_seq + 1)
        _last_seq = first + count - 1
    return list(range(first, first + count))


@dataclass(frozen=True)
class Claim:
    """An event a worker process holds under a lease; `taken_over` when an earlier worker's lease ran out
    (it may have replied already: answer by push, or probe the reply the outbox says was in flight)."""

    event_id: str
    chat_key: str
    urgent: bool
    taken_over: bool


class EventStore:
    """The table bot_events: written by the webhook, read by the worker, finished with the outbox."""

    def __init__(self, db: Database, sealer: Sealer) -> None:
        self._db = db
        self._sealer = sealer

    def chat_key(self, payload: dict[str, Any]) -> str:
        kind, line_id = chat_target(payload)
        return f"{kind}:{self._sealer.user_key(line_id)}" if line_id else kind

    def accept(self, payloads: list[dict[str, Any]], urgent: Collection[str] = frozenset()) -> list[Accepted]:
        """Store new events in one transaction; return those to process, in order.

        `urgent` holds the ids the webhook flagged (a crisis in a 1:1 text): stored with priority 1 so the
        worker takes them first, now and after a restart.

        An id seen before (a redelivery, or the same event twice) is skipped so it never gets a second
        reply. A redelivery of an id we have NOT seen is stored: LINE redelivers exactly the events we
        answered 5xx for, and dropping those would lose them. Database errors propagate to the webhook,
        which answers 503 so LINE tries again.
        """
        received_at = _now()
        rows = []
        for payload, seq in zip(payloads, _next_seqs(len(payloads)), strict=True):
            stored = redact_group_message(payload)
            event_ts = int(payload.get("timestamp") or 0)
            if not -_INT64 <= event_ts < _INT64:
                raise OverflowError("timestamp does not fit in 64 bits")
            rows.append(
                (
                    payload["webhookEventId"],
                    self.chat_key(payload),
                    payload["webhookEventId"] in urgent,
                    str(payload.get("type", "")).replace("\x00", ""),  # PostgreSQL text holds no NUL
                    event_ts,
                    seq,
                    received_at,
                    self._sealer.seal(
                        json.dumps(stored, ensure_ascii=False, separators=(",", ":")), purpose=PAYLOAD_PURPOSE
                    ),
                )
            )
        accepted: list[Accepted] = []
        with self._db.atomic() as tx:
            for event_id, chat_key, flagged, event_type, event_ts, seq, received, sealed in rows:
                inserted = tx.execute(
                    f"INSERT INTO {EVENTS_TABLE} (webhook_event_id, chat_key, event_type, "
                    "event_ts, seq, received_at, status, payload, attempts, priority) "
                    "VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, 0, ?) ON CONFLICT DO NOTHING",
                    [event_id, chat_key, event_type, event_ts, seq, received, sealed, int(flagged)],
                )
                if inserted == 1:
                    accepted.append(Accepted(chat_key, event_id, flagged))
        return accepted

    def load(self, event_id: str) -> StoredEvent | None:
        """The pending event with its unsealed payload, or None when it is already finished."""
        row = self._db.one(
            f"SELECT chat_key, event_type, event_ts, payload FROM {EVENTS_TABLE} "
            "WHERE webhook_event_id = ? AND status = 'pending'",
            [event_id],
        )
        if row is None or row["payload"] is None:
            return None
        return StoredEvent(
            event_id, row["chat_key"], row["event_type"], row["event_ts"], self._unseal(row["payload"])
        )

    def _unseal(self, sealed: str) -> dict[str, Any]:
        return json.loads(self._sealer.unseal(sealed, purpose=PAYLOAD_PURPOSE))

    def pending(self) -> list[Accepted]:
        """Every acknowledged event not yet answered: chats holding a flagged event first, then the rest;
        within a chat, always the order its events arrived (a crisis never overtakes the same chat's
        earlier message, it takes its whole chat to the front)."""
        rows = self._db.query(
            f"SELECT chat_key, webhook_event_id, priority FROM {EVENTS_TABLE} "
            "WHERE status = 'pending' ORDER BY seq, webhook_event_id"
        )
        events = [Accepted(row["chat_key"], row["webhook_event_id"], row["priority"] > 0) for row in rows]
        flagged_chats = {event.chat_key for event in events if event.urgent}
        return sorted(events, key=lambda event: event.chat_key not in flagged_chats)

    def untriaged(self, limit: int) -> list[tuple[str, str, str]]:
        """Up to `limit` pending events no one has triaged yet (priority 0), newest first, as (event id, chat
        key, text): the text of a 1:1 text message, "" for anything else (nothing to read)."""
        rows = self._db.query(
            f"SELECT webhook_event_id, chat_key, event_type, payload FROM {EVENTS_TABLE} "
            "WHERE status = 'pending' AND priority = 0 ORDER BY seq DESC, webhook_event_id DESC LIMIT ?",
            [limit],
        )
        found = []
        for row in rows:
            text = None
            if row["event_type"] == "message" and row["payload"] is not None:
                # unreadable here (another key): the worker reports it when it takes the event
                with contextlib.suppress(ValueError):
                    text = direct_text(self._unseal(row["payload"]))
            found.append((row["webhook_event_id"], row["chat_key"], text or ""))
        return found

    def triaged(self, event_id: str, urgent: bool) -> bool:
        """Record the triage of a pending event: flagged (priority 1, its chat goes first) or ordinary (-1,
        not read again). True when this call recorded it (another worker may have been first)."""
        return (
            self._db.execute(
                f"UPDATE {EVENTS_TABLE} SET priority = ? WHERE webhook_event_id = ? AND status = 'pending' "
                "AND priority = 0",
                [1 if urgent else -1, event_id],
            )
            == 1
        )

    def claim(self, owner: str, lease_seconds: float, now: datetime | None = None) -> Claim | None:
        """Take the next event for a worker process under a lease, or None when there is nothing to take.

        Only the oldest pending event of a chat can be taken, and only while no live lease holds it: so one
        chat is never answered by two workers at once nor out of order, whichever worker, whichever machine.
        Chats holding a flagged event come first. The conditional UPDATE decides on both backends. On
        PostgreSQL the candidate is read FOR UPDATE SKIP LOCKED in the claim's transaction (workers pass each
        other instead of queueing); on SQLite it is read outside any write transaction, so idle workers
        polling never hold the one write lock the webhook needs.
        """
        moment = now or datetime.now(UTC)
        if self._db.skip_locked:
            with self._db.atomic(exclusive=False) as tx:
                return self._claim(tx, owner, moment, lease_seconds)
        return self._claim(self._db, owner, moment, lease_seconds)

    def _claim(
        self, db: Database | Transaction, owner: str, moment: datetime, lease_seconds: float
    ) -> Claim | None:
        current, until = _stamp(moment), _stamp(moment + timedelta(seconds=lease_seconds))
        head = (
            f"FROM {EVENTS_TABLE} e WHERE e.status = 'pending' "
            "AND (e.lease_until IS NULL OR e.lease_until < ?) "
            f"AND NOT EXISTS (SELECT 1 FROM {EVENTS_TABLE} o WHERE o.chat_key = e.chat_key "
            "AND o.status = 'pending' AND (o.seq < e.seq OR (o.seq = e.seq "
            "AND o.webhook_event_id < e.webhook_event_id))) "
        )
        columns = "SELECT e.webhook_event_id, e.chat_key, e.priority, e.lease_owner "
        if db.one(f"SELECT 1 AS found FROM {EVENTS_TABLE} WHERE status = 'pending' AND priority > 0 LIMIT 1"):
            # A crisis waits: its chat goes first, which means ranking every chat (rare, so affordable).
            order = (
                f"ORDER BY (SELECT MAX(p.priority) FROM {EVENTS_TABLE} p WHERE p.chat_key = e.chat_key "
                "AND p.status = 'pending') > 0 DESC, e.seq, e.webhook_event_id "
            )
        else:
            # Otherwise the oldest free chat head: a walk of the (status, seq, id) index that stops early.
            order = "ORDER BY e.seq, e.webhook_event_id "
        row = db.one(columns + head + order + "LIMIT 1" + self._db.skip_locked, [current])
        if row is None:
            return None
        taken = db.execute(
            f"UPDATE {EVENTS_TABLE} SET lease_owner = ?, lease_until = ? WHERE webhook_event_id = ? "
            "AND status = 'pending' AND (lease_until IS NULL OR lease_until < ?)",
            [owner, until, row["webhook_event_id"], current],
        )
        if taken != 1:
            return None  # another worker took it between our read and our write: ask again
        urgent = row["priority"] > 0
        return Claim(row["webhook_event_id"], row["chat_key"], urgent, row["lease_owner"] is not None)

    def renew(self, owner: str, event_ids: Collection[str], lease_seconds: float) -> int:
        """Extend the leases `owner` still holds on `event_ids` (a worker's heartbeat while it answers)."""
        if not event_ids:
            return 0
        until = _stamp(datetime.now(UTC) + timedelta(seconds=lease_seconds))
        marks = ", ".join("?" for _ in event_ids)
        return self._db.execute(
            f"UPDATE {EVENTS_TABLE} SET lease_until = ? WHERE lease_owner = ? AND status = 'pending' "
            f"AND webhook_event_id IN ({marks})",
            [until, owner, *event_ids],
        )

    def worker_seen(self, owner: str, threads: int, ready: bool) -> None:
        """A worker's heartbeat: it is alive now, and `ready` once it can answer (/healthz counts those)."""
        now = _now()
        self._db.execute(
            f"INSERT INTO {WORKERS_TABLE} (owner, threads, ready, started_at, seen_at) "
            "VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (owner) DO UPDATE SET seen_at = excluded.seen_at, ready = excluded.ready",
            [owner, threads, int(ready), now, now],
        )

    def worker_gone(self, owner: str) -> None:
        self._db.execute(f"DELETE FROM {WORKERS_TABLE} WHERE owner = ?", [owner])

    def live_workers(self, within_seconds: float) -> int:
        """How many ready worker processes sent a heartbeat in the last `within_seconds`."""
        since = _stamp(datetime.now(UTC) - timedelta(seconds=within_seconds))
        row = self._db.one(
            f"SELECT COUNT(*) AS alive FROM {WORKERS_TABLE} WHERE seen_at >= ? AND ready = 1", [since]
        )
        return int(row["alive"]) if row else 0

    def backlog(self) -> int:
        """How many acknowledged events wait for an answer (for /healthz)."""
        row = self._db.one(f"SELECT COUNT(*) AS waiting FROM {EVENTS_TABLE} WHERE status = 'pending'")
        return int(row["waiting"]) if row else 0

    def finish(self, event_id: str, status: str, error: str | None = None) -> None:
        """Mark an event done/failed and clear its payload; joins the outbox's transaction if in one."""
        self._db.execute(
            f"UPDATE {EVENTS_TABLE} SET status = ?, payload = NULL, last_error = ?, finished_at = ?, "
            "attempts = attempts + 1 WHERE webhook_event_id = ?",
            [status, error, _now(), event_id],
        )

    def status(self, event_id: str) -> str | None:
        row = self._db.one(f"SELECT status FROM {EVENTS_TABLE} WHERE webhook_event_id = ?", [event_id])
        return row["status"] if row else None

    def forget(self, user_key: str) -> None:
        """Delete a resident's finished events on request (the outbox forgets its answers first).

        Pending events (the deletion request itself, while it is being answered) keep their row so they are
        answered once, but lose the hashed key that links them to the resident; `finish` clears the payload.
        """
        chat_key = f"user:{user_key}"
        with self._db.atomic() as tx:
            tx.execute(f"DELETE FROM {EVENTS_TABLE} WHERE chat_key = ? AND status != 'pending'", [chat_key])
            tx.execute(f"UPDATE {EVENTS_TABLE} SET chat_key = 'forgotten' WHERE chat_key = ?", [chat_key])

    def ready(self) -> bool:
        try:
            self._db.query(f"SELECT 1 AS alive FROM {EVENTS_TABLE} LIMIT 1")
        except DatabaseError:
            return False
        return True


def purge_events(db: Database, now: datetime | None = None, days: int = FINISHED_RETENTION_DAYS) -> int:
    """Delete finished events older than `days`; pending ones stay until answered. Returns how many.
    Heartbeats of workers silent for a day (killed, never stopped) go too."""
    moment = now or datetime.now(UTC)
    db.execute(f"DELETE FROM {WORKERS_TABLE} WHERE seen_at < ?", [_stamp(moment - timedelta(days=1))])
    cutoff = (moment - timedelta(days=days)).isoformat()
    return db.execute(f"DELETE FROM {EVENTS_TABLE} WHERE status != 'pending' AND received_at < ?", [cutoff])
