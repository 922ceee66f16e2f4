"""Ranking throughput: 2,000 new papers for 10,000 channels with learned profiles.

    .venv/bin/python -m benchmarks.ranking_speed [--channels 10000] [--papers 2000] [--semantic]

Embedding computation is excluded (random unit vectors stand in for the cached embeddings).
The corpus lists no authors, so every paper gets 2-8 synthetic ones (a skewed pool of 30,000
names): the learned profiles then carry author affinities, as in production. A third of the
channels exclude a keyword and follow an author. Each timed run ranks freshly restored profiles
(as the bot restores them before a digest), so nothing is cached from the previous run; a
restored profile holds its learned words, categories and authors as lookup arrays (built on
restore and after each reaction), and the restore is timed on its own line. Prints the time to
build the day's features, to restore the profiles, to rank every channel (top 5 with MMR and
reasons), to apply one reaction, the size of a learned state and the peak memory. Channels rank
one at a time, as the digest does (`Ranker.rank`).
"""

from __future__ import annotations

import argparse
import resource
import time
from dataclasses import replace

import numpy as np

from benchmarks.protocol import DEV_START, load_channels, load_days
from bot.ranking import Profile, Ranker, build_batch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--channels", type=int, default=10_000)
    parser.add_argument("--papers", type=int, default=2_000)
    parser.add_argument("--reactions", type=int, default=40, help="opinions per learned profile")
    parser.add_argument("--semantic", action="store_true", help="384-d embeddings in the score")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs (the median is shown)")
    parser.add_argument("--profile", action="store_true", help="cProfile one run instead")
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    days = load_days(DEV_START)
    history = [p for _, ps in days[:10] for p in ps]
    pool = [p for _, ps in days[10:] for p in ps]
    papers = [pool[i % len(pool)] for i in range(args.papers)]
    papers = [p if i < len(pool) else _copy(p, i) for i, p in enumerate(papers)]
    names = [f"Author {i}" for i in range(30_000)]
    weights = 1 / np.arange(1, len(names) + 1) ** 0.8
    weights /= weights.sum()

    def with_authors(paper):  # type: ignore[no-untyped-def]
        picked = rng.choice(len(names), size=int(rng.integers(2, 9)), replace=False, p=weights)
        return replace(paper, authors=tuple(names[int(i)] for i in picked))

    history = [with_authors(p) for p in history]
    papers = [with_authors(p) for p in papers]
    dim = 384
    emb = {p.id: _unit(rng, dim) for p in [*papers, *history]} if args.semantic else None
    channels = load_channels()

    # 100 distinct learned profiles, cloned (through JSON) to the requested number of channels
    distinct = []
    reaction_times = []
    for i in range(100):
        ch = channels[i % len(channels)]
        extra = i % 3 == 0
        profile = Profile.from_phrases(
            ch.phrases,
            excludes=[EXCLUDES[i % len(EXCLUDES)]] if extra else [],
            authors=[names[i * 7]] if extra else [],
        )
        for j in rng.choice(len(history), size=args.reactions, replace=False):
            paper = history[int(j)]
            value = 1 if ch_relevant(ch.categories, paper.categories) or rng.random() < 0.2 else -1
            start = time.perf_counter()
            profile.apply_reaction(paper, value, emb[paper.id] if emb else None)
            reaction_times.append(time.perf_counter() - start)
        distinct.append(profile.to_json())

    def restored() -> list[Profile]:
        return [Profile.from_json(distinct[i % len(distinct)]) for i in range(args.channels)]

    embed = (lambda texts: np.stack([_unit(rng, dim) for _ in texts])) if args.semantic else None
    ranker = Ranker(embed=embed)
    start = time.perf_counter()
    batch = build_batch(papers, emb)
    build_s = time.perf_counter() - start
    for profile in restored()[:100]:  # warm-up (phrase vectors)
        ranker.rank(profile, batch, k=5)
    if args.profile:
        import cProfile
        import pstats

        profiles = restored()
        with cProfile.Profile() as prof:
            for profile in profiles:
                ranker.rank(profile, batch, k=5)
        pstats.Stats(prof).sort_stats("tottime").print_stats(30)
        return
    rank_times, restore_times = [], []
    for _ in range(args.repeat):
        start = time.perf_counter()
        profiles = restored()
        restore_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        picks = [ranker.rank(profile, batch, k=5) for profile in profiles]
        rank_times.append(time.perf_counter() - start)
    rank_s = float(np.median(rank_times))
    assert len(picks) == len(profiles) and all(len(p) == 5 for p in picks)
    sizes = [len(s.encode()) for s in distinct]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tier = "semantic (384-d)" if args.semantic else "default (no embeddings)"
    print(f"tier: {tier}; {args.papers} papers x {args.channels} channels")
    print(f"day features (tokenise, BM25, categories): {build_s:.2f} s, once per day")
    runs = f"median of {args.repeat}"
    print(
        f"restore the profiles (JSON -> profile with lookup arrays): "
        f"{np.median(restore_times):.2f} s ({runs}; before ranking, not in its time)"
    )
    print(f"rank all channels (scores, top 5 with MMR and reasons): {rank_s:.2f} s ({runs})")
    print(
        f"apply one reaction: median {1000 * np.median(reaction_times):.3f} ms, "
        f"p99 {1000 * np.percentile(reaction_times, 99):.3f} ms, max {1000 * max(reaction_times):.3f} ms"
    )
    print(
        f"learned state ({args.reactions} opinions): median {np.median(sizes) / 1024:.1f} KB, max {max(sizes) / 1024:.1f} KB"
    )
    print(f"peak memory (RSS): {peak_mb:.0f} MB")


EXCLUDES = ["survey", "GAN", "medical", "benchmark", "quantum", "federated learning"]


def ch_relevant(wanted: tuple[str, ...], cats: tuple[str, ...]) -> bool:
    return any(c == w or c.startswith(w + ".") for c in cats for w in wanted)


def _unit(rng: np.random.Generator, dim: int) -> np.ndarray:
    v = rng.normal(size=dim)
    return v / np.linalg.norm(v)


def _copy(paper, i):  # type: ignore[no-untyped-def]
    return replace(paper, id=f"{paper.id}-{i}")


if __name__ == "__main__":
    main()
