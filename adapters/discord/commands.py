"""The `/papers` app-command group, built from the core's registry: options and autocomplete.

Each registered subcommand becomes an app command (one with actions, `managers`, a subcommand
group) whose options are its declared arguments; every callback hands the raw interaction to
the client's `answer`, which turns it into a CommandRequest (inbound.py) for the core.

Who may change a channel is decided by the core on every command, from the member's
permissions in the interaction: `/papers` is one command visible to everyone, with no
`default_member_permissions`. Discord sets those per top-level command only, and Manage
Channels there would hide `/papers` from the channel's managers and from whoever set it up,
who may change its settings without that permission (and from everyone wanting to read).
"""

from __future__ import annotations

import functools
import inspect
import zoneinfo
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, Literal, Optional, Protocol

import discord
from discord import app_commands

from bot.commands.catalog import REGISTRY
from bot.commands.registry import Arg, ArgKind, Registry, Subcommand, Suggest
from bot.models import Interest, InterestKind

MAX_CHOICES = 25
MAX_LABEL = 100  # characters of a choice's name
DAY_SUGGESTIONS = ("weekdays", "daily", "weekly", "mon,wed,fri", "tue,thu", "sat,sun")
FOLLOWED = (InterestKind.TOPIC, InterestKind.CATEGORY, InterestKind.AUTHOR)
Choices = list[app_commands.Choice[str]]
Suggester = Callable[[discord.Interaction[Any], str], Coroutine[Any, Any, Choices]]


@functools.cache
def all_timezones() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


def match_choices(values: list[str] | tuple[str, ...], current: str) -> list[str]:
    """Values containing what the user typed (prefix matches first), at most 25."""
    needle = current.strip().lower()
    if not needle:
        return list(values[:MAX_CHOICES])
    prefix = [v for v in values if v.lower().startswith(needle)]
    inner = [v for v in values if needle in v.lower() and v not in prefix]
    return (prefix + inner)[:MAX_CHOICES]


def _choices(values: list[str]) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=v[:100], value=v[:100]) for v in values]


def interest_choice(kind: InterestKind, value: str) -> tuple[str, str]:
    """(label, command text) for an interest, in the syntax `/papers unsubscribe` parses."""
    if kind is InterestKind.CATEGORY:
        return f"{value} (category)", f"cat:{value}"
    if kind is InterestKind.AUTHOR:
        return f"{value} (author)", f'author:"{value}"'
    return value, value


class CommandHost(Protocol):
    """What the group's callbacks ask the client (`PaperClient`)."""

    async def answer(self, interaction: discord.Interaction) -> None: ...
    async def channel_interests(
        self, interaction: discord.Interaction, kinds: tuple[InterestKind, ...]
    ) -> list[Interest]: ...
    async def liked_papers(self, interaction: discord.Interaction) -> list[tuple[str, str]]: ...


def annotation(arg: Arg) -> Any:
    """The discord.py annotation that makes `arg` an option of its kind, bounds and choices."""
    base: Any
    bounded = arg.low is not None or arg.high is not None
    if arg.kind is ArgKind.NUMBER:
        base = app_commands.Range[int, arg.low, arg.high] if bounded else int
    elif arg.kind is ArgKind.CHOICE:
        base = Literal[arg.choices]
    elif arg.kind is ArgKind.MEMBER:
        base = discord.Member
    elif arg.kind is ArgKind.USER:
        base = discord.User
    elif arg.kind is ArgKind.ATTACHMENT:
        base = discord.Attachment
    else:
        base = app_commands.Range[str, arg.low, arg.high] if bounded else str
    return base if arg.required else Optional[base]  # noqa: UP045 (a runtime value)


def signature(args: Sequence[Arg]) -> inspect.Signature:
    """`(interaction, <one parameter per argument>)`, what discord.py reads options from."""
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    params = [inspect.Parameter("interaction", kind, annotation=discord.Interaction)]
    params += [
        inspect.Parameter(
            a.name,
            kind,
            annotation=annotation(a),
            default=inspect.Parameter.empty if a.required else None,
        )
        for a in args
    ]
    return inspect.Signature(params)


class PapersGroup(
    app_commands.Group,
    name="papers",
    description="Daily digests of new research papers for this channel",
    guild_only=True,
):
    def __init__(self, client: CommandHost, registry: Registry = REGISTRY) -> None:
        super().__init__()
        self.client = client
        self.registry = registry
        for spec in registry:
            self.add_command(self._entry(spec))

    def _entry(self, spec: Subcommand) -> app_commands.Command[Any, ..., None] | app_commands.Group:
        if not spec.actions:
            return self._command(spec.name, spec.menu_text, spec.args)
        group = app_commands.Group(name=spec.name, description=spec.menu_text)
        for action in spec.actions:
            group.add_command(self._command(action.name, action.brief, action.args))
        return group

    def _command(
        self, name: str, description: str, args: Sequence[Arg]
    ) -> app_commands.Command[Any, ..., None]:
        client = self.client

        async def callback(interaction: discord.Interaction, **_options: Any) -> None:
            await client.answer(interaction)

        callback.__signature__ = signature(args)  # type: ignore[attr-defined]
        described = {a.name: a.help for a in args if a.help}
        if described:
            app_commands.describe(**described)(callback)
        suggested = {a.name: self._suggester(a.suggest) for a in args if a.suggest}
        if suggested:
            app_commands.autocomplete(**suggested)(callback)
        return app_commands.Command(name=name, description=description, callback=callback)

    def option_order(self) -> dict[str, list[str]]:
        """Subcommand -> its option names in declared order (how the core reads them)."""
        return {
            cmd.name: [p.name for p in cmd.parameters]
            for cmd in self.commands
            if isinstance(cmd, app_commands.Command)
        }

    def _suggester(self, source: Suggest) -> Suggester:
        """The autocomplete callback for a declared suggestion source."""
        if source is Suggest.LIKED:
            return self._liked
        if source in (Suggest.FOLLOWED, Suggest.EXCLUDED):
            kinds = FOLLOWED if source is Suggest.FOLLOWED else (InterestKind.EXCLUDE,)

            async def from_channel(interaction: discord.Interaction, current: str) -> Choices:
                return await self._channel_values(interaction, kinds, current)

            return from_channel
        fixed: dict[Suggest, Callable[[], Sequence[str]]] = {
            Suggest.SUBCOMMANDS: lambda: [n for n in self.registry.names() if n != "help"],
            Suggest.TIMEZONES: all_timezones,
            Suggest.DAYS: lambda: DAY_SUGGESTIONS,
        }
        listing = fixed[source]

        async def from_values(_interaction: discord.Interaction, current: str) -> Choices:
            return _choices(match_choices(tuple(listing()), current))

        return from_values

    async def _channel_values(
        self, interaction: discord.Interaction, kinds: tuple[InterestKind, ...], current: str
    ) -> Choices:
        interests = await self.client.channel_interests(interaction, kinds)
        labels = dict(interest_choice(i.kind, i.value) for i in interests)
        picked = match_choices(list(labels), current)
        return [
            app_commands.Choice(name=label[:100], value=labels[label][:100]) for label in picked
        ]

    async def _liked(self, interaction: discord.Interaction, current: str) -> Choices:
        liked = {
            f"{title[: MAX_LABEL - len(pid) - 3]} ({pid})": pid
            for pid, title in await self.client.liked_papers(interaction)
        }
        return [
            app_commands.Choice(name=label, value=liked[label])
            for label in match_choices(list(liked), current)
        ]
