"""The `/papers` command layer shared by every platform: one parser, the registry's handlers."""

from __future__ import annotations

import difflib
import logging

from bot.commands import parse as cp
from bot.commands.access import UNCHECKED, AccessGate, refusal
from bot.commands.catalog import REGISTRY
from bot.commands.core import CommandCore
from bot.commands.registry import Call, Registry, Subcommand
from bot.digest.guard import DigestGuard
from bot.errors import CommandError, NotFound, PaperBotError, PermissionUnknown
from bot.models import Channel, ChannelRef, ChannelSettings, CommandRequest, Reply, Schedule
from bot.rich import Inline, Rich, code, concat, fmt, join

log = logging.getLogger(__name__)


class CommandLayer:
    """Turns a CommandRequest into a Reply; failures and refusals change nothing and say how to
    do it right. Who may run what is checked first (`bot.commands.access`); the handlers are
    the registry's (`bot.commands.catalog`)."""

    def __init__(self, core: CommandCore, registry: Registry = REGISTRY) -> None:
        self.core = core
        self.registry = registry
        self.gate = AccessGate(core)
        self.digests = DigestGuard(core.store)  # one `/papers now` per channel at a time

    def handle(self, req: CommandRequest) -> Reply:
        parsed = cp.parse(req.text)
        spec = self.registry.resolve(parsed.name)
        if spec is None:
            return Reply(self._unknown(parsed.name), ok=False)
        try:
            return self._run(spec, cp.Parsed(spec.name, parsed.rest, parsed.words), req)
        except PermissionUnknown as exc:
            log.warning("/papers %s refused: %s", spec.name, exc)
            return Reply(concat(UNCHECKED, str(exc)), ok=False)
        except CommandError as exc:
            return Reply(_error(exc.rich, exc.usage or spec.usage), ok=False)
        except NotFound as exc:
            return Reply(_error(str(exc), spec.usage), ok=False)
        except PaperBotError as exc:
            log.warning("command %r failed: %s", spec.name, exc)
            return Reply(fmt("Sorry, that did not work: {}", str(exc)), ok=False)

    def _run(self, spec: Subcommand, parsed: cp.Parsed, req: CommandRequest) -> Reply:
        found = self.core.store.find_channel(_ref(req))
        access = spec.access_for(parsed.words)
        decision = self.gate.decide(req, access, found)
        if not decision.allowed:
            set_up_by = found.set_up_by if found else None
            return Reply(refusal(req.platform, access, set_up_by), ok=False)
        channel = found or self._channel(req)
        call = Call(self.core, channel, parsed, req, spec, self.registry, self.digests)
        reply = spec.handler(call)
        if decision.records_set_up and reply.ok:
            self.gate.record_set_up(channel, req)
        return reply

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

    def _unknown(self, name: str) -> Rich:
        aliases = self.registry.aliases
        close = difflib.get_close_matches(name, self.registry.names() + list(aliases), n=1)
        hint = (
            fmt(" Did you mean {}?", code(f"/papers {aliases.get(close[0], close[0])}"))
            if close
            else Rich()
        )
        return fmt(
            "I don't know {}.{} Try {}.", code(f"/papers {name}"), hint, code("/papers help")
        )


def _ref(req: CommandRequest) -> ChannelRef:
    return ChannelRef(req.platform, req.workspace, req.channel)


def _error(message: Inline, usage: str) -> Rich:
    return join("\n", [message, concat("Usage: ", code(usage))])
