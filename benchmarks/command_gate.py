"""What deciding who may change a channel costs a `/papers` command, in-process on SQLite.

Times `core.on_command` for `size N` on a configured channel, by a plain member (refused), a
manager, whoever set it up, and an admin (the platform's answer given, as Discord gives it),
and a read-only `topics` for comparison.

    .venv/bin/python -m benchmarks.command_gate [--runs 300]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bot.clock import FixedClock
from bot.config import Settings
from bot.models import CommandRequest, Platform
from bot.service import PaperBot
from storage.store import SqlStore

CASES = (  # label, user, platform's admin answer, text
    ("refused (plain member)", "U0BOB", False, "size {n}"),
    ("allowed: manager", "U0MAN", False, "size {n}"),
    ("allowed: set it up", "U0SET", False, "size {n}"),
    ("allowed: admin", "U0ADA", True, "size {n}"),
    ("read-only: topics", "U0BOB", False, "topics"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None, database_url=f"sqlite:///{Path(tmp) / 'gate.db'}", ranker="lexical"
        )
        store = SqlStore.open(settings.database_url)
        core = PaperBot(store, FixedClock(datetime(2026, 6, 30, 9, tzinfo=UTC)), settings)

        def run(user: str, text: str, admin: bool = False) -> tuple[bool, float]:
            req = CommandRequest(Platform.SLACK, "T1", "C1", user, text, caller_admin=admin)
            start = time.perf_counter()
            ok = core.on_command(req).ok
            return ok, time.perf_counter() - start

        run("U0SET", "subscribe robot manipulation")  # U0SET sets the channel up
        run("U0SET", "managers add U0MAN")
        print(f"core.on_command on SQLite, {args.runs} runs each, median / p95")
        for label, user, admin, text in CASES:
            results = [run(user, text.format(n=i % 5 + 1), admin) for i in range(args.runs)]
            oks = {ok for ok, _ in results}
            times = sorted(t for _, t in results)
            p95 = times[int(len(times) * 0.95) - 1]
            print(
                f"  {label:<24} ok={oks} {statistics.median(times) * 1000:6.2f} / "
                f"{p95 * 1000:6.2f} ms"
            )
        store.close()


if __name__ == "__main__":
    main()
