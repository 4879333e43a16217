"""CounselorAccounts: hashed passwords, roles, lockout after five failures, the last admin stays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from postgres import BOTH_BACKENDS

from handoff import AccountError, AccountLocked, CounselorAccounts

pytestmark = BOTH_BACKENDS


def test_passwords_are_hashed(accounts: CounselorAccounts, db) -> None:
    accounts.add("suzuki", "correct horse battery")
    stored = db.one("SELECT password_hash FROM handoff_accounts")["password_hash"]
    assert "correct horse battery" not in stored and stored.startswith("scrypt:")
    assert accounts.verify("suzuki", "correct horse battery").name == "suzuki"
    assert accounts.verify("suzuki", "wrong password") is None
    assert accounts.verify("nobody", "correct horse battery") is None


def test_roles_and_validation(accounts: CounselorAccounts) -> None:
    assert accounts.add("admin", "admin-password", admin=True).is_admin
    assert not accounts.add("ｔａｎａｋａ", "counselor-pw").is_admin
    assert accounts.get("tanaka") is not None  # names are NFKC-normalised
    with pytest.raises(AccountError, match="already exists"):
        accounts.add("tanaka", "another-password")
    with pytest.raises(AccountError, match="at least 8"):
        accounts.add("sato", "short")
    for bad in ("", "   ", "a\nb", "x" * 65):
        with pytest.raises(AccountError, match="name"):
            accounts.add(bad, "long-enough-password")


def test_five_failures_lock_the_account_for_fifteen_minutes(accounts: CounselorAccounts) -> None:
    accounts.add("suzuki", "correct horse battery")
    start = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
    for attempt in range(4):
        assert accounts.verify("suzuki", f"guess-{attempt}", now=start) is None
    with pytest.raises(AccountLocked) as locked:
        accounts.verify("suzuki", "guess-5", now=start)
    assert locked.value.until == start + timedelta(minutes=15)
    with pytest.raises(AccountLocked):  # even the right password is refused while locked
        accounts.verify("suzuki", "correct horse battery", now=start + timedelta(minutes=14))
    assert accounts.verify("suzuki", "correct horse battery", now=start + timedelta(minutes=15, seconds=1))
    assert accounts.get("suzuki").failed_logins == 0


def test_success_resets_the_failure_count(accounts: CounselorAccounts) -> None:
    accounts.add("suzuki", "correct horse battery")
    for _ in range(4):
        accounts.verify("suzuki", "nope-nope")
    accounts.verify("suzuki", "correct horse battery")
    for _ in range(4):
        assert accounts.verify("suzuki", "nope-nope") is None  # no lock: the count started again


def test_disable_enable_and_reset(accounts: CounselorAccounts) -> None:
    accounts.add("admin", "admin-password", admin=True)
    accounts.add("suzuki", "correct horse battery")
    accounts.set_active("suzuki", False)
    assert accounts.verify("suzuki", "correct horse battery") is None
    accounts.set_active("suzuki", True)
    before = accounts.get("suzuki").password_changed_at
    changed = accounts.reset_password("suzuki", "a brand new password")
    assert changed.password_changed_at > before
    assert accounts.verify("suzuki", "correct horse battery") is None
    assert accounts.verify("suzuki", "a brand new password") is not None
    with pytest.raises(AccountError, match="last active admin"):
        accounts.set_active("admin", False)
    with pytest.raises(AccountError, match="no account"):
        accounts.reset_password("ghost", "whatever-password")
