"""Characters a topic, keyword or author name may not hold: controls, bidi and zero-width ones.

They are invisible (or reorder what is shown), so a stored phrase could look like another one,
hide text in a reply, or never match a paper; the command layer refuses them with a message
that names the character.
"""

from __future__ import annotations

import unicodedata

from bot.errors import CommandError

_BIDI = frozenset(
    {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}
)  # marks, embeddings, overrides and isolates
_ZERO_WIDTH = frozenset({0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF})


def hidden_character(text: str) -> tuple[str, str] | None:
    """The first forbidden character in `text` as (what kind, `U+XXXX NAME`), else None."""
    for char in text:
        point = ord(char)
        if point < 0x20 or 0x7F <= point <= 0x9F:
            kind = "a control character"
        elif point in _BIDI:
            kind = "a bidirectional-text control"
        elif point in _ZERO_WIDTH:
            kind = "a zero-width character"
        else:
            continue
        name = unicodedata.name(char, "")
        return kind, f"U+{point:04X}" + (f" {name}" if name else "")
    return None


def refuse_hidden_characters(text: str, what: str, usage: str | None = None) -> None:
    """Raise CommandError naming the first forbidden character in `text` (`what`: "A topic")."""
    found = hidden_character(text)
    if found is not None:
        kind, label = found
        raise CommandError(
            f"{what} cannot contain {kind} ({label}); type it again without it.", usage
        )
