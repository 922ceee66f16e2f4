"""PaperClient: the discord.py client (minimal intents) that routes commands and reactions.

Every call into the synchronous core runs in a worker thread (`asyncio.to_thread`), so the
event loop never blocks; one bulkhead catch per inbound event logs and answers briefly.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any, Protocol

import discord
import yarl
from discord import app_commands

from adapters.discord import inbound
from adapters.discord.commands import PapersGroup
from adapters.discord.render import NO_MENTIONS, reply_content
from bot.answers import Question
from bot.clock import ArrivalStamps
from bot.config import Settings
from bot.errors import CommandError, InvalidInput, PaperBotError
from bot.models import (
    Channel,
    ChannelRef,
    CommandRequest,
    Interest,
    InterestKind,
    Platform,
    ReactionEvent,
    Reply,
)
from bot.ports import ChannelStore, Clock, PaperStore
from bot.rich import plain

log = logging.getLogger(__name__)

# View Channel, Send Messages, Embed Links, Add Reactions, Read Message History, and Send
# Messages in Threads (answers to questions asked in a thread started from a paper)
BOT_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    embed_links=True,
    add_reactions=True,
    read_message_history=True,
    send_messages_in_threads=True,
)
SCOPES = ("bot", "applications.commands")
DEFER_AFTER_SECONDS = 2.0  # answer directly when the core is this quick, else defer
PUBLIC_REPLY_NOTE = "Done; the answer is in the channel."


class DiscordStore(ChannelStore, PaperStore, Protocol):
    """The ports the client reads: channels (autocomplete, pausing a deleted one) and papers
    (autocomplete of liked papers)."""


class DiscordCore(Protocol):
    """What the client needs from the core (`bot.service.PaperBot`)."""

    @property
    def store(self) -> DiscordStore: ...

    clock: Clock
    settings: Settings

    def on_command(self, req: CommandRequest) -> Reply: ...
    def on_reaction(self, event: ReactionEvent) -> bool: ...
    def on_question(self, question: Question) -> Reply | None: ...
    def pause(self, channel: Channel, *, reason: str | None) -> Channel: ...


def minimal_intents() -> discord.Intents:
    """Guild events (joins, channel deletes, threads), reactions and guild messages (for
    questions that mention the bot); nothing privileged. Without the message-content intent
    Discord sends a message's text only when it mentions the bot, which is all we read."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_reactions = True
    intents.guild_messages = True
    return intents


def configure_endpoints(settings: Settings) -> None:
    """Point discord.py at DISCORD_API_URL and DISCORD_GATEWAY_URL (process-wide)."""
    discord.http.Route.BASE = settings.discord_api_url.rstrip("/")
    if settings.discord_gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


def handle_command(core: DiscordCore, req: CommandRequest) -> Reply:
    """Run one command in the core (worker thread; the command layer creates the channel)."""
    try:
        return core.on_command(req)
    except InvalidInput as exc:
        return Reply(exc.rich if isinstance(exc, CommandError) else plain(str(exc)), ok=False)
    except PaperBotError as exc:
        log.warning("command %r in %s failed: %s", req.text, req.channel, exc)
        return Reply(plain(f"Sorry, that did not work: {exc}"), ok=False)
    except Exception:
        log.exception("command %r in %s crashed", req.text, req.channel)
        return Reply(plain("Sorry, something went wrong; it has been logged."), ok=False)


def interaction_payload(interaction: discord.Interaction) -> dict[str, Any]:
    """The parts of an interaction that inbound.command_request reads, as gateway-shaped data."""
    user = interaction.user
    return {
        "type": interaction.type.value,
        "guild_id": interaction.guild_id,
        "channel_id": interaction.channel_id,
        "channel": {"name": getattr(interaction.channel, "name", None)},
        "user": {"id": user.id, "username": user.name, "global_name": user.global_name},
        # the invoking member's permissions in this channel, as Discord sent them: who may
        # change settings is checked on every command, whatever the server's command settings
        "member": {"permissions": str(interaction.permissions.value)},
        "data": interaction.data or {},
    }


def message_payload(message: discord.Message) -> dict[str, Any]:
    """The parts of a message that inbound.mention_question reads, as gateway-shaped data."""
    reference = message.reference
    return {
        "id": message.id,
        "guild_id": message.guild.id if message.guild else None,
        "channel_id": message.channel.id,
        "webhook_id": message.webhook_id,
        "author": {"id": message.author.id, "bot": message.author.bot},
        "content": message.content,
        "mentions": [{"id": u.id} for u in message.mentions],
        "message_reference": (
            {"message_id": reference.message_id, "channel_id": reference.channel_id}
            if reference is not None
            else None
        ),
    }


class PaperClient(discord.Client):
    """The Discord side of PaperBot: `/papers` commands in, reactions in, guild lifecycle."""

    def __init__(
        self,
        core: DiscordCore,
        settings: Settings,
        *,
        sync_at_start: bool = True,
        defer_after: float = DEFER_AFTER_SECONDS,
        **options: Any,
    ) -> None:
        options.setdefault("max_ratelimit_timeout", 60.0)
        super().__init__(intents=minimal_intents(), allowed_mentions=NO_MENTIONS, **options)
        self.core = core
        self.settings = settings
        self.arrivals = ArrivalStamps(core.clock)  # reaction events in gateway order
        self.sync_at_start = sync_at_start
        self.defer_after = defer_after
        self.tree = app_commands.CommandTree(self)
        group = PapersGroup(self)
        self.tree.add_command(group)
        self.option_order = group.option_order()

    # --------------------------------------------------------------- syncing
    async def setup_hook(self) -> None:
        guild_id = self.settings.discord_guild_id
        if self.sync_at_start and guild_id:
            try:
                await self.sync_guild(int(guild_id))
            except discord.HTTPException as exc:  # e.g. not invited to DISCORD_GUILD_ID yet
                log.warning("could not sync commands to DISCORD_GUILD_ID %s: %s", guild_id, exc)

    async def sync_guild(self, guild_id: int) -> list[str]:
        guild = discord.Object(id=guild_id)
        self.tree.copy_global_to(guild=guild)
        synced = await self.tree.sync(guild=guild)
        log.info("synced %d commands to guild %s", len(synced), guild_id)
        return [c.name for c in synced]

    async def on_guild_join(self, guild: discord.Guild) -> None:
        try:
            await self.sync_guild(guild.id)
        except discord.HTTPException as exc:
            log.warning("could not sync commands to new guild %s: %s", guild.id, exc)

    # -------------------------------------------------------------- commands
    async def answer(self, interaction: discord.Interaction) -> None:
        """Run the command in the core; answer directly if quick, else defer and follow up."""
        req = inbound.command_request(interaction_payload(interaction), self.option_order)
        if req is None:
            await interaction.response.send_message(
                "Use /papers in a server channel.", ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            return
        work = asyncio.ensure_future(asyncio.to_thread(handle_command, self.core, req))
        done, _ = await asyncio.wait({work}, timeout=self.defer_after)
        if not done:
            try:
                await interaction.response.defer(ephemeral=True, thinking=True)
            except discord.HTTPException as exc:  # expired or already answered
                log.warning("could not defer /papers %s: %s", req.text, exc)
        reply = await work
        content = reply_content(reply)
        try:
            if not interaction.response.is_done():
                await interaction.response.send_message(
                    content, ephemeral=reply.ephemeral, allowed_mentions=NO_MENTIONS
                )
            elif reply.ephemeral:
                await interaction.followup.send(
                    content, ephemeral=True, allowed_mentions=NO_MENTIONS
                )
            else:
                # the first follow-up keeps the deferral's privacy; later ones are independent
                await interaction.followup.send(
                    PUBLIC_REPLY_NOTE, ephemeral=True, allowed_mentions=NO_MENTIONS
                )
                await interaction.followup.send(
                    content, ephemeral=False, allowed_mentions=NO_MENTIONS
                )
        except discord.HTTPException as exc:
            log.warning("could not answer /papers %s: %s", req.text, exc)

    async def channel_interests(
        self, interaction: discord.Interaction, kinds: tuple[InterestKind, ...]
    ) -> list[Interest]:
        """This channel's interests of `kinds` (for autocomplete)."""
        if interaction.guild_id is None or interaction.channel_id is None:
            return []
        ref = ChannelRef(Platform.DISCORD, str(interaction.guild_id), str(interaction.channel_id))
        try:
            channel = await asyncio.to_thread(self.core.store.find_channel, ref)
        except PaperBotError as exc:
            log.warning("autocomplete lookup failed: %s", exc)
            return []
        if channel is None:
            return []
        return [i for i in channel.interests if i.kind in kinds]

    async def liked_papers(self, interaction: discord.Interaction) -> list[tuple[str, str]]:
        """(paper id, title) of the papers this channel liked with `/papers like`."""
        ids = [i.value for i in await self.channel_interests(interaction, (InterestKind.SEED,))]
        if not ids:
            return []
        try:
            papers = await asyncio.to_thread(self.core.store.get_papers, ids)
        except PaperBotError as exc:
            log.warning("autocomplete lookup failed: %s", exc)
            papers = {}
        return [(pid, papers[pid].title if pid in papers else pid) for pid in ids]

    # ------------------------------------------------------------- reactions
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        await self._reaction(payload, added=True)

    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        await self._reaction(payload, added=False)

    async def _reaction(self, payload: discord.RawReactionActionEvent, *, added: bool) -> None:
        # Discord's raw reaction events carry no time: stamp them here, on the event loop, in
        # the order the gateway delivered them, before a worker thread can reorder them.
        at = self.arrivals.stamp()
        event = inbound.reaction_event(
            added=added,
            guild_id=payload.guild_id,
            channel_id=payload.channel_id,
            message_id=payload.message_id,
            user_id=payload.user_id,
            emoji=str(payload.emoji),
            bot_user_id=self.user.id if self.user else None,
            at=at,
        )
        if event is None:
            return
        await self.feed_reaction(event)

    async def feed_reaction(self, event: ReactionEvent) -> None:
        try:
            await asyncio.to_thread(self.core.on_reaction, event)
        except Exception:
            log.exception("reaction %s on %s not recorded", event.emoji, event.message_id)

    # ------------------------------------------------------------- questions
    async def on_message(self, message: discord.Message) -> None:
        """A mention of the bot replying to a paper, or in a paper's thread: answer there."""
        if self.user is None or message.guild is None or message.author.bot:
            return
        if not any(u.id == self.user.id for u in message.mentions):
            return
        parent = await self._thread_parent(message.channel)
        question = inbound.mention_question(
            message_payload(message), bot_user_id=self.user.id, thread_parent_id=parent
        )
        if question is None:
            return
        try:
            reply = await asyncio.to_thread(self.core.on_question, question)
        except Exception:
            log.exception("question in %s not answered", question.channel)
            reply = Reply(plain("Sorry, something went wrong; it has been logged."), ok=False)
        if reply is None:
            return
        try:
            await message.reply(
                reply_content(reply), mention_author=False, allowed_mentions=NO_MENTIONS
            )
        except discord.HTTPException as exc:
            log.warning("could not answer in %s: %s", question.channel, exc)

    async def _thread_parent(self, channel: Any) -> int | None:
        """The parent channel's id when `channel` is a thread (looked up if not cached)."""
        if isinstance(channel, discord.Thread):
            return channel.parent_id
        if not isinstance(channel, discord.PartialMessageable):
            return None
        try:
            fetched = await self.fetch_channel(channel.id)
        except discord.HTTPException:
            return None
        return fetched.parent_id if isinstance(fetched, discord.Thread) else None

    # ------------------------------------------------------ guild lifecycle
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        await self._pause_where({"workspace": str(guild.id)}, "the bot was removed from the server")

    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        await self._pause_where(
            {"workspace": str(channel.guild.id), "channel": str(channel.id)},
            "the Discord channel was deleted",
        )

    async def _pause_where(self, match: Mapping[str, str], reason: str) -> None:
        def matches(ch: Channel) -> bool:
            ref = {"workspace": ch.ref.workspace, "channel": ch.ref.channel}
            return ch.ref.platform is Platform.DISCORD and all(
                ref[k] == v for k, v in match.items()
            )

        def pause() -> int:
            found = [c for c in self.core.store.list_channels() if matches(c)]
            for ch in found:
                if not ch.settings.paused:
                    self.core.pause(ch, reason=reason)
                    log.warning("paused %s: %s", ch.ref, reason)
            return len(found)

        try:
            await asyncio.to_thread(pause)
        except Exception:
            log.exception("could not pause channels (%s)", reason)
