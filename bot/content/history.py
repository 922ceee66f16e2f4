"""A channel's history: recent picks with their reactions, and the papers it liked."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from bot.content.links import paper_links
from bot.models import Channel, Feedback, ItemStatus, Paper
from bot.ports import Store
from bot.rich import Inline, Rich, bold, fmt, lines, link, plain

DEFAULT_HISTORY = 10
MAX_HISTORY = 50
TITLE_CHARS = 70


@dataclass(frozen=True, slots=True)
class Pick:
    """One paper the channel was shown, with the current tally of opinions on it."""

    paper: Paper
    day: date | None
    tldr: str
    up: int
    down: int


@dataclass(frozen=True, slots=True)
class LikedPaper:
    paper: Paper
    up: int
    down: int
    liked_at: datetime | None
    tldr: str = ""


def tally(feedback: Iterable[Feedback]) -> dict[str, tuple[int, int]]:
    """paper id -> (👍 people, 👎 people), from each person's current opinion."""
    out: dict[str, tuple[int, int]] = {}
    for fb in feedback:
        up, down = out.get(fb.paper_id, (0, 0))
        out[fb.paper_id] = (up + (fb.value > 0), down + (fb.value < 0))
    return out


def recent_picks(store: Store, channel_id: int, n: int = DEFAULT_HISTORY) -> list[Pick]:
    """The channel's last `n` posted papers, newest digest first, in digest order."""
    n = max(1, min(n, MAX_HISTORY))
    counts = tally(store.feedback(channel_id))
    picks: list[Pick] = []
    for digest in store.recent_digests(channel_id, limit=n):
        day = digest.created_at.date() if digest.created_at else None
        for item in digest.items:
            if item.status is not ItemStatus.POSTED:
                continue
            up, down = counts.get(item.paper.id, (0, 0))
            picks.append(Pick(item.paper, day, item.tldr, up, down))
            if len(picks) >= n:
                return picks
    return picks


def history_text(store: Store, channel: Channel, n: int = DEFAULT_HISTORY) -> Rich:
    """What `/papers history [n]` answers: the recent picks, one line each, with reactions,
    each title linked to the paper's abstract page."""
    picks = recent_picks(store, channel.id, n)
    if not picks:
        return plain("Nothing posted here yet.")
    shown: list[Inline] = [bold(f"Last {len(picks)} picks in #{channel.name}")]
    for pick in picks:
        when = f"{pick.day:%d %b} · " if pick.day else ""
        links = paper_links(pick.paper)
        title = link(links[0][1] if links else None, _short(pick.paper.title))
        shown.append(fmt("• {}{} · {} 👍 {} 👎", when, title, pick.up, pick.down))
    return lines(shown)


def liked_papers(store: Store, channel_id: int) -> list[LikedPaper]:
    """Papers more people 👍 than 👎 in this channel, in the order they were first liked."""
    feedback = store.feedback(channel_id)
    counts = tally(feedback)
    first_like: dict[str, datetime | None] = {}
    for fb in sorted(feedback, key=lambda f: (f.at.timestamp() if f.at else 0.0, f.paper_id)):
        if fb.value > 0 and fb.paper_id not in first_like:
            first_like[fb.paper_id] = fb.at
    liked = [pid for pid in first_like if counts[pid][0] > counts[pid][1]]
    papers = store.get_papers(liked)
    out: list[LikedPaper] = []
    for pid in liked:
        paper = papers.get(pid)
        if paper is None:
            continue
        item = store.find_item(channel_id, pid)
        up, down = counts[pid]
        out.append(LikedPaper(paper, up, down, first_like[pid], item.tldr if item else ""))
    return out


def _short(title: str, limit: int = TITLE_CHARS) -> str:
    title = " ".join(title.split())
    return title if len(title) <= limit else title[: limit - 1].rsplit(" ", 1)[0] + "…"
