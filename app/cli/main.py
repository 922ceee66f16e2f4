"""The `paperbot` console script: builds the command tree and turns errors into one line."""

from __future__ import annotations

import sys

import typer

from app.cli import (
    channel,  # noqa: F401  (registers `channel add|list|remove`)
    digest,  # noqa: F401  (registers `demo`, `digest`, `react`, `command`, `reseal-tokens`)
    discord_sync,
    doctor,  # noqa: F401  (registers `doctor`)
    export,
    fetch,  # noqa: F401  (registers `fetch` and `backfill`)
    ingest,  # noqa: F401  (registers `ingest`)
    serve,  # noqa: F401  (registers `serve`)
    worker,  # noqa: F401  (registers `run` and `tick`)
)
from app.cli.root import app
from bot.errors import PaperBotError

export.register(app)
discord_sync.register(app)


def main() -> None:
    """Console-script entry point: PaperBot errors become one line and a non-zero exit."""
    try:
        app()
    except PaperBotError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
