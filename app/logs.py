"""Log output for every process: rich on a terminal, one plain or JSON line per record otherwise.

`LOG_FORMAT=auto` (the default) picks rich when stderr is a terminal and plain lines when it is
not (containers, systemd, CI, pipes). Timestamps are ISO-8601 in UTC. uvicorn's loggers go
through the same handler, so `paperbot serve` writes one format too.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

FORMATS = ("auto", "rich", "plain", "json")
QUIET = ("httpx", "alembic", "apscheduler", "discord", "slack_bolt", "slack_sdk")
UVICORN = ("uvicorn", "uvicorn.error", "uvicorn.access")
# discord.py warns at every client start about voice support, which PaperBot never uses.
VOICE_WARNING = "voice will NOT be supported"


def iso_time(record: logging.LogRecord) -> str:
    """The record's time as ISO-8601 UTC with milliseconds: 2026-11-30T08:00:00.123+00:00."""
    return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


class PlainFormatter(logging.Formatter):
    """`2026-11-30T08:00:00.123+00:00 WARNING paperbot.worker: message` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        text = f"{iso_time(record)} {record.levelname} {record.name}: {record.getMessage()}"
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message (and exception when there is one)."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": iso_time(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False)


class DropVoiceWarnings(logging.Filter):
    """Drop discord.py's "PyNaCl / davey is not installed, voice will NOT be supported"."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name.startswith("discord") and VOICE_WARNING in str(record.getMessage()))


def resolve_format(fmt: str, stream: TextIO) -> str:
    """`auto` becomes `rich` on a terminal and `plain` otherwise."""
    fmt = (fmt or "auto").strip().lower()
    if fmt not in FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if fmt != "auto":
        return fmt
    isatty = getattr(stream, "isatty", None)
    return "rich" if callable(isatty) and isatty() else "plain"


def make_handler(fmt: str, stream: TextIO) -> logging.Handler:
    """A handler writing `fmt` (rich, plain or json) to `stream`."""
    handler: logging.Handler
    if fmt == "rich":
        from rich.console import Console
        from rich.logging import RichHandler
        from rich.text import Text

        # Console(stderr=True) follows sys.stderr, so live progress bars can redirect it
        console = Console(stderr=True) if stream is sys.stderr else Console(file=stream)
        handler = RichHandler(
            console=console,
            show_path=False,
            rich_tracebacks=False,
            omit_repeated_times=False,
            log_time_format=lambda when: Text(when.astimezone().isoformat(timespec="seconds")),
        )
        handler.setFormatter(logging.Formatter("%(message)s"))
    else:
        handler = logging.StreamHandler(stream)
        handler.setFormatter(JsonFormatter() if fmt == "json" else PlainFormatter())
    handler.addFilter(DropVoiceWarnings())
    return handler


def setup_logging(level: str, fmt: str = "auto", stream: TextIO | None = None) -> str:
    """Configure the root logger once per process; returns the format in use."""
    stream = stream or sys.stderr
    chosen = resolve_format(fmt, stream)
    logging.basicConfig(level=level.upper(), handlers=[make_handler(chosen, stream)], force=True)
    root_level = logging.getLogger().level
    for noisy in QUIET:
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root_level))
    for name in UVICORN:  # uvicorn.run(log_config=None) leaves them to the root handler
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
    return chosen
