"""Embeddings of benchmark papers, computed once and cached under benchmarks/out/."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bot.models import Paper
from bot.ranking.semantic import load_embedder, paper_text

OUT = Path(__file__).resolve().parent / "out"


def cached_embeddings(papers: Sequence[Paper], max_tokens: int = 128) -> dict[str, np.ndarray]:
    """paper id -> unit vector; only papers missing from the cache are embedded."""
    OUT.mkdir(exist_ok=True)
    path = OUT / f"emb_minilm_{max_tokens}.npz"
    cache: dict[str, np.ndarray] = {}
    if path.exists():
        with np.load(path) as data:
            cache = dict(zip(data["ids"].tolist(), data["vecs"], strict=True))
    todo = [p for p in {p.id: p for p in papers}.values() if p.id not in cache]
    if todo:
        embedder = load_embedder(max_tokens=max_tokens)
        if embedder is None:
            raise SystemExit("the semantic extra is needed to compute benchmark embeddings")
        step = 256
        for start in range(0, len(todo), step):
            chunk = todo[start : start + step]
            vecs = embedder.embed([paper_text(p.title, p.abstract) for p in chunk])
            cache.update(zip([p.id for p in chunk], vecs, strict=True))
            ids = np.array(list(cache))
            tmp = path.with_suffix(".tmp.npz")
            np.savez(tmp, ids=ids, vecs=np.stack([cache[i] for i in ids]))
            tmp.replace(path)
            sys.stderr.write(f"embedded {start + len(chunk)}/{len(todo)}\n")
    return {p.id: cache[p.id] for p in papers}


if __name__ == "__main__":
    from benchmarks.protocol import CORPORA, load_days

    for corpus in CORPORA.values():
        for window in ("tune", "dev"):
            days = load_days(corpus.start(window), path=corpus.data_path)
            cached_embeddings([p for _, ps in days for p in ps])
