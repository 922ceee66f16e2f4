"""`paperbot doctor [--json] [--quick]`: what is wrong with this installation, one line each."""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Annotated, Any

import typer

from app.cli.root import app
from app.setup_checks import Check
from bot.config import load_settings
from bot.errors import ConfigError

MARKS = {"ok": "ok   ", "warn": "WARN ", "error": "ERROR"}


def load_doctor() -> Callable[..., list[Check]]:
    """The checks live with the composition root (they touch storage); found by entry point."""
    found = entry_points(group="paperbot.runtime", name="doctor")
    if not found:
        raise ConfigError(
            "PaperBot is not installed (no paperbot.runtime doctor); run `make install`"
        )
    doctor: Callable[..., list[Check]] = next(iter(found)).load()
    return doctor


def settings_or_error() -> tuple[Any, list[Check]]:
    """The settings, or (when they do not even load) one error check naming the variable."""
    try:
        return load_settings(), []
    except ConfigError as exc:
        return None, [Check("settings", "error", str(exc))]


def print_checks(checks: list[Check]) -> None:
    for check in checks:
        typer.echo(f"{MARKS[check.status]} {check.name}: {check.message}")
    errors = sum(c.status == "error" for c in checks)
    warnings = sum(c.status == "warn" for c in checks)
    verdict = "ready" if not errors else "fix the ERROR lines above"
    typer.echo(f"{len(checks)} checks: {errors} error(s), {warnings} warning(s): {verdict}")


@app.command()
def doctor(
    as_json: Annotated[
        bool, typer.Option("--json", help='Print {"checks": [{name, status, message}]}.')
    ] = False,
    quick: Annotated[
        bool, typer.Option("--quick", help="Settings and database only (no network): healthchecks.")
    ] = False,
    timeout: Annotated[
        float, typer.Option(min=0.1, max=60, help="Seconds per network check.")
    ] = 5.0,
) -> None:
    """Check settings, database, Slack, Discord and the paper sources; exit 1 on any error."""
    from app.logs import setup_logging

    settings, checks = settings_or_error()
    if settings is not None:
        setup_logging("ERROR", settings.log_format)  # the checks are the output, not the logs
        checks = load_doctor()(settings, quick=quick, timeout=timeout)
    if as_json:
        typer.echo(json.dumps({"checks": [c.as_dict() for c in checks]}, indent=2))
    else:
        print_checks(checks)
    if any(c.status == "error" for c in checks):
        raise typer.Exit(1)
