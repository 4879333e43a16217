"""Counselor accounts: hashed passwords, roles, and a lockout that makes guessing passwords slow.

Passwords are hashed with scrypt (werkzeug). Five failed logins in a row lock the account for 15 minutes;
unknown names cost the same hashing time as known ones so the login form does not reveal who has an account.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from werkzeug.security import check_password_hash, generate_password_hash

from handoff.storage import Database

Role = Literal["counselor", "admin"]
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
MAX_NAME_LENGTH = 64
_HASH_METHOD = "scrypt"
_DUMMY_HASH = generate_password_hash("yorisoi-no-such-account", method=_HASH_METHOD)


class AccountError(ValueError):
    """A request about accounts that cannot be carried out; the message says why (in English, for the CLI),
    `code` names it for the dashboard's Japanese text (messages.DASHBOARD["account_<code>"])."""

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.code = code


class AccountLocked(AccountError):
    """Too many failed logins; `until` is when the account opens again (UTC)."""

    def __init__(self, until: datetime) -> None:
        super().__init__(f"locked until {until.isoformat()}", "locked")
        self.until = until


@dataclass(frozen=True)
class Account:
    name: str
    role: Role
    active: bool
    created_at: datetime
    password_changed_at: datetime
    failed_logins: int = 0
    locked_until: datetime | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > datetime.now(UTC)


def normalise_name(name: str) -> str:
    return unicodedata.normalize("NFKC", name).strip()


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).astimezone(UTC)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


class CounselorAccounts:
    """The dashboard's users (table handoff_accounts)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    @staticmethod
    def _account(row: dict) -> Account:
        return Account(
            name=row["name"],
            role=row["role"],
            active=bool(row["active"]),
            created_at=datetime.fromisoformat(row["created_at"]),
            password_changed_at=datetime.fromisoformat(row["password_changed_at"]),
            failed_logins=row["failed_logins"],
            locked_until=datetime.fromisoformat(row["locked_until"]) if row["locked_until"] else None,
        )

    def _row(self, name: str) -> dict | None:
        return self._db.one("SELECT * FROM handoff_accounts WHERE name = ?", [normalise_name(name)])

    @staticmethod
    def check_password(password: str) -> None:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise AccountError(
                f"the password must be at least {MIN_PASSWORD_LENGTH} characters long", "short"
            )
        if len(password) > MAX_PASSWORD_LENGTH:
            raise AccountError(f"the password must be at most {MAX_PASSWORD_LENGTH} characters long", "long")

    def add(self, name: str, password: str, admin: bool = False, *, now: datetime | None = None) -> Account:
        name = normalise_name(name)
        if not name or len(name) > MAX_NAME_LENGTH or any(unicodedata.category(c)[0] == "C" for c in name):
            raise AccountError(f"the name must be 1 to {MAX_NAME_LENGTH} printable characters", "name")
        self.check_password(password)
        if self._row(name) is not None:
            raise AccountError(f"an account named {name!r} already exists", "exists")
        at = _stamp(_now(now))
        self._db.execute(
            "INSERT INTO handoff_accounts (name, password_hash, role, active, failed_logins, created_at, "
            "password_changed_at) VALUES (?, ?, ?, 1, 0, ?, ?)",
            [
                name,
                generate_password_hash(password, method=_HASH_METHOD),
                "admin" if admin else "counselor",
                at,
                at,
            ],
        )
        return self.get(name)  # type: ignore[return-value]

    def get(self, name: str) -> Account | None:
        row = self._row(name)
        return self._account(row) if row else None

    def list(self) -> list[Account]:
        return [self._account(row) for row in self._db.query("SELECT * FROM handoff_accounts ORDER BY name")]

    def verify(self, name: str, password: str, *, now: datetime | None = None) -> Account | None:
        """The account if name and password match and it is active; `AccountLocked` while locked out."""
        moment = _now(now)
        row = self._row(name)
        if row is None:
            check_password_hash(_DUMMY_HASH, password)
            return None
        if row["locked_until"] and datetime.fromisoformat(row["locked_until"]) > moment:
            raise AccountLocked(datetime.fromisoformat(row["locked_until"]))
        if check_password_hash(row["password_hash"], password) and row["active"]:
            self._db.execute(
                "UPDATE handoff_accounts SET failed_logins = 0, locked_until = NULL WHERE name = ?",
                [row["name"]],
            )
            return self.get(row["name"])
        # Counted in the database in one step, so failures on several web nodes at once all count.
        locked_until = None
        with self._db.atomic() as tx:
            counted = tx.one(
                "UPDATE handoff_accounts SET failed_logins = failed_logins + 1 WHERE name = ? "
                "RETURNING failed_logins",
                [row["name"]],
            )
            if counted is not None and counted["failed_logins"] >= MAX_FAILED_LOGINS:
                locked_until = _stamp(moment + LOCKOUT)
                tx.execute(
                    "UPDATE handoff_accounts SET failed_logins = 0, locked_until = ? WHERE name = ?",
                    [locked_until, row["name"]],
                )
        if locked_until:
            raise AccountLocked(datetime.fromisoformat(locked_until))
        return None

    def _require(self, name: str) -> dict:
        row = self._row(name)
        if row is None:
            raise AccountError(f"no account named {normalise_name(name)!r}", "unknown")
        return row

    def _active_admins(self) -> int:
        row = self._db.one(
            "SELECT COUNT(*) AS admins FROM handoff_accounts WHERE role = 'admin' AND active = 1"
        )
        return row["admins"] if row else 0

    def set_active(self, name: str, active: bool) -> Account:
        row = self._require(name)
        if not active and row["role"] == "admin" and row["active"] and self._active_admins() <= 1:
            raise AccountError("the last active admin cannot be disabled", "last_admin")
        self._db.execute("UPDATE handoff_accounts SET active = ? WHERE name = ?", [int(active), row["name"]])
        return self.get(row["name"])  # type: ignore[return-value]

    def reset_password(self, name: str, password: str, *, now: datetime | None = None) -> Account:
        """New password, lockout lifted; sessions opened with the old password stop working."""
        row = self._require(name)
        self.check_password(password)
        self._db.execute(
            "UPDATE handoff_accounts SET password_hash = ?, password_changed_at = ?, failed_logins = 0, "
            "locked_until = NULL WHERE name = ?",
            [generate_password_hash(password, method=_HASH_METHOD), _stamp(_now(now)), row["name"]],
        )
        return self.get(row["name"])  # type: ignore[return-value]
