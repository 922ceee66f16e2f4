"""Build a `Runtime`: open the store (migrating it), pick the clock, register the adapters."""

from __future__ import annotations

import sys
from typing import TextIO

from adapters.console import ConsoleAdapter
from bot.clock import SystemClock
from bot.config import Settings
from bot.models import Platform
from bot.ports import ChatAdapter, Clock
from bot.runtime import Runtime
from bot.service import PaperBot
from bot.sources.fetcher import lookup_papers
from storage.store import SqlStore


def build_runtime(
    settings: Settings, *, out: TextIO | None = None, clock: Clock | None = None
) -> Runtime:
    store = SqlStore.open(settings.resolved_database_url())
    clock = clock or SystemClock()
    adapters: dict[Platform, ChatAdapter] = {
        Platform.CONSOLE: ConsoleAdapter(out or sys.stdout, settings.console_outbox),
    }
    core = PaperBot(store, clock, settings, adapters)
    core.paper_lookup = lambda paper_id: lookup_papers(core, settings, [paper_id]).get(paper_id)
    return Runtime(settings=settings, store=store, clock=clock, core=core, closers=[store.close])
