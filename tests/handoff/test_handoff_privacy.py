"""Privacy: no plaintext LINE id anywhere in the database file, and `forget` leaves no trace of a resident."""

from __future__ import annotations

from pathlib import Path

from postgres import BOTH_BACKENDS

from handoff import AuditLog, ThreadStore

pytestmark = BOTH_BACKENDS

LINE_USER_ID = "U4af4980629f8c7b5e3f1a2b3c4d5e6f7"  # the default of the open_thread fixture

OTHER_USER_ID = "U99999999999999999999999999999999"
SECRET_TEXT = "夫に内緒で離婚の相談をしています"


def database_bytes(data_dir: Path, db) -> bytes:
    """Everything SQLite keeps on disk for the database: the main file, the WAL and its index. On PostgreSQL,
    every row of every table (its files keep deleted rows until VACUUM reuses the space; see README)."""
    if db.backend == "postgresql":
        return "\n".join(str(db.query(f"SELECT * FROM {table}")) for table in db.table_names()).encode()
    return b"".join(path.read_bytes() for path in sorted(data_dir.glob("yorisoi.db*")))


def fill(store: ThreadStore, audit: AuditLog, identity, line_user_id: str, text: str) -> int:
    user_key, user_ref = identity.user_key(line_user_id), identity.seal(line_user_id)
    first = store.open(user_key, user_ref, "request", False, facts={"municipality": "金沢市"})
    store.append(first.id, "resident", text)
    store.add_note(first.id, "suzuki", f"メモ {text}")
    store.resolve(first.id, "suzuki")
    second = store.open(user_key, user_ref, "crisis", True, categories=["dv"])
    store.append(second.id, "resident", text + "（二回目）")
    audit.record("suzuki", "view", second.id)
    return second.id


def test_database_never_holds_a_plaintext_line_id(
    store: ThreadStore, audit: AuditLog, identity, handoff_dir: Path, db
) -> None:
    fill(store, audit, identity, LINE_USER_ID, SECRET_TEXT)
    raw = database_bytes(handoff_dir, db)
    assert LINE_USER_ID.encode() not in raw
    assert SECRET_TEXT.encode() not in raw
    assert identity.user_key(LINE_USER_ID).encode() in raw  # the pseudonym is what rows are keyed by


def test_forget_leaves_no_row_or_byte_about_the_resident(
    store: ThreadStore, audit: AuditLog, identity, handoff_dir: Path, db
) -> None:
    fill(store, audit, identity, LINE_USER_ID, SECRET_TEXT)
    kept = fill(store, audit, identity, OTHER_USER_ID, "別の方の相談")
    user_key = identity.user_key(LINE_USER_ID)

    assert store.forget(user_key) == 2

    assert db.query("SELECT id FROM handoff_threads WHERE user_key = ?", [user_key]) == []
    remaining_threads = [row["id"] for row in db.query("SELECT id FROM handoff_threads WHERE user_key != ''")]
    assert remaining_threads == [kept - 1, kept]
    tombstones = db.query("SELECT status, user_ref, facts, programs FROM handoff_threads WHERE user_key = ''")
    # the open thread's anonymous mark
    assert all(
        row == {"status": "deleted", "user_ref": "", "facts": None, "programs": None} for row in tombstones
    )
    thread_ids = {row["thread_id"] for row in db.query("SELECT thread_id FROM handoff_messages")}
    assert thread_ids <= set(remaining_threads)
    assert {row["thread_id"] for row in db.query("SELECT thread_id FROM handoff_notes")} <= set(
        remaining_threads
    )
    for row in db.query("SELECT detail FROM handoff_audit"):
        assert user_key not in row["detail"] and SECRET_TEXT not in row["detail"]

    raw = database_bytes(handoff_dir, db)
    for needle in (user_key, LINE_USER_ID, SECRET_TEXT, "メモ " + SECRET_TEXT):
        assert needle.encode() not in raw, needle
    assert identity.user_key(OTHER_USER_ID).encode() in raw
    assert [m.text for m in store.transcript(kept)] == ["別の方の相談（二回目）"]
    assert audit.entries(limit=1)[0].action == "forget"


def test_forget_of_an_unknown_resident_is_harmless(store: ThreadStore, identity) -> None:
    assert store.forget(identity.user_key("U" + "0" * 32)) == 0
