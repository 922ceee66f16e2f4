"""US holidays by rule, so arXiv's calendar needs no yearly list of dates.

arXiv announces nothing on the evenings of the US holidays it observes (its yearly schedule at
arxiv.org/help/availability). `ARXIV_HOLIDAYS` names them by rule (`thanksgiving`, the fourth
Thursday of November) and may add single dates (`2027-07-05`) for one-off closures.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

DEFAULT_RULES = ("new-year", "thanksgiving", "christmas")


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th (1-based; -1 = last) `weekday` (Monday = 0) of the month."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    following = date(year + month // 12, month % 12 + 1, 1)
    last = following - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _fixed(month: int, day: int) -> Callable[[int], date]:
    return lambda year: date(year, month, day)


def _floating(month: int, weekday: int, n: int) -> Callable[[int], date]:
    return lambda year: nth_weekday(year, month, weekday, n)


MON, THU = 0, 3
RULES: dict[str, Callable[[int], date]] = {
    "new-year": _fixed(1, 1),
    "mlk-day": _floating(1, MON, 3),
    "presidents-day": _floating(2, MON, 3),
    "memorial-day": _floating(5, MON, -1),
    "juneteenth": _fixed(6, 19),
    "independence-day": _fixed(7, 4),
    "labor-day": _floating(9, MON, 1),
    "thanksgiving": _floating(11, THU, 4),
    "christmas-eve": _fixed(12, 24),
    "christmas": _fixed(12, 25),
    "new-years-eve": _fixed(12, 31),
}


def unknown_rule(name: str) -> str:
    return f"{name!r} is neither a YYYY-MM-DD date nor a holiday rule ({', '.join(RULES)})"


def rule_dates(rules: tuple[str, ...], year: int) -> dict[date, str]:
    """The dates the named rules give in `year`, each with its rule's name."""
    return {RULES[name](year): name for name in rules}


def holiday_name(rules: tuple[str, ...], day: date) -> str | None:
    """The rule that makes `day` a holiday, or None."""
    return rule_dates(rules, day.year).get(day)
