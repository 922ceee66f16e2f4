"""The `/papers` command layer shared by every platform: one parser, one set of handlers."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING

from bot import command_parse as cp
from bot.command_profile import ProfileCommands
from bot.command_settings import SettingsCommands
from bot.command_specs import ALIASES, SPECS
from bot.digest_guard import ALREADY_ON_ITS_WAY, DigestGuard
from bot.errors import CommandError, DigestInProgress, NotFound, PaperBotError
from bot.history import history_text
from bot.models import Channel, ChannelSettings, CommandRequest, Reply, Schedule, Threshold
from bot.ranking import Profile

if TYPE_CHECKING:
    from bot.service import PaperBot

log = logging.getLogger(__name__)
SEARCH_DAYS = 14


class CommandLayer(ProfileCommands, SettingsCommands):
    """Turns a CommandRequest into a Reply; failures change nothing and say how to do it right.
    Profile and settings subcommands live in `command_profile` and `command_settings`; the
    actions and questions (now, search, why, stats, history, help) here."""

    def __init__(self, core: PaperBot) -> None:
        self.core = core
        self.digests = DigestGuard(core.store)  # one `/papers now` per channel at a time
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

    # ----------------------------------------------------------------- actions
    def _now(self, channel: Channel, _p: cp.Parsed, _req: CommandRequest) -> Reply:
        if not channel.interests:
            raise CommandError("This channel follows nothing yet.", SPECS["subscribe"].usage)
        with self.digests.hold(channel.id) as mine:
            if not mine:
                return Reply(ALREADY_ON_ITS_WAY)
            try:
                _, result = self.core.run_digest(channel)
            except DigestInProgress:  # another process's digest took these papers first
                return Reply(ALREADY_ON_ITS_WAY)
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
