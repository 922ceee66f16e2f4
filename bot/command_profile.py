"""`/papers` subcommands that shape a channel's profile: what it follows, likes and excludes."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from bot import command_parse as cp
from bot.command_settings import save_settings
from bot.command_specs import SPECS
from bot.errors import CommandError
from bot.models import Channel, CommandRequest, Interest, InterestKind, Reply
from bot.ranking import Profile
from bot.ranking.categorizer import topic_categories

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
            return Reply(f"This channel already follows {what}.")
        return Reply(
            f"Subscribed this channel to {what}. Try `/papers now` for a first digest.",
            ephemeral=False,
        )

    def _unsubscribe(self, channel: Channel, p: cp.Parsed, _req: CommandRequest) -> Reply:
        interest = cp.interest_from(p.rest, usage=SPECS["unsubscribe"].usage)
        if not self.core.store.remove_interest(channel.id, interest):
            current = [_interest_label(i) for i in channel.interests if i.kind is interest.kind]
            listing = ", ".join(current) if current else "nothing of that kind"
            raise CommandError(
                f"This channel does not follow {_interest_label(interest)}. It follows: {listing}."
            )
        return Reply(
            f"Unsubscribed this channel from {_interest_label(interest)}.", ephemeral=False
        )

    def _exclude(self, channel: Channel, p: cp.Parsed, _req: CommandRequest) -> Reply:
        keyword = _keyword(p.rest, "exclude")
        added = self.core.store.add_interest(
            channel.id, Interest(InterestKind.EXCLUDE, keyword), now=self.core.clock.now()
        )
        if not added:
            return Reply(f"`{keyword}` is already excluded.")
        return Reply(
            f"Papers mentioning `{keyword}` will no longer be posted here.", ephemeral=False
        )

    def _include(self, channel: Channel, p: cp.Parsed, _req: CommandRequest) -> Reply:
        keyword = _keyword(p.rest, "include")
        if not self.core.store.remove_interest(channel.id, Interest(InterestKind.EXCLUDE, keyword)):
            excluded = channel.interest_values(InterestKind.EXCLUDE)
            listing = ", ".join(f"`{e}`" for e in excluded) or "nothing"
            raise CommandError(f"`{keyword}` was not excluded. Excluded now: {listing}.")
        return Reply(f"Papers mentioning `{keyword}` can be posted here again.", ephemeral=False)

    def _like(self, channel: Channel, p: cp.Parsed, _req: CommandRequest) -> Reply:
        paper_id = cp.paper_ref(p.rest, SPECS["like"].usage)
        paper = self.core.find_paper(paper_id)
        if paper is None:
            raise CommandError(f"I could not find arXiv paper `{paper_id}`.", SPECS["like"].usage)
        added = self.core.store.add_interest(
            channel.id, Interest(InterestKind.SEED, paper.id), now=self.core.clock.now()
        )
        if not added:
            return Reply(f"This channel already likes “{paper.title}”.")
        return Reply(
            f"Noted: this channel likes “{paper.title}”. Similar papers will rank higher.",
            ephemeral=False,
        )

    def _unlike(self, channel: Channel, p: cp.Parsed, _req: CommandRequest) -> Reply:
        paper_id = cp.paper_ref(p.rest, SPECS["unlike"].usage)
        if not self.core.store.remove_interest(channel.id, Interest(InterestKind.SEED, paper_id)):
            seeds = channel.interest_values(InterestKind.SEED)
            listing = ", ".join(f"`{s}`" for s in seeds) or "none"
            raise CommandError(
                f"This channel has not liked `{paper_id}` with `/papers like`. Liked: {listing}."
            )
        paper = self.core.store.get_paper(paper_id)
        title = f"“{paper.title}”" if paper is not None else f"`{paper_id}`"
        return Reply(f"This channel no longer likes {title}.", ephemeral=False)

    def _forget(self, channel: Channel, _p: cp.Parsed, _req: CommandRequest) -> Reply:
        taught = self.core.opinions(channel)
        if not taught:
            return Reply("No reactions have taught me anything here yet: nothing to forget.")
        save_settings(
            self.core, channel, replace(channel.settings, learn_since=self.core.clock.now())
        )
        return Reply(
            f"Forgot what {_count(len(taught), 'reaction')} taught me here: from now on only new "
            "👍/👎 count. Topics, categories, authors and liked papers stay "
            "(`/papers unlike` takes one back).",
            ephemeral=False,
        )

    def _topics(self, channel: Channel, _p: cp.Parsed, _req: CommandRequest) -> Reply:
        lines = [f"*Profile of #{channel.name}*"]
        for kind, label in (
            (InterestKind.TOPIC, "Topics"),
            (InterestKind.CATEGORY, "Categories"),
            (InterestKind.AUTHOR, "Authors"),
            (InterestKind.EXCLUDE, "Excluded"),
        ):
            values = channel.interest_values(kind)
            if values:
                muted = kind is InterestKind.AUTHOR and not channel.settings.follow_authors
                lines.append(
                    f"• {label}: "
                    + ", ".join(f"`{v}`" for v in values)
                    + (" (no boost: `/papers set authors on` turns it on)" if muted else "")
                )
        seeds = channel.interest_values(InterestKind.SEED)
        if seeds:
            papers = self.core.store.get_papers(list(seeds))
            lines.append(
                "• Liked papers: "
                + "; ".join(_short(papers[s].title) if s in papers else s for s in seeds)
            )
        if len(lines) == 1:
            lines.append("Nothing yet. Start with `/papers subscribe <topic>`.")
        topics = channel.interest_values(InterestKind.TOPIC)
        pointed = (
            topic_categories(topics) if not channel.interest_values(InterestKind.CATEGORY) else ()
        )
        if pointed:
            lines.append(
                "• Your topics point to: "
                + ", ".join(f"`{c}`" for c, _ in pointed)
                + " (subscribe to categories yourself to choose others)"
            )
        profile = self.core.profile_for(channel)
        opinions = [f.value for f in self.core.opinions(channel)]
        up, down = sum(v > 0 for v in opinions), sum(v < 0 for v in opinions)
        learned = _learned_summary(profile, up, down)
        since = channel.settings.learn_since
        if learned:
            lines.append(
                f"• Reactions taught me: {learned}"
                + (f" (since `/papers forget` on {since:%Y-%m-%d})" if since else "")
            )
        s = channel.settings
        lines.append(
            f"• Schedule: {s.schedule.time} {s.schedule.timezone} {cp.days_label(s.schedule.days)}, "
            f"up to {s.size} papers, threshold {s.threshold.value}"
            + (" (paused)" if s.paused else "")
        )
        return Reply("\n".join(lines))


def _keyword(rest: str, name: str) -> str:
    keyword = " ".join(rest.strip().strip('"').split())
    if not keyword:
        raise CommandError("Tell me the keyword.", SPECS[name].usage)
    if len(keyword) > cp.MAX_PHRASE:
        raise CommandError("That keyword is too long.", SPECS[name].usage)
    return keyword


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _interest_label(interest: Interest) -> str:
    if interest.kind is InterestKind.CATEGORY:
        return f"category `{interest.value}`"
    if interest.kind is InterestKind.AUTHOR:
        return f"author *{interest.value}*"
    return f"“{interest.value}”"


def _learned_summary(profile: Profile, up: int, down: int) -> str:
    cats = sorted(profile.category_weights.items(), key=lambda kv: -kv[1])
    liked = [c for c, w in cats if w > 0][:3]
    disliked = [c for c, w in cats[::-1] if w < 0][:2]
    parts = []
    if up or down:
        parts.append(f"{up} 👍 and {down} 👎 so far")
    if liked:
        parts.append("more " + ", ".join(f"`{c}`" for c in liked))
    if disliked:
        parts.append("less " + ", ".join(f"`{c}`" for c in disliked))
    return "; ".join(parts)


def _short(title: str, limit: int = 70) -> str:
    return title if len(title) <= limit else title[: limit - 1].rsplit(" ", 1)[0] + "…"
