"""The `/papers` app-command group: typed options and autocomplete over the core's command layer.

Each subcommand only declares its options; the callback hands the raw interaction to
`PaperClient.answer`, which turns it into a CommandRequest (inbound.py) for the core.

Who may change a channel is decided by the core on every command, from the member's
permissions in the interaction: `/papers` is one command visible to everyone, with no
`default_member_permissions`. Discord sets those per top-level command only, and Manage
Channels there would hide `/papers` from the channel's managers and from whoever set it up,
who may change its settings without that permission (and from everyone wanting to read).
"""

from __future__ import annotations

import functools
import zoneinfo
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands

from bot.limits import SIZE_MAX, SIZE_MIN
from bot.models import InterestKind

if TYPE_CHECKING:
    from adapters.discord.client import PaperClient

MAX_CHOICES = 25
MAX_LABEL = 100  # characters of a choice's name
DAY_SUGGESTIONS = ("weekdays", "daily", "weekly", "mon,wed,fri", "tue,thu", "sat,sun")
SUBCOMMANDS = (
    "subscribe", "unsubscribe", "exclude", "include", "like", "unlike", "forget", "topics",
    "schedule", "size", "threshold", "set", "pause", "resume", "now", "search", "why", "stats", "history",
    "managers", "web",
)  # fmt: skip


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


class PapersGroup(
    app_commands.Group,
    name="papers",
    description="Daily digests of new research papers for this channel",
    guild_only=True,
):
    def __init__(self, client: PaperClient) -> None:
        super().__init__()
        self.client = client

    def option_order(self) -> dict[str, list[str]]:
        """Subcommand -> its option names in declared order (how the core reads them)."""
        return {
            cmd.name: [p.name for p in cmd.parameters]
            for cmd in self.commands
            if isinstance(cmd, app_commands.Command)
        }

    async def _channel_values(
        self, interaction: discord.Interaction, kinds: tuple[InterestKind, ...], current: str
    ) -> list[app_commands.Choice[str]]:
        interests = await self.client.channel_interests(interaction, kinds)
        labels = dict(interest_choice(i.kind, i.value) for i in interests)
        picked = match_choices(list(labels), current)
        return [
            app_commands.Choice(name=label[:100], value=labels[label][:100]) for label in picked
        ]

    # --------------------------------------------------------------- profile
    @app_commands.command(name="help", description="What PaperBot can do here")
    @app_commands.describe(command="explain one command")
    async def help_(self, interaction: discord.Interaction, command: str | None = None) -> None:
        await self.client.answer(interaction)

    @help_.autocomplete("command")
    async def _help_command(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return _choices(match_choices(SUBCOMMANDS, current))

    @app_commands.command(description="Follow a topic phrase, an arXiv category or an author")
    @app_commands.describe(topic='e.g. robot manipulation, cat:cs.RO or author:"Chelsea Finn"')
    async def subscribe(
        self, interaction: discord.Interaction, topic: app_commands.Range[str, 1, 200]
    ) -> None:
        await self.client.answer(interaction)

    @app_commands.command(description="Stop following a topic, category or author")
    @app_commands.describe(topic="one of this channel's topics")
    async def unsubscribe(
        self, interaction: discord.Interaction, topic: app_commands.Range[str, 1, 200]
    ) -> None:
        await self.client.answer(interaction)

    @unsubscribe.autocomplete("topic")
    async def _unsubscribe_topic(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        kinds = (InterestKind.TOPIC, InterestKind.CATEGORY, InterestKind.AUTHOR)
        return await self._channel_values(interaction, kinds, current)

    @app_commands.command(description="Hide papers that mention a keyword")
    @app_commands.describe(keyword="a word or phrase to exclude")
    async def exclude(
        self, interaction: discord.Interaction, keyword: app_commands.Range[str, 1, 200]
    ) -> None:
        await self.client.answer(interaction)

    @app_commands.command(description="Stop excluding a keyword")
    @app_commands.describe(keyword="one of this channel's excluded keywords")
    async def include(
        self, interaction: discord.Interaction, keyword: app_commands.Range[str, 1, 200]
    ) -> None:
        await self.client.answer(interaction)

    @include.autocomplete("keyword")
    async def _include_keyword(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await self._channel_values(interaction, (InterestKind.EXCLUDE,), current)

    @app_commands.command(description="Teach PaperBot with a paper you like")
    @app_commands.describe(paper="an arXiv id or URL")
    async def like(
        self, interaction: discord.Interaction, paper: app_commands.Range[str, 1, 200]
    ) -> None:
        await self.client.answer(interaction)

    @app_commands.command(description="Take back a paper this channel liked")
    @app_commands.describe(paper="one of the papers this channel liked")
    async def unlike(
        self, interaction: discord.Interaction, paper: app_commands.Range[str, 1, 200]
    ) -> None:
        await self.client.answer(interaction)

    @unlike.autocomplete("paper")
    async def _unlike_paper(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        liked = {
            f"{title[: MAX_LABEL - len(pid) - 3]} ({pid})": pid
            for pid, title in await self.client.liked_papers(interaction)
        }
        return [
            app_commands.Choice(name=label, value=liked[label])
            for label in match_choices(list(liked), current)
        ]

    @app_commands.command(description="Forget what reactions taught PaperBot in this channel")
    async def forget(self, interaction: discord.Interaction) -> None:
        await self.client.answer(interaction)

    @app_commands.command(description="List this channel's topics, categories and authors")
    async def topics(self, interaction: discord.Interaction) -> None:
        await self.client.answer(interaction)

    # -------------------------------------------------------------- delivery
    @app_commands.command(description="When this channel gets its digest")
    @app_commands.describe(
        time="local time (09:00, 9am) or a cron line (0 9 * * mon-fri)",
        timezone="IANA timezone or CET, EST, PST...",
        days="weekdays, daily or mon,wed,fri",
    )
    async def schedule(
        self,
        interaction: discord.Interaction,
        time: app_commands.Range[str, 3, 60],
        timezone: str | None = None,
        days: str | None = None,
    ) -> None:
        await self.client.answer(interaction)

    @schedule.autocomplete("timezone")
    async def _schedule_timezone(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return _choices(match_choices(all_timezones(), current))

    @schedule.autocomplete("days")
    async def _schedule_days(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return _choices(match_choices(DAY_SUGGESTIONS, current))

    @app_commands.command(description="How many papers per digest")
    async def size(
        self, interaction: discord.Interaction, papers: app_commands.Range[int, SIZE_MIN, SIZE_MAX]
    ) -> None:
        await self.client.answer(interaction)

    @app_commands.command(description="How good a match must be to be posted")
    async def threshold(
        self, interaction: discord.Interaction, level: Literal["low", "medium", "high"]
    ) -> None:
        await self.client.answer(interaction)

    @app_commands.command(name="set", description="Show or switch this channel's options")
    @app_commands.describe(option="leave empty to see every option", value="on or off")
    async def set_(
        self,
        interaction: discord.Interaction,
        option: Literal["authors", "threads", "empty"] | None = None,
        value: Literal["on", "off"] | None = None,
    ) -> None:
        await self.client.answer(interaction)

    @app_commands.command(description="Pause this channel's digests")
    async def pause(self, interaction: discord.Interaction) -> None:
        await self.client.answer(interaction)

    @app_commands.command(description="Resume this channel's digests")
    async def resume(self, interaction: discord.Interaction) -> None:
        await self.client.answer(interaction)

    @app_commands.command(description="Post a digest in this channel now")
    async def now(self, interaction: discord.Interaction) -> None:
        await self.client.answer(interaction)

    # ----------------------------------------------------------- questions
    @app_commands.command(description="Search recent papers")
    async def search(
        self, interaction: discord.Interaction, query: app_commands.Range[str, 1, 200]
    ) -> None:
        await self.client.answer(interaction)

    @app_commands.command(description="Why a paper was (or was not) picked")
    @app_commands.describe(paper="an arXiv id or URL")
    async def why(
        self, interaction: discord.Interaction, paper: app_commands.Range[str, 1, 200]
    ) -> None:
        await self.client.answer(interaction)

    @app_commands.command(description="Digests, reactions and what PaperBot has learned")
    async def stats(self, interaction: discord.Interaction) -> None:
        await self.client.answer(interaction)

    @app_commands.command(description="Recent picks in this channel with their reactions")
    @app_commands.describe(count="how many picks (default 10)")
    async def history(
        self, interaction: discord.Interaction, count: app_commands.Range[int, 1, 50] | None = None
    ) -> None:
        await self.client.answer(interaction)

    @app_commands.command(description="A private link to this channel's web page")
    async def web(self, interaction: discord.Interaction) -> None:
        await self.client.answer(interaction)

    # ------------------------------------------------------------ managers
    managers = app_commands.Group(
        name="managers", description="Who may change this channel's settings"
    )

    @managers.command(name="list", description="Who may change this channel's settings")
    async def managers_list(self, interaction: discord.Interaction) -> None:
        await self.client.answer(interaction)

    @managers.command(name="add", description="Let a member change this channel's settings")
    @app_commands.describe(member="who may change topics, schedule and options here")
    async def managers_add(self, interaction: discord.Interaction, member: discord.Member) -> None:
        await self.client.answer(interaction)

    @managers.command(name="remove", description="Take a member's right to change settings back")
    @app_commands.describe(member="one of this channel's managers")
    async def managers_remove(self, interaction: discord.Interaction, member: discord.User) -> None:
        await self.client.answer(interaction)
