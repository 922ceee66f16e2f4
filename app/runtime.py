"""The running application as the CLI sees it, built by the composition root outside `bot/`.

`bot/` never imports storage or adapters: the composition root (`app.wiring.runtime`) is found
through the `paperbot.runtime` entry point declared in pyproject.toml.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, Protocol, TextIO

from bot.config import Settings
from bot.errors import ConfigError
from bot.ports import Clock, InstallationRepository, Store
from bot.service import PaperBot


@dataclass
class Runtime:
    settings: Settings
    store: Store
    clock: Clock
    core: PaperBot
    extras: dict[str, Any] = field(default_factory=dict)
    installations: InstallationRepository | None = None  # chat app installs (OAuth tokens)
    closers: list[Callable[[], None]] = field(default_factory=list)
    # Built by the composition root: the ASGI app `paperbot serve` runs, and (when
    # SLACK_APP_TOKEN is set) a function that starts Slack Socket Mode and returns a stop function.
    web_app: Callable[[], Any] | None = None
    socket_mode: Callable[[], Callable[[], None]] | None = None

    def close(self) -> None:
        for closer in reversed(self.closers):
            closer()


class RuntimeFactory(Protocol):
    def __call__(
        self, settings: Settings, *, out: TextIO | None = None, clock: Clock | None = None
    ) -> Runtime: ...


def load_runtime(
    settings: Settings, *, out: TextIO | None = None, clock: Clock | None = None
) -> Runtime:
    found = entry_points(group="paperbot.runtime", name="default")
    if not found:
        raise ConfigError(
            "PaperBot is not installed (no paperbot.runtime entry point); run `make demo`"
        )
    factory: RuntimeFactory = next(iter(found)).load()
    return factory(settings, out=out, clock=clock)
