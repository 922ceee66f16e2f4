"""Schedules in channel time zones (DST-correct) and arXiv's announcement calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bot.digest.schedule as schedule_module
from bot.digest.schedule import (
    ArxivCalendar,
    describe,
    empty_notice,
    fetch_triggers,
    next_run,
    parse_schedule,
    run_key,
    runs_between,
)
from bot.errors import InvalidInput
from bot.models import ALL_DAYS, WEEKDAYS, Schedule

CAL = ArxivCalendar.from_setting("2026-11-26,2026-12-25")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09:00 Europe/Berlin weekdays", Schedule("09:00", "Europe/Berlin", WEEKDAYS)),
        ("7:05", Schedule("07:05", "UTC", WEEKDAYS)),
        ("08:30 UTC daily", Schedule("08:30", "UTC", ALL_DAYS)),
        ("08:30 Asia/Tokyo mon,wed,fri", Schedule("08:30", "Asia/Tokyo", (0, 2, 4))),
        ("08:30 America/Los_Angeles weekly fri", Schedule("08:30", "America/Los_Angeles", (4,))),
        ("08:30 UTC fri-mon", Schedule("08:30", "UTC", (0, 4, 5, 6))),
        ("10:00 weekends", Schedule("10:00", "UTC", (5, 6))),
    ],
)
def test_parse_schedule(text: str, expected: Schedule) -> None:
    assert parse_schedule(text) == expected


@pytest.mark.parametrize(
    "text", ["", "13pm", "25:00 UTC", "09:00 Mars/Olympus", "09:00 UTC funday"]
)
def test_parse_schedule_rejects_nonsense(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_schedule(text)


def test_describe_round_trips() -> None:
    for text in ("09:00 Europe/Berlin weekdays", "08:30 Asia/Tokyo mon,wed,fri", "06:00 UTC daily"):
        assert describe(parse_schedule(text)) == text


def test_weekday_schedule_skips_the_weekend() -> None:
    s = parse_schedule("09:00 Europe/Berlin weekdays")
    # Friday 27 Nov 2026 after 09:00 Berlin -> Monday 30 Nov 09:00 CET (08:00 UTC)
    assert next_run(s, utc(2026, 11, 27, 8, 30)) == utc(2026, 11, 30, 8, 0)
    # Before Friday's slot -> Friday's slot
    assert next_run(s, utc(2026, 11, 27, 7, 59)) == utc(2026, 11, 27, 8, 0)


def test_berlin_spring_forward_keeps_local_time() -> None:
    s = parse_schedule("09:00 Europe/Berlin daily")
    runs = list(runs_between(s, utc(2026, 3, 28, 0), utc(2026, 3, 30, 12)))
    # 09:00 CET = 08:00 UTC on Saturday, 09:00 CEST = 07:00 UTC from Sunday on
    assert runs == [utc(2026, 3, 28, 8), utc(2026, 3, 29, 7), utc(2026, 3, 30, 7)]


def test_nonexistent_local_time_fires_once_an_hour_later() -> None:
    s = parse_schedule("02:30 America/New_York daily")
    runs = list(runs_between(s, utc(2026, 3, 7, 12), utc(2026, 3, 9, 12)))
    # 02:30 does not exist on 8 Mar 2026: it runs at 03:30 EDT (07:30 UTC), once.
    assert runs == [utc(2026, 3, 8, 7, 30), utc(2026, 3, 9, 6, 30)]
    assert [run_key(s, r) for r in runs] == ["2026-03-08", "2026-03-09"]


def test_ambiguous_local_time_fires_once() -> None:
    s = parse_schedule("01:30 America/New_York daily")
    runs = list(runs_between(s, utc(2026, 10, 31, 12), utc(2026, 11, 2, 12)))
    # 01:30 happens twice on 1 Nov 2026 (EDT then EST): one digest, at the first.
    assert runs == [utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30)]


def test_tokyo_and_los_angeles_differ_on_the_same_instant() -> None:
    tokyo = parse_schedule("09:00 Asia/Tokyo weekdays")
    la = parse_schedule("09:00 America/Los_Angeles weekdays")
    now = utc(2026, 11, 27, 12)  # Fri 21:00 in Tokyo, Fri 04:00 in Los Angeles
    assert next_run(tokyo, now) == utc(2026, 11, 30, 0)  # Mon 09:00 JST
    assert next_run(la, now) == utc(2026, 11, 27, 17)  # Fri 09:00 PST
    assert run_key(tokyo, utc(2026, 11, 30, 0)) == "2026-11-30"
    assert run_key(la, utc(2026, 11, 28, 2)) == "2026-11-27"  # still Friday evening in LA


def test_no_days_means_no_runs() -> None:
    assert next_run(Schedule("09:00", "UTC", ()), utc(2026, 1, 1)) is None


def test_arxiv_calendar_days_and_holidays() -> None:
    assert [CAL.announces_on(date(2026, 11, d)) for d in range(22, 29)] == [
        True,  # Sun 22
        True,  # Mon
        True,  # Tue
        True,  # Wed
        False,  # Thu 26: Thanksgiving, an arXiv holiday
        False,  # Fri
        False,  # Sat
    ]
    assert CAL.announcement_at(date(2026, 11, 25)) == utc(2026, 11, 26, 1)  # 20:00 EST
    assert CAL.announcement_at(date(2026, 7, 1)) == utc(2026, 7, 2, 0)  # 20:00 EDT
    # Sunday 19:00 EST, before that evening's mailing: the last one was Wednesday's
    assert CAL.last_announcement(utc(2026, 11, 30, 0)) == utc(2026, 11, 26, 1)


def test_quiet_reasons_for_empty_days() -> None:
    # Saturday morning in Berlin: nothing since Friday's digest (Friday evening: no mailing)
    assert (
        empty_notice(CAL, utc(2026, 6, 26, 7), utc(2026, 6, 27, 7))
        == "No new papers today (arXiv does not announce on Fridays/Saturdays)."
    )
    assert "holiday" in empty_notice(CAL, utc(2026, 11, 26, 8), utc(2026, 11, 27, 8))
    # An announcement happened but nothing matched
    assert (
        empty_notice(CAL, utc(2026, 6, 23, 7), utc(2026, 6, 24, 7))
        == "No new papers matched this channel's interests today."
    )


def test_bad_holiday_setting_is_named() -> None:
    with pytest.raises(InvalidInput, match="ARXIV_HOLIDAYS"):
        ArxivCalendar.from_setting("2026-13-40")


def test_fetch_triggers_follow_the_announcements() -> None:
    triggers = fetch_triggers(arxiv_delay_minutes=30, hf_hours_utc="9,15")
    # After Thursday's mailing the next arXiv fetch is Sunday 20:30 US Eastern.
    after_thursday = utc(2026, 6, 26, 2)
    fire = triggers["arxiv"].get_next_fire_time(None, after_thursday)
    assert fire is not None and fire.astimezone(UTC) == utc(2026, 6, 29, 0, 30)
    # The default: 00:30 US Eastern the next day, after the RSS feeds refresh (Mon-Fri).
    late = fetch_triggers(arxiv_delay_minutes=270, hf_hours_utc="9")["arxiv"]
    fire = late.get_next_fire_time(None, utc(2026, 6, 26, 2))  # Thu 22:00 EDT
    assert fire is not None and fire.astimezone(UTC) == utc(2026, 6, 26, 4, 30)  # Fri 00:30
    fire = late.get_next_fire_time(None, utc(2026, 6, 26, 5))
    assert fire is not None and fire.astimezone(UTC) == utc(2026, 6, 29, 4, 30)  # Mon, after Sun
    fire = triggers["hf"].get_next_fire_time(None, utc(2026, 6, 26, 10))
    assert fire is not None and fire.astimezone(UTC) == utc(2026, 6, 26, 15, 5)


MEMO_SCHEDULES = [
    parse_schedule("01:30 America/New_York daily"),  # twice on the fall-back day
    parse_schedule("02:30 America/New_York daily"),  # missing on the spring-forward day
    parse_schedule("09:00 Europe/Berlin weekdays"),
    parse_schedule("0 9,17 * * mon-fri Asia/Tokyo"),
]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    which=st.integers(0, len(MEMO_SCHEDULES) - 1),
    # around New York's fall-back day (1 Nov 2026) or its spring-forward day (14 Mar 2027)
    day=st.sampled_from([utc(2026, 10, 31), utc(2027, 3, 13)]),
    start=st.integers(0, 72 * 60),
    steps=st.lists(st.integers(-90, 90), max_size=40),
)
def test_remembered_next_run_is_the_computed_one(
    which: int, day: datetime, start: int, steps: list[int]
) -> None:
    """next_run keeps each schedule's last answer for the times that share it: asked back and
    forth around its runs, near DST changes, it answers as a fresh computation does."""
    s = MEMO_SCHEDULES[which]
    after = day + timedelta(minutes=start)
    for minutes in steps:
        after += timedelta(minutes=minutes)
        remembered = next_run(s, after)
        schedule_module._next_memo.clear()
        assert remembered == next_run(s, after), (s, after)
