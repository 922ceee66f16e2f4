"""Pure helpers of the `/papers` group: autocomplete matching and unsubscribe syntax."""

from __future__ import annotations

from typing import Any

from adapters.discord.commands import (
    MAX_CHOICES,
    PapersGroup,
    all_timezones,
    interest_choice,
    match_choices,
)
from bot.commands.catalog import REGISTRY
from bot.models import Interest, InterestKind


class Host:
    """Answers nothing: the group is only built and inspected here."""

    async def answer(self, interaction: Any) -> None: ...
    async def channel_interests(self, interaction: Any, kinds: Any) -> list[Interest]:
        return []

    async def liked_papers(self, interaction: Any) -> list[tuple[str, str]]:
        return []


def test_every_registered_subcommand_is_an_app_command_in_registry_order() -> None:
    group = PapersGroup(Host())
    assert [c.name for c in group.commands] == REGISTRY.names()
    for spec in REGISTRY:
        (cmd,) = [c for c in group.commands if c.name == spec.name]
        assert cmd.description == spec.menu_text


def test_match_choices_prefers_prefixes_and_caps_at_25() -> None:
    zones = all_timezones()
    assert "Europe/Berlin" in zones
    assert match_choices(zones, "europe/ber") == ["Europe/Berlin"]
    assert match_choices(["b-lin", "lin-a", "x"], "lin") == ["lin-a", "b-lin"]
    assert len(match_choices(zones, "")) == MAX_CHOICES
    assert len(match_choices(zones, "a")) == MAX_CHOICES


def test_interest_choice_uses_the_command_layers_syntax() -> None:
    assert interest_choice(InterestKind.TOPIC, "robot manipulation") == (
        "robot manipulation",
        "robot manipulation",
    )
    assert interest_choice(InterestKind.CATEGORY, "cs.RO") == ("cs.RO (category)", "cat:cs.RO")
    assert interest_choice(InterestKind.AUTHOR, "Chelsea Finn") == (
        "Chelsea Finn (author)",
        'author:"Chelsea Finn"',
    )
