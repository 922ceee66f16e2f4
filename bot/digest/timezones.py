"""Time zone names as people type them -> an IANA zone: any case, common abbreviations, and
a "did you mean" (difflib over zoneinfo's names) when the name is unknown."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import available_timezones

from bot.errors import CommandError
from bot.rich import Rich, code, fmt, join

# Abbreviations people type, to the zone they almost always mean. Checked before zoneinfo's
# own legacy names (CET, EST, MST, ...), which are fixed offsets or follow no country's rules.
ABBREVIATIONS: dict[str, str] = {
    "UTC": "UTC",
    "Z": "UTC",
    "GMT": "UTC",
    "BST": "Europe/London",
    "WET": "Europe/Lisbon",
    "WEST": "Europe/Lisbon",
    "CET": "Europe/Berlin",
    "CEST": "Europe/Berlin",
    "EET": "Europe/Athens",
    "EEST": "Europe/Athens",
    "MSK": "Europe/Moscow",
    "EST": "America/New_York",
    "EDT": "America/New_York",
    "ET": "America/New_York",
    "CST": "America/Chicago",
    "CDT": "America/Chicago",
    "CT": "America/Chicago",
    "MST": "America/Denver",
    "MDT": "America/Denver",
    "MT": "America/Denver",
    "PST": "America/Los_Angeles",
    "PDT": "America/Los_Angeles",
    "PT": "America/Los_Angeles",
    "AKST": "America/Anchorage",
    "HST": "Pacific/Honolulu",
    "IST": "Asia/Kolkata",
    "SGT": "Asia/Singapore",
    "HKT": "Asia/Hong_Kong",
    "JST": "Asia/Tokyo",
    "KST": "Asia/Seoul",
    "AEST": "Australia/Sydney",
    "AEDT": "Australia/Sydney",
    "NZST": "Pacific/Auckland",
    "NZDT": "Pacific/Auckland",
}

_ALSO = {  # abbreviations with a second common meaning
    "GMT": "no daylight saving; for UK time use Europe/London",
    "CST": "US Central; for China use Asia/Shanghai",
    "IST": "India; for Ireland use Europe/Dublin, for Israel Asia/Jerusalem",
    "BST": "British Summer Time; GMT in winter",
}


@dataclass(frozen=True, slots=True)
class Zone:
    name: str  # the IANA name, e.g. Europe/Berlin
    note: str | None = None  # what was assumed, e.g. "CET taken as Europe/Berlin (...)"


@lru_cache(maxsize=1)
def _zones() -> dict[str, str]:
    return {z.lower(): z for z in available_timezones() | {"UTC"}}


def is_zone_word(word: str) -> bool:
    """Whether `word` names a zone or abbreviation (any case) without guessing."""
    return word.upper() in ABBREVIATIONS or word.lower() in _zones()


def resolve_zone(value: str, usage: str | None = None) -> Zone:
    """`europe/berlin` -> Europe/Berlin; `CET` -> Europe/Berlin with a note; else CommandError."""
    word = value.strip()
    mapped = ABBREVIATIONS.get(word.upper())
    if mapped is not None:
        abbr = word.upper()
        if abbr in ("UTC", "Z"):
            return Zone(mapped)
        why = _ALSO.get(abbr, "its daylight-saving rules apply")
        return Zone(mapped, f"{abbr} taken as {mapped} ({why})")
    zones = _zones()
    if word.lower() in zones:
        return Zone(zones[word.lower()])
    raise CommandError(fmt("Unknown time zone {}.{}", code(word), _hint(word)), usage)


def suggest_zones(value: str, n: int = 3) -> list[str]:
    """The closest IANA names to a mistyped one, best first."""
    zones = _zones()
    key = value.strip().lower().replace(" ", "_")
    close = difflib.get_close_matches(key, list(zones), n=n, cutoff=0.6)
    if not close:  # the city part alone: "berlin" -> Europe/Berlin
        close = [k for k in zones if k.rsplit("/", 1)[-1] == key][:n]
    if not close:
        cities = {k.rsplit("/", 1)[-1]: k for k in zones if "/" in k}
        close = [cities[c] for c in difflib.get_close_matches(key, list(cities), n=n, cutoff=0.75)]
    return [zones[k] for k in close]


def _hint(value: str) -> Rich:
    found = suggest_zones(value)
    if not found:
        return fmt(" Use an IANA name like {} or {}.", code("Europe/Berlin"), code("UTC"))
    return fmt(" Did you mean {}?", join(", ", [code(z) for z in found]))
