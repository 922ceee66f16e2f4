"""One exception tree for PaperBot; SDK and driver errors are translated into it at the edge.

PaperBotError
├── ConfigError            a setting is missing or invalid (names the variable)
├── StorageError           the database is unreachable or a write failed
├── NotFound               a channel, paper or digest that does not exist
├── InvalidInput           a user-facing argument is wrong (message is safe to show)
│   ├── CommandError       a chat command could not be parsed or applied
│   └── LinkInvalid        a signed link was tampered with, malformed or for another purpose
│       └── LinkExpired    a signed link whose time is up
├── SourceError            a paper source failed as a whole (HTTP, parse)
├── LLMError               an LLM endpoint answered with nothing usable (callers fall back)
├── LeaseLost              another worker took over a channel this worker had claimed
├── PermissionUnknown      the platform could not say whether the caller is an admin (fail closed)
├── DigestInProgress       another digest of the channel claimed the same papers first
└── DeliveryError          posting to a chat platform failed (definitely not posted)
    ├── DeliveryUncertain  no answer we can trust (5xx, reset, timeout): maybe posted
    ├── RateLimited        the platform asked us to wait `retry_after` seconds
    └── ChannelUnavailable the channel is gone, archived, or we lost access
"""

from __future__ import annotations

from bot.rich import Rich, as_rich


class PaperBotError(Exception):
    """Base of every error PaperBot raises on purpose."""


class ConfigError(PaperBotError):
    """A setting is missing or invalid."""


class StorageError(PaperBotError):
    """The database could not be reached or a write failed."""


class NotFound(PaperBotError):
    """A requested record does not exist."""


class InvalidInput(PaperBotError):
    """A user-supplied value is invalid; the message is safe to show to the user."""


class CommandError(InvalidInput):
    """A chat command could not be parsed or applied; `rich` is the message as neutral rich
    text (what the person typed stays literal text), `str(exc)` the same as plain text."""

    def __init__(self, message: Rich | str, usage: str | None = None) -> None:
        rich = as_rich(message)
        super().__init__(rich.plain)
        self.rich = rich
        self.usage = usage


class LinkInvalid(InvalidInput):
    """A signed link (an emailed 👍/👎 or unsubscribe link) is not one PaperBot signed for
    this purpose: tampered with, cut short, or signed with another key."""


class LinkExpired(LinkInvalid):
    """A signed link that was valid but whose expiry has passed."""


class SourceError(PaperBotError):
    """A paper source failed as a whole."""


class LLMError(PaperBotError):
    """An LLM endpoint gave no usable answer; summaries fall back to the extractive TL;DR."""


class LeaseLost(PaperBotError):
    """This worker's claim on a channel expired and another worker may hold it now."""


class PermissionUnknown(PaperBotError):
    """The chat platform could not tell whether the caller is an admin (a missing scope, an
    outage): settings changes are refused. The message says what to fix."""


class DigestInProgress(PaperBotError):
    """Another digest of this channel (a concurrent `/papers now`) recorded these papers first."""


class DeliveryError(PaperBotError):
    """Posting to a chat platform failed."""


class DeliveryUncertain(DeliveryError):
    """The platform may have posted the message: it failed after the request left (a 5xx,
    a reset connection, a read timeout). Never post it again blindly: look first."""


class RateLimited(DeliveryError):
    """The platform asked us to slow down."""

    def __init__(self, retry_after: float, message: str = "rate limited") -> None:
        super().__init__(f"{message} (retry after {retry_after:.1f}s)")
        self.retry_after = retry_after


class ChannelUnavailable(DeliveryError):
    """The channel is gone, archived, or the bot lost access; its schedule should pause."""
