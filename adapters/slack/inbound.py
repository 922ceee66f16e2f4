"""Pure translation of Slack payloads (slash commands, reaction events, mentions) into domain
events."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.answers import Question
from bot.commands.catalog import REGISTRY
from bot.models import CommandRequest, Platform, ReactionEvent

REACTION_EVENTS = {"reaction_added": True, "reaction_removed": False}
# With "Escape channels, users, and links" (the manifest's should_escape: true) Slack sends
# <@U123|ada> for a mention, <#C123|papers> for a channel and <url|as typed> for anything it
# linked, `cs.AI` included: links go back to what was typed, mentions keep only the user id.
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")
_CHANNEL = re.compile(r"<#[A-Z0-9]+\|([^>]*)>")
_USER = re.compile(r"<@([A-Z0-9]+)\|[^>]*>")
MAX_EPOCH = 253402300799  # 9999-12-31T23:59:59Z: later "times" are junk


def _str(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def decode(text: str) -> str:
    """Slack's encoding of typed text undone: it sends `&`, `<`, `>` as `&amp;`, `&lt;`, `&gt;`
    (and nothing else), so `/papers exclude a&b` arrives as `a&amp;b` and means `a&b`."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def command_request(payload: Mapping[str, Any]) -> CommandRequest | None:
    """A slash-command form body -> CommandRequest (text decoded); None when it lacks team,
    channel or user."""
    team = _str(payload.get("team_id"))
    channel = _str(payload.get("channel_id"))
    user = _str(payload.get("user_id"))
    if not (team and channel and user):
        return None
    text = payload.get("text")
    return CommandRequest(
        platform=Platform.SLACK,
        workspace=team,
        channel=channel,
        user_id=user,
        text=decode(unescape(text)).strip() if isinstance(text, str) else "",
        channel_name=_str(payload.get("channel_name")),
        user_name=_str(payload.get("user_name")),
    )


def unescape(text: str) -> str:
    """Slack's escaped entities (real `<...>` markup) back to what the user typed; mentions as
    <@USER_ID>. Runs before `decode`, so typed `<`, `>` (sent as `&lt;`, `&gt;`) stay text."""
    text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
    text = _CHANNEL.sub(lambda m: "#" + m.group(1), text)
    return _USER.sub(r"<@\1>", text)


def subcommand(text: str) -> str:
    """The first word of the command text, lower-cased (`""` for a bare `/papers`)."""
    parts = text.split(None, 1)
    return parts[0].lower() if parts else ""


def is_slow(text: str) -> bool:
    """A subcommand declared slow (`now`, `search`, or an alias of one): may take longer than
    Slack's 3-second ack window, so it is acked first and answered later."""
    return REGISTRY.is_slow(text)


def _team(body: Mapping[str, Any], event: Mapping[str, Any]) -> str | None:
    team = _str(body.get("team_id")) or _str(event.get("team"))
    if team:
        return team
    auths = body.get("authorizations")
    if isinstance(auths, list) and auths and isinstance(auths[0], Mapping):
        return _str(auths[0].get("team_id"))
    return None


def reaction_event(body: Mapping[str, Any], *, bot_user_id: str | None) -> ReactionEvent | None:
    """An Events API envelope for reaction_added/removed -> ReactionEvent.

    None for other events, reactions on files or non-messages, incomplete payloads, and the
    bot's own reactions (the 👍/👎 it seeds on each paper).
    """
    event = body.get("event")
    if not isinstance(event, Mapping):
        return None
    added = REACTION_EVENTS.get(str(event.get("type")))
    item = event.get("item")
    if added is None or not isinstance(item, Mapping) or item.get("type") != "message":
        return None
    user = _str(event.get("user"))
    channel = _str(item.get("channel"))
    ts = _str(item.get("ts"))
    emoji = _str(event.get("reaction"))
    team = _team(body, event)
    if not (user and channel and ts and emoji and team):
        return None
    if bot_user_id and user == bot_user_id:
        return None
    return ReactionEvent(
        platform=Platform.SLACK,
        workspace=team,
        channel=channel,
        message_id=ts,
        user_id=user,
        emoji=emoji,
        added=added,
        event_id=_str(body.get("event_id")),
        at=event_time(body, event),
    )


def _slack_ts(value: Any) -> datetime | None:
    """A Slack timestamp ("1764231000.000300", exact to the microsecond) -> UTC datetime."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    try:
        when = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    if not when.is_finite() or when <= 0 or when > MAX_EPOCH:
        return None
    seconds = int(when)
    micros = int((when - seconds) * 1_000_000)
    return datetime.fromtimestamp(seconds, UTC) + timedelta(microseconds=micros)


def event_time(body: Mapping[str, Any], event: Mapping[str, Any]) -> datetime | None:
    """When the reaction happened: the event's `event_ts` (microseconds), else the envelope's
    `event_time` (whole seconds); None when neither is usable."""
    return _slack_ts(event.get("event_ts")) or _slack_ts(body.get("event_time"))


_ANY_USER = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")


def _without_mention(text: str, bot_user_id: str | None) -> str:
    """The message text without the bot's mention(s) (`<@U0BOT>`, `<@U0BOT|paperbot>`)."""
    if bot_user_id:
        mention = re.compile(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>")
        return mention.sub(" ", text)
    return _ANY_USER.sub(" ", text, count=1)  # no id known: the leading mention is ours


def mention_question(body: Mapping[str, Any], *, bot_user_id: str | None) -> Question | None:
    """An Events API envelope for `app_mention` -> Question; None for other events, the bot's
    own or another bot's messages, and incomplete payloads.

    In a thread Slack sends the thread's parent as `thread_ts`: the paper's message when the
    question replies to one. A mention outside any thread carries no message id (the core
    answers it with a short help)."""
    event = body.get("event")
    if not isinstance(event, Mapping) or event.get("type") != "app_mention":
        return None
    user = _str(event.get("user"))
    channel = _str(event.get("channel"))
    ts = _str(event.get("ts"))
    team = _team(body, event)
    if not (user and channel and ts and team) or event.get("bot_id"):
        return None
    if bot_user_id and user == bot_user_id:
        return None
    raw = event.get("text") if isinstance(event.get("text"), str) else ""
    text = decode(unescape(_without_mention(str(raw), bot_user_id)))
    parent = _str(event.get("thread_ts"))
    return Question(
        platform=Platform.SLACK,
        workspace=team,
        channel=channel,
        user_id=user,
        text=" ".join(text.split()),
        message_ids=(parent,) if parent and parent != ts else (),
        event_id=_str(body.get("event_id")),
    )


def reply_thread(body: Mapping[str, Any]) -> str | None:
    """Where the answer to a mention goes: its thread, or a new thread under the mention."""
    event = body.get("event")
    if not isinstance(event, Mapping):
        return None
    return _str(event.get("thread_ts")) or _str(event.get("ts"))
