"""ThreadStore and CounselorReplies: the lifecycle waiting → claimed → resolved, transcript, notes, audit,
replies, retention."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from postgres import BOTH_BACKENDS

from handoff import AuditLog, CounselorReplies, ThreadNotFound, ThreadStateError, ThreadStore
from handoff.messages import COUNSELOR_REPLY

pytestmark = BOTH_BACKENDS

LINE_USER_ID = "U4af4980629f8c7b5e3f1a2b3c4d5e6f7"  # the default of the open_thread fixture


def test_lifecycle(store: ThreadStore, audit: AuditLog, open_thread, identity) -> None:
    facts = {"parent": "mother", "children_ages": [3, 8], "municipality": "金沢市"}
    programs = [{"id": "jido-fuyo", "name": "児童扶養手当", "certainty": "likely", "why": ["ひとり親"]}]
    thread = open_thread(reason="request", facts=facts, programs=programs)
    assert thread.status == "waiting" and not thread.urgent
    assert thread.facts == facts and thread.programs == programs
    assert store.open_thread_for(identity.user_key(LINE_USER_ID)).id == thread.id

    store.append(thread.id, "resident", "養育費のことで相談したいです")
    store.append(thread.id, "bot", "メッセージを相談員に届けました。")
    claimed = store.claim(thread.id, "suzuki")
    assert claimed.status == "claimed" and claimed.claimed_by == "suzuki" and claimed.claimed_at is not None

    resolved = store.resolve(thread.id, "suzuki")
    assert resolved.status == "resolved" and resolved.resolved_at is not None
    assert store.open_thread_for(identity.user_key(LINE_USER_ID)) is None
    transcript = store.transcript(thread.id)
    assert [(m.sender, m.text) for m in transcript] == [
        ("resident", "養育費のことで相談したいです"),
        ("bot", "メッセージを相談員に届けました。"),
    ]
    assert store.get(thread.id).message_count == 2
    actions = [(e.actor, e.action) for e in reversed(audit.entries())]
    assert actions == [("bot", "open"), ("suzuki", "claim"), ("suzuki", "resolve")]


def test_opening_again_returns_the_open_thread_and_raises_urgency(store: ThreadStore, open_thread) -> None:
    first = open_thread(reason="request", urgent=False)
    again = open_thread(reason="crisis", urgent=True, categories=["dv"])
    assert again.id == first.id
    assert again.urgent and again.reason == "crisis" and again.categories == ["dv"]
    calmer = open_thread(reason="request", urgent=False, categories=["suicide"])
    assert calmer.urgent and calmer.reason == "crisis" and calmer.categories == ["dv", "suicide"]
    store.resolve(first.id, "suzuki")
    assert open_thread().id != first.id


def test_open_refuses_plaintext_ids(store: ThreadStore, identity) -> None:
    with pytest.raises(ValueError, match="user_key"):
        store.open(LINE_USER_ID, identity.seal(LINE_USER_ID), "request", False)
    with pytest.raises(ValueError, match="user_ref"):
        store.open(identity.user_key(LINE_USER_ID), LINE_USER_ID, "request", False)


def test_queue_is_urgent_first_then_longest_waiting(store: ThreadStore, open_thread) -> None:
    start = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
    calm_old = open_thread("U" + "1" * 32, now=start)
    urgent_new = open_thread("U" + "2" * 32, reason="crisis", urgent=True, now=start + timedelta(hours=2))
    calm_new = open_thread("U" + "3" * 32, now=start + timedelta(hours=1))
    urgent_old = open_thread("U" + "4" * 32, reason="crisis", urgent=True, now=start + timedelta(minutes=30))
    done = open_thread("U" + "5" * 32, reason="crisis", urgent=True, now=start)
    store.resolve(done.id, "suzuki")
    assert [t.id for t in store.queue()] == [urgent_old.id, urgent_new.id, calm_old.id, calm_new.id]
    assert [t.id for t in store.list(["resolved"])] == [done.id]


def test_claim_rules(store: ThreadStore, open_thread) -> None:
    thread = open_thread()
    store.claim(thread.id, "suzuki")
    store.claim(thread.id, "suzuki")  # claiming your own thread again changes nothing
    with pytest.raises(ThreadStateError) as refused:
        store.claim(thread.id, "tanaka")
    assert refused.value.reason == "claimed_by_other" and refused.value.claimed_by == "suzuki"
    assert store.claim(thread.id, "tanaka", take_over=True).claimed_by == "tanaka"
    store.resolve(thread.id, "tanaka")
    with pytest.raises(ThreadStateError):
        store.claim(thread.id, "suzuki")
    with pytest.raises(ThreadStateError):
        store.resolve(thread.id, "suzuki")
    with pytest.raises(ThreadNotFound):
        store.claim(9999, "suzuki")


def test_text_is_sealed_at_rest(store: ThreadStore, open_thread, db) -> None:
    thread = open_thread(facts={"municipality": "小平市"})
    store.append(thread.id, "resident", "離婚前の相談をしたい秘密の内容")
    store.add_note(thread.id, "suzuki", "支援員メモ：面談希望")
    if db.backend == "sqlite":
        dump = "\n".join(sqlite3.connect(db.path).iterdump())
    else:  # every row of every table, as text
        dump = "\n".join(str(db.query(f"SELECT * FROM {table}")) for table in db.table_names())
    for plaintext in ("離婚前の相談をしたい秘密の内容", "支援員メモ", "小平市", LINE_USER_ID):
        assert plaintext not in dump
    assert [n.text for n in store.notes(thread.id)] == ["支援員メモ：面談希望"]


def test_metadata_only_store_refuses_text(db, store: ThreadStore, open_thread) -> None:
    thread = open_thread()
    metadata_only = ThreadStore(db)
    assert metadata_only.get(thread.id).status == "waiting"
    assert [t.id for t in metadata_only.queue()] == [thread.id]
    with pytest.raises(RuntimeError, match="ResidentIdentity"):
        metadata_only.append(thread.id, "resident", "こんにちは")


def test_bad_sender_and_unknown_thread(store: ThreadStore, open_thread) -> None:
    thread = open_thread()
    with pytest.raises(ValueError, match="sender"):
        store.append(thread.id, "stranger", "x")  # type: ignore[arg-type]
    with pytest.raises(ThreadNotFound):
        store.append(9999, "resident", "x")
    with pytest.raises(ValueError, match="longer"):
        store.append(thread.id, "resident", "あ" * 20_001)


def test_reply_is_pushed_once_per_retry_key(
    store: ThreadStore, replies: CounselorReplies, open_thread, deliver
) -> None:
    thread = open_thread()
    store.claim(thread.id, "suzuki")
    key = str(uuid.uuid4())
    message, sent = replies.send(thread.id, "suzuki", "お電話ください", key)
    assert sent and message.delivery == "delivered" and message.author == "suzuki"
    again, sent_again = replies.send(thread.id, "suzuki", "お電話ください", key)
    assert not sent_again and again.id == message.id
    assert deliver.calls == [(LINE_USER_ID, COUNSELOR_REPLY.format(text="お電話ください"), key)]


def test_concurrent_double_submit_pushes_once(
    store: ThreadStore, replies: CounselorReplies, open_thread, deliver
) -> None:
    thread = open_thread()
    key = str(uuid.uuid4())
    barrier = threading.Barrier(4)

    def submit() -> None:
        barrier.wait()
        replies.send(thread.id, "suzuki", "同時送信", key)

    workers = [threading.Thread(target=submit) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(deliver.calls) == 1
    assert [m.text for m in store.transcript(thread.id)] == ["同時送信"]


def test_failed_delivery_is_recorded_and_retried_with_the_same_key(
    store: ThreadStore, replies: CounselorReplies, open_thread, deliver
):
    thread = open_thread()
    key = str(uuid.uuid4())
    deliver.status = "raise"
    message, _ = replies.send(thread.id, "suzuki", "再送テスト", key)
    assert message.delivery == "failed: ConnectionError" and message.can_retry
    deliver.status = "delivered"
    retried = replies.retry(message.id, "suzuki")
    assert retried.delivery == "delivered" and not retried.can_retry
    assert [call[2] for call in deliver.calls] == [key, key]
    assert replies.retry(message.id, "suzuki").delivery == "delivered"
    assert len(deliver.calls) == 2  # a delivered reply is not pushed again


def test_reply_to_a_resolved_thread_is_refused(
    store: ThreadStore, replies: CounselorReplies, open_thread, deliver
) -> None:
    thread = open_thread()
    store.resolve(thread.id, "suzuki")
    with pytest.raises(ThreadStateError):
        replies.send(thread.id, "suzuki", "遅い返信", str(uuid.uuid4()))
    assert deliver.calls == []


def test_purge_deletes_only_old_resolved_threads(store: ThreadStore, audit: AuditLog, open_thread) -> None:
    now = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
    old = open_thread("U" + "a" * 32, now=now - timedelta(days=200))
    store.append(old.id, "resident", "古い相談", now=now - timedelta(days=200))
    store.add_note(old.id, "suzuki", "古いメモ", now=now - timedelta(days=200))
    store.resolve(old.id, "suzuki", now=now - timedelta(days=91))
    recent = open_thread("U" + "b" * 32, now=now - timedelta(days=200))
    store.append(recent.id, "resident", "最近の相談")
    store.resolve(recent.id, "suzuki", now=now - timedelta(days=89))
    still_open = open_thread("U" + "c" * 32, now=now - timedelta(days=300))

    counts = store.purge(90, now=now)
    assert counts == {"handoff_threads": 1, "handoff_messages": 1, "handoff_notes": 1}
    with pytest.raises(ThreadNotFound):
        store.get(old.id)
    assert {t.id for t in store.list()} == {recent.id, still_open.id}
    assert store.purge(90, now=now) == {"handoff_threads": 0, "handoff_messages": 0, "handoff_notes": 0}
    assert audit.entries(limit=1)[0].action == "purge"
    with pytest.raises(ValueError):
        store.purge(-1)


def test_counselor_active_only_while_the_claimer_wrote_recently(
    replies, store: ThreadStore, open_thread, deliver
):
    thread = open_thread()
    now = datetime.now(UTC)
    assert not store.counselor_active(store.get(thread.id), now)
    store.claim(thread.id, "suzuki")
    assert not store.counselor_active(store.get(thread.id), now)  # claimed, but nothing written yet
    replies.send(thread.id, "suzuki", "お話をうかがいます", str(uuid.uuid4()))
    claimed = store.get(thread.id)
    assert store.counselor_active(claimed, now)
    assert not store.counselor_active(claimed, now + timedelta(minutes=31))
    assert store.counselor_active(claimed, now + timedelta(minutes=31), window=timedelta(hours=1))


def test_latest_marks_a_resident_who_wrote_after_the_counselor(
    replies, store: ThreadStore, open_thread, deliver
):
    thread = open_thread()
    assert store.latest(thread.id) == store.latest(thread.id) and store.latest(thread.id).message is None
    store.append(thread.id, "resident", "相談です")
    assert store.latest(thread.id).resident_waiting
    store.claim(thread.id, "suzuki")
    replies.send(thread.id, "suzuki", "どうぞ", str(uuid.uuid4()))
    assert not store.latest(thread.id).resident_waiting
    assert store.latest(thread.id).waiting_since is None  # answered: nobody waits
    later = datetime.now(UTC) + timedelta(minutes=5)
    store.append(thread.id, "resident", "続きです", now=later)
    store.append(thread.id, "resident", "もうひとつ", now=later + timedelta(minutes=3))
    latest = store.latest(thread.id)
    assert latest.resident_waiting and latest.message.text == "もうひとつ"
    assert abs(latest.waiting_since - later) < timedelta(seconds=1)  # from the first unanswered message


def test_the_queue_puts_urgent_threads_nobody_has_taken_first(store: ThreadStore, open_thread) -> None:
    taken = open_thread("U" + "1" * 32, reason="crisis", urgent=True, categories=["dv"])
    store.claim(taken.id, "suzuki")
    calm = open_thread("U" + "2" * 32)
    untaken = open_thread("U" + "3" * 32, reason="crisis", urgent=True, categories=["self_harm"])
    assert [thread.id for thread in store.queue()] == [untaken.id, taken.id, calm.id]


def test_latest_shows_the_residents_words_rather_than_the_bots_reply(store: ThreadStore, open_thread) -> None:
    """The list's preview: the crisis reply is the same in every urgent thread; what the resident wrote is
    what a counselor scans for. The bot's message only where nobody else has written."""
    thread = open_thread()
    store.append(thread.id, "bot", "メッセージを受け取りました。")
    assert store.latest(thread.id).message.text == "メッセージを受け取りました。"
    store.append(thread.id, "resident", "もう疲れました")
    store.append(thread.id, "bot", "メッセージを受け取りました。")
    assert store.latest(thread.id).message.text == "もう疲れました"


def test_forget_leaves_an_anonymous_tombstone_for_an_open_thread(
    store: ThreadStore, open_thread, identity, db
) -> None:
    thread = open_thread(facts={"parent": "mother"}, categories=["dv"], urgent=True, reason="crisis")
    store.append(thread.id, "resident", "夫のことで")
    store.add_note(thread.id, "suzuki", "メモ")
    assert store.forget(identity.user_key(LINE_USER_ID)) == 1
    tombstone = store.get(thread.id)
    assert tombstone.status == "deleted" and not tombstone.is_open
    assert (tombstone.user_key, tombstone.user_ref, tombstone.facts, tombstone.categories) == ("", "", {}, [])
    assert not tombstone.urgent and tombstone.reason == "deleted"
    assert store.transcript(thread.id) == [] and store.notes(thread.id) == []
    assert [t.id for t in store.recently_deleted()] == [thread.id]
    row = db.one("SELECT * FROM handoff_threads WHERE id = ?", [thread.id])
    assert identity.user_key(LINE_USER_ID) not in row.values() and None in row.values()  # no facts, programs
    assert store.open_thread_for(identity.user_key(LINE_USER_ID)) is None
    later = datetime.now(UTC) + timedelta(days=91)
    assert store.recently_deleted(now=later) == []
    assert store.purge(90, now=later)["handoff_threads"] == 1
    with pytest.raises(ThreadNotFound):
        store.get(thread.id)


def test_a_resident_back_soon_after_an_urgent_thread_is_linked_and_taken_after_urgent_ones(
    store: ThreadStore, open_thread
) -> None:
    start = datetime.now(UTC) - timedelta(days=30)
    other = open_thread("U" + "5" * 32, now=start)  # an ordinary thread that has waited longest
    crisis = open_thread(reason="crisis", urgent=True, categories=["despair"], now=start)
    store.resolve(crisis.id, "suzuki", now=start + timedelta(days=20))
    back = open_thread(reason="request", now=start + timedelta(days=23))
    assert not back.urgent  # nothing they wrote is a crisis: no alert, no contacts, a counselor decides
    assert [t.id for t in store.earlier_threads(back)] == [crisis.id]
    assert [t.id for t in store.later_threads(crisis)] == [back.id] and store.later_threads(back) == []
    returning = store.returning([back, other])
    assert returning[back.id].urgent_before and returning[back.id].recent_urgent.id == crisis.id
    assert not returning[other.id].urgent_before and returning[other.id].earlier == 0
    urgent = open_thread("U" + "6" * 32, reason="crisis", urgent=True, categories=["dv"])
    assert [t.id for t in store.queue()] == [urgent.id, back.id, other.id]
    # Closed longer ago than the window: still said, but the thread waits its turn.
    later = store.returning([back], timedelta(days=2))[back.id]
    assert later.urgent_before and not later.needs_attention
    assert [t.id for t in store.queue(timedelta(days=2))] == [urgent.id, other.id, back.id]


def test_the_link_to_earlier_threads_goes_with_forget_and_purge(
    store: ThreadStore, open_thread, identity
) -> None:
    old = datetime.now(UTC) - timedelta(days=200)
    first = open_thread(reason="crisis", urgent=True, categories=["suicide"], now=old)
    store.resolve(first.id, "suzuki", now=old + timedelta(days=1))
    second = open_thread(now=old + timedelta(days=3))
    store.resolve(second.id, "suzuki", now=old + timedelta(days=4))
    now_open = open_thread()
    assert [t.id for t in store.earlier_threads(now_open)] == [second.id, first.id]
    assert [t.id for t in store.later_threads(first)] == [second.id, now_open.id]
    store.purge(90)
    assert store.earlier_threads(now_open) == []
    assert not store.returning([now_open])[now_open.id].urgent_before
    again = open_thread("U" + "7" * 32, reason="crisis", urgent=True)
    store.resolve(again.id, "suzuki")
    back = open_thread("U" + "7" * 32)
    store.forget(identity.user_key("U" + "7" * 32))
    tombstone = store.get(back.id)  # an open thread leaves a tombstone with no resident to link
    assert store.earlier_threads(tombstone) == [] and store.returning([tombstone])[back.id].earlier == 0
    assert store.later_threads(tombstone) == []
