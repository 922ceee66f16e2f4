"""One reaction through the core's reaction path: transactions and time per event.

    .venv/bin/python -m benchmarks.reaction_path [--events 400] [--url postgresql+psycopg://...]

Against the real store (SQLite in a temporary directory unless `--url` names a database),
`PaperBot.on_reaction` (the path Slack and Discord feed) is called for `--events` add/remove
events on posted papers, a tenth of them re-delivered under the same event id (retries). Counts
the transactions the store begins per event (SQLAlchemy `begin` events) and the time per event
(median and p99, ms).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import event

from bot.clock import FixedClock
from bot.config import Settings
from bot.models import ChannelRef, ChannelSettings, Paper, Platform, ReactionEvent, ScoredPaper
from bot.service import PaperBot
from storage.store import SqlStore

T0 = datetime(2026, 6, 30, 9, 0, tzinfo=UTC)
REF = ChannelRef(Platform.SLACK, "T1", "C1")
PAPERS = [
    Paper(id=f"2607.{i:05d}", title=f"Paper {i}", abstract="We study reactions.")
    for i in range(1, 11)
]


def setup(url: str) -> PaperBot:
    settings = Settings(_env_file=None, database_url=url, ranker="lexical")  # type: ignore[call-arg]
    store = SqlStore.open(url)
    core = PaperBot(store, FixedClock(T0), settings)
    core.ingest(PAPERS)
    channel = store.add_channel(REF, "lab", ChannelSettings(), now=T0)
    picks = [(ScoredPaper(p, 1.0, ()), "") for p in PAPERS]
    digest, _ = store.create_digest(channel.id, "d", picks, candidates=10, now=T0, watermark=T0)
    assert digest.id is not None
    for p in PAPERS:
        store.mark_item_posted(digest.id, p.id, f"m-{p.id}", now=T0)
    return core


def events(n: int) -> list[ReactionEvent]:
    out = []
    for i in range(n):
        paper = PAPERS[i % len(PAPERS)]
        out.append(
            ReactionEvent(
                Platform.SLACK,
                REF.workspace,
                REF.channel,
                f"m-{paper.id}",
                f"U{i % 13}",
                ("+1", "-1")[i % 2],
                added=i % 3 != 2,
                event_id=f"e{i - 1 if i % 10 == 9 else i}",  # every tenth one a retry
                at=T0 + timedelta(milliseconds=i),
            )
        )
    return out


def measure(url: str, n: int) -> tuple[float, float, float]:
    """(transactions per event, median ms, p99 ms)."""
    core = setup(url)
    store = core.store
    assert isinstance(store, SqlStore)
    core.event_ids.maybe_prune(T0)  # the hourly prune, outside the measured events
    begins = 0

    def count(_conn: object) -> None:
        nonlocal begins
        begins += 1

    event.listen(store.engine, "begin", count)
    times = []
    for e in events(n):
        start = time.perf_counter()
        core.on_reaction(e)
        times.append(time.perf_counter() - start)
    event.remove(store.engine, "begin", count)
    store.close()
    times.sort()
    p99 = times[min(len(times) - 1, int(0.99 * len(times)))]
    return begins / n, 1000 * statistics.median(times), 1000 * p99


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=400)
    parser.add_argument("--url", default=None, help="database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{Path(tmp) / 'reactions.db'}"
        per_event, median, p99 = measure(url, args.events)
    print(
        f"{url.split(':')[0]}: {args.events} reaction events, {per_event:.2f} transactions an "
        f"event, median {median:.2f} ms, p99 {p99:.2f} ms"
    )


if __name__ == "__main__":
    main()
