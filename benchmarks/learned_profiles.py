"""A channel's profile before a digest: rebuilt from every opinion vs kept and updated.

    .venv/bin/python -m benchmarks.learned_profiles [--opinions 40 200 1000]

Learning only (`bot.feedback.learned.LearnedProfiles`, papers from the bundled sample, no
embeddings): the store's reads of the opinions and the changed papers are not included.
Prints the median of 20 runs for a rebuild, for one new opinion and for no change.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Mapping
from functools import partial

import numpy as np

from bot.feedback.learned import LearnedProfiles, Opinion
from bot.models import Channel, ChannelRef, Interest, InterestKind, Paper, Platform
from bot.ranking import Profile
from bot.sources.sample import load_sample

RUNS = 20


def _median_ms(run: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def _rebuilt(
    channel: Channel,
    opinions: list[Opinion],
    papers: Callable[[list[str]], Mapping[str, Paper]],
    vectors: Callable[[list[Paper]], Mapping[str, np.ndarray]],
) -> Profile:
    return LearnedProfiles().profile(channel, opinions, papers, vectors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--opinions", type=int, nargs="+", default=[40, 200, 1000])
    args = parser.parse_args()
    papers = {p.id: p for p in load_sample().papers}
    ids = sorted(papers)
    channel = Channel(
        id=1,
        ref=ChannelRef(Platform.CONSOLE, "lab", "papers"),
        name="papers",
        interests=(Interest(InterestKind.TOPIC, "robot manipulation"),),
    )

    def lookup(wanted: list[str]) -> dict[str, Paper]:
        return {i: papers[i] for i in wanted if i in papers}

    def no_vectors(_: list[Paper]) -> dict[str, np.ndarray]:
        return {}

    print(f"bundled sample: {len(papers)} papers; learning only, median of {RUNS} runs")
    for n in args.opinions:
        opinions: list[Opinion] = [(ids[i % len(ids)], 1 if i % 3 else -1) for i in range(n)]
        more = [*opinions, (ids[n % len(ids)], 1)]
        rebuild = _median_ms(partial(_rebuilt, channel, opinions, lookup, no_vectors))
        kept = LearnedProfiles()
        added = []
        for _ in range(RUNS):
            kept.profile(channel, opinions, lookup, no_vectors)  # back to n opinions
            start = time.perf_counter()
            kept.profile(channel, more, lookup, no_vectors)
            added.append(time.perf_counter() - start)
        same = _median_ms(partial(kept.profile, channel, more, lookup, no_vectors))
        print(
            f"{n:5d} opinions: rebuilt {rebuild:7.2f} ms · kept, one new opinion "
            f"{1000 * statistics.median(added):5.2f} ms · kept, unchanged {same:5.2f} ms"
        )


if __name__ == "__main__":
    main()
