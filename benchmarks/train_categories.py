"""Train the arXiv category model shipped in `bot/data/category_model.npz`.

    .venv/bin/python -m benchmarks.train_categories

Papers from sources without categories get their likely arXiv categories from this model (see
`bot.ranking.categorizer`), so category subscriptions and learned category affinities reach
them too. One-vs-rest logistic regression on the ranker's own words and bigrams (sublinear
tf-idf), trained on the shared arXiv CS metadata (CC0) announced before TRAIN_BEFORE only: that
keeps the tuning window (2026-02-02), the dev window (2026-04-01) and everything later out of
training. Per-category decision thresholds maximise F1 on the last 15% of the training period.
Needs the dev extra (scikit-learn). Prints precision, recall and F1 on that validation part.
"""

from __future__ import annotations

import gzip
import json
import math
import time
from collections import Counter
from datetime import date
from pathlib import Path

import numpy as np
from scipy import sparse

from benchmarks.protocol import DATA
from bot.models import Paper
from bot.ranking.categorizer import MODEL_PATH
from bot.ranking.features import paper_terms

TRAIN_BEFORE = date(2026, 1, 19)  # two weeks before the tuning window
MIN_DF = 5
MAX_VOCAB = 30_000
MIN_POSITIVES = 40
VALIDATION = 0.15
C = 1.0  # best macro F1 on the validation part among 0.5, 1, 2, 8, 32


def load(before: date) -> list[tuple[Paper, date]]:
    out = []
    with gzip.open(DATA, "rt", encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            day = date.fromisoformat(d["date"])
            if day >= before:
                continue
            cats = tuple(d.get("categories", ())) or (d.get("primary_category"),)
            paper = Paper(
                id=d["id"], title=d["title"], abstract=d.get("abstract", ""), categories=cats
            )
            out.append((paper, day))
    out.sort(key=lambda pd: (pd[1], pd[0].id))
    return out


def features(
    counts: list[Counter[str]], vocab: dict[str, int], idf: np.ndarray
) -> sparse.csr_matrix:
    rows, cols, vals = [], [], []
    for i, c in enumerate(counts):
        for term, n in c.items():
            j = vocab.get(term)
            if j is not None:
                rows.append(i)
                cols.append(j)
                vals.append((1.0 + math.log(n)) * idf[j])
    x = sparse.csr_matrix((vals, (rows, cols)), shape=(len(counts), len(vocab)))
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    return sparse.csr_matrix(sparse.diags(1 / np.maximum(norms, 1e-12)) @ x)


def main() -> None:
    import argparse

    from sklearn.linear_model import LogisticRegression

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--C", type=float, default=C, help="inverse regularisation strength")
    parser.add_argument("--dry-run", action="store_true", help="print figures, write nothing")
    args = parser.parse_args()
    started = time.perf_counter()
    data = load(TRAIN_BEFORE)
    papers = [p for p, _ in data]
    counts = [paper_terms(p) for p in papers]
    split = int(len(papers) * (1 - VALIDATION))
    df: Counter[str] = Counter()
    for c in counts[:split]:
        df.update(c.keys())
    terms = sorted((t for t, n in df.items() if n >= MIN_DF), key=lambda t: (-df[t], t))
    terms = terms[:MAX_VOCAB]
    vocab = {t: i for i, t in enumerate(terms)}
    idf = np.array([math.log(split / df[t]) + 1.0 for t in terms])
    x = features(counts, vocab, idf)
    label_counts = Counter(c for p in papers[:split] for c in set(p.categories))
    cats = sorted(c for c, n in label_counts.items() if n >= MIN_POSITIVES)
    y = np.array([[c in p.categories for c in cats] for p in papers], dtype=bool)
    weights = np.zeros((len(vocab), len(cats)), dtype=np.float32)
    bias = np.zeros(len(cats), dtype=np.float32)
    thresholds = np.zeros(len(cats), dtype=np.float32)
    x_train, x_val = x[:split], x[split:]
    tp = fp = fn = 0
    f1s = []
    for j, cat in enumerate(cats):
        model = LogisticRegression(C=args.C, solver="liblinear", class_weight="balanced")
        model.fit(x_train, y[:split, j])
        weights[:, j] = model.coef_[0]
        bias[j] = model.intercept_[0]
        prob = model.predict_proba(x_val)[:, 1]
        truth = y[split:, j]
        best, best_f1 = 0.5, -1.0
        for t in np.arange(0.3, 0.96, 0.05):
            pred = prob >= t
            f1 = 2 * (pred & truth).sum() / max(pred.sum() + truth.sum(), 1)
            if f1 > best_f1:
                best, best_f1 = float(t), f1
        thresholds[j] = best
        f1s.append(best_f1)
        pred = prob >= best
        tp += int((pred & truth).sum())
        fp += int((pred & ~truth).sum())
        fn += int((~pred & truth).sum())
        print(
            f"{cat:18s} positives {int(y[:split, j].sum()):6d}  threshold {best:.2f}  F1 {best_f1:.3f}"
        )
    precision, recall = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    print(
        f"{len(papers)} papers before {TRAIN_BEFORE} ({split} train, {len(papers) - split} validation), "
        f"{len(vocab)} terms, {len(cats)} categories; validation micro precision {precision:.3f}, "
        f"recall {recall:.3f}, F1 {2 * precision * recall / max(precision + recall, 1e-9):.3f}, "
        f"macro F1 {float(np.mean(f1s)):.3f} (C={args.C}) "
        f"({time.perf_counter() - started:.0f} s)"
    )
    if args.dry_run:
        return
    np.savez_compressed(
        MODEL_PATH,
        terms=np.array(terms),
        idf=idf.astype(np.float32),
        categories=np.array(cats),
        weights=weights.astype(np.float16),
        bias=bias,
        thresholds=thresholds,
        rates=y[:split].mean(axis=0).astype(np.float32),
    )
    print(f"wrote {MODEL_PATH} ({Path(MODEL_PATH).stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
