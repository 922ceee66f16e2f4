"""Ranking quality on the shared protocol: ours (both tiers) against the four peers.

    .venv/bin/python -m benchmarks.quality                 # dev window, writes docs/benchmark-*.{md,png}
    .venv/bin/python -m benchmarks.quality --window tune   # the tuning window (2026-02-02)

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
from pathlib import Path

import numpy as np

from benchmarks.baselines import ArxivSanity, Keyword, Method, ScholarInbox, Zotero
from benchmarks.embed_cache import cached_embeddings
from benchmarks.protocol import (
    DEV_START,
    OUT,
    SEEDS,
    TUNE_START,
    BenchChannel,
    K,
    hide_categories,
    load_channels,
    load_days,
    reaction,
)
from bot.models import Paper
from bot.ranking import Profile, Ranker, Weights, build_batch
from bot.ranking.features import Batch

DOCS = Path(__file__).resolve().parent.parent / "docs"
TIMES: dict[str, list[float]] = defaultdict(list)


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
    """Control: the same ranker never told a reaction. How far ours is above it, as a share of
    the oracle, is what learning adds; the control's own change over the window is how much
    harder or easier the days get for what the typed topics find."""

    def react(self, paper: Paper, value: int) -> None:
        pass


FROZEN = "-frozen"


def run(
    window: str,
    methods: Sequence[str],
    weights: Weights | None = None,
    modes: Sequence[str] = ("visible", "hidden"),
    seeds: Sequence[int] = SEEDS,
    cache: dict[tuple[str, int, str], Batch | None] | None = None,
) -> dict[str, dict[str, list[list[float]]]]:
    """{mode/method: {metric: [per (seed, channel): per-day values]}}."""
    start = TUNE_START if window == "tune" else DEV_START
    days = load_days(start)
    channels = load_channels()
    all_papers = [p for _, ps in days for p in ps]
    need_emb = any(
        m.removesuffix(FROZEN) in ("zotero", "scholar", "ours-semantic") for m in methods
    )
    emb = cached_embeddings(all_papers) if need_emb else None
    embed_fn: Callable[[Sequence[str]], np.ndarray] | None = None
    if need_emb:
        from bot.ranking.semantic import load_embedder

        embedder = load_embedder()
        assert embedder is not None
        embed_fn = embedder.embed
        phrase_vecs = {ch.name: embedder.embed(list(ch.phrases)) for ch in channels}
    results: dict[str, dict[str, list[list[float]]]] = {}
    for mode in modes:
        hide = mode == "hidden"
        states: dict[tuple[str, int, str], Method] = {}
        for seed in seeds:
            for ch in channels:
                for m in methods:
                    if hide and m in ("keyword", "arxiv-sanity", "zotero", "scholar"):
                        continue  # the peers read only words: same figures in both modes
                    states[(m, seed, ch.name)] = _make(
                        m, ch, weights, emb, embed_fn, phrase_vecs if need_emb else {}
                    )
        per: dict[tuple[str, int, str], dict[str, list[float]]] = defaultdict(
            lambda: defaultdict(list)
        )
        cache = {} if cache is None else cache
        for d, (_day, papers) in enumerate(days):
            shown = [hide_categories(p) for p in papers] if hide else papers
            if (mode, d, "ours-default") not in cache:
                cache[(mode, d, "ours-default")] = build_batch(shown)
                cache[(mode, d, "ours-semantic")] = build_batch(shown, emb) if emb else None
            batches = {m: cache[(mode, d, m)] for m in ("ours-default", "ours-semantic")}
            for (m, seed, name), state in states.items():
                ch = next(c for c in channels if c.name == name)
                if isinstance(state, Ours):
                    state.batch = batches[m.removesuffix(FROZEN)]
                order = state.rank(shown)
                rel = [ch.relevant(papers[i]) for i in order]
                n_rel = sum(ch.relevant(p) for p in papers)
                metrics = per[(m, seed, name)]
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
                    value = reaction(seed, name, papers[i].id, ch.relevant(papers[i]))
                    if value:
                        state.react(shown[i], value)
                state.end_day(shown)
        for (m, _seed, _name), metrics in per.items():
            bucket = results.setdefault(f"{mode}/{m}", defaultdict(list))
            for key, values in metrics.items():
                bucket[key].append(values)
    return results


def _make(
    m: str,
    ch: BenchChannel,
    weights: Weights | None,
    emb: dict[str, np.ndarray] | None,
    embed_fn: Callable[[Sequence[str]], np.ndarray] | None,
    phrase_vecs: dict[str, np.ndarray],
) -> Method:
    if m == "keyword":
        return Keyword(ch.phrases)
    if m == "arxiv-sanity":
        return ArxivSanity(ch.phrases)
    if m == "zotero":
        assert emb is not None
        return Zotero(phrase_vecs[ch.name], emb)
    if m == "scholar":
        assert emb is not None
        return ScholarInbox(phrase_vecs[ch.name], emb)
    kind = Frozen if m.endswith(FROZEN) else Ours
    if m.removesuffix(FROZEN) == "ours-default":
        return kind(m, ch, _ranker(weights, None), None)
    if m.removesuffix(FROZEN) == "ours-semantic":
        return kind(m, ch, _ranker(weights, embed_fn), emb)
    raise ValueError(m)


_RANKERS: dict[tuple[Weights, bool], Ranker] = {}


def _ranker(
    weights: Weights | None, embed_fn: Callable[[Sequence[str]], np.ndarray] | None
) -> Ranker:
    # keyed by the weights' values: an id could be reused by the next run's weights
    key = (weights or Weights(), embed_fn is not None)
    if key not in _RANKERS:
        _RANKERS[key] = Ranker(weights, embed=embed_fn)
    return _RANKERS[key]


def summarize(values: list[list[float]], days: slice) -> float:
    per_channel = [np.nanmean(v[days]) for v in values if not np.all(np.isnan(v[days]))]
    return float(np.mean(per_channel))


SLICES = {
    "day 1": slice(0, 1),
    "days 1-5": slice(0, 5),
    "last 5": slice(-5, None),
    "all": slice(None),
}


def table(results: dict[str, dict[str, list[list[float]]]]) -> str:
    lines = [
        "| categories | method | P@5 day 1 | P@5 days 1-5 | P@5 last 5 | P@5 all | nDCG@10 all | hit@5 all | last-5 vs first-5 (share of oracle) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    oracle_done = False
    for key, metrics in results.items():
        mode, method = key.split("/")
        if not oracle_done:
            o = [summarize(metrics["oracle"], s) for s in SLICES.values()]
            lines.append(
                f"| any | oracle | {o[0]:.3f} | {o[1]:.3f} | {o[2]:.3f} | {o[3]:.3f} | 1.000 | - | - |"
            )
            oracle_done = True
        p = [summarize(metrics["p5"], s) for s in SLICES.values()]
        first = p[1] / summarize(metrics["oracle"], SLICES["days 1-5"])
        last = p[2] / summarize(metrics["oracle"], SLICES["last 5"])
        label = (
            "any (words only)"
            if method in ("keyword", "arxiv-sanity", "zotero", "scholar")
            else mode
        )
        lines.append(
            f"| {label} | {NAMES.get(method, method)} | {p[0]:.3f} | {p[1]:.3f} | {p[2]:.3f} | {p[3]:.3f} | "
            f"{summarize(metrics['ndcg10'], SLICES['all']):.3f} | {summarize(metrics['hit5'], SLICES['all']):.3f} | "
            f"{first:.2f} → {last:.2f} |"
        )
    return "\n".join(lines)


NAMES = {
    "keyword": "keyword",
    "arxiv-sanity": "arxiv-sanity-lite",
    "zotero": "zotero-arxiv-daily",
    "scholar": "Scholar-Inbox-like",
    "ours-default": "PaperBot default (no embeddings)",
    "ours-semantic": "PaperBot semantic",
    "ours-default-frozen": "control: PaperBot default, never learns",
    "ours-semantic-frozen": "control: PaperBot semantic, never learns",
}


def learning_table(results: dict[str, dict[str, list[list[float]]]]) -> str:
    """What learning adds: ours minus its never-learning control, as shares of the oracle."""
    lines = [
        "| categories | method | share of oracle, days 1-5 / last 5 | control (never learns) | learning adds |",
        "|---|---|---|---|---|",
    ]
    for key, metrics in results.items():
        control = results.get(key + FROZEN)
        if control is None:
            continue
        mode, method = key.split("/")
        ours = [_share(metrics, s) for s in ("days 1-5", "last 5")]
        base = [_share(control, s) for s in ("days 1-5", "last 5")]
        lines.append(
            f"| {mode} | {NAMES.get(method, method)} | {ours[0]:.2f} / {ours[1]:.2f} | "
            f"{base[0]:.2f} / {base[1]:.2f} | "
            f"{ours[0] - base[0]:+.2f} / {ours[1] - base[1]:+.2f} |"
        )
    return "\n".join(lines)


def _share(metrics: dict[str, list[list[float]]], days: str) -> float:
    return summarize(metrics["p5"], SLICES[days]) / summarize(metrics["oracle"], SLICES[days])


def plot(results: dict[str, dict[str, list[list[float]]]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(12, 5.2), sharey=True)
    for ax, mode in zip(axes, ("visible", "hidden"), strict=True):
        oracle = None
        for key, metrics in results.items():
            m_mode, method = key.split("/")
            if method.endswith(FROZEN):
                continue  # the controls are in the tables
            if m_mode != mode and not (
                mode == "hidden" and method in ("keyword", "arxiv-sanity", "zotero", "scholar")
            ):
                continue
            curve = np.mean(np.array(metrics["p5"]), axis=0)
            ax.plot(range(1, len(curve) + 1), curve, label=NAMES.get(method, method), marker=".")
            oracle = np.mean(np.array(metrics["oracle"]), axis=0)
        if oracle is not None:
            ax.plot(range(1, len(oracle) + 1), oracle, "k--", label="oracle")
        ax.set_title(f"categories {'visible' if mode == 'visible' else 'hidden (text only)'}")
        ax.set_xlabel("announcement day")
        ax.set_xticks(range(1, 21, 2))
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("P@5 (mean over channels and seeds)")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=4, fontsize=8)
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    fig.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--window", choices=["tune", "dev"], default="dev")
    parser.add_argument(
        "--methods",
        default="keyword,arxiv-sanity,zotero,scholar,ours-default,ours-semantic,"
        "ours-default-frozen,ours-semantic-frozen",
    )
    args = parser.parse_args()
    methods = args.methods.split(",")
    started = time.perf_counter()
    results = run(args.window, methods)
    text = table(results) + "\n\nWhat learning adds over the same ranker never told a reaction:\n\n"
    text += learning_table(results)
    timing = "\n".join(
        f"- {key}: median {1000 * float(np.median(v)):.2f} ms over {len(v)} calls"
        for key, v in sorted(TIMES.items())
    )
    print(text)
    print(timing)
    print(f"({time.perf_counter() - started:.0f} s)")
    OUT.mkdir(exist_ok=True)
    (OUT / f"quality-{args.window}.json").write_text(json.dumps(results))
    if args.window == "dev":
        DOCS.mkdir(exist_ok=True)
        (DOCS / "benchmark-quality.md").write_text(
            "# Ranking quality, dev window (20 days from 2026-04-01, 13 channels, seeds 0-2)\n\n"
            "Regenerate: `.venv/bin/python -m benchmarks.quality` (protocol: BENCHMARK.md).\n\n"
            f"{text}\n\nTiming (ours, this run):\n{timing}\n"
        )
        plot(results, DOCS / "benchmark-quality.png")
    else:
        plot(results, OUT / f"quality-{args.window}.png")


if __name__ == "__main__":
    main()
