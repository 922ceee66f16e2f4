"""A worker process that really dies (os._exit) at a chosen point of a delivery; used by tests.

python tests/e2e/crash_worker.py DATABASE_URL OUTBOX AT header|after-post:N
"""

from __future__ import annotations

import io
import os
import sys
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from adapters.console import ConsoleAdapter
from bot.clock import FixedClock
from bot.config import Settings
from bot.digest.worker import Worker
from bot.models import Channel, Digest, DigestItem, Platform
from bot.service import PaperBot
from storage.store import SqlStore


class DyingConsole(ConsoleAdapter):
    def __init__(self, outbox: Path, when: str) -> None:
        super().__init__(io.StringIO(), outbox)
        self.when = when
        self.count = 0

    def post_header(self, channel: Channel, digest: Digest) -> str | None:
        if self.when == "header":
            os._exit(9)  # the digest and its items are written; nothing is posted yet
        return super().post_header(channel, digest)

    def post_item(self, channel: Channel, digest: Digest, item: DigestItem) -> str:
        message_id = super().post_item(channel, digest, item)  # in the channel (the outbox)...
        self.count += 1
        if self.when == f"after-post:{self.count}":
            os._exit(9)  # ...but its message id never reaches the database
        return message_id


def main() -> None:
    url, outbox, at, when = sys.argv[1:5]
    store = SqlStore.open(url)
    settings = Settings(_env_file=None, database_url=url, claim_batch_size=1)  # type: ignore[call-arg]
    clock = FixedClock(datetime.fromisoformat(at))
    core = PaperBot(store, clock, settings, {Platform.CONSOLE: DyingConsole(Path(outbox), when)})
    Worker(core, worker_id="doomed", concurrency=1).tick()  # one channel in flight when it dies
    sys.exit(0)  # not reached when the injected crash fires


if __name__ == "__main__":
    main()
