"""Reactions delivered out of order and twice: does every reaction end where its last event says?

    .venv/bin/python -m benchmarks.reliability_reactions [--pairs 60] [--keys 40] [--seed 7]

Against the real store (SQLite in a temporary directory) through the core's reaction path
(`PaperBot.on_reaction`, the one Slack and Discord feed), two replays:

- pairs: 👍 then its removal, back to back, for `--pairs` people; each add is delivered again
  after its removal under a new event id (a Slack retry whose first attempt never reached us);
- shuffled: `--keys` (person, message, emoji) keys with 2-6 add/remove events each, delivered
  in a random order with a third of them delivered twice (same event id: Slack retries).

Prints the events, how many deliveries came after a newer event of the same key (reordered),
and the keys whose final state differs from their latest event: for the store (target 0) and,
for reference, for applying events in arrival order (the behaviour before event times).
"""

from __future__ import annotations

import argparse
import random
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import Session, select

from bot.clock import FixedClock
from bot.config import Settings
from bot.models import ChannelRef, ChannelSettings, Paper, Platform, ReactionEvent, ScoredPaper
from bot.service import PaperBot
from storage.store import SqlStore
from storage.tables import ReactionRow

T0 = datetime(2026, 6, 30, 9, 0, tzinfo=UTC)
REF = ChannelRef(Platform.SLACK, "T1", "C1")
PAPERS = [
    Paper(id=f"2607.{i:05d}", title=f"Paper {i}", abstract="We study reactions.")
    for i in range(1, 5)
]
Key = tuple[str, str, str]  # (person, paper id, emoji)


@dataclass(frozen=True)
class Event:
    key: Key
    ms: int  # when it happened, after T0
    added: bool
    event_id: str


@dataclass
class Figures:
    name: str
    keys: int
    events: int
    deliveries: int
    reordered: int
    wrong: int
    wrong_in_arrival_order: int

    def line(self) -> str:
        return (
            f"{self.name:<9} {self.keys:>5} keys {self.events:>5} events "
            f"{self.deliveries:>5} deliveries  reordered {self.reordered:>4}  "
            f"wrong keys {self.wrong:>3}  (arrival order: {self.wrong_in_arrival_order})"
        )


def latest(events: list[Event]) -> dict[Key, bool]:
    """Per key, the state its latest event implies (a removal wins a tie)."""
    best: dict[Key, tuple[int, bool]] = {}
    for e in events:
        ms, on = best.get(e.key, (e.ms, e.added))
        best[e.key] = (e.ms, e.added) if e.ms > ms else (ms, on and e.added)
    return {k: on for k, (_, on) in best.items()}


def arrival_order(deliveries: list[Event]) -> dict[Key, bool]:
    """Per key, the state the last delivery leaves when events are applied as they arrive."""
    state: dict[Key, bool] = {}
    seen: set[str] = set()
    for e in deliveries:
        if e.event_id not in seen:
            seen.add(e.event_id)
            state[e.key] = e.added
    return state


def reordered(deliveries: list[Event]) -> int:
    newest: dict[Key, int] = {}
    late = 0
    for e in deliveries:
        late += e.ms < newest.get(e.key, e.ms)
        newest[e.key] = max(newest.get(e.key, e.ms), e.ms)
    return late


def pairs_replay(pairs: int) -> list[Event]:
    out: list[Event] = []
    for n in range(pairs):
        key = (f"U{n}", PAPERS[n % len(PAPERS)].id, "+1")
        add = Event(key, 10 * n, True, f"add-{n}")
        out += [
            add,
            Event(key, 10 * n + 1, False, f"remove-{n}"),
            Event(key, add.ms, True, f"late-{n}"),
        ]
    return out


def shuffled_replay(keys: int, rng: random.Random) -> tuple[list[Event], list[Event]]:
    events: list[Event] = []
    for n in range(keys):
        key = (f"U{n % 7}", PAPERS[n % len(PAPERS)].id, ("+1", "-1", "heart")[n % 3])
        times = sorted(rng.sample(range(1000), rng.randint(2, 6)))
        events += [Event(key, ms, i % 2 == 0, f"k{n}-{i}") for i, ms in enumerate(times)]
    deliveries = events + rng.sample(events, len(events) // 3)
    rng.shuffle(deliveries)
    return events, deliveries


def replay(core: PaperBot, channel_id: int, deliveries: list[Event]) -> dict[Key, bool]:
    for e in deliveries:
        person, paper_id, emoji = e.key
        core.on_reaction(
            ReactionEvent(
                Platform.SLACK,
                REF.workspace,
                REF.channel,
                f"m-{paper_id}",
                person,
                emoji,
                e.added,
                event_id=e.event_id,
                at=T0 + timedelta(milliseconds=e.ms),
            )
        )
    store = core.store
    assert isinstance(store, SqlStore)
    with Session(store.engine) as s:
        rows = s.exec(select(ReactionRow).where(ReactionRow.channel_id == channel_id))
        return {(r.user_id, r.paper_id, r.emoji): r.active for r in rows}


def fresh_core(folder: Path, name: str) -> tuple[PaperBot, int]:
    url = f"sqlite:///{folder / name}.db"
    settings = Settings(_env_file=None, database_url=url, ranker="lexical")  # type: ignore[call-arg]
    store = SqlStore.open(url)
    core = PaperBot(store, FixedClock(T0), settings)
    core.ingest(PAPERS)
    channel = store.add_channel(REF, "lab", ChannelSettings(), now=T0)
    picks = [(ScoredPaper(p, 1.0, ()), "") for p in PAPERS]
    digest, _ = store.create_digest(channel.id, "d", picks, candidates=4, now=T0, watermark=T0)
    assert digest.id is not None
    for p in PAPERS:
        store.mark_item_posted(digest.id, p.id, f"m-{p.id}", now=T0)
    return core, channel.id


def measure(name: str, events: list[Event], deliveries: list[Event], folder: Path) -> Figures:
    core, channel_id = fresh_core(folder, name)
    try:
        stored = replay(core, channel_id, deliveries)
    finally:
        core.store.close()  # type: ignore[attr-defined]
    want = latest(events)
    arrived = arrival_order(deliveries)
    return Figures(
        name=name,
        keys=len(want),
        events=len(events),
        deliveries=len(deliveries),
        reordered=reordered(deliveries),
        wrong=sum(stored.get(k, False) != on for k, on in want.items()),
        wrong_in_arrival_order=sum(arrived.get(k, False) != on for k, on in want.items()),
    )


def reaction_reorder_figures(pairs: int = 60, keys: int = 40, seed: int = 7) -> list[Figures]:
    """The two replays against a real SQLite store; see the module docstring."""
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paired = pairs_replay(pairs)
        events = [e for e in paired if not e.event_id.startswith("late-")]
        shuffled_events, shuffled = shuffled_replay(keys, rng)
        return [
            measure("pairs", events, paired, folder),
            measure("shuffled", shuffled_events, shuffled, folder),
        ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pairs", type=int, default=60)
    parser.add_argument("--keys", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    for figures in reaction_reorder_figures(args.pairs, args.keys, args.seed):
        print(figures.line())


if __name__ == "__main__":
    main()
