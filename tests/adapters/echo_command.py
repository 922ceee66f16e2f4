"""A throwaway `/papers echo` subcommand, declared for a test and removed after it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from bot.commands.catalog import REGISTRY
from bot.commands.registry import Arg, ArgKind, Call, command
from bot.models import Reply
from bot.rich import plain


@contextmanager
def echo_declared() -> Iterator[None]:
    """While inside, `/papers echo <words> [times] [file]` (alias `say`, slow) exists."""

    @command(
        name="echo",
        usage="/papers echo <words> [times]",
        summary="Say the words back.",
        args=(
            Arg("words", help="what to say", low=1, high=100),
            Arg("times", ArgKind.NUMBER, required=False, low=1, high=3),
            Arg("file", ArgKind.ATTACHMENT, help="a file to read", required=False),
        ),
        aliases=("say",),
        slow=True,
    )
    def echo_back(call: Call) -> Reply:
        return Reply(plain("echo: " + " ".join(call.words)), ephemeral=False)

    try:
        yield
    finally:
        REGISTRY.remove("echo")
    assert "echo" not in REGISTRY
