"""Emoji -> opinion mapping shared by every platform."""

from __future__ import annotations

from dataclasses import dataclass

# Unicode emoji as Discord sends them, mapped to Slack-style names.
UNICODE_NAMES = {
    "👍": "+1",
    "👎": "-1",
    "❤️": "heart",
    "❤": "heart",
    "⭐": "star",
    "🌟": "star2",
    "🔥": "fire",
    "🎉": "tada",
    "🤩": "star-struck",
    "💯": "100",
    "🚀": "rocket",
    "👀": "eyes",
    "🚫": "no_entry_sign",
    "❌": "x",
    "💤": "zzz",
    "😴": "sleeping",
}
ALIASES = {"thumbsup": "+1", "thumbsdown": "-1", "thumbs_up": "+1", "thumbs_down": "-1"}


def normalise_emoji(emoji: str) -> str:
    """`:+1::skin-tone-3:`, `thumbsup`, `👍🏽` -> `+1`."""
    name = emoji.strip().strip(":")
    name = name.split("::", 1)[0]
    # drop skin-tone modifiers and variation selectors from unicode emoji
    name = "".join(ch for ch in name if not ("\U0001f3fb" <= ch <= "\U0001f3ff") and ch != "\ufe0f")
    name = UNICODE_NAMES.get(name, name)
    return ALIASES.get(name.lower(), name.lower())


@dataclass(frozen=True)
class EmojiMap:
    positive: frozenset[str]
    negative: frozenset[str]

    @classmethod
    def from_names(cls, positive: frozenset[str], negative: frozenset[str]) -> EmojiMap:
        return cls(
            frozenset(normalise_emoji(e) for e in positive),
            frozenset(normalise_emoji(e) for e in negative),
        )

    def value(self, emoji: str) -> int:
        """+1, -1, or 0 for an emoji that carries no opinion."""
        name = normalise_emoji(emoji)
        if name in self.positive:
            return 1
        if name in self.negative:
            return -1
        return 0
