"""Inbound parsing on recorded Slack payloads."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.slack import inbound
from bot.models import CommandRequest, Platform, ReactionEvent

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "slack"


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def test_slash_command_becomes_a_command_request() -> None:
    assert inbound.command_request(load("command_subscribe.json")) == CommandRequest(
        platform=Platform.SLACK,
        workspace="T0LAB",
        channel="C0PAPERS",
        user_id="U0ADA",
        text="subscribe robot manipulation",
        channel_name="papers",
        user_name="ada",
    )


def test_escaped_entities_read_back_as_typed_and_mentions_as_user_ids() -> None:
    # the manifest's should_escape: true makes Slack link what looks like a domain (cs.AI)
    body = load("command_subscribe.json")
    for sent, read in [
        ("subscribe cat:<http://cs.AI|cs.AI>", "subscribe cat:cs.AI"),
        ("like <https://arxiv.org/abs/2503.12461>", "like https://arxiv.org/abs/2503.12461"),
        ("managers add <@U0BOB|bob>", "managers add <@U0BOB>"),
        ("managers remove <@W0BOB>", "managers remove <@W0BOB>"),
        ("why in <#C0PAPERS|papers>", "why in #papers"),
    ]:
        req = inbound.command_request(dict(body, text=sent))
        assert req is not None and req.text == read


def test_command_without_channel_is_refused() -> None:
    body = load("command_subscribe.json")
    del body["channel_id"]
    assert inbound.command_request(body) is None


def test_slow_subcommands() -> None:
    assert inbound.is_slow("now") and inbound.is_slow("  SEARCH diffusion")
    assert not inbound.is_slow("subscribe now") and not inbound.is_slow("")


def test_reaction_added_and_removed() -> None:
    added = inbound.reaction_event(load("reaction_added.json"), bot_user_id="U0BOT")
    assert added == ReactionEvent(
        platform=Platform.SLACK,
        workspace="T0LAB",
        channel="C0PAPERS",
        message_id="1764230400.000200",
        user_id="U0ADA",
        emoji="thumbsup",
        added=True,
        event_id="Ev0REACT1",
        at=datetime.fromtimestamp(1764231000, UTC) + timedelta(microseconds=300),  # event_ts
    )
    removed = inbound.reaction_event(load("reaction_removed.json"), bot_user_id="U0BOT")
    assert removed is not None and removed.added is False
    assert removed.emoji == "+1::skin-tone-3" and removed.event_id == "Ev0REACT2"


def test_reaction_time_is_event_ts_to_the_microsecond_else_event_time() -> None:
    body = load("reaction_added.json")
    base = datetime.fromtimestamp(1764231000, UTC)
    body["event"]["event_ts"] = "1764231000.999999"
    assert inbound.event_time(body, body["event"]) == base + timedelta(microseconds=999999)
    for junk in ("", "soon", "nan", "-1", "1e400", True, None, {"ts": 1}):
        body["event"]["event_ts"] = junk
        assert inbound.event_time(body, body["event"]) == base  # the envelope's whole second
    body["event_time"] = "later"
    assert inbound.event_time(body, body["event"]) is None
    event = inbound.reaction_event(body, bot_user_id="U0BOT")
    assert event is not None and event.at is None  # the core stamps its arrival instead


def test_bot_own_reaction_file_reactions_and_other_events_are_ignored() -> None:
    own = load("reaction_added.json")
    own["event"]["user"] = "U0BOT"
    assert inbound.reaction_event(own, bot_user_id="U0BOT") is None
    assert inbound.reaction_event(load("reaction_on_file.json"), bot_user_id="U0BOT") is None
    other = load("reaction_added.json")
    other["event"]["type"] = "message"
    assert inbound.reaction_event(other, bot_user_id="U0BOT") is None
    assert inbound.reaction_event({"event": "nope"}, bot_user_id=None) is None


def test_team_falls_back_to_authorizations() -> None:
    body = load("reaction_added.json")
    del body["team_id"]
    event = inbound.reaction_event(body, bot_user_id=None)
    assert event is not None and event.workspace == "T0LAB"


def test_slash_text_is_decoded_as_typed() -> None:
    """Slack sends typed `&`, `<`, `>` as entities (and nothing else): `exclude a&b` means a&b."""
    body = load("command_subscribe.json")
    body["text"] = "exclude a&amp;b &lt;!channel&gt; &amp;lt; caf\u00e9"
    req = inbound.command_request(body)
    assert req is not None and req.text == "exclude a&b <!channel> &lt; caf\u00e9"
