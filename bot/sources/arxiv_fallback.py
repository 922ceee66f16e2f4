"""When the arXiv feed is broken: the same announcement, asked of the arXiv API instead.

The feed of US Eastern day D holds the announcement of the evening before (20:00, Sunday to
Thursday, not on arXiv holidays). That announcement lists what was submitted between two
mailing deadlines (14:00 US Eastern on weekdays that are not holidays): after the one before
the announcement's own deadline, up to that deadline. The API lists those papers by
`submittedDate`, the first version's submission time, so new papers and cross-lists come
back; replacements (new versions of older papers) do not, and they are never new anyway.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from bot.digest.schedule import EASTERN, ArxivCalendar

DEADLINE = time(14, 0)  # arXiv's daily mailing deadline, US Eastern


def announcement_window(
    calendar: ArxivCalendar, feed_day: date
) -> tuple[datetime, datetime] | None:
    """[start, end) in UTC of the submissions the feed of `feed_day` announces; None when that
    feed holds no announcement (weekends and holidays)."""
    announced = feed_day - timedelta(days=1)
    if not calendar.announces_on(announced):
        return None
    end_day = _deadline_day(calendar, announced)
    start_day = _deadline_day(calendar, end_day - timedelta(days=1))
    return _at_deadline(start_day), _at_deadline(end_day)


def _deadline_day(calendar: ArxivCalendar, day: date) -> date:
    """The latest weekday on or before `day` that is not an arXiv holiday."""
    for _ in range(30):
        if day.weekday() < 5 and day not in calendar.holidays:
            return day
        day -= timedelta(days=1)
    raise ValueError("no arXiv working day in 30 days: check ARXIV_HOLIDAYS")


def _at_deadline(day: date) -> datetime:
    return datetime.combine(day, DEADLINE, tzinfo=EASTERN).astimezone(UTC)
