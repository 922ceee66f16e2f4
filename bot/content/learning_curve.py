"""A channel's learning curve: per digest day, the share of posted papers people liked.

Counted from each person's current opinion (a 👍 taken back no longer counts), per paper: a
paper is *liked* when more people hold a 👍 than a 👎 on it, *disliked* the other way round,
and neither when nobody reacted or the two tie. Days with several digests (a scheduled one and
a `/papers now`) are one point; digests that posted nothing are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from bot.models import PostedDigest

CURVE_DIGESTS = 60  # the last digests the curve counts


@dataclass(frozen=True, slots=True)
class CurvePoint:
    """One digest day: papers posted, and how many of them are liked / disliked now."""

    day: date
    posted: int
    liked: int
    disliked: int

    @property
    def liked_share(self) -> float:
        return self.liked / self.posted if self.posted else 0.0

    @property
    def disliked_share(self) -> float:
        return self.disliked / self.posted if self.posted else 0.0


def learning_curve(
    digests: Iterable[PostedDigest],
    counts: Mapping[str, tuple[int, int]],
    tz: ZoneInfo | None = None,
) -> list[CurvePoint]:
    """Oldest day first. `counts` is paper id -> (👍 people, 👎 people) (`history.tally`);
    days are the digests' creation dates in `tz` (the channel's zone; UTC when None)."""
    days: dict[date, list[int]] = {}
    for digest in digests:
        if not digest.paper_ids:
            continue
        when = digest.created_at.astimezone(tz) if tz is not None else digest.created_at
        tally = days.setdefault(when.date(), [0, 0, 0])
        for paper_id in digest.paper_ids:
            up, down = counts.get(paper_id, (0, 0))
            tally[0] += 1
            tally[1] += up > down
            tally[2] += down > up
    return [CurvePoint(day, *days[day]) for day in sorted(days)]
