"""What every command needs: a runtime for one command, channel references and their JSON."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict

from app.logs import setup_logging
from app.runtime import Runtime, load_runtime
from bot.config import Settings, load_settings
from bot.errors import InvalidInput, NotFound
from bot.models import Channel, ChannelRef, Platform


@contextmanager
def runtime(
    settings: Settings | None = None, *, at: str | None = None, quiet_console: bool = False
) -> Iterator[Runtime]:
    """The runtime for one command; `at` (an ISO time) stands the clock still at that time.
    `quiet_console` sends what the console adapter posts to stderr (stdout stays pure --json)."""
    from bot.clock import FixedClock, parse_at

    settings = settings or load_settings()
    setup_logging(settings.log_level, settings.log_format)
    rt = load_runtime(
        settings,
        out=sys.stderr if quiet_console else None,
        clock=FixedClock(parse_at(at)) if at else None,
    )
    try:
        yield rt
    finally:
        rt.close()


def parse_ref(text: str) -> ChannelRef:
    """`console:NAME`, `slack:TEAM:CHANNEL`, `discord:GUILD:CHANNEL`."""
    parts = text.split(":")
    try:
        platform = Platform(parts[0].lower())
    except ValueError:
        raise InvalidInput(
            f"unknown platform in {text!r}; use console:NAME, slack:TEAM:CHANNEL or discord:GUILD:CHANNEL"
        ) from None
    if platform is Platform.CONSOLE and len(parts) == 2 and parts[1]:
        return ChannelRef(platform, "local", parts[1])
    if platform is not Platform.CONSOLE and len(parts) == 3 and all(parts[1:]):
        return ChannelRef(platform, parts[1], parts[2])
    raise InvalidInput(
        f"bad channel {text!r}; use console:NAME, slack:TEAM:CHANNEL or discord:GUILD:CHANNEL"
    )


def resolve_channel(rt: Runtime, ident: str) -> Channel:
    """A channel by numeric id or by reference (`console:lab`)."""
    if ident.isdigit():
        return rt.store.get_channel(int(ident))
    found = rt.store.find_channel(parse_ref(ident))
    if found is None:
        raise NotFound(f"no channel {ident}; see `paperbot channel list`")
    return found


def channel_dict(channel: Channel) -> dict[str, object]:
    s = channel.settings
    return {
        "id": channel.id,
        "ref": str(channel.ref),
        "name": channel.name,
        "size": s.size,
        "threshold": s.threshold.value,
        "schedule": asdict(s.schedule),
        "paused": s.paused,
        "paused_reason": s.paused_reason,
        "interests": [{"kind": i.kind.value, "value": i.value} for i in channel.interests],
        "next_run_at": channel.next_run_at.isoformat() if channel.next_run_at else None,
        "last_digest_at": channel.last_digest_at.isoformat() if channel.last_digest_at else None,
        "retry_at": channel.retry_at.isoformat() if channel.retry_at else None,
    }
