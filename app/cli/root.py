"""The `paperbot` Typer application and its sub-apps; command modules attach to these."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(
    name="paperbot",
    help="PaperBot: a daily digest of new research papers, ranked per channel, that learns from reactions.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
channel_app = typer.Typer(help="Add, list and remove channels.", no_args_is_help=True)
app.add_typer(channel_app, name="channel")


def package_version() -> str:
    """The installed distribution's version (pyproject.toml), e.g. 0.1.0."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("paperbot")
    except PackageNotFoundError:
        return "unknown (not installed; run `make install`)"


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"paperbot {package_version()}")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print `paperbot X.Y.Z` and exit.",
        ),
    ] = False,
) -> None:
    """PaperBot: a daily digest of new research papers, ranked per channel, that learns from reactions."""
