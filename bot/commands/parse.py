"""Parsing `/papers ...` text and its arguments: pure functions with friendly errors."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from bot.commands.text_checks import refuse_hidden_characters
from bot.digest.schedule_parse import DAY_NAMES
from bot.errors import CommandError
from bot.identity import arxiv_id
from bot.limits import MAX_PHRASE, MIN_TOPIC
from bot.models import ALL_DAYS, WEEKDAYS, Interest, InterestKind, Schedule
from bot.rich import code, fmt, join
from bot.sources import arxiv_taxonomy

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
    return checked_interest(kind, value, usage)


def checked_interest(kind: InterestKind, value: str, usage: str | None = None) -> Interest:
    """The checks every way in applies (chat and `paperbot channel add`): no hidden characters,
    at most MAX_PHRASE characters, topics of MIN_TOPIC or more, categories from arXiv's taxonomy."""
    value = value.strip()
    if not value:
        raise CommandError(f"{_WHAT[kind]} cannot be empty.", usage)
    refuse_hidden_characters(value, _WHAT[kind], usage)
    if len(value) > MAX_PHRASE:
        raise CommandError(
            f"That is too long ({len(value)} characters; at most {MAX_PHRASE}).", usage
        )
    if kind is InterestKind.CATEGORY:
        return Interest(kind, _category(value, usage))
    if kind is InterestKind.TOPIC and len(value) < MIN_TOPIC:
        raise CommandError(f"A topic needs at least {MIN_TOPIC} characters.", usage)
    return Interest(kind, value)


def _category(value: str, usage: str | None) -> str:
    found = arxiv_taxonomy.canonical(value)
    if found is not None:
        return found
    close = arxiv_taxonomy.suggest(value)
    hint = (
        fmt(" Did you mean {}?", join(", ", [code(c) for c in close]))
        if close
        else fmt(" Categories look like {} or {}.", code("cs.RO"), code("q-bio"))
    )
    raise CommandError(fmt("{} is not an arXiv category.{}", code(value), hint), usage)


def paper_ref(rest: str, usage: str) -> str:
    """An arXiv id or URL -> the id without version."""
    found = arxiv_id(rest.strip().strip("<>"))
    if found is None:
        raise CommandError(
            fmt("{} is not an arXiv id or link.", code(rest.strip() or "(nothing)")), usage
        )
    return found


def schedule_label(schedule: Schedule) -> str:
    """`09:00 Europe/Berlin weekdays`, or `cron 0 9 * * mon-fri Europe/Berlin`."""
    if schedule.cron:
        return f"cron {schedule.cron} {schedule.timezone}"
    return f"{schedule.time} {schedule.timezone} {days_label(schedule.days)}"


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
