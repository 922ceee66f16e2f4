"""Train the arXiv category model shipped in `bot/data/category_model.npz`.

    .venv/bin/python -m benchmarks.train_categories [--dry-run] [--C 1.0]

Papers from sources without categories get their likely arXiv categories from this model (see
`bot.ranking.categorizer`), and typed topics point to the categories it predicts for them.
One-vs-rest logistic regression on the ranker's own words and bigrams (sublinear tf-idf), over
every arXiv category with at least `MIN_POSITIVES` training papers, trained on both shared dev
corpora (arXiv metadata, CC0): the CS corpus before 2026-01-19 (two weeks before its tuning
window) and the all-fields corpus before 2025-12-01 (its tuning window), each by announcement
day, so no benchmark window is in the training data. The last `VALIDATION` share of each
corpus's training days is held back: there each category's scores are calibrated (Platt: a
logistic fit of the held-back papers' membership on the score, folded into the weights), its
decision threshold is chosen (best F1), and the model's top-1 / top-3 accuracy per archive is
measured and printed. The weights ship as int8 with a scale per category (numpy only at run
time). Needs the dev extra (scikit-learn).
"""

from __future__ import annotations

import argparse
import math
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

from benchmarks.protocol import CORPORA, read_papers
from bot.models import Paper
from bot.ranking.categorizer import MODEL_PATH, archive_of
from bot.ranking.features import paper_terms

SOURCES = ("cs", "all")
MIN_DF = 5
MAX_VOCAB = 30_000
MIN_POSITIVES = 10
VALIDATION = 0.15
C = 1.0


@dataclass
class Fitted:
    """One category's calibrated model and its figures on the held-back days."""

    weights: np.ndarray
    bias: float
    threshold: float
    f1: float
    precision: float  # on the held-back days, at the threshold
    ap: float  # average precision on the held-back days


def load() -> tuple[list[Paper], list[Paper]]:
    """(training, held-back) papers of every source: per corpus, papers announced before its
    cut-off; the last `VALIDATION` share of its days held back."""
    train: list[Paper] = []
    held: list[Paper] = []
    for name in SOURCES:
        corpus = CORPORA[name]
        rows = [(d, p) for p, d in read_papers(corpus.data_path) if d < corpus.train_before]
        rows.sort(key=lambda dp: (dp[0], dp[1].id))
        days = sorted({d for d, _ in rows})
        first_held = days[int(len(days) * (1 - VALIDATION))]
        train += [p for d, p in rows if d < first_held]
        held += [p for d, p in rows if d >= first_held]
    return train, held


def vocabulary(counts: list[Counter[str]], size: int = MAX_VOCAB) -> tuple[list[str], np.ndarray]:
    df: Counter[str] = Counter()
    for c in counts:
        df.update(c.keys())
    terms = sorted((t for t, n in df.items() if n >= MIN_DF), key=lambda t: (-df[t], t))
    terms = terms[:size]
    idf = np.array([math.log(len(counts) / df[t]) + 1.0 for t in terms])
    return terms, idf


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


def fit_category(
    x_train: sparse.csr_matrix,
    y_train: np.ndarray,
    x_held: sparse.csr_matrix,
    y_held: np.ndarray,
    c: float = C,
) -> Fitted:
    """Logistic regression, then Platt calibration on the held-back papers (folded into the
    weights, so the model computes calibrated probabilities itself), threshold by F1."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import average_precision_score

    model = LogisticRegression(
        C=c, solver="liblinear", class_weight="balanced", dual=True, random_state=0
    )
    model.fit(x_train, y_train)
    raw = model.decision_function(x_held)
    platt = LogisticRegression(C=1.0).fit(raw[:, None], y_held) if y_held.any() else None
    a = float(platt.coef_[0, 0]) if platt is not None else 1.0
    b = float(platt.intercept_[0]) if platt is not None else 0.0
    weights, bias = a * model.coef_[0], a * float(model.intercept_[0]) + b
    prob = 1.0 / (1.0 + np.exp(-(a * raw + b)))
    best, best_f1, precision = 0.5, 0.0, 0.0
    for t in np.arange(0.05, 0.96, 0.05):
        pred = prob >= t
        f1 = 2 * (pred & y_held).sum() / max(pred.sum() + y_held.sum(), 1)
        if f1 > best_f1:
            best, best_f1 = float(t), float(f1)
            precision = float((pred & y_held).sum() / max(pred.sum(), 1))
    ap = float(average_precision_score(y_held, prob)) if y_held.any() else 0.0
    return Fitted(weights, bias, best, best_f1, precision, ap)


def accuracy_by_archive(prob: np.ndarray, cats: list[str], held: list[Paper]) -> str:
    """Per archive of the held-back papers' primary category: how often the model's best
    category is one of the paper's (top-1), and one of its three best is (top-3)."""
    order = np.argsort(-prob, axis=1, kind="stable")[:, :3]
    hits: dict[str, list[tuple[bool, bool]]] = {}
    for i, paper in enumerate(held):
        truth = set(paper.categories)
        top = [cats[j] for j in order[i]]
        hits.setdefault(archive_of(paper.categories[0]), []).append(
            (top[0] in truth, any(c in truth for c in top))
        )
    lines = ["| archive (primary) | held-back papers | top-1 | top-3 |", "|---|---|---|---|"]
    every = [h for rows in hits.values() for h in rows]
    for archive, rows in [*sorted(hits.items(), key=lambda kv: -len(kv[1])), ("all", every)]:
        top1 = sum(a for a, _ in rows) / len(rows)
        top3 = sum(b for _, b in rows) / len(rows)
        lines.append(f"| {archive} | {len(rows)} | {top1:.3f} | {top3:.3f} |")
    return "\n".join(lines)


def quantized(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """terms x categories as int8 with a scale per category (w ~ int8 x scale)."""
    scale = np.maximum(np.abs(weights).max(axis=0), 1e-9) / 127.0
    return np.round(weights / scale).astype(np.int8), scale.astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--C", type=float, default=C, help="inverse regularisation strength")
    parser.add_argument("--dry-run", action="store_true", help="print figures, write nothing")
    parser.add_argument("--vocab", type=int, default=MAX_VOCAB, help="terms kept (by df)")
    parser.add_argument("--out", type=Path, default=MODEL_PATH, help="where to write it")
    args = parser.parse_args()
    started = time.perf_counter()
    train, held = load()
    counts = [paper_terms(p) for p in train]
    terms, idf = vocabulary(counts, args.vocab)
    vocab = {t: i for i, t in enumerate(terms)}
    x_train = features(counts, vocab, idf)
    x_held = features([paper_terms(p) for p in held], vocab, idf)
    label_counts = Counter(c for p in train for c in set(p.categories))
    cats = sorted(c for c, n in label_counts.items() if n >= MIN_POSITIVES)
    fits = []
    for cat in cats:
        y_train = np.array([cat in p.categories for p in train])
        y_held = np.array([cat in p.categories for p in held])
        fits.append(fit_category(x_train, y_train, x_held, y_held, args.C))
        f = fits[-1]
        print(
            f"{cat:20s} positives {int(y_train.sum()):6d} held {int(y_held.sum()):5d}  "
            f"threshold {f.threshold:.2f}  F1 {f.f1:.3f}  AP {f.ap:.3f}",
            flush=True,
        )
    weights = np.stack([f.weights for f in fits], axis=1)
    bias = np.array([f.bias for f in fits])
    prob = 1.0 / (1.0 + np.exp(-(np.asarray(x_held @ weights) + bias)))
    print(accuracy_by_archive(prob, cats, held))
    print(
        f"{len(train)} training and {len(held)} held-back papers, {len(vocab)} terms, "
        f"{len(cats)} categories; macro F1 {np.mean([f.f1 for f in fits]):.3f}, "
        f"mean AP {np.mean([f.ap for f in fits]):.3f} (C={args.C}) "
        f"({time.perf_counter() - started:.0f} s)"
    )
    if not args.dry_run:
        rates = np.array([label_counts[c] / len(train) for c in cats])
        save(args.out, terms, idf, cats, fits, rates)


def save(
    path: Path,
    terms: list[str],
    idf: np.ndarray,
    cats: list[str],
    fits: list[Fitted],
    rates: np.ndarray,
) -> None:
    q, scale = quantized(np.stack([f.weights for f in fits], axis=1))
    np.savez_compressed(
        path,
        terms=np.array(terms),
        idf=idf.astype(np.float32),
        categories=np.array(cats),
        weights=q,
        scales=scale,
        bias=np.array([f.bias for f in fits], dtype=np.float32),
        thresholds=np.array([f.threshold for f in fits], dtype=np.float32),
        precision=np.array([f.precision for f in fits], dtype=np.float32),
        ap=np.array([f.ap for f in fits], dtype=np.float32),
        rates=rates.astype(np.float32),
    )
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
