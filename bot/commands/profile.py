"""`/papers` subcommands that shape a channel's profile: what it follows, likes and excludes."""

from __future__ import annotations

from dataclasses import replace

from bot.commands import parse as cp
from bot.commands.core import CommandCore
from bot.commands.permissions import Access
from bot.commands.registry import Arg, Call, Suggest, command
from bot.commands.settings import save_settings
from bot.commands.text_checks import refuse_hidden_characters
from bot.errors import CommandError
from bot.limits import MAX_PHRASE
from bot.models import Channel, Interest, InterestKind, Reply
from bot.ranking import Profile
from bot.ranking.categorizer import topic_categories
from bot.rich import Inline, Rich, bold, code, concat, fmt, join, lines, plain

MAX_INTERESTS = 60
S = Access.SETTINGS
PAPER = Arg("paper", help="an arXiv id or URL", low=1, high=200)


@command(
    name="subscribe",
    usage='/papers subscribe <topic phrase> | cat:<arXiv category> | author:"Name"',
    summary="Follow a topic, an arXiv category or an author in this channel.",
    brief="Follow a topic phrase, an arXiv category or an author",
    args=(
        Arg(
            "topic",
            help='e.g. robot manipulation, cat:cs.RO or author:"Chelsea Finn"',
            low=1,
            high=200,
        ),
    ),
    examples=(
        "/papers subscribe robot manipulation",
        "/papers subscribe cat:cs.RO",
        '/papers subscribe author:"Chelsea Finn"',
    ),
    aliases=("sub", "follow"),
    access=S,
)
def subscribe(call: Call) -> Reply:
    core, channel = call.core, call.channel
    interest = cp.interest_from(call.rest, usage=call.usage)
    if len(channel.interests) >= MAX_INTERESTS:
        raise CommandError(
            f"This channel already follows {MAX_INTERESTS} things; unsubscribe some first."
        )
    added = core.store.add_interest(channel.id, interest, now=call.now)
    what = _interest_label(interest)
    if not added:
        return Reply(fmt("This channel already follows {}.", what))
    return Reply(
        fmt("Subscribed this channel to {}. Try {} for a first digest.", what, code("/papers now")),
        ephemeral=False,
    )


@command(
    name="unsubscribe",
    usage='/papers unsubscribe <topic phrase> | cat:<category> | author:"Name"',
    summary="Stop following something.",
    brief="Stop following a topic, category or author",
    args=(
        Arg(
            "topic", help="one of this channel's topics", low=1, high=200, suggest=Suggest.FOLLOWED
        ),
    ),
    examples=("/papers unsubscribe cat:cs.RO",),
    aliases=("unsub", "unfollow"),
    access=S,
)
def unsubscribe(call: Call) -> Reply:
    channel = call.channel
    interest = cp.interest_from(call.rest, usage=call.usage)
    if not call.core.store.remove_interest(channel.id, interest):
        current = [_interest_label(i) for i in channel.interests if i.kind is interest.kind]
        listing = join(", ", current) if current else plain("nothing of that kind")
        raise CommandError(
            fmt(
                "This channel does not follow {}. It follows: {}.",
                _interest_label(interest),
                listing,
            )
        )
    return Reply(
        fmt("Unsubscribed this channel from {}.", _interest_label(interest)), ephemeral=False
    )


@command(
    name="exclude",
    usage="/papers exclude <keyword>",
    summary="Never show papers that mention a keyword.",
    brief="Hide papers that mention a keyword",
    args=(Arg("keyword", help="a word or phrase to exclude", low=1, high=200),),
    examples=("/papers exclude survey",),
    access=S,
)
def exclude(call: Call) -> Reply:
    keyword = _keyword(call.rest, call.usage)
    added = call.core.store.add_interest(
        call.channel.id, Interest(InterestKind.EXCLUDE, keyword), now=call.now
    )
    if not added:
        return Reply(fmt("{} is already excluded.", code(keyword)))
    return Reply(
        fmt("Papers mentioning {} will no longer be posted here.", code(keyword)),
        ephemeral=False,
    )


@command(
    name="include",
    usage="/papers include <keyword>",
    summary="Undo an exclude.",
    brief="Stop excluding a keyword",
    args=(
        Arg(
            "keyword",
            help="one of this channel's excluded keywords",
            low=1,
            high=200,
            suggest=Suggest.EXCLUDED,
        ),
    ),
    examples=("/papers include survey",),
    access=S,
)
def include(call: Call) -> Reply:
    channel = call.channel
    keyword = _keyword(call.rest, call.usage)
    if not call.core.store.remove_interest(channel.id, Interest(InterestKind.EXCLUDE, keyword)):
        excluded = channel.interest_values(InterestKind.EXCLUDE)
        listing = join(", ", [code(e) for e in excluded]) or plain("nothing")
        raise CommandError(fmt("{} was not excluded. Excluded now: {}.", code(keyword), listing))
    return Reply(
        fmt("Papers mentioning {} can be posted here again.", code(keyword)), ephemeral=False
    )


@command(
    name="like",
    usage="/papers like <arXiv id or link>",
    summary="Teach me with a paper you like.",
    brief="Teach PaperBot with a paper you like",
    args=(PAPER,),
    examples=("/papers like 2503.12461", "/papers like https://arxiv.org/abs/2503.12461"),
    access=S,
)
def like(call: Call) -> Reply:
    core = call.core
    paper_id = cp.paper_ref(call.rest, call.usage)
    paper = core.find_paper(paper_id)
    if paper is None:
        raise CommandError(fmt("I could not find arXiv paper {}.", code(paper_id)), call.usage)
    added = core.store.add_interest(
        call.channel.id, Interest(InterestKind.SEED, paper.id), now=call.now
    )
    if not added:
        return Reply(plain(f"This channel already likes “{paper.title}”."))
    return Reply(
        plain(f"Noted: this channel likes “{paper.title}”. Similar papers will rank higher."),
        ephemeral=False,
    )


@command(
    name="unlike",
    usage="/papers unlike <arXiv id or link>",
    summary="Take back a paper this channel liked with `/papers like`.",
    brief="Take back a paper this channel liked",
    args=(
        Arg(
            "paper",
            help="one of the papers this channel liked",
            low=1,
            high=200,
            suggest=Suggest.LIKED,
        ),
    ),
    examples=("/papers unlike 2503.12461",),
    access=S,
)
def unlike(call: Call) -> Reply:
    store, channel = call.core.store, call.channel
    paper_id = cp.paper_ref(call.rest, call.usage)
    if not store.remove_interest(channel.id, Interest(InterestKind.SEED, paper_id)):
        seeds = channel.interest_values(InterestKind.SEED)
        listing = join(", ", [code(s) for s in seeds]) or plain("none")
        raise CommandError(
            fmt(
                "This channel has not liked {} with {}. Liked: {}.",
                code(paper_id),
                code("/papers like"),
                listing,
            )
        )
    paper = store.get_paper(paper_id)
    title = plain(f"“{paper.title}”") if paper is not None else code(paper_id)
    return Reply(fmt("This channel no longer likes {}.", title), ephemeral=False)


@command(
    name="forget",
    usage="/papers forget",
    summary="Forget what reactions taught me so far (typed topics and liked papers stay).",
    brief="Forget what reactions taught PaperBot in this channel",
    access=S,
)
def forget(call: Call) -> Reply:
    core, channel = call.core, call.channel
    taught = core.opinions(channel)
    if not taught:
        return Reply(plain("No reactions have taught me anything here yet: nothing to forget."))
    save_settings(core, channel, replace(channel.settings, learn_since=call.now))
    return Reply(
        fmt(
            "Forgot what {} taught me here: from now on only new 👍/👎 count. Topics, "
            "categories, authors and liked papers stay ({} takes one back).",
            _count(len(taught), "reaction"),
            code("/papers unlike"),
        ),
        ephemeral=False,
    )


@command(
    name="topics",
    usage="/papers topics",
    summary="Show this channel's profile and what reactions taught me.",
    brief="List this channel's topics, categories and authors",
    aliases=("profile", "list"),
)
def topics(call: Call) -> Reply:
    core, channel = call.core, call.channel
    shown: list[Inline] = [bold(f"Profile of #{channel.name}")]
    shown += _interest_lines(channel)
    seeds = channel.interest_values(InterestKind.SEED)
    if seeds:
        papers = core.store.get_papers(list(seeds))
        titles = [_short(papers[s].title) if s in papers else s for s in seeds]
        shown.append("• Liked papers: " + "; ".join(titles))
    if len(shown) == 1:
        shown.append(fmt("Nothing yet. Start with {}.", code("/papers subscribe <topic>")))
    pointed = _pointed(channel)
    if pointed:
        shown.append(pointed)
    learned = _learned_line(core, channel)
    if learned:
        shown.append(learned)
    s = channel.settings
    shown.append(
        f"• Schedule: {cp.schedule_label(s.schedule)}, "
        f"up to {s.size} papers, threshold {s.threshold.value}" + (" (paused)" if s.paused else "")
    )
    return Reply(lines(shown))


def _pointed(channel: Channel) -> Rich:
    """Where the typed topics point, while the channel chose no categories itself."""
    if channel.interest_values(InterestKind.CATEGORY):
        return Rich()
    pointed = topic_categories(channel.interest_values(InterestKind.TOPIC))
    if not pointed:
        return Rich()
    return fmt(
        "• Your topics point to: {} (subscribe to categories yourself to choose others)",
        join(", ", [code(c) for c, _ in pointed]),
    )


def _learned_line(core: CommandCore, channel: Channel) -> Rich:
    profile = core.profile_for(channel)
    opinions = [f.value for f in core.opinions(channel)]
    up, down = sum(v > 0 for v in opinions), sum(v < 0 for v in opinions)
    learned = _learned_summary(profile, up, down)
    if not learned:
        return Rich()
    since = channel.settings.learn_since
    note = fmt(" (since {} on {:%Y-%m-%d})", code("/papers forget"), since) if since else Rich()
    return concat("• Reactions taught me: ", learned, note)


def _interest_lines(channel: Channel) -> list[Inline]:
    """`• Topics: …`, `• Categories: …`, `• Authors: …`, `• Excluded: …`, those it has."""
    out: list[Inline] = []
    for kind, label in (
        (InterestKind.TOPIC, "Topics"),
        (InterestKind.CATEGORY, "Categories"),
        (InterestKind.AUTHOR, "Authors"),
        (InterestKind.EXCLUDE, "Excluded"),
    ):
        values = channel.interest_values(kind)
        if not values:
            continue
        muted = kind is InterestKind.AUTHOR and not channel.settings.follow_authors
        note = (
            fmt(" (no boost: {} turns it on)", code("/papers set authors on")) if muted else Rich()
        )
        out.append(concat(f"• {label}: ", join(", ", [code(v) for v in values]), note))
    return out


def _keyword(rest: str, usage: str) -> str:
    keyword = " ".join(rest.strip().strip('"').split())
    if not keyword:
        raise CommandError("Tell me the keyword.", usage)
    refuse_hidden_characters(keyword, "A keyword", usage)
    if len(keyword) > MAX_PHRASE:
        raise CommandError("That keyword is too long.", usage)
    return keyword


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _interest_label(interest: Interest) -> Rich:
    if interest.kind is InterestKind.CATEGORY:
        return concat("category ", code(interest.value))
    if interest.kind is InterestKind.AUTHOR:
        return concat("author ", bold(interest.value))
    return plain(f"“{interest.value}”")


def _learned_summary(profile: Profile, up: int, down: int) -> Rich:
    cats = sorted(profile.category_weights.items(), key=lambda kv: -kv[1])
    liked = [c for c, w in cats if w > 0][:3]
    disliked = [c for c, w in cats[::-1] if w < 0][:2]
    parts: list[Inline] = []
    if up or down:
        parts.append(f"{up} 👍 and {down} 👎 so far")
    if liked:
        parts.append(concat("more ", join(", ", [code(c) for c in liked])))
    if disliked:
        parts.append(concat("less ", join(", ", [code(c) for c in disliked])))
    return join("; ", parts)


def _short(title: str, limit: int = 70) -> str:
    return title if len(title) <= limit else title[: limit - 1].rsplit(" ", 1)[0] + "…"
