"""Opt-in notices at rest: who subscribed to which topic, the notice runs admins write, and each run's
recipients (tables handoff_subscriptions, handoff_notice_runs, handoff_notice_recipients).

Subscriptions are keyed by the resident's pseudonym and hold the sealed push target; they are kept until the
resident stops, blocks the bot or deletes their data, so the thread retention job leaves them alone.

A run goes scheduled → sending → done (or stopped: LINE's monthly limit, or cancelled before it began). The
node that sends it holds a lease in the run row, so with two server nodes only one sends, and another takes
over once the lease of a killed node runs out. The recipients are fixed when sending begins; each row is
claimed (pending → queued) in the same transaction as the push's outbox batch, whose retry key it carries,
and counted once when LINE's answer is known (queued → sent / failed). A recipient who stopped, blocked or
deleted their data before their turn is skipped.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from handoff.audit import AuditLog
from handoff.storage import Database, Rows

SUBSCRIPTIONS_TABLE = "handoff_subscriptions"
RUNS_TABLE = "handoff_notice_runs"
RECIPIENTS_TABLE = "handoff_notice_recipients"
# Who got which notice is kept this long after a run ended (then only the run's counts remain).
RECIPIENT_RETENTION_DAYS = 7
RunStatus = Literal["scheduled", "sending", "done", "stopped", "cancelled"]
Outcome = Literal["sent", "failed"]


class LostClaim(RuntimeError):
    """Another node took the run over (this node's lease ran out): stop sending it."""


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class NoticeRun:
    id: int
    topic: str
    body: str
    send_at: datetime
    status: RunStatus
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    targeted: int
    sent: int
    failed: int
    skipped: int
    stop_reason: str

    @property
    def finished(self) -> bool:
        return self.status in ("done", "stopped", "cancelled")

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "topic": self.topic,
            "send_at": self.send_at.isoformat(),
            "status": self.status,
            "created_by": self.created_by,
            "targeted": self.targeted,
            "sent": self.sent,
            "failed": self.failed,
            "skipped": self.skipped,
            "stop_reason": self.stop_reason,
        }


@dataclass(frozen=True)
class Recipient:
    run_id: int
    user_key: str
    user_ref: str
    retry_key: str
    status: str


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _run(row: dict[str, Any]) -> NoticeRun:
    return NoticeRun(
        id=int(row["id"]),
        topic=row["topic"],
        body=row["body"],
        send_at=datetime.fromisoformat(row["send_at"]),
        status=row["status"],
        created_by=row["created_by"],
        created_at=datetime.fromisoformat(row["created_at"]),
        started_at=_time(row["started_at"]),
        finished_at=_time(row["finished_at"]),
        targeted=int(row["targeted"]),
        sent=int(row["sent"]),
        failed=int(row["failed"]),
        skipped=int(row["skipped"]),
        stop_reason=row["stop_reason"] or "",
    )


class Subscriptions:
    """A resident's topics (handoff_subscriptions), with the sealed push target a notice goes to."""

    def __init__(self, db: Database, clock: Callable[[], datetime] | None = None) -> None:
        self._db = db
        self._clock = clock or (lambda: datetime.now(UTC))

    def subscribe(self, user_key: str, user_ref: str, topic: str) -> bool:
        """Subscribe; False when already subscribed (the push target is refreshed either way)."""
        with self._db.atomic() as tx:
            known = tx.one(
                f"SELECT 1 AS found FROM {SUBSCRIPTIONS_TABLE} WHERE user_key = ? AND topic = ?",
                [user_key, topic],
            )
            tx.execute(
                f"INSERT INTO {SUBSCRIPTIONS_TABLE} (user_key, topic, user_ref, created_at) "
                "VALUES (?, ?, ?, ?) "
                "ON CONFLICT (user_key, topic) DO UPDATE SET user_ref = excluded.user_ref",
                [user_key, topic, user_ref, _stamp(self._clock())],
            )
        return known is None

    def unsubscribe(self, user_key: str, topics: Sequence[str] | None = None) -> list[str]:
        """Stop the named topics (all of them when None); returns the topics that were subscribed."""
        with self._db.atomic() as tx:
            held = [
                row["topic"]
                for row in tx.query(
                    f"SELECT topic FROM {SUBSCRIPTIONS_TABLE} WHERE user_key = ? ORDER BY created_at, topic",
                    [user_key],
                )
            ]
            stopped = [topic for topic in held if topics is None or topic in topics]
            for topic in stopped:
                tx.execute(
                    f"DELETE FROM {SUBSCRIPTIONS_TABLE} WHERE user_key = ? AND topic = ?", [user_key, topic]
                )
        return stopped

    def topics_of(self, user_key: str) -> list[str]:
        rows = self._db.query(
            f"SELECT topic FROM {SUBSCRIPTIONS_TABLE} WHERE user_key = ? ORDER BY created_at, topic",
            [user_key],
        )
        return [row["topic"] for row in rows]

    def count(self, topic: str) -> int:
        row = self._db.one(f"SELECT COUNT(*) AS n FROM {SUBSCRIPTIONS_TABLE} WHERE topic = ?", [topic])
        return int(row["n"]) if row else 0

    def forget(self, user_key: str) -> None:
        """「データを削除」 and blocking the bot: every subscription of this resident goes."""
        self._db.execute(f"DELETE FROM {SUBSCRIPTIONS_TABLE} WHERE user_key = ?", [user_key])


class NoticeRuns:
    """Notice runs and their recipients (handoff_notice_runs, handoff_notice_recipients)."""

    def __init__(
        self, db: Database, audit: AuditLog | None = None, clock: Callable[[], datetime] | None = None
    ) -> None:
        self._db = db
        self._audit = audit
        self.clock = clock or (lambda: datetime.now(UTC))

    def _record(self, actor: str, action: str, detail: str) -> None:
        if self._audit is not None:
            self._audit.record(actor, action, detail=detail)

    # ---- what admins do ---------------------------------------------------------------------------------
    def create(self, topic: str, body: str, send_at: datetime, actor: str) -> NoticeRun:
        with self._db.atomic() as tx:
            row = tx.one(
                f"INSERT INTO {RUNS_TABLE} (topic, body, send_at, status, created_by, created_at) "
                "VALUES (?, ?, ?, 'scheduled', ?, ?) RETURNING id",
                [topic, body, _stamp(send_at), actor, _stamp(self.clock())],
            )
            run_id = int(row["id"])  # type: ignore[index]
            self._record(actor, "notice_schedule", f"run={run_id} topic={topic} at={_stamp(send_at)}")
        return self.get(run_id)  # type: ignore[return-value]

    def get(self, run_id: int) -> NoticeRun | None:
        row = self._db.one(f"SELECT * FROM {RUNS_TABLE} WHERE id = ?", [run_id])
        return _run(row) if row else None

    def list(self, limit: int = 50) -> list[NoticeRun]:
        rows = self._db.query(f"SELECT * FROM {RUNS_TABLE} ORDER BY id DESC LIMIT ?", [limit])
        return [_run(row) for row in rows]

    def cancel(self, run_id: int, actor: str) -> bool:
        """Cancel a run that has not begun; False when it already began or ended."""
        with self._db.atomic() as tx:
            changed = tx.execute(
                f"UPDATE {RUNS_TABLE} SET status = 'cancelled', finished_at = ? "
                "WHERE id = ? AND status = 'scheduled'",
                [_stamp(self.clock()), run_id],
            )
            if changed:
                self._record(actor, "notice_cancel", f"run={run_id}")
        return bool(changed)

    def resume(self, run_id: int, actor: str) -> bool:
        """Send the rest of a stopped run now (after the month's limit was raised or a new month began)."""
        with self._db.atomic() as tx:
            changed = tx.execute(
                f"UPDATE {RUNS_TABLE} SET status = 'scheduled', send_at = ?, finished_at = NULL, "
                "stop_reason = NULL WHERE id = ? AND status = 'stopped'",
                [_stamp(self.clock()), run_id],
            )
            if changed:
                self._record(actor, "notice_resume", f"run={run_id}")
        return bool(changed)

    # ---- what the sending node does ---------------------------------------------------------------------
    def due(self) -> bool:
        """A cheap read: is any run waiting to be sent (or left by a node whose lease ran out)?"""
        now = _stamp(self.clock())
        row = self._db.one(
            f"SELECT id FROM {RUNS_TABLE} WHERE (status = 'scheduled' AND send_at <= ?) "
            "OR (status = 'sending' AND lease_until <= ?) LIMIT 1",
            [now, now],
        )
        return row is not None

    def claim_due(self, node: str, lease: timedelta) -> NoticeRun | None:
        """Take the next due run for `node`; the first time, fix its recipients (current subscribers)."""
        moment = self.clock()
        now = _stamp(moment)
        due = "((status = 'scheduled' AND send_at <= ?) OR (status = 'sending' AND lease_until <= ?))"
        with self._db.atomic() as tx:
            row = tx.one(f"SELECT * FROM {RUNS_TABLE} WHERE {due} ORDER BY send_at, id LIMIT 1", [now, now])
            if row is None:
                return None
            run_id = int(row["id"])
            changed = tx.execute(
                f"UPDATE {RUNS_TABLE} SET status = 'sending', claimed_by = ?, lease_until = ?, "
                f"started_at = COALESCE(started_at, ?) WHERE id = ? AND {due}",
                [node, _stamp(moment + lease), now, run_id, now, now],
            )
            if not changed:
                return None
            if row["started_at"] is None:
                targeted = self._fix_recipients(tx, run_id, row["topic"], now)
                tx.execute(f"UPDATE {RUNS_TABLE} SET targeted = ? WHERE id = ?", [targeted, run_id])
                self._record(row["created_by"], "notice_start", f"run={run_id} recipients={targeted}")
        return self.get(run_id)

    def _fix_recipients(self, tx: Rows, run_id: int, topic: str, now: str) -> int:
        subscribers = tx.query(
            f"SELECT user_key, user_ref FROM {SUBSCRIPTIONS_TABLE} WHERE topic = ? ORDER BY user_key",
            [topic],
        )
        for subscriber in subscribers:
            tx.execute(
                f"INSERT INTO {RECIPIENTS_TABLE} (run_id, user_key, user_ref, retry_key, status, updated_at) "
                "VALUES (?, ?, ?, ?, 'pending', ?) ON CONFLICT (run_id, user_key) DO NOTHING",
                [run_id, subscriber["user_key"], subscriber["user_ref"], str(uuid.uuid4()), now],
            )
        return len(subscribers)

    def renew(self, run_id: int, node: str, lease: timedelta) -> None:
        """Extend this node's lease; raises LostClaim when another node has taken the run."""
        changed = self._db.execute(
            f"UPDATE {RUNS_TABLE} SET lease_until = ? WHERE id = ? AND claimed_by = ? AND status = 'sending'",
            [_stamp(self.clock() + lease), run_id, node],
        )
        if not changed:
            raise LostClaim(f"run {run_id} is no longer held by this node")

    def unfinished(self, run_id: int, limit: int = 100) -> list[Recipient]:
        """Recipients still to do: those claimed but not settled (a crash) first, then the pending ones."""
        rows = self._db.query(
            f"SELECT run_id, user_key, user_ref, retry_key, status FROM {RECIPIENTS_TABLE} "
            "WHERE run_id = ? AND status IN ('queued', 'pending') "
            "ORDER BY CASE status WHEN 'queued' THEN 0 ELSE 1 END, user_key LIMIT ?",
            [run_id, limit],
        )
        return [Recipient(**row) for row in rows]

    def claim_recipient(self, run: NoticeRun, user_key: str, node: str, lease: timedelta) -> bool:
        """pending → queued, with the lease renewed; call inside the transaction that writes the outbox batch.

        False (and counted as skipped) when the resident no longer subscribes: they stopped, blocked the bot
        or deleted their data after the run began. Raises LostClaim when another node holds the run.
        """
        now = _stamp(self.clock())
        with self._db.atomic() as tx:
            self.renew(run.id, node, lease)
            subscribed = tx.one(
                f"SELECT 1 AS found FROM {SUBSCRIPTIONS_TABLE} WHERE user_key = ? AND topic = ?",
                [user_key, run.topic],
            )
            status = "queued" if subscribed else "skipped"
            changed = tx.execute(
                f"UPDATE {RECIPIENTS_TABLE} SET status = ?, updated_at = ? "
                "WHERE run_id = ? AND user_key = ? AND status = 'pending'",
                [status, now, run.id, user_key],
            )
            if changed and not subscribed:
                tx.execute(f"UPDATE {RUNS_TABLE} SET skipped = skipped + 1 WHERE id = ?", [run.id])
        return bool(changed) and bool(subscribed)

    def settle(self, run_id: int, user_key: str, outcome: Outcome) -> bool:
        """queued → sent / failed, counted once (a second node settling the same row counts nothing)."""
        column = "sent" if outcome == "sent" else "failed"
        with self._db.atomic() as tx:
            changed = tx.execute(
                f"UPDATE {RECIPIENTS_TABLE} SET status = ?, updated_at = ? "
                "WHERE run_id = ? AND user_key = ? AND status = 'queued'",
                [outcome, _stamp(self.clock()), run_id, user_key],
            )
            if changed:
                tx.execute(f"UPDATE {RUNS_TABLE} SET {column} = {column} + 1 WHERE id = ?", [run_id])
        return bool(changed)

    def finish(
        self, run_id: int, node: str, status: Literal["done", "stopped"], reason: str = ""
    ) -> NoticeRun:
        """End this node's run (done, or stopped by LINE's monthly limit) and audit its counts."""
        with self._db.atomic() as tx:
            changed = tx.execute(
                f"UPDATE {RUNS_TABLE} SET status = ?, stop_reason = ?, finished_at = ?, claimed_by = NULL, "
                "lease_until = NULL WHERE id = ? AND claimed_by = ? AND status = 'sending'",
                [status, reason or None, _stamp(self.clock()), run_id, node],
            )
            if not changed:
                raise LostClaim(f"run {run_id} is no longer held by this node")
            run = _run(tx.one(f"SELECT * FROM {RUNS_TABLE} WHERE id = ?", [run_id]))  # type: ignore[arg-type]
            self._record(
                run.created_by,
                f"notice_{status}",
                f"run={run_id} sent={run.sent} failed={run.failed} skipped={run.skipped}"
                + (f" reason={reason}" if reason else ""),
            )
        return run

    def release(self, run_id: int, node: str) -> None:
        """A node shutting down hands its run back at once (its lease ends now)."""
        self._db.execute(
            f"UPDATE {RUNS_TABLE} SET lease_until = ? WHERE id = ? AND claimed_by = ? AND status = 'sending'",
            [_stamp(self.clock()), run_id, node],
        )

    # ---- deletion ---------------------------------------------------------------------------------------
    def recipient_retry_keys(self, user_key: str) -> list[str]:
        """The retry keys of this resident's notice batches (so the outbox can forget them first)."""
        rows = self._db.query(f"SELECT retry_key FROM {RECIPIENTS_TABLE} WHERE user_key = ?", [user_key])
        return [row["retry_key"] for row in rows]

    def forget(self, user_key: str) -> None:
        """「データを削除」 and blocking: this resident's recipient rows go; a notice not yet sent to them is
        counted as skipped."""
        with self._db.atomic() as tx:
            waiting = tx.query(
                f"SELECT run_id FROM {RECIPIENTS_TABLE} WHERE user_key = ? AND status = 'pending'", [user_key]
            )
            for row in waiting:
                tx.execute(f"UPDATE {RUNS_TABLE} SET skipped = skipped + 1 WHERE id = ?", [row["run_id"]])
            tx.execute(f"DELETE FROM {RECIPIENTS_TABLE} WHERE user_key = ?", [user_key])

    def purge(self, now: datetime | None = None, days: int = RECIPIENT_RETENTION_DAYS) -> int:
        """Delete the recipient rows of runs that ended (done or cancelled) more than `days` ago; a stopped
        run keeps them so it can be resumed. Subscriptions are not touched."""
        cutoff = _stamp((now or self.clock()) - timedelta(days=days))
        deleted = self._db.execute(
            f"DELETE FROM {RECIPIENTS_TABLE} WHERE run_id IN (SELECT id FROM {RUNS_TABLE} "
            "WHERE status IN ('done', 'cancelled') AND finished_at < ?)",
            [cutoff],
        )
        if deleted:
            self._db.scrub()
        return deleted
