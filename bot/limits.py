"""Limits every way in shares (chat commands, the CLI, the Discord slash options): defined once."""

from __future__ import annotations

SIZE_MIN = 1  # papers per digest
SIZE_MAX = 20
DEFAULT_SIZE = 5
MAX_PHRASE = 120  # characters in a topic, author name, category or excluded keyword
MIN_TOPIC = 2  # characters in a topic
