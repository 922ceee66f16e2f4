"""Parsing `/papers ...` text and its arguments: pure functions with friendly errors."""

from __future__ import annotations

import difflib
import re
import shlex
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import available_timezones

from bot.errors import CommandError
from bot.identity import arxiv_id
from bot.models import ALL_DAYS, WEEKDAYS, Interest, InterestKind
from bot.rich import Rich, code, fmt, join
from bot.text_checks import refuse_hidden_characters

MAX_PHRASE = 120
_CATEGORY = re.compile(r"^[a-z][a-z\-]*(\.[A-Za-z][A-Za-z\-]*)?$")
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.h]([0-5]\d)$")
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WHAT = {
    InterestKind.TOPIC: "A topic",
    InterestKind.CATEGORY: "A category",
    InterestKind.AUTHOR: "An author name",
    InterestKind.EXCLUDE: "A keyword",
    InterestKind.SEED: "A paper id",
}


@dataclass(frozen=True, slots=True)
class Parsed:
    name: str
    rest: str  # the raw text after the subcommand
    words: tuple[str, ...]  # shell-like split of `rest`


def parse(text: str) -> Parsed:
    text = " ".join(text.replace("\u201c", '"').replace("\u201d", '"').split())
    if not text:
        return Parsed("help", "", ())
    name, _, rest = text.partition(" ")
    try:
        words = tuple(shlex.split(rest)) if rest else ()
    except ValueError:
        words = tuple(rest.replace('"', "").split())
    return Parsed(name.lower(), rest.strip(), words)


def interest_from(rest: str, *, default: InterestKind = InterestKind.TOPIC, usage: str) -> Interest:
    """`robot manipulation`, `cat:cs.RO`, `author:"Jane Doe"` -> an Interest."""
    value = rest.strip()
    if not value:
        raise CommandError("Tell me what to follow.", usage)
    kind = default
    lowered = value.lower()
    for prefix, k in (
        ("cat:", InterestKind.CATEGORY),
        ("category:", InterestKind.CATEGORY),
        ("author:", InterestKind.AUTHOR),
        ("topic:", InterestKind.TOPIC),
    ):
        if lowered.startswith(prefix):
            kind, value = k, value[len(prefix) :].strip()
            break
    value = value.strip().strip('"').strip("'").strip()
    if not value:
        raise CommandError("That is empty after the prefix.", usage)
    refuse_hidden_characters(value, _WHAT[kind], usage)
    if len(value) > MAX_PHRASE:
        raise CommandError(
            f"That is too long ({len(value)} characters; at most {MAX_PHRASE}).", usage
        )
    if kind is InterestKind.CATEGORY:
        if not _CATEGORY.match(value):
            raise CommandError(
                fmt(
                    "{} is not an arXiv category (like {} or {}).",
                    code(value),
                    code("cs.RO"),
                    code("q-bio"),
                ),
                usage,
            )
        archive, _, sub = value.partition(".")
        value = (
            f"{archive.lower()}.{sub.upper() if len(sub) == 2 else sub}" if sub else archive.lower()
        )
    elif kind is InterestKind.TOPIC and len(value) < 2:
        raise CommandError("A topic needs at least two characters.", usage)
    return Interest(kind, value)


def paper_ref(rest: str, usage: str) -> str:
    """An arXiv id or URL -> the id without version."""
    found = arxiv_id(rest.strip().strip("<>"))
    if found is None:
        raise CommandError(
            fmt("{} is not an arXiv id or link.", code(rest.strip() or "(nothing)")), usage
        )
    return found


def parse_time(value: str, usage: str) -> str:
    match = _TIME.match(value.strip())
    if match is None:
        raise CommandError(
            fmt("{} is not a time; use 24-hour HH:MM like {}.", code(value), code("09:00")), usage
        )
    return f"{int(match.group(1)):02d}:{match.group(2)}"


@lru_cache(maxsize=1)
def _zones() -> dict[str, str]:
    zones = available_timezones() | {"UTC"}
    return {z.lower(): z for z in zones}


def parse_timezone(value: str, usage: str) -> str:
    zones = _zones()
    key = value.strip().lower()
    if key in zones:
        return zones[key]
    suggestions = difflib.get_close_matches(key, list(zones), n=3, cutoff=0.6)
    if not suggestions:  # try the city part alone: "berlin" -> Europe/Berlin
        suggestions = [k for k in zones if k.rsplit("/", 1)[-1] == key.replace(" ", "_")][:3]
    hint = (
        fmt(" Did you mean {}?", join(", ", [code(zones[s]) for s in suggestions]))
        if suggestions
        else Rich()
    )
    raise CommandError(fmt("Unknown timezone {}.{}", code(value), hint), usage)


def looks_like_timezone(value: str) -> bool:
    return "/" in value or value.lower() in _zones() or value.upper() == "UTC"


def parse_days(value: str, usage: str) -> tuple[int, ...]:
    key = value.strip().lower()
    if key in ("daily", "everyday", "every-day", "all"):
        return ALL_DAYS
    if key in ("weekdays", "workdays", "mon-fri"):
        return WEEKDAYS
    if key in ("weekly",):
        return (0,)
    days: list[int] = []
    for part in re.split(r"[,\s]+", key):
        if not part:
            continue
        prefix = part[:3]
        if prefix not in DAY_NAMES:
            raise CommandError(
                fmt("{} is not a day; use daily, weekdays, weekly or mon,wed,fri.", code(part)),
                usage,
            )
        days.append(DAY_NAMES.index(prefix))
    if not days:
        raise CommandError("Which days?", usage)
    return tuple(sorted(set(days)))


def days_label(days: tuple[int, ...]) -> str:
    if tuple(days) == ALL_DAYS:
        return "daily"
    if tuple(days) == WEEKDAYS:
        return "weekdays"
    return ",".join(DAY_NAMES[d] for d in days)


def parse_int(value: str, low: int, high: int, usage: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise CommandError(fmt("{} is not a whole number.", code(value)), usage) from None
    if not low <= number <= high:
        raise CommandError(f"Pick a number from {low} to {high}.", usage)
    return number


_ON = frozenset({"on", "yes", "true", "enable", "enabled", "1"})
_OFF = frozenset({"off", "no", "false", "disable", "disabled", "0"})


def parse_switch(value: str, usage: str) -> bool:
    """`on` / `off` (and yes/no, true/false, enable/disable) -> a bool."""
    word = value.strip().lower()
    if word in _ON:
        return True
    if word in _OFF:
        return False
    raise CommandError(fmt("Use {} or {}, not {}.", code("on"), code("off"), code(value)), usage)


_MENTION = re.compile(r"^<@!?([A-Za-z0-9]{2,64})(?:\|[^>]*)?>$")  # <@U123|ada>, <@123>, <@!123>
_MEMBER_ID = re.compile(r"^(?:[UW][A-Z0-9]{2,30}|\d{2,21})$")  # Slack U…/W…, Discord snowflake


def user_ref(value: str, usage: str) -> str:
    """A mention (`<@U123|ada>`, `<@123>`) or a bare member id -> the user id."""
    word = value.strip()
    found = _MENTION.match(word)
    if found:
        return found.group(1)
    if _MEMBER_ID.match(word):
        return word
    if word.startswith("@"):
        raise CommandError(
            fmt(
                "{} is a name, not a member I can look up. Mention them by picking them from "
                "the @ list, or give their member ID (Slack: their profile → ⋮ → Copy member "
                "ID; Discord: right-click → Copy User ID).",
                code(word),
            ),
            usage,
        )
    raise CommandError(
        fmt("{} is not a member; mention them with @.", code(word or "(nobody)")), usage
    )
