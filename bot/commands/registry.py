"""The `/papers` registry: each subcommand declared once, next to its handler (`@command`).

A declaration names the subcommand, its aliases, its arguments, its help text, who may run it
and whether it is slow. The dispatcher (`bot.commands.layer`), the permission gate, `/papers
help`, the Slack app (slow: ack, then answer), the Discord `/papers` group (options,
autocomplete, defer) and the README's command list (`python -m scripts.command_table`) are all
read from here. Adding a subcommand is one handler plus one `@command(...)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import ModuleType

from bot.commands.core import CommandCore
from bot.commands.parse import Parsed
from bot.commands.permissions import Access
from bot.digest.guard import DigestGuard
from bot.models import Channel, CommandRequest, Reply


class ArgKind(StrEnum):
    """What an argument holds; each platform shows it natively (Discord: an option type)."""

    TEXT = "text"
    NUMBER = "number"  # a whole number, `low`-`high`
    CHOICE = "choice"  # one of `choices`
    MEMBER = "member"  # someone in the server / workspace
    USER = "user"  # any user (also one who left)
    ATTACHMENT = "attachment"  # a file (Discord only; Slack slash commands carry none)


class Suggest(StrEnum):
    """Where an argument's suggestions come from (Discord autocomplete)."""

    SUBCOMMANDS = "subcommands"
    TIMEZONES = "timezones"
    DAYS = "days"
    FOLLOWED = "followed"  # the channel's topics, categories and authors
    EXCLUDED = "excluded"  # the channel's excluded keywords
    LIKED = "liked"  # the papers the channel liked with `/papers like`


@dataclass(frozen=True)
class Arg:
    """One argument: `low`/`high` bound a number's value or a text's length."""

    name: str
    kind: ArgKind = ArgKind.TEXT
    help: str = ""
    required: bool = True
    low: int | None = None
    high: int | None = None
    choices: tuple[str, ...] = ()
    suggest: Suggest | None = None


@dataclass(frozen=True)
class Action:
    """A sub-action (`/papers managers add @member`): a subcommand group on Discord."""

    name: str
    brief: str
    args: tuple[Arg, ...] = ()


def _never(_words: Sequence[str]) -> bool:
    return False


@dataclass(frozen=True)
class Subcommand:
    """A declared subcommand. `access` is what changing needs; `shows(words)` is True for the
    arguments with which it only shows something (those are open); `slow` ones may take longer
    than a platform's answer window (acked or deferred first); `brief` is the one-line menu
    text (Discord), the summary when empty."""

    name: str
    usage: str
    summary: str
    handler: Handler
    brief: str = ""
    args: tuple[Arg, ...] = ()
    actions: tuple[Action, ...] = ()
    examples: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    access: Access = Access.OPEN
    shows: Callable[[Sequence[str]], bool] = _never
    slow: bool = False

    @property
    def changes_settings(self) -> bool:
        return self.access is not Access.OPEN

    @property
    def menu_text(self) -> str:
        return self.brief or self.summary

    def access_for(self, words: Sequence[str]) -> Access:
        return Access.OPEN if self.shows(words) else self.access


@dataclass(frozen=True)
class Call:
    """One `/papers <name> ...` on one channel, allowed by the gate, about to be handled."""

    core: CommandCore
    channel: Channel
    parsed: Parsed
    request: CommandRequest
    spec: Subcommand
    registry: Registry
    digests: DigestGuard

    @property
    def words(self) -> tuple[str, ...]:
        return self.parsed.words

    @property
    def rest(self) -> str:
        return self.parsed.rest

    @property
    def usage(self) -> str:
        return self.spec.usage

    @property
    def now(self) -> datetime:
        return self.core.clock.now()


Handler = Callable[[Call], Reply]


@dataclass
class Registry:
    """Subcommands by name, listed in their modules' `arrange` order, then declaration order."""

    _commands: dict[str, Subcommand] = field(default_factory=dict)
    _modules: list[str] = field(default_factory=list)

    def command(
        self,
        *,
        name: str,
        usage: str,
        summary: str,
        brief: str = "",
        args: tuple[Arg, ...] = (),
        actions: tuple[Action, ...] = (),
        examples: tuple[str, ...] = (),
        aliases: tuple[str, ...] = (),
        access: Access = Access.OPEN,
        shows: Callable[[Sequence[str]], bool] = _never,
        slow: bool = False,
    ) -> Callable[[Handler], Handler]:
        """Declare the decorated function as the handler of `/papers <name>`."""

        def register(handler: Handler) -> Handler:
            self.add(
                Subcommand(
                    name=name,
                    usage=usage,
                    summary=summary,
                    handler=handler,
                    brief=brief,
                    args=args,
                    actions=actions,
                    examples=examples,
                    aliases=aliases,
                    access=access,
                    shows=shows,
                    slow=slow,
                )
            )
            return handler

        return register

    def add(self, spec: Subcommand) -> None:
        taken = {n for s in self._commands.values() for n in (s.name, *s.aliases)}
        clash = {spec.name, *spec.aliases} & taken
        if clash:
            raise ValueError(f"/papers {', '.join(sorted(clash))} is declared twice")
        self._commands[spec.name] = spec

    def remove(self, name: str) -> None:
        self._commands.pop(name, None)

    def arrange(self, modules: Sequence[ModuleType]) -> None:
        """List the subcommands of these modules first, in this order (help, menus, README)."""
        self._modules = [m.__name__ for m in modules]

    def __iter__(self) -> Iterator[Subcommand]:
        rank = {name: i for i, name in enumerate(self._modules)}
        specs = list(self._commands.values())
        order = {s.name: i for i, s in enumerate(specs)}
        return iter(
            sorted(
                specs,
                key=lambda s: (rank.get(s.handler.__module__, len(rank)), order[s.name]),
            )
        )

    def __contains__(self, name: object) -> bool:
        return name in self._commands

    def __getitem__(self, name: str) -> Subcommand:
        return self._commands[name]

    @property
    def aliases(self) -> dict[str, str]:
        return {a: s.name for s in self for a in s.aliases}

    def resolve(self, word: str) -> Subcommand | None:
        """The subcommand a typed name or alias means (case-insensitive), or None."""
        word = word.lower()
        return self._commands.get(self.aliases.get(word, word))

    def names(self) -> list[str]:
        return [s.name for s in self]

    def access(self, name: str, words: Sequence[str]) -> Access:
        """What running `name` with these arguments needs (OPEN for unknown names)."""
        spec = self._commands.get(name)
        return spec.access_for(words) if spec is not None else Access.OPEN

    def is_slow(self, text: str) -> bool:
        """Whether the command text (what follows `/papers`) names a slow subcommand."""
        parts = text.split(None, 1)
        spec = self.resolve(parts[0]) if parts else None
        return spec is not None and spec.slow


REGISTRY = Registry()
command = REGISTRY.command
