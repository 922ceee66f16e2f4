"""Pure helpers of the `/papers` group: autocomplete matching and unsubscribe syntax."""

from __future__ import annotations

from adapters.discord.commands import (
    MAX_CHOICES,
    SUBCOMMANDS,
    all_timezones,
    interest_choice,
    match_choices,
)
from bot.commands.specs import SPECS
from bot.models import InterestKind


def test_every_core_command_has_a_subcommand() -> None:
    assert set(SUBCOMMANDS) | {"help"} == set(SPECS)


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
