"""Pure translations of Discord payloads into the core's CommandRequest, ReactionEvent and
Question."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.answers import Question
from bot.models import CommandRequest, Platform, ReactionEvent

COMMAND_NAME = "papers"
SUBCOMMAND = 1
SUBCOMMAND_GROUP = 2
# Permission bits that make a member an admin of a channel's settings: Administrator,
# Manage Channels, Manage Server (https://discord.com/developers/docs/topics/permissions).
ADMINISTRATOR, MANAGE_CHANNELS, MANAGE_GUILD = 1 << 3, 1 << 4, 1 << 5
ADMIN_BITS = ADMINISTRATOR | MANAGE_CHANNELS | MANAGE_GUILD
_CUSTOM_EMOJI = re.compile(r"^<a?:(?P<name>[A-Za-z0-9_~\-]+):\d+>$")


def _option_text(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return " ".join(str(value).split())


def command_text(data: Mapping[str, Any], order: Mapping[str, Sequence[str]] | None = None) -> str:
    """`data` of a `/papers <sub> ...` interaction -> "sub value value" (what follows `/papers`).

    People fill optional options in any order; `order` (subcommand -> declared option names)
    puts the values back in the order the command layer expects.
    """
    words: list[str] = []
    options: Sequence[Mapping[str, Any]] = data.get("options") or ()
    while options:
        first = options[0]
        if first.get("type") in (SUBCOMMAND, SUBCOMMAND_GROUP):
            words.append(str(first["name"]))
            options = first.get("options") or ()
            continue
        declared = list((order or {}).get(words[-1] if words else "", ()))
        if declared:
            rank = {name: i for i, name in enumerate(declared)}
            options = sorted(options, key=lambda o: rank.get(str(o.get("name")), len(rank)))
        words.extend(
            text
            for opt in options
            if opt.get("value") is not None and (text := _option_text(opt["value"]))
        )
        break
    return " ".join(words)


def _user(payload: Mapping[str, Any]) -> Mapping[str, Any]:
    member = payload.get("member") or {}
    return member.get("user") or payload.get("user") or {}


def manages_channel(payload: Mapping[str, Any]) -> bool:
    """Whether the invoking member may manage the channel: `member.permissions`, the member's
    permissions in this channel (overwrites included) as a decimal string. Absent or
    unreadable counts as not (fail closed)."""
    member = payload.get("member") or {}
    try:
        bits = int(str(member.get("permissions", "0")))
    except ValueError:
        return False
    return bool(bits & ADMIN_BITS)


def command_request(
    payload: Mapping[str, Any], order: Mapping[str, Sequence[str]] | None = None
) -> CommandRequest | None:
    """An INTERACTION_CREATE payload for `/papers` -> CommandRequest; None for anything else.

    Commands outside a guild (DMs) have no channel profile to change, so they are refused.
    """
    data = payload.get("data") or {}
    if payload.get("type") != 2 or data.get("name") != COMMAND_NAME:
        return None
    guild_id, channel_id = payload.get("guild_id"), payload.get("channel_id")
    if not guild_id or not channel_id:
        return None
    user = _user(payload)
    channel = payload.get("channel") or {}
    return CommandRequest(
        platform=Platform.DISCORD,
        workspace=str(guild_id),
        channel=str(channel_id),
        user_id=str(user.get("id", "")),
        text=command_text(data, order),
        channel_name=channel.get("name"),
        user_name=user.get("global_name") or user.get("username"),
        caller_admin=manages_channel(payload),
    )


def emoji_name(emoji: str | Mapping[str, Any]) -> str:
    """Unicode emoji as is; a custom emoji (`<:name:id>` or {"id", "name"}) by its name."""
    if isinstance(emoji, Mapping):
        return str(emoji.get("name") or "")
    match = _CUSTOM_EMOJI.match(emoji.strip())
    return match.group("name") if match else emoji.strip()


def reaction_event(
    *,
    added: bool,
    guild_id: int | str | None,
    channel_id: int | str,
    message_id: int | str,
    user_id: int | str,
    emoji: str | Mapping[str, Any],
    bot_user_id: int | str | None,
    at: datetime | None = None,
) -> ReactionEvent | None:
    """A raw reaction add/remove -> ReactionEvent; None for the bot's own reactions and DMs.

    Discord sends no event time with raw reactions: `at` is the arrival time the gateway client
    stamped (strictly increasing in gateway order), so the core orders add/remove by it."""
    if guild_id is None or (bot_user_id is not None and str(user_id) == str(bot_user_id)):
        return None
    name = emoji_name(emoji)
    if not name:
        return None
    return ReactionEvent(
        platform=Platform.DISCORD,
        workspace=str(guild_id),
        channel=str(channel_id),
        message_id=str(message_id),
        user_id=str(user_id),
        emoji=name,
        added=added,
        at=at,
    )


def reaction_from_gateway(
    event: str, data: Mapping[str, Any], bot_user_id: int | str | None
) -> ReactionEvent | None:
    """A MESSAGE_REACTION_ADD / _REMOVE gateway payload -> ReactionEvent (or None)."""
    if event not in ("MESSAGE_REACTION_ADD", "MESSAGE_REACTION_REMOVE"):
        return None
    return reaction_event(
        added=event == "MESSAGE_REACTION_ADD",
        guild_id=data.get("guild_id"),
        channel_id=data["channel_id"],
        message_id=data["message_id"],
        user_id=data["user_id"],
        emoji=data.get("emoji") or "",
        bot_user_id=bot_user_id,
    )


def _mentions_user(data: Mapping[str, Any], user_id: str) -> bool:
    mentions: Sequence[Mapping[str, Any]] = data.get("mentions") or ()
    return any(str(m.get("id")) == user_id for m in mentions)


def mention_question(
    data: Mapping[str, Any],
    *,
    bot_user_id: int | str | None,
    thread_parent_id: int | str | None = None,
) -> Question | None:
    """A MESSAGE_CREATE payload that mentions the bot -> Question; None for anything else
    (no mention of the bot, DMs, messages by bots or webhooks).

    The paper's message is the one replied to (`message_reference`), or, in a thread
    (`thread_parent_id` is its channel), the message the thread was started from: such a
    thread has the id of that message. Mentions of the bot arrive with their `content`
    without the privileged message-content intent."""
    if bot_user_id is None or not data.get("guild_id") or data.get("webhook_id"):
        return None
    bot = str(bot_user_id)
    author = data.get("author") or {}
    if author.get("bot") or str(author.get("id")) == bot or not _mentions_user(data, bot):
        return None
    channel_id = str(data["channel_id"])
    reference = data.get("message_reference") or {}
    replied = reference.get("message_id")
    ids: list[str] = []
    if replied is not None and str(reference.get("channel_id", channel_id)) == channel_id:
        ids.append(str(replied))
    channel = channel_id
    if thread_parent_id is not None:
        channel = str(thread_parent_id)
        ids.append(channel_id)  # the thread's id is its starter message's id
    text = re.sub(rf"<@!?{re.escape(bot)}>", " ", str(data.get("content") or ""))
    return Question(
        platform=Platform.DISCORD,
        workspace=str(data["guild_id"]),
        channel=channel,
        user_id=str(author.get("id", "")),
        text=" ".join(text.split()),
        message_ids=tuple(ids),
        event_id=f"discord-message:{data['id']}",
    )
