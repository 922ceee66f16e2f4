"""Paper embeddings computed once per paper and kept in the store, for the semantic tier."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from bot.config import Settings
from bot.models import Paper
from bot.ports import Embedder, EmbeddingStore
from bot.ranking.semantic import load_embedder, paper_text

log = logging.getLogger(__name__)


class EmbeddingCache:
    """Vectors for papers: from the store when known, else embedded once and stored."""

    def __init__(
        self, store: EmbeddingStore, settings: Settings, embedder: Embedder | None = None
    ) -> None:
        self.store = store
        self.settings = settings
        self._embedder = embedder
        self._tried = embedder is not None

    @property
    def embedder(self) -> Embedder | None:
        """Loaded on first use; None in the default tier or when the extra is missing."""
        if not self._tried:
            self._tried = True
            if self.settings.ranker != "lexical":
                self._embedder = load_embedder(
                    self.settings.embedding_model, max_tokens=self.settings.embedding_max_tokens
                )
                if self._embedder is None and self.settings.ranker == "semantic":
                    log.warning("RANKER=semantic but no embedder could be loaded")
        return self._embedder

    def vectors(self, papers: Sequence[Paper]) -> dict[str, np.ndarray]:
        embedder = self.embedder
        if embedder is None or not papers:
            return {}
        ids = list(dict.fromkeys(p.id for p in papers))
        stored = self.store.get_embeddings(embedder.name, ids)
        out = {pid: np.frombuffer(blob, dtype="<f4") for pid, blob in stored.items()}
        missing = [p for p in {p.id: p for p in papers}.values() if p.id not in out]
        if missing:
            vecs = embedder.embed([paper_text(p.title, p.abstract) for p in missing])
            fresh = {p.id: np.asarray(v, dtype="<f4") for p, v in zip(missing, vecs, strict=True)}
            self.store.save_embeddings(embedder.name, {k: v.tobytes() for k, v in fresh.items()})
            out.update(fresh)
        return out
