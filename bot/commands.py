"""The `/papers` command layer shared by every platform: one parser, one set of handlers."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot import command_parse as cp
from bot.command_specs import ALIASES, SPECS, SWITCHES, Switch
from bot.errors import CommandError, NotFound, PaperBotError
from bot.history import history_text
from bot.models import (
    Channel,
    ChannelSettings,
    CommandRequest,
    Interest,
    InterestKind,
    Platform,
    Reply,
    Schedule,
    Threshold,
)
from bot.ranking import Profile
from bot.ranking.categorizer import topic_categories

if TYPE_CHECKING:
    from bot.service import PaperBot

log = logging.getLogger(__name__)
MAX_INTERESTS = 60
SEARCH_DAYS = 14


class CommandLayer:
    """Turns a CommandRequest into a Reply; failures change nothing and say how to do it right."""

    def __init__(self, core: PaperBot) -> None:
        self.core = core
        self.handlers: dict[str, Callable[[Channel, cp.Parsed, CommandRequest], Reply]] = {
            "help": self._help,
            "subscribe": self._subscribe,
            "unsubscribe": self._unsubscribe,
            "exclude": self._exclude,
            "include": self._include,
            "like": self._like,
            "unlike": self._unlike,
            "forget": self._forget,
            "topics": self._topics,
            "schedule": self._schedule,
            "size": self._size,
            "threshold": self._threshold,
            "set": self._set,
            "pause": self._pause,
            "resume": self._resume,
            "now": self._now,
            "search": self._search,
            "why": self._why,
            "stats": self._stats,
            "history": self._history,
        }

    def handle(self, req: CommandRequest) -> Reply:
        parsed = cp.parse(req.text)
        name = ALIASES.get(parsed.name, parsed.name)
        handler = self.handlers.get(name)
        if handler is None:
            return Reply(_unknown(parsed.name), ok=False)
        try:
            channel = self._channel(req)
            return handler(channel, replace(parsed, name=name), req)
        except CommandError as exc:
            return Reply(_error(str(exc), exc.usage or SPECS[name].usage), ok=False)
        except NotFound as exc:
            return Reply(_error(str(exc), SPECS[name].usage), ok=False)
        except PaperBotError as exc:
            log.warning("command %r failed: %s", name, exc)
            return Reply(f"Sorry, that did not work: {exc}", ok=False)

    def _channel(self, req: CommandRequest) -> Channel:
        from bot.models import ChannelRef

        settings = self.core.settings
        defaults = ChannelSettings(
            size=settings.default_digest_size,
            schedule=Schedule(
                time=settings.default_digest_time, timezone=settings.default_timezone
            ),
        )
        ref = ChannelRef(req.platform, req.workspace, req.channel)
        return self.core.store.ensure_channel(
            ref, req.channel_name or req.channel, defaults, now=self.core.clock.now()
        )

    # ----------------------------------------------------------------- profile
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
        self._save(channel, replace(channel.settings, learn_since=self.core.clock.now()))
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

    # ---------------------------------------------------------------- settings
    def _schedule(self, channel: Channel, p: cp.Parsed, _req: CommandRequest) -> Reply:
        usage = SPECS["schedule"].usage
        if not p.words:
            raise CommandError("Tell me a time.", usage)
        time = cp.parse_time(p.words[0], usage)
        tz, days = channel.settings.schedule.timezone, channel.settings.schedule.days
        rest = list(p.words[1:])
        if rest and (cp.looks_like_timezone(rest[0]) or not _is_days(rest[0])):
            tz = cp.parse_timezone(rest.pop(0), usage)
        if rest:
            days = cp.parse_days(",".join(rest), usage)
        schedule = Schedule(time=time, timezone=tz, days=days)
        updated = self._save(channel, replace(channel.settings, schedule=schedule))
        return Reply(
            f"Digests will be posted at {time} {tz}, {cp.days_label(days)}."
            + self.core.next_run_note(updated),
            ephemeral=False,
        )

    def _size(self, channel: Channel, p: cp.Parsed, _req: CommandRequest) -> Reply:
        if len(p.words) != 1:
            raise CommandError("Tell me one number.", SPECS["size"].usage)
        size = cp.parse_int(p.words[0], 1, 20, SPECS["size"].usage)
        self._save(channel, replace(channel.settings, size=size))
        return Reply(f"Digests here will show at most {size} papers.", ephemeral=False)

    def _threshold(self, channel: Channel, p: cp.Parsed, _req: CommandRequest) -> Reply:
        try:
            level = Threshold(p.rest.strip().lower())
        except ValueError:
            raise CommandError("Use low, medium or high.", SPECS["threshold"].usage) from None
        self._save(channel, replace(channel.settings, threshold=level))
        return Reply(f"Threshold set to {level.value}.", ephemeral=False)

    def _set(self, channel: Channel, p: cp.Parsed, req: CommandRequest) -> Reply:
        usage = SPECS["set"].usage
        if not p.words:
            lines = [f"*Options of #{channel.name}*"]
            lines += [
                f"• `{name}` {_state(s, getattr(channel.settings, s.field))}"
                + (" (Slack only)" if s.slack_only else "")
                for name, s in SWITCHES.items()
            ]
            lines.append("Switch one with `/papers set <option> on|off`.")
            return Reply("\n".join(lines))
        name = p.words[0].lower()
        switch = SWITCHES.get(name)
        if switch is None:
            known = ", ".join(f"`{n}`" for n in SWITCHES)
            raise CommandError(f"There is no option `{p.words[0]}`. Options: {known}.", usage)
        current = bool(getattr(channel.settings, switch.field))
        if len(p.words) == 1:
            return Reply(f"`{name}` {_state(switch, current)}.")
        if len(p.words) > 2:
            raise CommandError("Tell me one option and `on` or `off`.", usage)
        value = cp.parse_switch(p.words[1], usage)
        if value and switch.slack_only and req.platform is Platform.DISCORD:
            raise CommandError(f"`{name}` works on Slack only ({switch.on}).", usage)
        if value == current:
            return Reply(f"`{name}` is already {_state(switch, value)}.")
        change: dict[str, Any] = {switch.field: value}
        self._save(channel, replace(channel.settings, **change))
        return Reply(f"`{name}` is now {_state(switch, value)}.", ephemeral=False)

    def _pause(self, channel: Channel, _p: cp.Parsed, _req: CommandRequest) -> Reply:
        if channel.settings.paused:
            return Reply("Digests are already paused here. `/papers resume` starts them again.")
        self._save(
            channel, replace(channel.settings, paused=True, paused_reason="paused from chat")
        )
        return Reply("Paused scheduled digests here. `/papers now` still works.", ephemeral=False)

    def _resume(self, channel: Channel, _p: cp.Parsed, _req: CommandRequest) -> Reply:
        if not channel.settings.paused:
            return Reply("Digests are not paused here.")
        updated = self._save(channel, replace(channel.settings, paused=False, paused_reason=None))
        return Reply(
            "Resumed scheduled digests." + self.core.next_run_note(updated), ephemeral=False
        )

    def _save(self, channel: Channel, settings: ChannelSettings) -> Channel:
        updated = self.core.store.update_settings(channel.id, settings)
        return self.core.reschedule(updated)

    # ----------------------------------------------------------------- actions
    def _now(self, channel: Channel, _p: cp.Parsed, _req: CommandRequest) -> Reply:
        if not channel.interests:
            raise CommandError("This channel follows nothing yet.", SPECS["subscribe"].usage)
        _, result = self.core.run_digest(channel)
        posted = len(result.posted)
        if result.digest is None or not result.digest.items:
            return Reply("No new papers for this channel right now. I'll post when there are some.")
        failed = f" ({len(result.failed)} could not be posted; I'll retry)" if result.failed else ""
        return Reply(f"Posted {posted} papers{failed}.")

    def _search(self, _channel: Channel, p: cp.Parsed, _req: CommandRequest) -> Reply:
        query = p.rest.strip()
        if len(query) < 2:
            raise CommandError("Tell me what to search for.", SPECS["search"].usage)
        since = self.core.clock.now() - timedelta(days=SEARCH_DAYS)
        papers = self.core.store.papers_seen_since(since)
        hits = self.core.ranker.rank(
            Profile.from_phrases([query]), papers, k=5, threshold=Threshold.LOW
        )
        if not hits:
            return Reply(
                f"No recent papers match `{query}` (searched {len(papers)} from the last {SEARCH_DAYS} days)."
            )
        lines = [f"*Best matches for “{query}”* (from {len(papers)} recent papers)"]
        lines += [f"• <{h.paper.abs_url}|{h.paper.title}> `{h.paper.id}`" for h in hits]
        return Reply("\n".join(lines))

    def _why(self, channel: Channel, p: cp.Parsed, _req: CommandRequest) -> Reply:
        paper_id = cp.paper_ref(p.rest, SPECS["why"].usage)
        item = self.core.store.find_item(channel.id, paper_id)
        if item is not None:
            reasons = [r.text for r in item.reasons] or ["it was the best remaining match that day"]
            return Reply(
                f"*{item.paper.title}* was picked (rank {item.rank}, score {item.score:.2f}) because:\n"
                + "\n".join(f"• {r}" for r in reasons)
            )
        paper = self.core.store.get_paper(paper_id)
        if paper is None:
            raise CommandError(f"I don't know paper `{paper_id}`.", SPECS["why"].usage)
        scored = self.core.ranker.rank(self.core.profile_for(channel), [paper])
        if not scored:
            return Reply(f"*{paper.title}* was not posted here: it mentions an excluded keyword.")
        reasons = [r.text for r in scored[0].reasons] or [
            "nothing in this channel's profile matches it"
        ]
        return Reply(
            f"*{paper.title}* was not posted here. Score {scored[0].score:.2f}:\n"
            + "\n".join(f"• {r}" for r in reasons)
        )

    def _stats(self, channel: Channel, _p: cp.Parsed, _req: CommandRequest) -> Reply:
        digests = self.core.store.recent_digests(channel.id, limit=10_000)
        posted = [i for d in digests for i in d.items if i.message_id]
        up, down = self.core.store.reaction_counts(channel.id)
        recent_cut = self.core.clock.now() - timedelta(days=30)
        recent = [
            i
            for d in digests
            if d.created_at and d.created_at >= recent_cut
            for i in d.items
            if i.message_id
        ]
        liked = {f.paper_id for f in self.core.store.feedback(channel.id) if f.value > 0}
        share = (sum(1 for i in recent if i.paper.id in liked) / len(recent)) if recent else 0.0
        return Reply(
            f"*Stats for #{channel.name}*\n• Digests posted: {len(digests)} ({len(posted)} papers)\n"
            f"• Current reactions: {up} 👍, {down} 👎\n"
            f"• Papers liked in the last 30 days: {share:.0%} of {len(recent)}"
        )

    def _history(self, channel: Channel, p: cp.Parsed, _req: CommandRequest) -> Reply:
        n = cp.parse_int(p.words[0], 1, 50, SPECS["history"].usage) if p.words else 10
        return Reply(history_text(self.core.store, channel, n))

    def _help(self, _channel: Channel, p: cp.Parsed, _req: CommandRequest) -> Reply:
        topic = ALIASES.get(p.rest.strip().lower(), p.rest.strip().lower())
        if topic in SPECS:
            spec = SPECS[topic]
            examples = "\n".join(f"• `{e}`" for e in spec.examples)
            return Reply(
                f"`{spec.usage}`\n{spec.summary}" + (f"\nExamples:\n{examples}" if examples else "")
            )
        lines = [
            "*PaperBot* posts a daily digest of new papers for this channel and learns from 👍/👎."
        ]
        lines += [f"• `{spec.usage}` — {spec.summary}" for spec in SPECS.values()]
        return Reply("\n".join(lines))


def _unknown(name: str) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(SPECS) + list(ALIASES), n=1)
    hint = f" Did you mean `/papers {ALIASES.get(close[0], close[0])}`?" if close else ""
    return f"I don't know `/papers {name}`.{hint} Try `/papers help`."


def _error(message: str, usage: str) -> str:
    return f"{message}\nUsage: `{usage}`"


def _keyword(rest: str, name: str) -> str:
    keyword = " ".join(rest.strip().strip('"').split())
    if not keyword:
        raise CommandError("Tell me the keyword.", SPECS[name].usage)
    if len(keyword) > cp.MAX_PHRASE:
        raise CommandError("That keyword is too long.", SPECS[name].usage)
    return keyword


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _state(switch: Switch, value: bool) -> str:
    return f"on: {switch.on}" if value else f"off: {switch.off}"


def _is_days(word: str) -> bool:
    try:
        cp.parse_days(word, "")
        return True
    except CommandError:
        return False


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
