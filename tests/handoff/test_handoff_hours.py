"""ReceptionHours in Asia/Tokyo: weekdays, 祝日, 年末年始 and the edges of the day."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from handoff import ReceptionHours

TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture(scope="module")
def hours() -> ReceptionHours:
    return ReceptionHours.parse("mon-fri 08:30-16:00")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TOKYO)


@pytest.mark.parametrize(
    ("moment", "is_open"),
    [
        ("2026-11-24 08:29:59", False),  # Tuesday, a second before opening
        ("2026-11-24 08:30:00", True),  # opening minute
        ("2026-11-24 12:00:00", True),
        ("2026-11-24 15:59:59", True),
        ("2026-11-24 16:00:00", False),  # closing time is already closed
        ("2026-11-28 10:00:00", False),  # Saturday
        ("2026-11-29 10:00:00", False),  # Sunday
        ("2026-11-23 10:00:00", False),  # 勤労感謝の日 (Monday)
        ("2026-05-06 10:00:00", False),  # 振替休日 after 憲法記念日 on a Sunday
        ("2026-12-28 15:00:00", True),  # last working day of the year
        ("2026-12-29 10:00:00", False),  # 年末年始 begins (Tuesday)
        ("2026-12-31 10:00:00", False),
        ("2027-01-01 10:00:00", False),
        ("2027-01-04 08:30:00", True),  # first working day of the year (Monday)
    ],
)
def test_is_open(hours: ReceptionHours, moment: str, is_open: bool) -> None:
    assert hours.is_open(at(moment)) is is_open


def test_times_in_other_zones_are_read_as_tokyo(hours: ReceptionHours) -> None:
    # 2026-11-24 00:00 UTC is 09:00 in Tokyo: open. 08:00 UTC is 17:00 in Tokyo: closed.
    assert hours.is_open(datetime(2026, 11, 24, 0, 0, tzinfo=UTC))
    assert not hours.is_open(datetime(2026, 11, 24, 8, 0, tzinfo=UTC))
    assert hours.is_open(datetime(2026, 11, 24, 9, 0))  # naive means Tokyo


@pytest.mark.parametrize(
    ("moment", "opening", "phrase"),
    [
        ("2026-11-24 07:00", "2026-11-24 08:30", "本日8時30分"),
        ("2026-11-24 16:00", "2026-11-25 08:30", "明日（11月25日）8時30分"),
        ("2026-11-27 18:00", "2026-11-30 08:30", "11月30日（月）8時30分"),  # Friday evening → Monday
        ("2026-11-22 12:00", "2026-11-24 08:30", "11月24日（火）8時30分"),  # Sunday before a Monday holiday
        ("2026-12-28 16:30", "2027-01-04 08:30", "1月4日（月）8時30分"),  # over 年末年始
    ],
)
def test_next_opening_and_phrase(hours: ReceptionHours, moment: str, opening: str, phrase: str) -> None:
    assert hours.next_opening(at(moment)) == at(opening)
    assert hours.when_phrase(at(moment)) == phrase


def test_next_opening_while_open_is_now(hours: ReceptionHours) -> None:
    moment = at("2026-11-24 10:15")
    assert hours.next_opening(moment) == moment


def test_several_windows() -> None:
    hours = ReceptionHours.parse("mon-fri 08:30-12:00; mon-fri 13:00-16:00; sat 09:00-12:00")
    assert not hours.is_open(at("2026-11-24 12:30"))
    assert hours.next_opening(at("2026-11-24 12:30")) == at("2026-11-24 13:00")
    assert hours.is_open(at("2026-11-28 09:30"))
    assert hours.describe() == "月〜金 8時30分〜12時、月〜金 13時〜16時、土 9時〜12時（祝日・年末年始を除く）"


def test_describe(hours: ReceptionHours) -> None:
    assert hours.describe() == "月〜金 8時30分〜16時（祝日・年末年始を除く）"
    assert ReceptionHours.parse("mon,wed,fri 09:00-12:00").describe().startswith("月・水・金 9時〜12時")


@pytest.mark.parametrize(
    "spec",
    [
        "",
        "weekdays 08:30-16:00",
        "mon-fri 8:30",
        "mon-fri 16:00-08:30",
        "fri-mon 09:00-10:00",
        "mon-fri 25:00-26:00",
    ],
)
def test_bad_specs_are_refused_with_a_clear_message(spec: str) -> None:
    with pytest.raises(ValueError, match="reception hours"):
        ReceptionHours.parse(spec)
