"""Ranking throughput: 2,000 new papers for 10,000 channels with learned profiles.

    .venv/bin/python -m benchmarks.ranking_speed [--channels 10000] [--papers 2000] [--semantic]

Embedding computation is excluded (random unit vectors stand in for the cached embeddings).
Prints the time to build the day's features, to rank every channel (top 5 with MMR and
reasons), to apply one reaction, the size of a learned state and the peak memory.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

from benchmarks.protocol import DEV_START, load_channels, load_days
from bot.ranking import Profile, Ranker, build_batch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--channels", type=int, default=10_000)
    parser.add_argument("--papers", type=int, default=2_000)
    parser.add_argument("--reactions", type=int, default=40, help="opinions per learned profile")
    parser.add_argument("--semantic", action="store_true", help="384-d embeddings in the score")
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    days = load_days(DEV_START)
    history = [p for _, ps in days[:10] for p in ps]
    pool = [p for _, ps in days[10:] for p in ps]
    papers = [pool[i % len(pool)] for i in range(args.papers)]
    papers = [p if i < len(pool) else _copy(p, i) for i, p in enumerate(papers)]
    dim = 384
    emb = {p.id: _unit(rng, dim) for p in [*papers, *history]} if args.semantic else None
    channels = load_channels()

    # 100 distinct learned profiles, cloned (through JSON) to the requested number of channels
    distinct = []
    reaction_times = []
    for i in range(100):
        ch = channels[i % len(channels)]
        profile = Profile.from_phrases(ch.phrases)
        for j in rng.choice(len(history), size=args.reactions, replace=False):
            paper = history[int(j)]
            value = 1 if ch_relevant(ch.categories, paper.categories) or rng.random() < 0.2 else -1
            start = time.perf_counter()
            profile.apply_reaction(paper, value, emb[paper.id] if emb else None)
            reaction_times.append(time.perf_counter() - start)
        distinct.append(profile.to_json())
    profiles = [Profile.from_json(distinct[i % len(distinct)]) for i in range(args.channels)]

    embed = (lambda texts: np.stack([_unit(rng, dim) for _ in texts])) if args.semantic else None
    ranker = Ranker(embed=embed)
    start = time.perf_counter()
    batch = build_batch(papers, emb)
    build_s = time.perf_counter() - start
    ranker.rank_many(profiles[:10], batch, k=5)  # warm-up (phrase vectors)
    start = time.perf_counter()
    bare = ranker.rank_many(profiles, batch, k=5, explain=False)
    bare_s = time.perf_counter() - start
    start = time.perf_counter()
    picks = ranker.rank_many(profiles, batch, k=5)
    rank_s = time.perf_counter() - start
    assert [s.paper.id for s in bare[0]] == [s.paper.id for s in picks[0]]
    assert len(picks) == len(profiles) and all(len(p) == 5 for p in picks)
    sizes = [len(s.encode()) for s in distinct]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tier = "semantic (384-d)" if args.semantic else "default (no embeddings)"
    print(f"tier: {tier}; {args.papers} papers x {args.channels} channels")
    print(f"day features (tokenise, BM25, categories): {build_s:.2f} s, once per day")
    print(f"rank all channels (scores, top 5 with MMR): {bare_s:.2f} s")
    print(f"  ... and the reasons for every pick:       {rank_s:.2f} s")
    print(
        f"apply one reaction: median {1000 * np.median(reaction_times):.3f} ms, max {1000 * max(reaction_times):.3f} ms"
    )
    print(
        f"learned state ({args.reactions} opinions): median {np.median(sizes) / 1024:.1f} KB, max {max(sizes) / 1024:.1f} KB"
    )
    print(f"peak memory (RSS): {peak_mb:.0f} MB")


def ch_relevant(wanted: tuple[str, ...], cats: tuple[str, ...]) -> bool:
    return any(c == w or c.startswith(w + ".") for c in cats for w in wanted)


def _unit(rng: np.random.Generator, dim: int) -> np.ndarray:
    v = rng.normal(size=dim)
    return v / np.linalg.norm(v)


def _copy(paper, i):  # type: ignore[no-untyped-def]
    from dataclasses import replace

    return replace(paper, id=f"{paper.id}-{i}")


if __name__ == "__main__":
    main()
