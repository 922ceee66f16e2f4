"""Pure inbound translation: interaction and raw reaction payloads -> core requests."""

from __future__ import annotations

from adapters.discord.inbound import (
    command_request,
    command_text,
    emoji_name,
    reaction_event,
    reaction_from_gateway,
)
from bot.models import Platform
from tests.adapters.discordbot.fake_discord import (
    BOT_ID,
    CHANNEL_ID,
    GUILD_ID,
    USER_ID,
    option,
    slash_interaction,
)
from tests.adapters.discordbot.fake_discord import (
    reaction_event as reaction_payload,
)


def test_slash_command_becomes_a_command_request() -> None:
    payload = slash_interaction(
        "schedule",
        [option("time", "09:00"), option("timezone", "Europe/Berlin"), option("days", "weekdays")],
    )
    req = command_request(payload)
    assert req is not None
    assert req.platform is Platform.DISCORD
    assert (req.workspace, req.channel, req.user_id) == (
        str(GUILD_ID),
        str(CHANNEL_ID),
        str(USER_ID),
    )
    assert req.text == "schedule 09:00 Europe/Berlin weekdays"
    assert req.channel_name == "papers"
    assert req.user_name == "alice"


def test_option_values_are_flattened_and_whitespace_normalised() -> None:
    data = {
        "name": "papers",
        "options": [
            {
                "type": 1,
                "name": "subscribe",
                "options": [{"type": 3, "name": "topic", "value": "  robot \n manipulation "}],
            }
        ],
    }
    assert command_text(data) == "subscribe robot manipulation"
    size = {"name": "papers", "options": [{"type": 1, "name": "size", "options": [
        {"type": 4, "name": "papers", "value": 7}]}]}  # fmt: skip
    assert command_text(size) == "size 7"
    assert command_text({"name": "papers", "options": [{"type": 1, "name": "help"}]}) == "help"


def test_other_commands_and_dms_are_not_ours() -> None:
    payload = slash_interaction("help")
    payload["data"]["name"] = "other"
    assert command_request(payload) is None
    dm = slash_interaction("help")
    del dm["guild_id"]
    assert command_request(dm) is None
    autocomplete = slash_interaction("help", kind=4)
    assert command_request(autocomplete) is None


def test_raw_reaction_maps_to_event_and_bot_reactions_are_ignored() -> None:
    event = reaction_from_gateway("MESSAGE_REACTION_ADD", reaction_payload(9001), BOT_ID)
    assert event is not None
    assert (event.workspace, event.channel, event.message_id) == (
        str(GUILD_ID),
        str(CHANNEL_ID),
        "9001",
    )
    assert (event.user_id, event.emoji, event.added) == (str(USER_ID), "👍", True)
    removed = reaction_from_gateway("MESSAGE_REACTION_REMOVE", reaction_payload(9001, "👎"), BOT_ID)
    assert removed is not None and removed.added is False and removed.emoji == "👎"
    own = reaction_payload(9001, user_id=BOT_ID)
    assert reaction_from_gateway("MESSAGE_REACTION_ADD", own, BOT_ID) is None
    assert reaction_from_gateway("MESSAGE_CREATE", reaction_payload(9001), BOT_ID) is None


def test_dm_reactions_are_ignored_and_custom_emoji_use_their_name() -> None:
    assert (
        reaction_event(
            added=True,
            guild_id=None,
            channel_id=1,
            message_id=2,
            user_id=3,
            emoji="👍",
            bot_user_id=9,
        )
        is None
    )
    assert emoji_name("<:thumbsup:123456>") == "thumbsup"
    assert emoji_name("<a:fire:42>") == "fire"
    assert emoji_name({"id": "1", "name": "party"}) == "party"
    assert emoji_name("👍🏽") == "👍🏽"  # skin tones are the core's business (normalise_emoji)


def test_options_given_out_of_order_are_put_back_in_declared_order() -> None:
    payload = slash_interaction(
        "schedule",
        [option("days", "weekdays"), option("time", "09:00"), option("timezone", "Europe/Berlin")],
    )
    order = {"schedule": ["time", "timezone", "days"]}
    req = command_request(payload, order)
    assert req is not None and req.text == "schedule 09:00 Europe/Berlin weekdays"


def test_a_cron_line_in_the_time_option_reaches_the_one_parser() -> None:
    from bot.digest.schedule_parse import parse_schedule_text

    payload = slash_interaction(
        "schedule", [option("timezone", "cet"), option("time", "0 9 * * mon-fri")]
    )
    req = command_request(payload, {"schedule": ["time", "timezone", "days"]})
    assert req is not None and req.text == "schedule 0 9 * * mon-fri cet"
    parsed = parse_schedule_text(req.text.removeprefix("schedule "))
    assert (parsed.schedule.cron, parsed.schedule.timezone) == ("0 9 * * mon-fri", "Europe/Berlin")
