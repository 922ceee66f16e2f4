"""`/papers` subcommands that shape a channel's profile: what it follows, likes and excludes."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from bot.commands import parse as cp
from bot.commands.settings import save_settings
from bot.commands.specs import SPECS
from bot.commands.text_checks import refuse_hidden_characters
from bot.errors import CommandError
from bot.limits import MAX_PHRASE
from bot.models import Channel, CommandRequest, Interest, InterestKind, Reply
from bot.ranking import Profile
from bot.ranking.categorizer import topic_categories
from bot.rich import Inline, Rich, bold, code, concat, fmt, join, lines, plain

if TYPE_CHECKING:
    from bot.service import PaperBot

MAX_INTERESTS = 60


class ProfileCommands:
    """subscribe, unsubscribe, exclude, include, like, unlike, forget, topics."""

    core: PaperBot

    def _subscribe(self, channel: Channel, p: cp.Parsed, _req: CommandRequest) -> Reply:
        interest = cp.interest_from(p.rest, usage=SPECS["subscribe"].usage)
        if len(channel.interests) >= MAX_INTERESTS:
            raise CommandError(
                f"This channel already follows {MAX_INTERESTS} things; unsubscribe some first."
            )
        added = self.core.store.add_interest(channel.id, interest, now=self.core.clock.now())
        what = _interest_label(interest)
        if not added:
            return Reply(fmt("This channel already follows {}.", what))
        return Reply(
            fmt(
                "Subscribed this channel to {}. Try {} for a first digest.",
                what,
                code("/papers now"),
            ),
            ephemeral=False,
        )

    def _unsubscribe(self, channel: Channel, p: cp.Parsed, _req: CommandRequest) -> Reply:
        interest = cp.interest_from(p.rest, usage=SPECS["unsubscribe"].usage)
        if not self.core.store.remove_interest(channel.id, interest):
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

    def _exclude(self, channel: Channel, p: cp.Parsed, _req: CommandRequest) -> Reply:
        keyword = _keyword(p.rest, "exclude")
        added = self.core.store.add_interest(
            channel.id, Interest(InterestKind.EXCLUDE, keyword), now=self.core.clock.now()
        )
        if not added:
            return Reply(fmt("{} is already excluded.", code(keyword)))
        return Reply(
            fmt("Papers mentioning {} will no longer be posted here.", code(keyword)),
            ephemeral=False,
        )

    def _include(self, channel: Channel, p: cp.Parsed, _req: CommandRequest) -> Reply:
        keyword = _keyword(p.rest, "include")
        if not self.core.store.remove_interest(channel.id, Interest(InterestKind.EXCLUDE, keyword)):
            excluded = channel.interest_values(InterestKind.EXCLUDE)
            listing = join(", ", [code(e) for e in excluded]) or plain("nothing")
            raise CommandError(
                fmt("{} was not excluded. Excluded now: {}.", code(keyword), listing)
            )
        return Reply(
            fmt("Papers mentioning {} can be posted here again.", code(keyword)), ephemeral=False
        )

    def _like(self, channel: Channel, p: cp.Parsed, _req: CommandRequest) -> Reply:
        paper_id = cp.paper_ref(p.rest, SPECS["like"].usage)
        paper = self.core.find_paper(paper_id)
        if paper is None:
            raise CommandError(
                fmt("I could not find arXiv paper {}.", code(paper_id)), SPECS["like"].usage
            )
        added = self.core.store.add_interest(
            channel.id, Interest(InterestKind.SEED, paper.id), now=self.core.clock.now()
        )
        if not added:
            return Reply(plain(f"This channel already likes “{paper.title}”."))
        return Reply(
            plain(f"Noted: this channel likes “{paper.title}”. Similar papers will rank higher."),
            ephemeral=False,
        )

    def _unlike(self, channel: Channel, p: cp.Parsed, _req: CommandRequest) -> Reply:
        paper_id = cp.paper_ref(p.rest, SPECS["unlike"].usage)
        if not self.core.store.remove_interest(channel.id, Interest(InterestKind.SEED, paper_id)):
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
        paper = self.core.store.get_paper(paper_id)
        title = plain(f"“{paper.title}”") if paper is not None else code(paper_id)
        return Reply(fmt("This channel no longer likes {}.", title), ephemeral=False)

    def _forget(self, channel: Channel, _p: cp.Parsed, _req: CommandRequest) -> Reply:
        taught = self.core.opinions(channel)
        if not taught:
            return Reply(plain("No reactions have taught me anything here yet: nothing to forget."))
        save_settings(
            self.core, channel, replace(channel.settings, learn_since=self.core.clock.now())
        )
        return Reply(
            fmt(
                "Forgot what {} taught me here: from now on only new 👍/👎 count. Topics, "
                "categories, authors and liked papers stay ({} takes one back).",
                _count(len(taught), "reaction"),
                code("/papers unlike"),
            ),
            ephemeral=False,
        )

    def _topics(self, channel: Channel, _p: cp.Parsed, _req: CommandRequest) -> Reply:
        shown: list[Inline] = [bold(f"Profile of #{channel.name}")]
        shown += _interest_lines(channel)
        seeds = channel.interest_values(InterestKind.SEED)
        if seeds:
            papers = self.core.store.get_papers(list(seeds))
            titles = [_short(papers[s].title) if s in papers else s for s in seeds]
            shown.append("• Liked papers: " + "; ".join(titles))
        if len(shown) == 1:
            shown.append(fmt("Nothing yet. Start with {}.", code("/papers subscribe <topic>")))
        topics = channel.interest_values(InterestKind.TOPIC)
        pointed = (
            topic_categories(topics) if not channel.interest_values(InterestKind.CATEGORY) else ()
        )
        if pointed:
            shown.append(
                fmt(
                    "• Your topics point to: {} (subscribe to categories yourself to choose "
                    "others)",
                    join(", ", [code(c) for c, _ in pointed]),
                )
            )
        learned = self._learned_line(channel)
        if learned:
            shown.append(learned)
        s = channel.settings
        shown.append(
            f"• Schedule: {cp.schedule_label(s.schedule)}, "
            f"up to {s.size} papers, threshold {s.threshold.value}"
            + (" (paused)" if s.paused else "")
        )
        return Reply(lines(shown))

    def _learned_line(self, channel: Channel) -> Rich:
        profile = self.core.profile_for(channel)
        opinions = [f.value for f in self.core.opinions(channel)]
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


def _keyword(rest: str, name: str) -> str:
    keyword = " ".join(rest.strip().strip('"').split())
    if not keyword:
        raise CommandError("Tell me the keyword.", SPECS[name].usage)
    refuse_hidden_characters(keyword, "A keyword", SPECS[name].usage)
    if len(keyword) > MAX_PHRASE:
        raise CommandError("That keyword is too long.", SPECS[name].usage)
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
