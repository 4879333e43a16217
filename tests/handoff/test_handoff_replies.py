"""Resident-facing texts around a handoff: opened, acknowledgement in and out of hours, deletion, privacy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from postgres import BOTH_BACKENDS

from handoff import (
    DELETE_CANCEL_POSTBACK,
    DELETE_CONFIRM_POSTBACK,
    CrisisDetector,
    ReceptionHours,
    acknowledgement,
    delete_confirmation,
    delete_done,
    privacy_notice,
    thread_opened,
    thread_resolved,
)

pytestmark = BOTH_BACKENDS

TOKYO = ZoneInfo("Asia/Tokyo")
OPEN = datetime(2026, 11, 24, 10, 0, tzinfo=TOKYO)  # Tuesday morning
FRIDAY_NIGHT = datetime(2026, 11, 27, 21, 0, tzinfo=TOKYO)


@pytest.fixture(scope="module")
def hours() -> ReceptionHours:
    return ReceptionHours.parse("mon-fri 08:30-16:00")


@pytest.fixture(scope="module")
def policy() -> CrisisDetector:
    return CrisisDetector.load()


def test_thread_opened_says_when_a_person_answers(hours: ReceptionHours) -> None:
    assert "受付時間中" in thread_opened(hours, OPEN)
    closed = thread_opened(hours, FRIDAY_NIGHT)
    assert "11月30日（月）8時30分以降" in closed and "月〜金 8時30分〜16時" in closed


def test_acknowledgement_in_hours_is_short(open_thread, hours, policy) -> None:
    thread = open_thread(reason="crisis", urgent=True, categories=["dv"])
    text = acknowledgement(thread, hours, policy, OPEN)
    assert "相談員に届けました" in text and "0120" not in text


def test_out_of_hours_urgent_acknowledgement_repeats_the_numbers_that_fit(open_thread, hours, policy) -> None:
    thread = open_thread(reason="crisis", urgent=True, categories=["suicide"])
    text = acknowledgement(thread, hours, policy, FRIDAY_NIGHT)
    assert "11月30日（月）8時30分以降" in text
    assert "0120-279-338" in text and "#8008" not in text
    assert "0120-783-556" not in text  # いのちの電話 closes at 21:00: not offered late on a Friday


def test_the_repeated_numbers_are_only_those_open_now(open_thread, hours, policy) -> None:
    thread = open_thread(reason="crisis", urgent=True, categories=["dv"])
    text = acknowledgement(thread, hours, policy, FRIDAY_NIGHT)
    assert "0120-279-889" in text and "110" in text  # DV相談＋ and the police, open all night
    assert "#8008" not in text and "お近くの窓口" not in text  # local hours: in the first reply only


def test_out_of_hours_calm_acknowledgement_has_no_numbers(open_thread, hours, policy) -> None:
    thread = open_thread(reason="request", urgent=False)
    text = acknowledgement(thread, hours, policy, FRIDAY_NIGHT)
    assert "以降" in text and "0120" not in text and "110" not in text


def test_resolved_and_deletion_texts() -> None:
    assert "自動でお答えします" in thread_resolved()
    question, choices = delete_confirmation()
    assert "削除" in question and "元には戻せません" in question
    assert [data for _, data in choices] == [DELETE_CONFIRM_POSTBACK, DELETE_CANCEL_POSTBACK]
    assert "トーク履歴をすべて削除" in delete_done()


def test_privacy_notice_explains_retention_deletion_and_a_shared_phone() -> None:
    notice = privacy_notice(90)
    assert "90日" in notice and "データを削除" in notice
    assert "伏せた形" in notice  # staff may read questions, masked (handoff/insights.py)
    assert "トーク履歴をすべて削除" in notice and "メッセージ内容表示" in notice
    assert "{" not in notice


def test_no_acknowledgement_while_a_counselor_is_writing(open_thread) -> None:
    from handoff import EscalationPolicy, ReceptionHours, acknowledgement

    thread = open_thread(reason="crisis", urgent=True, categories=["dv"])
    hours = ReceptionHours.parse("mon-fri 08:30-16:00")
    night = datetime(2026, 1, 7, 1, 30, tzinfo=UTC)
    assert acknowledgement(thread, hours, EscalationPolicy.load(), night)
    assert acknowledgement(thread, hours, EscalationPolicy.load(), night, counselor_active=True) == ""


def test_a_thread_just_taken_by_a_counselor_is_not_told_to_wait_until_morning(
    open_thread, store, hours, policy
) -> None:
    thread = open_thread(reason="crisis", urgent=True, categories=["despair"])
    night = datetime(2026, 1, 6, 16, 30, tzinfo=UTC)  # 01:30 in Tokyo
    store.claim(thread.id, "sato", now=night)
    taken = store.get(thread.id)
    text = acknowledgement(taken, hours, policy, night + timedelta(minutes=2))
    assert "いま確認しています" in text and "以降" not in text
    # long after the claim with nothing written, the hours are said again
    later = acknowledgement(taken, hours, policy, night + timedelta(hours=2))
    assert "以降" in later
