"""A channel's read-only page as data: what it follows, what reactions taught it, its recent
digests with the reasons, the papers it liked and its learning curve. No HTML here: the web
adapter renders it (`adapters/web/channel_page.py`)."""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.commands.parse import schedule_label
from bot.content.channel_link import channel_of_link
from bot.content.history import first_likes, tally
from bot.content.learning_curve import CURVE_DIGESTS, CurvePoint, learning_curve
from bot.content.links import paper_links
from bot.models import Channel, Digest, Feedback, InterestKind, ItemStatus, Paper
from bot.ranking import Profile

if TYPE_CHECKING:
    from bot.service import PaperBot

PAGE_DIGESTS = 7  # recent digests shown with their picks
PAGE_LIKED = 30  # liked papers shown, newest first
TOP_LEARNED = 8  # learned words / categories / authors shown, each way


@dataclass(frozen=True, slots=True)
class Weighted:
    label: str
    weight: float


@dataclass(frozen=True, slots=True)
class Subscriptions:
    topics: tuple[str, ...]
    categories: tuple[str, ...]
    authors: tuple[str, ...]
    excluded: tuple[str, ...]
    seeds: tuple[str, ...]  # titles of papers liked with `/papers like`
    schedule: str
    size: int
    threshold: str
    paused: bool


@dataclass(frozen=True, slots=True)
class Learned:
    """What current reactions taught: (label, weight), strongest first, liked then disliked."""

    up: int
    down: int
    words: tuple[Weighted, ...]
    categories: tuple[Weighted, ...]
    authors: tuple[Weighted, ...]
    since: datetime | None  # `/papers forget` was used then


@dataclass(frozen=True, slots=True)
class PickView:
    paper_id: str
    title: str
    url: str | None
    tldr: str
    reasons: tuple[str, ...]
    up: int
    down: int


@dataclass(frozen=True, slots=True)
class DigestView:
    day: date
    picks: tuple[PickView, ...]


@dataclass(frozen=True, slots=True)
class LikedView:
    paper_id: str
    title: str
    url: str | None
    up: int
    down: int
    liked_on: date | None


@dataclass(frozen=True, slots=True)
class ChannelPage:
    name: str
    platform: str
    subscriptions: Subscriptions
    learned: Learned
    digests: tuple[DigestView, ...]
    liked: tuple[LikedView, ...]
    curve: tuple[CurvePoint, ...]
    generated_at: datetime


@dataclass(frozen=True, slots=True)
class LinkedPage:
    """A page as a signed link opens it: the page and when the link expires."""

    page: ChannelPage
    expires_at: datetime


def page_of_link(core: PaperBot, key: bytes, token: str) -> LinkedPage:
    """The page a `/papers web` token opens; LinkExpired, LinkInvalid or NotFound when none."""
    linked = channel_of_link(key, token, core.store, core.clock)
    return LinkedPage(load_channel_page(core, linked.channel), linked.expires_at)


def load_channel_page(core: PaperBot, channel: Channel) -> ChannelPage:
    """Everything the page shows, read from the store and the channel's learned profile."""
    store, tz = core.store, channel_zone(channel)
    feedback = store.feedback(channel.id)
    counts = tally(feedback)
    digests = store.recent_digests(channel.id, limit=PAGE_DIGESTS)
    liked = list(first_likes(feedback).items())[-PAGE_LIKED:][::-1]
    seeds = channel.interest_values(InterestKind.SEED)
    papers = store.get_papers([*(pid for pid, _ in liked), *seeds])
    shown = [*papers.values(), *(i.paper for d in digests for i in d.items)]
    return ChannelPage(
        name=channel.name,
        platform=channel.ref.platform.value,
        subscriptions=subscriptions(channel, [papers.get(s) for s in seeds], seeds),
        learned=learned(core.profile_for(channel), _taught(channel, feedback), shown, channel),
        digests=tuple(digest_view(d, counts, tz) for d in digests if d.created_at),
        liked=tuple(
            liked_view(papers[pid], counts[pid], at, tz) for pid, at in liked if pid in papers
        ),
        curve=tuple(learning_curve(store.posted_digests(channel.id, CURVE_DIGESTS), counts, tz)),
        generated_at=core.clock.now(),
    )


def _taught(channel: Channel, feedback: list[Feedback]) -> list[int]:
    """The opinions learning counts (as `PaperBot.opinions`): those since `/papers forget`."""
    since = channel.settings.learn_since
    return [f.value for f in feedback if since is None or (f.at is not None and f.at > since)]


def subscriptions(
    channel: Channel, seed_papers: list[Paper | None], seeds: tuple[str, ...]
) -> Subscriptions:
    s = channel.settings
    return Subscriptions(
        topics=channel.interest_values(InterestKind.TOPIC),
        categories=channel.interest_values(InterestKind.CATEGORY),
        authors=channel.interest_values(InterestKind.AUTHOR),
        excluded=channel.interest_values(InterestKind.EXCLUDE),
        seeds=tuple(p.title if p else pid for p, pid in zip(seed_papers, seeds, strict=True)),
        schedule=schedule_label(s.schedule),
        size=s.size,
        threshold=s.threshold.value,
        paused=s.paused,
    )


def learned(
    profile: Profile, opinions: list[int], papers: list[Paper], channel: Channel
) -> Learned:
    """The strongest learned words, categories and authors of `profile`; author names keep the
    spelling they have on `papers` (the profile keeps them lower-cased)."""
    spelled = {a.lower(): a for p in papers for a in p.authors}
    authors = {
        spelled.get(a, a): profile.author_affinity(a)
        for a in {*profile.author_pos, *profile.author_neg}
    }
    return Learned(
        up=sum(v > 0 for v in opinions),
        down=sum(v < 0 for v in opinions),
        words=strongest(profile.term_weights),
        categories=strongest(profile.category_weights),
        authors=strongest(authors),
        since=channel.settings.learn_since,
    )


def strongest(weights: dict[str, float], n: int = TOP_LEARNED) -> tuple[Weighted, ...]:
    """Up to `n` liked (weight > 0, strongest first), then up to `n` disliked (most first)."""
    items = weights.items()
    top = heapq.nlargest(n, ((w, k) for k, w in items if w > 0), key=lambda wk: wk[0])
    bottom = heapq.nsmallest(n, ((w, k) for k, w in items if w < 0), key=lambda wk: wk[0])
    liked = sorted(top, key=lambda wk: (-wk[0], wk[1]))
    disliked = sorted(bottom, key=lambda wk: (wk[0], wk[1]))
    return tuple(Weighted(k, w) for w, k in (*liked, *disliked))


def digest_view(digest: Digest, counts: dict[str, tuple[int, int]], tz: ZoneInfo) -> DigestView:
    assert digest.created_at is not None
    picks = tuple(
        PickView(
            item.paper.id,
            item.paper.title,
            paper_url(item.paper),
            item.tldr,
            tuple(r.text for r in item.reasons),
            *counts.get(item.paper.id, (0, 0)),
        )
        for item in digest.items
        if item.status is ItemStatus.POSTED
    )
    return DigestView(digest.created_at.astimezone(tz).date(), picks)


def liked_view(
    paper: Paper, counts: tuple[int, int], liked_at: datetime | None, tz: ZoneInfo
) -> LikedView:
    day = liked_at.astimezone(tz).date() if liked_at else None
    return LikedView(paper.id, paper.title, paper_url(paper), *counts, day)


def paper_url(paper: Paper) -> str | None:
    """The paper's first link (its abstract page), only when it is http(s)."""
    links = paper_links(paper)
    url = links[0][1] if links else None
    return url if url and url.startswith(("https://", "http://")) else None


def channel_zone(channel: Channel) -> ZoneInfo:
    try:
        return ZoneInfo(channel.settings.schedule.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")
