"""Ranking quality on the shared protocol: ours (both tiers) against the four peers, on both dev
corpora (CS, and all fields of arXiv), categories visible and hidden, in one run.

    .venv/bin/python -m benchmarks.quality                   # both dev windows: writes docs/
    .venv/bin/python -m benchmarks.quality --window tune     # the tuning windows (weights tuned there)
    .venv/bin/python -m benchmarks.quality --corpus all --seeds 0 --modes hidden \
        --methods ours-default,ours-default-frozen           # a cheap slice while iterating

Only a full run (both corpora, every method, seed and view, dev windows) rewrites
`docs/benchmark-quality.md` and its plots; any other run writes to `benchmarks/out/`.
Needs the dev extra (scikit-learn, matplotlib); the embedding-based methods need the semantic
extra the first time (embeddings are cached under benchmarks/out/).
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from benchmarks.baselines import ArxivSanity, Keyword, Method, ScholarInbox, Zotero
from benchmarks.embed_cache import cached_embeddings
from benchmarks.protocol import (
    CORPORA,
    OUT,
    SEEDS,
    BenchChannel,
    Corpus,
    K,
    hide_categories,
    load_channels,
    load_days,
    reaction,
)
from benchmarks.quality_report import FROZEN, PEERS, Results, learning_table, plot, table
from bot.models import Paper
from bot.ranking import Profile, Ranker, Weights, build_batch
from bot.ranking.features import Batch

DOCS = Path(__file__).resolve().parent.parent / "docs"
TIMES: dict[str, list[float]] = defaultdict(list)
METHODS = (
    "keyword,arxiv-sanity,zotero,scholar,ours-default,ours-semantic,"
    "ours-default-frozen,ours-semantic-frozen"
)
EmbedFn = Callable[[Sequence[str]], np.ndarray]
BatchCache = dict[tuple[str, ...], Batch | None]


class Ours(Method):
    """PaperBot's ranker through its library API."""

    def __init__(
        self, name: str, ch: BenchChannel, ranker: Ranker, emb: dict[str, np.ndarray] | None
    ) -> None:
        self.name = name
        self.ranker = ranker
        self.emb = emb
        self.profile = Profile.from_phrases(ch.phrases)
        self.batch: Batch | None = None

    def rank(self, papers: Sequence[Paper]) -> list[int]:
        assert self.batch is not None
        start = time.perf_counter()
        digest = self.ranker.rank(self.profile, self.batch, k=K)
        TIMES[f"{self.name} rank"].append(time.perf_counter() - start)
        longer = self.ranker.rank(self.profile, self.batch, k=10)  # for nDCG@10 only
        ids = [s.paper.id for s in digest]
        ids += [s.paper.id for s in longer if s.paper.id not in ids]
        index = {p.id: i for i, p in enumerate(papers)}
        return [index[i] for i in ids[:10]]

    def react(self, paper: Paper, value: int) -> None:
        vec = self.emb.get(paper.id) if self.emb is not None else None
        start = time.perf_counter()
        self.profile.apply_reaction(paper, value, vec)
        TIMES[f"{self.name} reaction"].append(time.perf_counter() - start)


class Frozen(Ours):
    """Control: the same ranker never told a reaction. How far ours is above it is what
    learning adds; the control's own change over the window is how much harder or easier the
    days get for what the typed topics find."""

    def react(self, paper: Paper, value: int) -> None:
        pass


@dataclass
class Setup:
    """What every method of one corpus's window shares."""

    corpus: Corpus
    window: str
    days: list[tuple[object, list[Paper]]]
    channels: list[BenchChannel]
    emb: dict[str, np.ndarray] | None = None
    embed_fn: EmbedFn | None = None
    phrase_vecs: dict[str, np.ndarray] = field(default_factory=dict)


def setup(corpus: Corpus, window: str, methods: Sequence[str], only: Sequence[str] = ()) -> Setup:
    days: list[tuple[object, list[Paper]]] = list(
        load_days(corpus.start(window), path=corpus.data_path)
    )
    channels = load_channels(corpus.channels_path)
    if only:
        channels = [c for c in channels if c.name in only]
    out = Setup(corpus, window, days, channels)
    if any(m.removesuffix(FROZEN) in ("zotero", "scholar", "ours-semantic") for m in methods):
        from bot.ranking.semantic import load_embedder

        out.emb = cached_embeddings([p for _, ps in days for p in ps])
        embedder = load_embedder()
        assert embedder is not None
        out.embed_fn = embedder.embed
        out.phrase_vecs = {ch.name: embedder.embed(list(ch.phrases)) for ch in channels}
    return out


def run(
    corpus: Corpus,
    window: str,
    methods: Sequence[str],
    weights: Weights | None = None,
    modes: Sequence[str] = ("visible", "hidden"),
    seeds: Sequence[int] = SEEDS,
    cache: BatchCache | None = None,
    only: Sequence[str] = (),
) -> Results:
    """{mode/method: {metric: [per (seed, channel): per-day values]}}."""
    s = setup(corpus, window, methods, only)
    results: Results = {}
    for mode in modes:
        results.update(run_mode(s, mode, methods, weights, seeds, {} if cache is None else cache))
    return results


def run_mode(
    s: Setup,
    mode: str,
    methods: Sequence[str],
    weights: Weights | None,
    seeds: Sequence[int],
    cache: BatchCache,
) -> Results:
    hide = mode == "hidden"
    states: dict[tuple[str, int, BenchChannel], Method] = {}
    for seed in seeds:
        for ch in s.channels:
            for m in methods:
                if not (hide and m in PEERS):  # the peers read only words: same in both views
                    states[(m, seed, ch)] = _make(m, ch, weights, s)
    per: dict[tuple[str, int, str], dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for d, (_day, papers) in enumerate(s.days):
        shown = [hide_categories(p) for p in papers] if hide else papers
        batches = _batches(cache, (s.corpus.name, s.window, mode, str(d)), shown, s.emb)
        for (m, seed, ch), state in states.items():
            if isinstance(state, Ours):
                state.batch = batches[m.removesuffix(FROZEN)]
            _day_of(state, ch, seed, papers, shown, per[(m, seed, ch.name)])
    results: Results = {}
    for (m, _seed, _name), metrics in per.items():
        bucket = results.setdefault(f"{mode}/{m}", defaultdict(list))
        for key, values in metrics.items():
            bucket[key].append(values)
    return results


def _batches(
    cache: BatchCache,
    key: tuple[str, ...],
    shown: list[Paper],
    emb: dict[str, np.ndarray] | None,
) -> dict[str, Batch | None]:
    if (*key, "ours-default") not in cache:
        cache[(*key, "ours-default")] = build_batch(shown)
        cache[(*key, "ours-semantic")] = build_batch(shown, emb) if emb else None
    return {m: cache[(*key, m)] for m in ("ours-default", "ours-semantic")}


def _day_of(
    state: Method,
    ch: BenchChannel,
    seed: int,
    papers: list[Paper],
    shown: list[Paper],
    metrics: dict[str, list[float]],
) -> None:
    """One method's day for one channel: rank, score the posts, react to them."""
    order = state.rank(shown)
    rel = [ch.relevant(papers[i]) for i in order]
    n_rel = sum(ch.relevant(p) for p in papers)
    metrics["p5"].append(sum(rel[:K]) / K)
    metrics["hit5"].append(float(any(rel[:K])))
    metrics["oracle"].append(min(n_rel, K) / K)
    if n_rel:
        dcg = sum(1 / math.log2(r + 2) for r, ok in enumerate(rel[:10]) if ok)
        ideal = sum(1 / math.log2(r + 2) for r in range(min(n_rel, 10)))
        metrics["ndcg10"].append(dcg / ideal)
    else:
        metrics["ndcg10"].append(float("nan"))
    for i in order[:K]:
        value = reaction(seed, ch.name, papers[i].id, ch.relevant(papers[i]))
        if value:
            state.react(shown[i], value)
    state.end_day(shown)


def _make(m: str, ch: BenchChannel, weights: Weights | None, s: Setup) -> Method:
    if m == "keyword":
        return Keyword(ch.phrases)
    if m == "arxiv-sanity":
        return ArxivSanity(ch.phrases)
    if m in ("zotero", "scholar"):
        assert s.emb is not None
        peer = Zotero if m == "zotero" else ScholarInbox
        return peer(s.phrase_vecs[ch.name], s.emb)
    kind = Frozen if m.endswith(FROZEN) else Ours
    if m.removesuffix(FROZEN) == "ours-default":
        return kind(m, ch, _ranker(weights, None), None)
    if m.removesuffix(FROZEN) == "ours-semantic":
        return kind(m, ch, _ranker(weights, s.embed_fn), s.emb)
    raise ValueError(m)


_RANKERS: dict[tuple[Weights, bool], Ranker] = {}


def _ranker(weights: Weights | None, embed_fn: EmbedFn | None) -> Ranker:
    # keyed by the weights' values: an id could be reused by the next run's weights
    key = (weights or Weights(), embed_fn is not None)
    if key not in _RANKERS:
        _RANKERS[key] = Ranker(weights, embed=embed_fn)
    return _RANKERS[key]


def report(corpus: Corpus, window: str, results: Results, n_channels: int) -> str:
    start = corpus.start(window).isoformat()
    return (
        f"## {corpus.title}: {window} window (20 days from {start}, {n_channels} channels, "
        f"`{corpus.channels}`)\n\n{table(results)}\n\n"
        "What learning adds over the same ranker never told a reaction (P@5, days 11-20):\n\n"
        f"{learning_table(results)}\n"
    )


def with_weights(settings: Sequence[str]) -> Weights | None:
    """`Weights` with `name=value` changes (typed like the defaults), or None for none."""
    if not settings:
        return None
    base = Weights()
    changes: dict[str, object] = {}
    for item in settings:
        name, value = item.split("=", 1)
        kind = type(getattr(base, name))
        changes[name] = value.lower() in ("1", "true") if kind is bool else kind(value)
    return replace(base, **changes)  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--window", choices=["tune", "dev"], default="dev")
    parser.add_argument("--corpus", default="cs,all", help="cs, all or both (cs,all)")
    parser.add_argument("--methods", default=METHODS)
    parser.add_argument("--seeds", default=",".join(map(str, SEEDS)))
    parser.add_argument("--modes", default="visible,hidden")
    parser.add_argument("--channels", default="", help="only these channels (names)")
    parser.add_argument(
        "--set", action="append", default=[], help="a weight for this run: name=value (sweeps)"
    )
    args = parser.parse_args()
    weights = with_weights(args.set)
    names = args.corpus.split(",")
    methods, modes = args.methods.split(","), args.modes.split(",")
    seeds = [int(x) for x in args.seeds.split(",")]
    only = [c for c in args.channels.split(",") if c]
    full = (
        args.window == "dev" and sorted(names) == ["all", "cs"] and args.methods == METHODS
    ) and (seeds == list(SEEDS) and modes == ["visible", "hidden"] and not (only or args.set))
    started = time.perf_counter()
    sections = []
    OUT.mkdir(exist_ok=True)
    for name in names:
        corpus = CORPORA[name]
        results = run(corpus, args.window, methods, weights, modes=modes, seeds=seeds, only=only)
        n_channels = len(next(iter(results.values()))["p5"]) // len(seeds)
        sections.append(report(corpus, args.window, results, n_channels))
        print(sections[-1], flush=True)
        (OUT / f"quality-{name}-{args.window}.json").write_text(json.dumps(results))
        suffix = "" if name == "cs" else f"-{name}"
        target = DOCS if full else OUT
        plot(results, target / f"benchmark-quality{suffix}.png", corpus.title)
    timing = "\n".join(
        f"- {key}: median {1000 * float(np.median(v)):.2f} ms over {len(v)} calls"
        for key, v in sorted(TIMES.items())
    )
    print(timing)
    print(f"({time.perf_counter() - started:.0f} s)")
    if full:
        (DOCS / "benchmark-quality.md").write_text(
            "# Ranking quality on the two dev corpora (seeds 0-2, k = 5)\n\n"
            "Regenerate: `.venv/bin/python -m benchmarks.quality` (protocol: "
            "`../shared/docs/BENCHMARK.md`). Plots: `benchmark-quality.png` (CS), "
            "`benchmark-quality-all.png` (all fields).\n\n"
            + "\n".join(sections)
            + f"\nTiming (ours, this run):\n{timing}\n"
        )


if __name__ == "__main__":
    main()
