"""arXiv's holidays by rule: every year is covered without a yearly list of dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.config import Settings
from bot.digest.holidays import RULES, nth_weekday, rule_dates
from bot.digest.schedule import ArxivCalendar
from bot.errors import InvalidInput

DEFAULT = ArxivCalendar.from_setting(Settings(_env_file=None).arxiv_holidays)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("year", "thanksgiving"),
    [(2025, date(2025, 11, 27)), (2026, date(2026, 11, 26)), (2027, date(2027, 11, 25)),
     (2028, date(2028, 11, 23)), (2030, date(2030, 11, 28))],
)  # fmt: skip
def test_thanksgiving_is_the_fourth_thursday_of_november(year: int, thanksgiving: date) -> None:
    assert rule_dates(("thanksgiving",), year) == {thanksgiving: "thanksgiving"}
    assert not DEFAULT.announces_on(thanksgiving)
    assert DEFAULT.announces_on(thanksgiving - timedelta(days=1))  # the Wednesday before


def test_the_default_covers_2026_as_the_old_list_did_and_2027() -> None:
    assert {date(2026, 11, 26), date(2026, 12, 25)} <= {d for d in rule_dates(DEFAULT.rules, 2026)}
    for year in (2026, 2027, 2035):
        assert DEFAULT.lists_year(year)
    assert not DEFAULT.announces_on(date(2030, 1, 1))  # a Tuesday, New Year's Day
    assert DEFAULT.announces_on(date(2030, 1, 2))
    assert DEFAULT.announces_on(date(2027, 7, 5))  # rules not named stay off by default


def test_floating_rules_land_on_the_right_weekday() -> None:
    assert nth_weekday(2027, 5, 0, -1) == date(2027, 5, 31)  # Memorial Day 2027
    assert nth_weekday(2026, 9, 0, 1) == date(2026, 9, 7)  # Labor Day 2026
    assert nth_weekday(2027, 12, 3, -1) == date(2027, 12, 30)  # last Thursday of a December
    for year in range(2024, 2040):
        for name, rule in RULES.items():
            assert rule(year).year == year, name


def test_rules_and_dates_mix_and_the_empty_day_says_why() -> None:
    cal = ArxivCalendar.from_setting("thanksgiving, 2027-07-05 Juneteenth")
    assert cal.holidays == frozenset({date(2027, 7, 5)})
    assert cal.rules == ("thanksgiving", "juneteenth")
    assert not cal.announces_on(date(2027, 7, 5)) and not cal.announces_on(date(2029, 6, 19))
    thanksgiving_evening = datetime(2027, 11, 26, 14, 0, tzinfo=UTC)  # the Friday after
    reason = cal.quiet_reason(datetime(2027, 11, 25, 12, 0, tzinfo=UTC), thanksgiving_evening)
    assert reason == "Thu 25 Nov is an arXiv holiday: no announcement"


def test_an_unknown_rule_names_the_known_ones() -> None:
    with pytest.raises(InvalidInput, match="thanksgiving"):
        ArxivCalendar.from_setting("new-year,easter")
