"""Usage, summary and examples of every `/papers` subcommand: the help text and error hints."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Spec:
    usage: str
    summary: str
    examples: tuple[str, ...] = ()


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
    ),
    "unsubscribe": Spec(
        '/papers unsubscribe <topic phrase> | cat:<category> | author:"Name"',
        "Stop following something.",
        ("/papers unsubscribe cat:cs.RO",),
    ),
    "exclude": Spec(
        "/papers exclude <keyword>",
        "Never show papers that mention a keyword.",
        ("/papers exclude survey",),
    ),
    "include": Spec("/papers include <keyword>", "Undo an exclude.", ("/papers include survey",)),
    "like": Spec(
        "/papers like <arXiv id or link>",
        "Teach me with a paper you like.",
        ("/papers like 2503.12461", "/papers like https://arxiv.org/abs/2503.12461"),
    ),
    "unlike": Spec(
        "/papers unlike <arXiv id or link>",
        "Take back a paper this channel liked with `/papers like`.",
        ("/papers unlike 2503.12461",),
    ),
    "forget": Spec(
        "/papers forget",
        "Forget what reactions taught me so far (typed topics and liked papers stay).",
    ),
    "topics": Spec("/papers topics", "Show this channel's profile and what reactions taught me."),
    "schedule": Spec(
        "/papers schedule <HH:MM> [timezone] [daily|weekdays|weekly|mon,wed,fri]",
        "Set when the digest is posted, in the channel's timezone.",
        ("/papers schedule 09:00 Europe/Berlin weekdays", "/papers schedule 08:30 mon,thu"),
    ),
    "size": Spec(
        "/papers size <1-20>", "Set how many papers a digest shows at most.", ("/papers size 5",)
    ),
    "threshold": Spec(
        "/papers threshold <low|medium|high>",
        "Fewer, better papers (high) or more, looser ones (low).",
        ("/papers threshold high",),
    ),
    "set": Spec(
        "/papers set [authors|threads|empty] [on|off]",
        "Show or switch this channel's options (without arguments: all of them).",
        ("/papers set", "/papers set authors off", "/papers set threads on"),
    ),
    "pause": Spec("/papers pause", "Stop scheduled digests here."),
    "resume": Spec("/papers resume", "Start scheduled digests again."),
    "now": Spec("/papers now", "Post a digest now from the papers this channel has not seen."),
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
}


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
}
