"""Topics, keywords and author names with invisible or reordering characters are refused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.clock import FixedClock
from bot.commands.text_checks import hidden_character
from bot.config import Settings
from bot.models import ChannelRef, CommandRequest, Platform
from bot.service import PaperBot
from storage.store import SqlStore
from tests.fakes import RecordingChat

HIDDEN = {
    "\x00": "U+0000 (a control character)",
    "\x07": "U+0007 (a control character)",
    "\x1b": "U+001B (a control character)",
    "\x7f": "U+007F (a control character)",
    "\x9b": "U+009B (a control character)",
    "\u200e": "U+200E LEFT-TO-RIGHT MARK",
    "\u200f": "U+200F RIGHT-TO-LEFT MARK",
    "\u202a": "U+202A LEFT-TO-RIGHT EMBEDDING",
    "\u202e": "U+202E RIGHT-TO-LEFT OVERRIDE",
    "\u2066": "U+2066 LEFT-TO-RIGHT ISOLATE",
    "\u2069": "U+2069 POP DIRECTIONAL ISOLATE",
    "\u200b": "U+200B ZERO WIDTH SPACE",
    "\u200c": "U+200C ZERO WIDTH NON-JOINER",
    "\u200d": "U+200D ZERO WIDTH JOINER",
    "\u2060": "U+2060 WORD JOINER",
    "\ufeff": "U+FEFF ZERO WIDTH NO-BREAK SPACE",
}
COMMANDS = {
    "subscribe robot{}arm": "A topic",
    "subscribe author:Ada{}Lovelace": "An author name",
    "exclude sur{}vey": "A keyword",
    "unsubscribe robot{}arm": "A topic",
    "include sur{}vey": "A keyword",
}


@pytest.fixture
def core(sqlite_store: SqlStore, clock: FixedClock, settings: Settings) -> Iterator[PaperBot]:
    yield PaperBot(sqlite_store, clock, settings, {Platform.SLACK: RecordingChat(Platform.SLACK)})


@pytest.mark.parametrize("char", list(HIDDEN))
def test_hidden_characters_are_refused_by_name_and_change_nothing(
    core: PaperBot, char: str
) -> None:
    code_point = HIDDEN[char].split(" (")[0]
    for template, what in COMMANDS.items():
        reply = core.on_command(
            CommandRequest(Platform.SLACK, "T1", "C1", "U1", template.format(char))
        )
        assert not reply.ok and reply.ephemeral, template
        assert reply.text.startswith(f"{what} cannot contain"), reply.text
        assert code_point in reply.text and "Usage:" in reply.text
        assert char not in reply.text  # the reply names it, and does not carry it
    channel = core.store.find_channel(ChannelRef(Platform.SLACK, "T1", "C1"))
    assert channel is not None and channel.interests == ()


def test_what_is_refused_is_named_by_kind() -> None:
    assert hidden_character("ok text, naïve café — 日本語 🤖") is None
    assert hidden_character("a\u202eb") == (
        "a bidirectional-text control",
        "U+202E RIGHT-TO-LEFT OVERRIDE",
    )
    assert hidden_character("a\u200bb") == ("a zero-width character", "U+200B ZERO WIDTH SPACE")
    assert hidden_character("a\x07b") == ("a control character", "U+0007")


def test_the_same_text_without_them_is_accepted(core: PaperBot) -> None:
    for template in ("subscribe robot arm", "subscribe author:Ada Lovelace", "exclude survey"):
        reply = core.on_command(CommandRequest(Platform.SLACK, "T1", "C1", "U1", template))
        assert reply.ok, reply.text
