"""Who may change a channel: access levels, the SETTINGS_ADMINS policy and the decision.

Pure and platform-neutral: the adapters only say whether the caller is a workspace / server
admin (Slack `users.info`, Discord `member.permissions`); the command layer asks the store for
the channel's managers only when the decision needs them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from bot.errors import ConfigError

_USER_ID = re.compile(r"^[A-Za-z0-9_\-]{2,64}$")


class Access(StrEnum):
    """What a subcommand needs (declared per subcommand in `bot.commands.specs`)."""

    OPEN = "open"  # anyone in the channel: reading, searching, explaining
    SETTINGS = "settings"  # admins, the channel's managers and whoever set it up
    OWNERS = "owners"  # admins and whoever set it up: who manages the channel


@dataclass(frozen=True, slots=True)
class Policy:
    """SETTINGS_ADMINS: `admins` (the default), `anyone`, or user ids allowed besides admins."""

    anyone: bool = False
    listed: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, value: str) -> Policy:
        words = [w.strip() for w in value.split(",") if w.strip()]
        lowered = {w.lower() for w in words}
        if "anyone" in lowered:
            if len(words) > 1:
                raise ConfigError("SETTINGS_ADMINS=anyone cannot be combined with other values")
            return cls(anyone=True)
        ids = [w for w in words if w.lower() != "admins"]
        bad = [w for w in ids if not _USER_ID.match(w)]
        if bad:
            raise ConfigError(
                f"SETTINGS_ADMINS: {', '.join(repr(b) for b in bad)} is not a user id; use "
                "admins, anyone, or comma-separated Slack / Discord user ids"
            )
        return cls(listed=frozenset(ids))


@dataclass(frozen=True, slots=True)
class Caller:
    """Who runs a command. `is_admin` is asked last (it may cost a platform API call and
    may raise PermissionUnknown)."""

    user_id: str
    is_admin: Callable[[], bool]
    operator: bool = False


@dataclass(frozen=True, slots=True)
class ChannelAccess:
    """What a channel says about who may change it. `managers` is asked only when needed."""

    set_up_by: str | None
    configured: bool  # it follows something (typed interests); a fresh channel does not
    managers: Callable[[], frozenset[str]]

    @property
    def unclaimed(self) -> bool:
        """Nobody set it up and it follows nothing: the first person to change it sets it up."""
        return self.set_up_by is None and not self.configured


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    because: str  # operator | open | anyone | listed | set-up | first | manager | admin | refused
    claim: bool = False  # record the caller as the person who set the channel up

    @property
    def records_set_up(self) -> bool:
        return self.allowed and self.claim


def decide(access: Access, policy: Policy, caller: Caller, channel: ChannelAccess) -> Decision:
    """May `caller` run a command needing `access` on `channel`? Cheap checks first."""
    if access is Access.OPEN:
        return Decision(True, "open")
    if caller.operator:
        return Decision(True, "operator")
    claim = channel.unclaimed
    if policy.anyone:
        return Decision(True, "anyone", claim)
    if caller.user_id in policy.listed:
        return Decision(True, "listed", claim)
    if channel.set_up_by is not None and caller.user_id == channel.set_up_by:
        return Decision(True, "set-up")
    if claim:
        return Decision(True, "first", claim)
    if access is Access.SETTINGS and caller.user_id in channel.managers():
        return Decision(True, "manager")
    if caller.is_admin():
        return Decision(True, "admin")
    return Decision(False, "refused")
