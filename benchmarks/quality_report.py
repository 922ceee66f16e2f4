"""Tables and learning-curve plots of `benchmarks.quality` results."""

from __future__ import annotations

from pathlib import Path

import numpy as np

Results = dict[str, dict[str, list[list[float]]]]  # {mode/method: {metric: per run: per day}}

PEERS = ("keyword", "arxiv-sanity", "zotero", "scholar")
FROZEN = "-frozen"
NAMES = {
    "random": "random",
    "keyword": "keyword",
    "arxiv-sanity": "arxiv-sanity-lite",
    "zotero": "zotero-arxiv-daily",
    "scholar": "Scholar-Inbox-like",
    "ours-default": "PaperBot default (no embeddings)",
    "ours-semantic": "PaperBot semantic",
    "ours-default-frozen": "control: PaperBot default, never learns",
    "ours-semantic-frozen": "control: PaperBot semantic, never learns",
}
SLICES = {
    "day 1": slice(0, 1),
    "days 1-5": slice(0, 5),
    "days 11-20": slice(10, 20),
    "last 5": slice(-5, None),
    "all": slice(None),
}


def summarize(values: list[list[float]], days: slice) -> float:
    """Mean over days per (seed, channel), then over them (days without a value skipped)."""
    per_channel = [np.nanmean(v[days]) for v in values if not np.all(np.isnan(v[days]))]
    return float(np.mean(per_channel))


def p5(results: Results, key: str, days: str) -> float:
    return summarize(results[key]["p5"], SLICES[days])


def table(results: Results) -> str:
    lines = [
        "| categories | method | P@5 day 1 | P@5 days 1-5 | P@5 days 11-20 | P@5 last 5 | P@5 all "
        "| nDCG@10 all | hit@5 all |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    first = next(iter(results.values()))
    o = [summarize(first["oracle"], s) for s in SLICES.values()]
    lines.append("| any | oracle | " + " | ".join(f"{v:.3f}" for v in o) + " | 1.000 | - |")
    for key, metrics in results.items():
        mode, method = key.split("/")
        p = [summarize(metrics["p5"], s) for s in SLICES.values()]
        label = "any (words only)" if method in PEERS else mode
        lines.append(
            f"| {label} | {NAMES.get(method, method)} | "
            + " | ".join(f"{v:.3f}" for v in p)
            + f" | {summarize(metrics['ndcg10'], SLICES['all']):.3f}"
            + f" | {summarize(metrics['hit5'], SLICES['all']):.3f} |"
        )
    return "\n".join(lines)


def learning_table(results: Results) -> str:
    """What learning adds: ours minus the same ranker never told a reaction, days 11-20."""
    lines = [
        "| categories | method | P@5 days 11-20 | control (never learns) | learning adds "
        "| share of oracle, days 1-5 → last 5 (control) |",
        "|---|---|---|---|---|---|",
    ]
    for key in results:
        control = key + FROZEN
        if control not in results:
            continue
        mode, method = key.split("/")
        ours, base = p5(results, key, "days 11-20"), p5(results, control, "days 11-20")
        share = [_share(results, k, d) for k in (key, control) for d in ("days 1-5", "last 5")]
        lines.append(
            f"| {mode} | {NAMES.get(method, method)} | {ours:.3f} | {base:.3f} | "
            f"{ours - base:+.3f} | {share[0]:.2f} → {share[1]:.2f} "
            f"({share[2]:.2f} → {share[3]:.2f}) |"
        )
    return "\n".join(lines)


def _share(results: Results, key: str, days: str) -> float:
    metrics = results[key]
    return summarize(metrics["p5"], SLICES[days]) / summarize(metrics["oracle"], SLICES[days])


def plot(results: Results, path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(12, 5.2), sharey=True)
    for ax, mode in zip(axes, ("visible", "hidden"), strict=True):
        oracle = None
        for key, metrics in results.items():
            m_mode, method = key.split("/")
            if method.endswith(FROZEN) or (m_mode != mode and method not in PEERS):
                continue  # the controls are in the tables; peers read words in both views
            curve = np.mean(np.array(metrics["p5"]), axis=0)
            ax.plot(range(1, len(curve) + 1), curve, label=NAMES.get(method, method), marker=".")
            oracle = np.mean(np.array(metrics["oracle"]), axis=0)
        if oracle is not None:
            ax.plot(range(1, len(oracle) + 1), oracle, "k--", label="oracle")
        ax.set_title(
            f"{title}: categories {'visible' if mode == 'visible' else 'hidden (text only)'}"
        )
        ax.set_xlabel("announcement day")
        ax.set_xticks(range(1, 21, 2))
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("P@5 (mean over channels and seeds)")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=4, fontsize=8)
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)
