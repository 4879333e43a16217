"""The audit trail (table handoff_audit): who did what on the dashboard and the CLI, never what was written.

Stores that change threads record here inside their own transaction (`Database.atomic` joins it), so an
action and its audit line are kept or lost together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from handoff.storage import Database


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    thread_id: int | None
    detail: str


def _stamp(moment: datetime | None) -> str:
    return (moment or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")


class AuditLog:
    def __init__(self, db: Database) -> None:
        self._db = db

    def record(
        self,
        actor: str,
        action: str,
        thread_id: int | None = None,
        detail: str = "",
        *,
        now: datetime | None = None,
    ) -> None:
        """Record who did what; `detail` must never carry message text or resident identifiers."""
        with self._db.atomic() as tx:
            tx.execute(
                "INSERT INTO handoff_audit (at, actor, action, thread_id, detail) VALUES (?, ?, ?, ?, ?)",
                [_stamp(now), actor, action, thread_id, detail],
            )

    def entries(self, *, limit: int = 200, offset: int = 0) -> list[AuditEntry]:
        """Newest first."""
        rows = self._db.query(
            "SELECT * FROM handoff_audit ORDER BY id DESC LIMIT ? OFFSET ?", [limit, offset]
        )
        return [
            AuditEntry(
                r["id"], datetime.fromisoformat(r["at"]), r["actor"], r["action"], r["thread_id"], r["detail"]
            )
            for r in rows
        ]
