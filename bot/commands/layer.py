"""The `/papers` command layer shared by every platform: one parser, one set of handlers."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.commands import parse as cp
from bot.commands.access import UNCHECKED, AccessGate, refusal
from bot.commands.managers import ManagersCommands
from bot.commands.profile import ProfileCommands
from bot.commands.settings import SettingsCommands
from bot.commands.specs import ALIASES, SPECS
from bot.content.history import history_text
from bot.digest.guard import ALREADY_ON_ITS_WAY, DigestGuard
from bot.errors import CommandError, DigestInProgress, NotFound, PaperBotError, PermissionUnknown
from bot.models import (
    Channel,
    ChannelRef,
    ChannelSettings,
    CommandRequest,
    Reply,
    Schedule,
    Threshold,
)
from bot.ranking import Profile
from bot.rich import Inline, Rich, bold, code, concat, fmt, join, lines, link, plain

if TYPE_CHECKING:
    from bot.service import PaperBot

log = logging.getLogger(__name__)
SEARCH_DAYS = 14


class CommandLayer(ProfileCommands, SettingsCommands, ManagersCommands):
    """Turns a CommandRequest into a Reply; failures and refusals change nothing and say how to
    do it right. Who may run what is checked first (`command_access`). Profile, settings and
    managers subcommands live in `command_profile`, `command_settings` and `command_managers`;
    the actions and questions (now, search, why, stats, history, help) here."""

    def __init__(self, core: PaperBot) -> None:
        self.core = core
        self.gate = AccessGate(core)
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
            "managers": self._managers,
        }

    def handle(self, req: CommandRequest) -> Reply:
        parsed = cp.parse(req.text)
        name = ALIASES.get(parsed.name, parsed.name)
        handler = self.handlers.get(name)
        if handler is None:
            return Reply(_unknown(parsed.name), ok=False)
        try:
            found = self.core.store.find_channel(_ref(req))
            decision = self.gate.decide(req, name, parsed.words, found)
            if not decision.allowed:
                set_up_by = found.set_up_by if found else None
                return Reply(refusal(req.platform, name, parsed.words, set_up_by), ok=False)
            channel = found or self._channel(req)
            reply = handler(channel, replace(parsed, name=name), req)
            if decision.records_set_up and reply.ok:
                self.gate.record_set_up(channel, req)
            return reply
        except PermissionUnknown as exc:
            log.warning("/papers %s refused: %s", name, exc)
            return Reply(concat(UNCHECKED, str(exc)), ok=False)
        except CommandError as exc:
            return Reply(_error(exc.rich, exc.usage or SPECS[name].usage), ok=False)
        except NotFound as exc:
            return Reply(_error(str(exc), SPECS[name].usage), ok=False)
        except PaperBotError as exc:
            log.warning("command %r failed: %s", name, exc)
            return Reply(fmt("Sorry, that did not work: {}", str(exc)), ok=False)

    def _channel(self, req: CommandRequest) -> Channel:
        settings = self.core.settings
        defaults = ChannelSettings(
            size=settings.default_digest_size,
            schedule=Schedule(
                time=settings.default_digest_time, timezone=settings.default_timezone
            ),
        )
        return self.core.store.ensure_channel(
            _ref(req), req.channel_name or req.channel, defaults, now=self.core.clock.now()
        )

    # ----------------------------------------------------------------- actions
    def _now(self, channel: Channel, _p: cp.Parsed, _req: CommandRequest) -> Reply:
        if not channel.interests:
            raise CommandError("This channel follows nothing yet.", SPECS["subscribe"].usage)
        with self.digests.hold(channel.id) as mine:
            if not mine:
                return Reply(plain(ALREADY_ON_ITS_WAY))
            try:
                _, result = self.core.run_digest(channel)
            except DigestInProgress:  # another process's digest took these papers first
                return Reply(plain(ALREADY_ON_ITS_WAY))
        posted = len(result.posted)
        if result.digest is None or not result.digest.items:
            return Reply(
                plain("No new papers for this channel right now. I'll post when there are some.")
            )
        failed = f" ({len(result.failed)} could not be posted; I'll retry)" if result.failed else ""
        return Reply(plain(f"Posted {posted} papers{failed}."))

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
        found += [
            fmt("• {} {}", link(h.paper.abs_url, h.paper.title), code(h.paper.id)) for h in hits
        ]
        return Reply(lines(found))

    def _why(self, channel: Channel, p: cp.Parsed, _req: CommandRequest) -> Reply:
        paper_id = cp.paper_ref(p.rest, SPECS["why"].usage)
        item = self.core.store.find_item(channel.id, paper_id)
        if item is not None:
            reasons = [r.text for r in item.reasons] or ["it was the best remaining match that day"]
            head = fmt(
                "{} was picked (rank {}, score {:.2f}) because:",
                bold(item.paper.title),
                item.rank,
                item.score,
            )
            return Reply(lines([head, *(f"• {r}" for r in reasons)]))
        paper = self.core.store.get_paper(paper_id)
        if paper is None:
            raise CommandError(fmt("I don't know paper {}.", code(paper_id)), SPECS["why"].usage)
        scored = self.core.ranker.rank(self.core.profile_for(channel), [paper])
        if not scored:
            return Reply(
                fmt("{} was not posted here: it mentions an excluded keyword.", bold(paper.title))
            )
        reasons = [r.text for r in scored[0].reasons] or [
            "nothing in this channel's profile matches it"
        ]
        head = fmt("{} was not posted here. Score {:.2f}:", bold(paper.title), scored[0].score)
        return Reply(lines([head, *(f"• {r}" for r in reasons)]))

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
            lines(
                [
                    bold(f"Stats for #{channel.name}"),
                    f"• Digests posted: {len(digests)} ({len(posted)} papers)",
                    f"• Current reactions: {up} 👍, {down} 👎",
                    f"• Papers liked in the last 30 days: {share:.0%} of {len(recent)}",
                ]
            )
        )

    def _history(self, channel: Channel, p: cp.Parsed, _req: CommandRequest) -> Reply:
        n = cp.parse_int(p.words[0], 1, 50, SPECS["history"].usage) if p.words else 10
        return Reply(history_text(self.core.store, channel, n))

    def _help(self, _channel: Channel, p: cp.Parsed, _req: CommandRequest) -> Reply:
        topic = ALIASES.get(p.rest.strip().lower(), p.rest.strip().lower())
        if topic in SPECS:
            spec = SPECS[topic]
            shown: list[Inline] = [code(spec.usage), spec.summary]
            if spec.examples:
                shown += ["Examples:", *(concat("• ", code(e)) for e in spec.examples)]
            return Reply(lines(shown))
        listing: list[Inline] = [
            concat(
                bold("PaperBot"),
                " posts a daily digest of new papers for this channel and learns from 👍/👎.",
            )
        ]
        listing += [fmt("• {} — {}", code(spec.usage), spec.summary) for spec in SPECS.values()]
        listing.append(
            fmt(
                "Anyone can read, search and ask why; changing the channel (its topics, "
                "schedule, options, {}) is for admins, its managers and whoever set it up ({}).",
                code("now"),
                code("/papers managers"),
            )
        )
        return Reply(lines(listing))


def _ref(req: CommandRequest) -> ChannelRef:
    return ChannelRef(req.platform, req.workspace, req.channel)


def _unknown(name: str) -> Rich:
    import difflib

    close = difflib.get_close_matches(name, list(SPECS) + list(ALIASES), n=1)
    hint = (
        fmt(" Did you mean {}?", code(f"/papers {ALIASES.get(close[0], close[0])}"))
        if close
        else Rich()
    )
    return fmt("I don't know {}.{} Try {}.", code(f"/papers {name}"), hint, code("/papers help"))


def _error(message: Inline, usage: str) -> Rich:
    return join("\n", [message, concat("Usage: ", code(usage))])
