"""`/papers` subcommands that act or answer: now, search, why, stats, history."""

from __future__ import annotations

from datetime import timedelta

from bot.commands import parse as cp
from bot.commands.permissions import Access
from bot.commands.registry import Arg, ArgKind, Call, command
from bot.content.history import history_text
from bot.digest.guard import ALREADY_ON_ITS_WAY
from bot.errors import CommandError, DigestInProgress
from bot.models import Reply, Threshold
from bot.ranking import Profile
from bot.rich import Inline, bold, code, fmt, lines, link, plain

SEARCH_DAYS = 14


# `now` posts to everyone in the channel, spends the platform's rate budget and uses up the new
# papers (they are not in the next scheduled digest): it changes the channel. `search` is the
# open, private way to look at recent papers.
@command(
    name="now",
    usage="/papers now",
    summary="Post a digest now from the papers this channel has not seen.",
    brief="Post a digest in this channel now",
    aliases=("digest",),
    access=Access.SETTINGS,
    slow=True,
)
def now(call: Call) -> Reply:
    channel = call.channel
    if not channel.interests:
        raise CommandError("This channel follows nothing yet.", call.registry["subscribe"].usage)
    with call.digests.hold(channel.id) as mine:
        if not mine:
            return Reply(plain(ALREADY_ON_ITS_WAY))
        try:
            _, result = call.core.run_digest(channel)
        except DigestInProgress:  # another process's digest took these papers first
            return Reply(plain(ALREADY_ON_ITS_WAY))
    posted = len(result.posted)
    if result.digest is None or not result.digest.items:
        return Reply(
            plain("No new papers for this channel right now. I'll post when there are some.")
        )
    failed = f" ({len(result.failed)} could not be posted; I'll retry)" if result.failed else ""
    return Reply(plain(f"Posted {posted} papers{failed}."))


@command(
    name="search",
    usage="/papers search <query>",
    summary="Find recent papers (only you see the answer).",
    brief="Search recent papers",
    args=(Arg("query", low=1, high=200),),
    examples=("/papers search diffusion policy",),
    aliases=("find",),
    slow=True,
)
def search(call: Call) -> Reply:
    query = call.rest.strip()
    if len(query) < 2:
        raise CommandError("Tell me what to search for.", call.usage)
    papers = call.core.store.papers_seen_since(call.now - timedelta(days=SEARCH_DAYS))
    hits = call.core.ranker.rank(
        Profile.from_phrases([query]), papers, k=5, threshold=Threshold.LOW
    )
    if not hits:
        return Reply(
            fmt(
                "No recent papers match {} (searched {} from the last {} days).",
                code(query),
                len(papers),
                SEARCH_DAYS,
            )
        )
    found: list[Inline] = [
        fmt("{} (from {} recent papers)", bold(f"Best matches for “{query}”"), len(papers))
    ]
    found += [fmt("• {} {}", link(h.paper.abs_url, h.paper.title), code(h.paper.id)) for h in hits]
    return Reply(lines(found))


@command(
    name="why",
    usage="/papers why <arXiv id or link>",
    summary="Explain why a paper was picked.",
    brief="Why a paper was (or was not) picked",
    args=(Arg("paper", help="an arXiv id or URL", low=1, high=200),),
    examples=("/papers why 2503.12461",),
)
def why(call: Call) -> Reply:
    core, channel = call.core, call.channel
    paper_id = cp.paper_ref(call.rest, call.usage)
    item = core.store.find_item(channel.id, paper_id)
    if item is not None:
        reasons = [r.text for r in item.reasons] or ["it was the best remaining match that day"]
        head = fmt(
            "{} was picked (rank {}, score {:.2f}) because:",
            bold(item.paper.title),
            item.rank,
            item.score,
        )
        return Reply(lines([head, *(f"• {r}" for r in reasons)]))
    paper = core.store.get_paper(paper_id)
    if paper is None:
        raise CommandError(fmt("I don't know paper {}.", code(paper_id)), call.usage)
    scored = core.ranker.rank(core.profile_for(channel), [paper])
    if not scored:
        return Reply(
            fmt("{} was not posted here: it mentions an excluded keyword.", bold(paper.title))
        )
    reasons = [r.text for r in scored[0].reasons] or [
        "nothing in this channel's profile matches it"
    ]
    head = fmt("{} was not posted here. Score {:.2f}:", bold(paper.title), scored[0].score)
    return Reply(lines([head, *(f"• {r}" for r in reasons)]))


@command(
    name="stats",
    usage="/papers stats",
    summary="Digests posted, 👍/👎 counts and how many picks people liked.",
    brief="Digests, reactions and what PaperBot has learned",
)
def stats(call: Call) -> Reply:
    store, channel = call.core.store, call.channel
    digests = store.recent_digests(channel.id, limit=10_000)
    posted = [i for d in digests for i in d.items if i.message_id]
    up, down = store.reaction_counts(channel.id)
    recent_cut = call.now - timedelta(days=30)
    recent = [
        i
        for d in digests
        if d.created_at and d.created_at >= recent_cut
        for i in d.items
        if i.message_id
    ]
    liked = {f.paper_id for f in store.feedback(channel.id) if f.value > 0}
    share = (sum(1 for i in recent if i.paper.id in liked) / len(recent)) if recent else 0.0
    return Reply(
        lines(
            [
                bold(f"Stats for #{channel.name}"),
                f"• Digests posted: {len(digests)} ({len(posted)} papers)",
                f"• Current reactions: {up} 👍, {down} 👎",
                f"• Papers liked in the last 30 days: {share:.0%} of {len(recent)}",
            ]
        )
    )


@command(
    name="history",
    usage="/papers history [n]",
    summary="List the channel's recent picks with their reactions.",
    brief="Recent picks in this channel with their reactions",
    args=(
        Arg(
            "count",
            ArgKind.NUMBER,
            help="how many picks (default 10)",
            required=False,
            low=1,
            high=50,
        ),
    ),
    examples=("/papers history 10",),
)
def history(call: Call) -> Reply:
    n = cp.parse_int(call.words[0], 1, 50, call.usage) if call.words else 10
    return Reply(history_text(call.core.store, call.channel, n))
