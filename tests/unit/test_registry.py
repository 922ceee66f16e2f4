"""The `/papers` registry: declarations, aliases, access, slowness, order, the README's table."""

from __future__ import annotations

import pytest

import app.command_table as table
from bot.commands.catalog import REGISTRY
from bot.commands.permissions import Access
from bot.commands.registry import Arg, Call, Registry, Subcommand
from bot.models import Reply
from bot.rich import plain


def handler(_call: Call) -> Reply:
    return Reply(plain("ok"))


def test_the_registry_lists_every_subcommand_in_help_order() -> None:
    assert REGISTRY.names() == [
        "help", "subscribe", "unsubscribe", "exclude", "include", "like", "unlike", "forget",
        "topics", "import", "schedule", "size", "threshold", "set", "pause", "resume", "now", "search",
        "why", "stats", "history", "managers", "web",
    ]  # fmt: skip


def test_every_declaration_is_usable_on_every_platform() -> None:
    for spec in REGISTRY:
        assert spec.usage.startswith(f"/papers {spec.name}"), spec.name
        assert 0 < len(spec.menu_text) <= 100, spec.name  # Discord's description limit
        for args in (spec.args, *(a.args for a in spec.actions)):
            required = [a.required for a in args]
            assert required == sorted(required, reverse=True), spec.name  # required first


def test_aliases_resolve_case_insensitively_and_slowness_follows_them() -> None:
    assert REGISTRY.resolve("SUB") is REGISTRY["subscribe"]
    assert REGISTRY.resolve("?") is REGISTRY["help"]
    assert REGISTRY.resolve("nope") is None
    assert REGISTRY.is_slow("now") and REGISTRY.is_slow("  Find diffusion")
    assert REGISTRY.is_slow("digest")  # `digest` is `now`
    assert REGISTRY.is_slow("import")  # a download, and arXiv look-ups at arXiv's pace
    assert not REGISTRY.is_slow("subscribe now") and not REGISTRY.is_slow("")


def test_changing_subcommands_need_settings_access_unless_they_only_show() -> None:
    assert REGISTRY["size"].changes_settings and not REGISTRY["stats"].changes_settings
    assert REGISTRY.access("set", ["authors"]) is Access.OPEN
    assert REGISTRY.access("set", ["authors", "on"]) is Access.SETTINGS
    assert REGISTRY.access("managers", ["remove", "U1"]) is Access.OWNERS


def test_a_name_or_alias_declared_twice_is_refused() -> None:
    registry = Registry()
    registry.add(Subcommand("one", "/papers one", "One.", handler, aliases=("uno",)))
    with pytest.raises(ValueError, match="uno"):
        registry.add(Subcommand("two", "/papers two", "Two.", handler, aliases=("uno",)))
    with pytest.raises(ValueError, match="one"):
        registry.command(name="one", usage="/papers one", summary="Again.")(handler)
    assert registry.names() == ["one"]


def test_arranged_modules_come_first_then_declaration_order() -> None:
    import bot.commands.help as help_module

    registry = Registry()
    registry.command(name="late", usage="/papers late", summary="Late.")(handler)  # this module
    registry.add(Subcommand("first", "/papers first", "F.", REGISTRY["help"].handler))
    registry.arrange([help_module])
    assert registry.names() == ["first", "late"]


def test_the_readme_lists_exactly_the_registered_subcommands() -> None:
    readme = table.README.read_text(encoding="utf-8")
    assert table.with_table(readme, table.command_table()) == readme, (
        "README.md is out of date: run `python -m app.command_table --write`"
    )
    for spec in REGISTRY:
        assert f"`{spec.usage.replace('|', chr(92) + '|')}`" in readme


def test_the_table_changes_with_the_registry_and_needs_its_markers() -> None:
    registry = Registry()
    registry.add(Subcommand("one", "/papers one <a|b>", "One.", handler, args=(Arg("a"),)))
    assert table.command_table(registry).splitlines()[-1] == (
        "| `/papers one <a\\|b>` | One. | anyone |"
    )
    with pytest.raises(ValueError, match="markers"):
        table.with_table("# no markers", "")
