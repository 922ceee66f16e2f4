"""The one schedule parser chat and the CLI share: zones in any case, abbreviations, 12-hour
times, cron lines (next runs from APScheduler's CronTrigger in the channel's zone), typos."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.digest.schedule import describe, next_run, run_key, runs_between
from bot.digest.schedule_parse import parse_schedule_text
from bot.digest.timezones import resolve_zone
from bot.errors import CommandError, InvalidInput
from bot.models import ALL_DAYS, WEEKDAYS, Schedule


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09:00 utc", Schedule("09:00", "UTC", WEEKDAYS)),
        ("09:00 europe/berlin", Schedule("09:00", "Europe/Berlin", WEEKDAYS)),
        ("9am Europe/Berlin weekdays", Schedule("09:00", "Europe/Berlin", WEEKDAYS)),
        ("9 pm america/new_york daily", Schedule("21:00", "America/New_York", ALL_DAYS)),
        ("12am UTC sat", Schedule("00:00", "UTC", (5,))),
        ("9:30pm tue-thu PST", Schedule("21:30", "America/Los_Angeles", (1, 2, 3))),
        ("08:30 mon,thu", Schedule("08:30", "UTC", (0, 3))),
        ("07:00 weekly fri", Schedule("07:00", "UTC", (4,))),
    ],
)
def test_times_zones_and_days(text: str, expected: Schedule) -> None:
    assert parse_schedule_text(text).schedule == expected


@pytest.mark.parametrize(
    ("word", "zone"),
    [("CET", "Europe/Berlin"), ("est", "America/New_York"), ("PDT", "America/Los_Angeles")],
)
def test_abbreviations_become_iana_zones_and_say_so(word: str, zone: str) -> None:
    parsed = parse_schedule_text(f"09:00 {word}")
    assert parsed.schedule.timezone == zone
    assert parsed.notes == (f"{word.upper()} taken as {zone} (its daylight-saving rules apply)",)


def test_utc_needs_no_note_and_gmt_says_what_it_means() -> None:
    assert parse_schedule_text("09:00 UTC").notes == ()
    gmt = parse_schedule_text("09:00 gmt")
    assert gmt.schedule.timezone == "UTC" and "Europe/London" in gmt.notes[0]


def test_a_cet_schedule_follows_daylight_saving() -> None:
    schedule = parse_schedule_text("09:00 CET daily").schedule
    winter = next_run(schedule, datetime(2026, 1, 10, 12, tzinfo=UTC))
    summer = next_run(schedule, datetime(2026, 7, 10, 12, tzinfo=UTC))
    assert (winter, summer) == (
        datetime(2026, 1, 11, 8, tzinfo=UTC),
        datetime(2026, 7, 11, 7, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("09:00 Europe/Berln", "`Europe/Berlin`"),
        ("09:00 berlin", "`Europe/Berlin`"),
        ("09:00 amerika/new_york", "`America/New_York`"),
    ],
)
def test_typos_get_a_did_you_mean(text: str, suggestion: str) -> None:
    with pytest.raises(CommandError) as err:
        parse_schedule_text(text)
    assert "Unknown time zone" in str(err.value) and f"Did you mean {suggestion}" in str(err.value)


def test_cron_line_with_zone_is_stored_and_runs_in_that_zone() -> None:
    schedule = parse_schedule_text("0 9 * * mon-fri Europe/Berlin").schedule
    assert (schedule.cron, schedule.timezone) == ("0 9 * * mon-fri", "Europe/Berlin")
    assert describe(schedule) == "cron 0 9 * * mon-fri Europe/Berlin"
    friday_noon = datetime(2026, 3, 27, 12, tzinfo=UTC)  # DST starts Sunday 29 March
    assert next_run(schedule, friday_noon) == datetime(2026, 3, 30, 7, tzinfo=UTC)


def test_cron_weekday_numbers_count_from_sunday_like_cron() -> None:
    """APScheduler 3 counts weekdays from Monday; cron's 0 (and 7) is Sunday."""
    sunday = parse_schedule_text("30 6 * * 0 UTC").schedule
    assert sunday.cron == "30 6 * * sun"
    assert next_run(sunday, datetime(2026, 3, 2, tzinfo=UTC)) == datetime(
        2026, 3, 8, 6, 30, tzinfo=UTC
    )
    assert parse_schedule_text("0 9 * * 1-5").schedule.cron == "0 9 * * mon-fri"
    assert parse_schedule_text("0 9 * * */2").schedule.cron == "0 9 * * sun,tue,thu,sat"


def test_cron_twice_a_day_gets_two_digests_with_their_own_keys() -> None:
    schedule = parse_schedule_text("0 9,17 * * * UTC").schedule
    day = datetime(2026, 3, 2, tzinfo=UTC)
    runs = list(runs_between(schedule, day, day.replace(hour=23)))
    assert [run_key(schedule, r) for r in runs] == ["2026-03-02T09:00", "2026-03-02T17:00"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0 25 * * * UTC", "not a valid cron line"),
        ("0 9 * * mon-fri Europe/Berln", "Did you mean `Europe/Berlin`"),
        ("0 9 * * mon-fri UTC extra", "not a cron line"),
        ("*/5 * * * * UTC", "more than once an hour"),
        ("0 9 * * 8", "not a cron weekday"),
        ("0 9 31 2 *", "never runs"),
    ],
)
def test_bad_cron_lines_say_why(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_schedule_text(text)
    assert message in str(err.value)


@pytest.mark.parametrize("text", ["", "13pm", "25:00", "09:00 UTC CET", "09:00 UTC funday"])
def test_nonsense_is_refused(text: str) -> None:
    with pytest.raises(CommandError):
        parse_schedule_text(text)


def test_zone_lookup_is_case_insensitive() -> None:
    assert resolve_zone("ASIA/TOKYO").name == "Asia/Tokyo"
