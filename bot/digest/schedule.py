"""When things happen: per-channel digest times (DST-correct) and arXiv's announcement calendar."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger

from bot.digest import holidays
from bot.digest.schedule_parse import DAY_NAMES, cron_trigger, parse_schedule_text
from bot.digest.schedule_parse import parse_days as parse_days_text
from bot.errors import InvalidInput
from bot.models import ALL_DAYS, WEEKDAYS, Channel, Schedule

_MICRO = timedelta(microseconds=1)
EASTERN = ZoneInfo("America/New_York")
ANNOUNCE_AT = time(20, 0)  # arXiv announces at 20:00 US Eastern
ANNOUNCE_DAYS = (6, 0, 1, 2, 3)  # Sunday to Thursday


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            f"unknown time zone {name!r}; use an IANA name like Europe/Berlin"
        ) from None


def parse_days(text: str) -> tuple[int, ...]:
    """`daily`, `weekdays`, `weekends`, `weekly [day]`, `mon,wed,fri`, `mon-fri` (empty: weekdays)."""
    return parse_days_text(text) if text.strip() else WEEKDAYS


def parse_schedule(text: str, *, default_timezone: str = "UTC") -> Schedule:
    """`"09:00 Europe/Berlin weekdays"`, `"9am CET"`, `"0 9 * * mon-fri Europe/Berlin"`: the one
    parser chat and the CLI share (bot/schedule_parse.py); notes are dropped here."""
    return parse_schedule_text(text, default_timezone=default_timezone).schedule


def describe_days(days: Iterable[int]) -> str:
    ds = tuple(sorted(set(days)))
    for word, span in (("daily", ALL_DAYS), ("weekdays", WEEKDAYS), ("weekends", (5, 6))):
        if ds == span:
            return word
    return ",".join(DAY_NAMES[d] for d in ds)


def describe(schedule: Schedule) -> str:
    """`09:00 Europe/Berlin weekdays`, or `cron 0 9 * * mon-fri Europe/Berlin`."""
    if schedule.cron:
        return f"cron {schedule.cron} {schedule.timezone}"
    return f"{schedule.time} {schedule.timezone} {describe_days(schedule.days)}"


@lru_cache(maxsize=4096)
def trigger_for(schedule: Schedule) -> CronTrigger:
    """APScheduler's cron trigger for a channel's schedule, in the channel's time zone. Kept
    per schedule (a trigger only computes, so threads share it): building one parses its cron
    fields, ~0.2 ms, three times per channel and pass before."""
    if schedule.cron:
        return cron_trigger(schedule.cron, schedule.timezone)
    hour, minute = (int(x) for x in schedule.time.split(":"))
    days = ",".join(DAY_NAMES[d] for d in sorted(set(schedule.days))) or "*"
    return CronTrigger(
        day_of_week=days, hour=hour, minute=minute, second=0, timezone=zone(schedule.timezone)
    )


def _utc(value: datetime) -> datetime:
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)


_NEXT_MAX = 4096
_MEMO_SPAN = timedelta(days=20)  # shorter than any time between two clock changes
_MEMO_PER_SCHEDULE = 4
# per schedule, its latest answers as (after, valid_until, next run): every `after` in
# [after, valid_until) has that same next run (see _next_run). Delivery asks three times per
# channel (the missed slots since it was due, and the next one), channels share schedules.
_next_memo: dict[Schedule, tuple[tuple[datetime, datetime, datetime], ...]] = {}


def next_run(schedule: Schedule, after: datetime) -> datetime | None:
    """The first scheduled run strictly after `after` (UTC), at most one per local day.

    A time that does not exist on a spring-forward day fires an hour later (APScheduler's
    behaviour); a time that happens twice on a fall-back day fires once.
    """
    after = _utc(after)
    memo = _next_memo.get(schedule, ())
    for start, until, fire in memo:
        if start <= after < until:
            return fire
    found = _next_run(schedule, after)
    if found is None:
        return None
    fire, valid_until = found
    if fire - after < _MEMO_SPAN and _same_offset(schedule, after, fire):
        if len(_next_memo) >= _NEXT_MAX:
            _next_memo.clear()
        _next_memo[schedule] = ((after, valid_until, fire), *memo[: _MEMO_PER_SCHEDULE - 1])
    return fire


def _same_offset(schedule: Schedule, start: datetime, end: datetime) -> bool:
    """No clock change between `start` and `end` (less than _MEMO_SPAN apart): APScheduler
    finds the next local time after the local `start`, so across a clock change a later start
    can skip a run an earlier one found (a time the spring-forward hour skipped runs an hour
    later only when asked from before it)."""
    tz = zone(schedule.timezone)
    return start.astimezone(tz).utcoffset() == end.astimezone(tz).utcoffset()


def _next_run(schedule: Schedule, after: datetime) -> tuple[datetime, datetime] | None:
    """The next run after `after`, and until when (exclusive) a later `after` has the same.

    For a cron line, until the run itself. For a daily time, until the run or, if earlier, the
    first time its local day's slot passes (after that the day counts as already run: a
    fall-back day's second occurrence). Every fire between `after` and the run was skipped
    because its day's slot had passed by `after`, so it is skipped for any later `after` too.
    """
    if schedule.cron:
        fire = trigger_for(schedule).get_next_fire_time(None, after + _MICRO)
        return (_utc(fire), _utc(fire)) if fire else None
    if not schedule.days:
        return None
    tz = zone(schedule.timezone)
    trigger = trigger_for(schedule)
    hour, minute = (int(x) for x in schedule.time.split(":"))
    slot_time = time(hour, minute)
    cursor = after
    for _ in range(16):
        fire = trigger.get_next_fire_time(None, cursor + _MICRO)
        if fire is None:
            return None
        fire_utc = _utc(fire)
        local_day = fire_utc.astimezone(tz).date()
        first = datetime.combine(local_day, slot_time, tzinfo=tz).astimezone(UTC)
        if first <= after:
            cursor = fire_utc  # that day's run already happened (an ambiguous local time)
            continue
        return fire_utc, min(fire_utc, first)
    return None


def channel_next_run(channel: Channel, after: datetime) -> datetime | None:
    """The channel's next run after `after`, None while it is paused: the one place a channel's
    next run is computed when it is added or its schedule changes (the CLI's `channel add` and
    `channel schedule`, and the core's `next_run` hook behind `/papers schedule|pause|resume`)."""
    if channel.settings.paused:
        return None
    return next_run(channel.settings.schedule, after)


def runs_between(schedule: Schedule, start: datetime, end: datetime) -> Iterator[datetime]:
    """Scheduled runs in [start, end], oldest first (bounded: a year of days at most)."""
    cursor = _utc(start) - _MICRO
    for _ in range(400):
        fire = next_run(schedule, cursor)
        if fire is None or fire > _utc(end):
            return
        yield fire
        cursor = fire


def run_key(schedule: Schedule, slot: datetime) -> str:
    """The digest's unique key for a scheduled run: the channel's local date of the slot (and
    its local time for a cron line, which may run more than once a day)."""
    local = _utc(slot).astimezone(zone(schedule.timezone))
    return f"{local:%Y-%m-%dT%H:%M}" if schedule.cron else local.date().isoformat()


@dataclass(frozen=True)
class ArxivCalendar:
    """arXiv announces Sunday-Thursday at 20:00 US Eastern, except on its holidays."""

    holidays: frozenset[date] = frozenset()
    rules: tuple[str, ...] = ()  # holidays by rule, every year (bot/holidays.py)

    @classmethod
    def from_setting(cls, text: str) -> ArxivCalendar:
        """`new-year,thanksgiving,christmas` (rules, every year) and/or YYYY-MM-DD dates."""
        days, rules = set(), []
        for part in re.split(r"[\s,]+", text.strip().lower()):
            if part in holidays.RULES:
                rules.append(part)
            elif part:
                try:
                    days.add(date.fromisoformat(part))
                except ValueError:
                    raise InvalidInput(f"ARXIV_HOLIDAYS: {holidays.unknown_rule(part)}") from None
        return cls(frozenset(days), tuple(rules))

    def lists_year(self, year: int) -> bool:
        """Whether any holiday of `year` is known (a year without one is most likely missing)."""
        return bool(self.rules) or any(day.year == year for day in self.holidays)

    def is_holiday(self, day: date) -> bool:
        return day in self.holidays or holidays.holiday_name(self.rules, day) is not None

    def announces_on(self, day: date) -> bool:
        """Whether arXiv announces on the evening of this US Eastern date."""
        return day.weekday() in ANNOUNCE_DAYS and not self.is_holiday(day)

    def announcement_at(self, day: date) -> datetime:
        return datetime.combine(day, ANNOUNCE_AT, tzinfo=EASTERN).astimezone(UTC)

    def announcements_between(self, start: datetime, end: datetime) -> list[datetime]:
        """Announcement instants in (start, end]."""
        start, end = _utc(start), _utc(end)
        day = start.astimezone(EASTERN).date()
        out = []
        while day <= end.astimezone(EASTERN).date():
            at = self.announcement_at(day)
            if self.announces_on(day) and start < at <= end:
                out.append(at)
            day += timedelta(days=1)
        return out

    def last_announcement(self, before: datetime) -> datetime:
        day = _utc(before).astimezone(EASTERN).date()
        for _ in range(30):
            if self.announces_on(day) and self.announcement_at(day) <= _utc(before):
                return self.announcement_at(day)
            day -= timedelta(days=1)
        raise InvalidInput("no arXiv announcement in the last 30 days: check ARXIV_HOLIDAYS")

    def quiet_reason(self, start: datetime, end: datetime) -> str | None:
        """Why arXiv announced nothing in (start, end], or None when it did announce."""
        start, end = _utc(start), _utc(end)
        if self.announcements_between(start, end):
            return None
        day = end.astimezone(EASTERN).date()
        # The evening that would have brought today's papers: the latest one before `end`.
        if self.announcement_at(day) > end:
            day -= timedelta(days=1)
        if self.is_holiday(day):
            return f"{day:%a %d %b} is an arXiv holiday: no announcement"
        if day.weekday() in (4, 5):
            return "arXiv does not announce on Fridays/Saturdays"
        return None


def fetch_triggers(*, arxiv_delay_minutes: int, hf_hours_utc: str) -> dict[str, CronTrigger]:
    """When to fetch: after each arXiv announcement (its RSS feeds refresh at midnight US
    Eastern, so the default delay of 270 min fetches at 00:30), and a few times a day for HF."""
    at = 20 * 60 + arxiv_delay_minutes
    shift = at // (24 * 60)  # the fetch may fall on the next day(s)
    days = ",".join(DAY_NAMES[(d + shift) % 7] for d in sorted(ANNOUNCE_DAYS))
    hours = ",".join(str(int(h)) for h in re.split(r"[\s,]+", hf_hours_utc.strip()) if h) or "9"
    return {
        "arxiv": CronTrigger(
            day_of_week=days, hour=(at // 60) % 24, minute=at % 60, timezone=EASTERN
        ),
        "hf": CronTrigger(hour=hours, minute=5, timezone=UTC),
    }


def empty_notice(calendar: ArxivCalendar, since: datetime | None, now: datetime) -> str:
    """The one short line an empty digest day gets when the channel asked for it."""
    reason = calendar.quiet_reason(since or now - timedelta(days=1), now)
    if reason:
        return f"No new papers today ({reason})."
    return "No new papers matched this channel's interests today."


def status_line(channel: Channel) -> str:
    """`schedule 09:00 Europe/Berlin weekdays · next Mon 30 Nov 09:00 · last Fri 27 Nov 09:00`."""
    schedule = channel.settings.schedule
    tz = zone(schedule.timezone)

    def local(value: datetime | None) -> str:
        return f"{_utc(value).astimezone(tz):%a %d %b %H:%M}" if value else "never"

    parts = [f"schedule {describe(schedule)}"]
    if channel.settings.paused:
        parts.append("next: paused")
    else:
        parts.append(
            f"next {local(channel.next_run_at)}"
            if channel.next_run_at
            else "next: on the next pass"
        )
    if channel.retry_at:
        parts.append(f"retry {local(channel.retry_at)}")
    parts.append(f"last digest {local(channel.last_digest_at)}")
    return " · ".join(parts)
