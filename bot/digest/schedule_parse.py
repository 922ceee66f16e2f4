"""The one schedule parser, for chat (`/papers schedule`) and the CLI (`--schedule`,
`paperbot channel schedule`): a time with an optional zone and days, or a 5-field cron line.

    09:00 utc                      -> 09:00 UTC, weekdays (the default days)
    9am Europe/Berlin weekdays     -> 09:00 Europe/Berlin, mon-fri
    08:30 CET mon,thu              -> 08:30 Europe/Berlin (and a note saying CET was taken so)
    0 9 * * mon-fri Europe/Berlin  -> cron, next runs computed by APScheduler's CronTrigger
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.triggers.cron import CronTrigger

from bot.digest.timezones import Zone, is_zone_word, resolve_zone
from bot.errors import CommandError
from bot.models import ALL_DAYS, WEEKDAYS, Schedule
from bot.rich import code, fmt

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")  # cron: 0 and 7 = Sunday
_DAY_WORDS = {
    "daily": ALL_DAYS,
    "everyday": ALL_DAYS,
    "every-day": ALL_DAYS,
    "all": ALL_DAYS,
    "weekdays": WEEKDAYS,
    "workdays": WEEKDAYS,
    "weekends": (5, 6),
    "weekly": (0,),  # Mondays, unless a day follows: "weekly fri"
}
_TIME_24 = re.compile(r"^([01]?\d|2[0-3])[:.h]([0-5]\d)$")
_TIME_12 = re.compile(r"^(1[0-2]|0?[1-9])(?:[:.]([0-5]\d))?(am|pm)$")
_CRON_NUMERIC = re.compile(r"^[\d*/,\-]+$")
_CRON_FIELD = re.compile(r"^[\w*/,\-]+$")
MIN_CRON_GAP = timedelta(hours=1)  # a cron line may not post more than once an hour
USAGE = (
    "/papers schedule <HH:MM|9am> [timezone] [daily|weekdays|weekly|mon,wed,fri] "
    "or a cron line: /papers schedule 0 9 * * mon-fri Europe/Berlin"
)


@dataclass(frozen=True, slots=True)
class ParsedSchedule:
    schedule: Schedule
    notes: tuple[str, ...] = ()  # what was assumed ("CET taken as Europe/Berlin ...")


def parse_schedule_text(
    text: str,
    *,
    default_timezone: str = "UTC",
    default_days: tuple[int, ...] = WEEKDAYS,
    usage: str | None = USAGE,
) -> ParsedSchedule:
    """Parse what a person typed into a Schedule; CommandError (an InvalidInput) if it is wrong."""
    words = text.split()
    if not words:
        raise CommandError("Tell me a time, like 09:00 or 9am.", usage)
    if len(words) >= 5 and all(_CRON_NUMERIC.match(w) for w in words[:2]):
        return _parse_cron(words, default_timezone, usage)
    if len(words) > 1 and words[1].lower() in ("am", "pm"):
        words = [words[0] + words[1], *words[2:]]
    hhmm = parse_time(words[0], usage)
    zone: Zone | None = None
    day_words: list[str] = []
    for word in words[1:]:
        if _is_days(word) and not is_zone_word(word):
            day_words.append(word)
        elif zone is None:
            zone = resolve_zone(word, usage)
        else:
            raise CommandError(
                fmt("{} is not a day; give one time zone at most.", code(word)), usage
            )
    days = parse_days(" ".join(day_words), usage) if day_words else default_days
    zone = zone or resolve_zone(default_timezone, usage)
    notes = (zone.note,) if zone.note else ()
    return ParsedSchedule(Schedule(time=hhmm, timezone=zone.name, days=days), notes)


def parse_time(value: str, usage: str | None = USAGE) -> str:
    """`09:00`, `9:00`, `09.00`, `9h30`, `9am`, `9:30pm` -> `HH:MM` (24-hour)."""
    word = value.strip().lower()
    found = _TIME_24.match(word)
    if found:
        return f"{int(found.group(1)):02d}:{found.group(2)}"
    found = _TIME_12.match(word)
    if found:
        hour = int(found.group(1)) % 12 + (12 if found.group(3) == "pm" else 0)
        return f"{hour:02d}:{found.group(2) or '00'}"
    raise CommandError(
        fmt("{} is not a time; use HH:MM like {} or {}.", code(value), code("09:00"), code("9am")),
        usage,
    )


def parse_days(text: str, usage: str | None = USAGE) -> tuple[int, ...]:
    """`daily`, `weekdays`, `weekends`, `weekly [day]`, `mon,wed,fri`, `mon-fri`, `tue thu`."""
    words = [w for w in re.split(r"[\s,]+", text.strip().lower()) if w]
    if not words:
        raise CommandError("Which days?", usage)
    if words[0] == "weekly":
        return (_day(words[1], usage),) if len(words) > 1 else _DAY_WORDS["weekly"]
    days: set[int] = set()
    for word in words:
        if word in _DAY_WORDS:
            days.update(_DAY_WORDS[word])
        elif "-" in word:
            start, end = (_day(w, usage) for w in word.split("-", 1))
            days.update((start + i) % 7 for i in range((end - start) % 7 + 1))
        else:
            days.add(_day(word, usage))
    return tuple(sorted(days))


def _day(word: str, usage: str | None) -> int:
    key = word[:3].lower()
    if key not in DAY_NAMES:
        raise CommandError(
            fmt("{} is not a day; use daily, weekdays, weekly or mon,wed,fri.", code(word)), usage
        )
    return DAY_NAMES.index(key)


def _is_days(word: str) -> bool:
    try:
        parse_days(word, None)
    except CommandError:
        return False
    return True


def _parse_cron(words: list[str], default_timezone: str, usage: str | None) -> ParsedSchedule:
    fields, rest = words[:5], words[5:]
    if len(rest) > 1 or not all(_CRON_FIELD.match(f) for f in fields):
        raise CommandError(
            fmt(
                "{} is not a cron line: give 5 fields (minute hour day month weekday), then "
                "at most a time zone, like {}.",
                code(" ".join(words)),
                code("0 9 * * mon-fri Europe/Berlin"),
            ),
            usage,
        )
    zone = resolve_zone(rest[0] if rest else default_timezone, usage)
    line = " ".join([*fields[:4], _cron_weekdays(fields[4], usage)]).lower()
    _check_cron(line, zone.name, usage)
    schedule = Schedule(time="00:00", timezone=zone.name, days=ALL_DAYS, cron=line)
    return ParsedSchedule(schedule, (zone.note,) if zone.note else ())


def _cron_weekdays(field: str, usage: str | None) -> str:
    """Cron's weekday numbers (0 and 7 = Sunday) as names: APScheduler 3 counts from Monday."""

    def name(found: re.Match[str]) -> str:
        number = int(found.group(0))
        if number > 7:
            raise CommandError(fmt("{} is not a cron weekday (0-7).", code(field)), usage)
        return _CRON_DAYS[number]

    if "/" in field:  # a step counts positions, so keep the numbers' meaning: expand it
        return field if field == "*" else _expand_step(field, usage)
    return re.sub(r"\d+", name, field)


def _expand_step(field: str, usage: str | None) -> str:
    span, _, step = field.partition("/")
    low, _, high = span.partition("-")
    try:
        start = 0 if low in ("*", "") else int(low)
        end = 6 if low == "*" or not high else int(high)
        numbers = range(start, end + 1, int(step))
    except ValueError:
        raise CommandError(fmt("{} is not a cron weekday field.", code(field)), usage) from None
    return ",".join(_CRON_DAYS[n % 8] for n in numbers if 0 <= n <= 7)


def cron_trigger(line: str, timezone: str) -> CronTrigger:
    """APScheduler's trigger for a stored cron line (weekdays already as names)."""
    return CronTrigger.from_crontab(line, timezone=resolve_zone(timezone).name)


def _check_cron(line: str, timezone: str, usage: str | None) -> None:
    try:
        trigger = cron_trigger(line, timezone)
    except ValueError as exc:
        raise CommandError(
            fmt("{} is not a valid cron line ({}).", code(line), str(exc)), usage
        ) from None
    at = datetime(2026, 1, 5, tzinfo=UTC)  # any fixed week will do: cron lines repeat
    previous = None
    for _ in range(50):
        fire = trigger.get_next_fire_time(previous, at)
        if fire is None:
            break
        if previous is not None and fire - previous < MIN_CRON_GAP:
            raise CommandError(
                fmt("{} posts more than once an hour; pick at most one run an hour.", code(line)),
                usage,
            )
        previous, at = fire, fire + timedelta(seconds=1)
    if previous is None:
        raise CommandError(fmt("{} never runs.", code(line)), usage)
