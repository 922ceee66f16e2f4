"""Every `/papers` subcommand: usage, summary, examples, and who may run it (`Access`).

Who may run what is declared here and nowhere else: the command layer checks it for every
platform (`bot.commands.access`), the adapters never decide it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.commands.permissions import Access
from bot.limits import SIZE_MAX, SIZE_MIN

S = Access.SETTINGS  # most subcommands that change the channel


def _never(_words: Sequence[str]) -> bool:
    return False


@dataclass(frozen=True)
class Spec:
    """`access` is what the subcommand needs; `shows(words)` is True for the arguments with
    which it only shows something (`/papers set`, `/papers managers`): those are open."""

    usage: str
    summary: str
    examples: tuple[str, ...] = ()
    access: Access = Access.OPEN
    shows: Callable[[Sequence[str]], bool] = _never


SPECS: dict[str, Spec] = {
    "help": Spec("/papers help [command]", "Show what I can do."),
    "subscribe": Spec(
        '/papers subscribe <topic phrase> | cat:<arXiv category> | author:"Name"',
        "Follow a topic, an arXiv category or an author in this channel.",
        (
            "/papers subscribe robot manipulation",
            "/papers subscribe cat:cs.RO",
            '/papers subscribe author:"Chelsea Finn"',
        ),
        S,
    ),
    "unsubscribe": Spec(
        '/papers unsubscribe <topic phrase> | cat:<category> | author:"Name"',
        "Stop following something.",
        ("/papers unsubscribe cat:cs.RO",),
        S,
    ),
    "exclude": Spec(
        "/papers exclude <keyword>",
        "Never show papers that mention a keyword.",
        ("/papers exclude survey",),
        S,
    ),
    "include": Spec(
        "/papers include <keyword>", "Undo an exclude.", ("/papers include survey",), S
    ),
    "like": Spec(
        "/papers like <arXiv id or link>",
        "Teach me with a paper you like.",
        ("/papers like 2503.12461", "/papers like https://arxiv.org/abs/2503.12461"),
        S,
    ),
    "unlike": Spec(
        "/papers unlike <arXiv id or link>",
        "Take back a paper this channel liked with `/papers like`.",
        ("/papers unlike 2503.12461",),
        S,
    ),
    "forget": Spec(
        "/papers forget",
        "Forget what reactions taught me so far (typed topics and liked papers stay).",
        access=S,
    ),
    "topics": Spec("/papers topics", "Show this channel's profile and what reactions taught me."),
    "schedule": Spec(
        "/papers schedule <HH:MM|9am> [timezone] [daily|weekdays|weekly|mon,wed,fri]"
        " or <cron line> [timezone]",
        "Set when the digest is posted, in the channel's timezone (or a 5-field cron line).",
        (
            "/papers schedule 09:00 Europe/Berlin weekdays",
            "/papers schedule 08:30 mon,thu",
            "/papers schedule 0 9 * * mon-fri Europe/Berlin",
        ),
        S,
    ),
    "size": Spec(
        f"/papers size <{SIZE_MIN}-{SIZE_MAX}>",
        "Set how many papers a digest shows at most.",
        ("/papers size 5",),
        S,
    ),
    "threshold": Spec(
        "/papers threshold <low|medium|high>",
        "Fewer, better papers (high) or more, looser ones (low).",
        ("/papers threshold high",),
        S,
    ),
    "set": Spec(
        "/papers set [authors|threads|empty] [on|off]",
        "Show or switch this channel's options (without arguments: all of them).",
        ("/papers set", "/papers set authors off", "/papers set threads on"),
        S,
        lambda words: len(words) < 2,  # `set` and `set authors` only show the options
    ),
    "pause": Spec("/papers pause", "Stop scheduled digests here.", access=S),
    "resume": Spec("/papers resume", "Start scheduled digests again.", access=S),
    # `now` posts to everyone in the channel, spends the platform's rate budget and uses up
    # the new papers (they are not in the next scheduled digest): it changes the channel.
    # `search` is the open, private way to look at recent papers.
    "now": Spec(
        "/papers now", "Post a digest now from the papers this channel has not seen.", access=S
    ),
    "search": Spec(
        "/papers search <query>",
        "Find recent papers (only you see the answer).",
        ("/papers search diffusion policy",),
    ),
    "why": Spec(
        "/papers why <arXiv id or link>",
        "Explain why a paper was picked.",
        ("/papers why 2503.12461",),
    ),
    "stats": Spec("/papers stats", "Digests posted, 👍/👎 counts and how many picks people liked."),
    "history": Spec(
        "/papers history [n]",
        "List the channel's recent picks with their reactions.",
        ("/papers history 10",),
    ),
    "managers": Spec(
        "/papers managers [list | add @member | remove @member]",
        "See who may change this channel's settings; admins add or remove its managers.",
        ("/papers managers", "/papers managers add @ada", "/papers managers remove @ada"),
        Access.OWNERS,
        lambda words: not words or words[0].lower() == "list",
    ),
}


def access_of(name: str, words: Sequence[str]) -> Access:
    """What running subcommand `name` with these arguments needs (OPEN for unknown names)."""
    spec = SPECS.get(name)
    if spec is None or spec.shows(words):
        return Access.OPEN
    return spec.access


@dataclass(frozen=True)
class Switch:
    """An on/off channel option of `/papers set`: its `ChannelSettings` field and what each
    state means."""

    field: str
    on: str
    off: str
    slack_only: bool = False


SWITCHES: dict[str, Switch] = {
    "authors": Switch(
        "follow_authors",
        "papers by followed authors rank higher",
        "followed authors' papers rank like any other (the authors stay listed)",
    ),
    "threads": Switch(
        "thread_mode",
        "a digest's papers are replies in a thread under its header",
        "a digest's papers are posted in the channel",
        slack_only=True,
    ),
    "empty": Switch(
        "announce_empty",
        "on a day without new papers I post a short note",
        "on a day without new papers I stay quiet",
    ),
}

ALIASES = {
    "sub": "subscribe",
    "unsub": "unsubscribe",
    "follow": "subscribe",
    "unfollow": "unsubscribe",
    "profile": "topics",
    "list": "topics",
    "digest": "now",
    "find": "search",
    "?": "help",
    "settings": "set",
    "options": "set",
    "manager": "managers",
}
