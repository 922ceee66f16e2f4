"""The bundled sample of real arXiv papers, for the offline demo."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from bot.sources.jsonl import ParseResult, read_jsonl


def sample_path() -> Path:
    return Path(str(resources.files("bot") / "data" / "sample.jsonl.gz"))


def load_sample() -> ParseResult:
    return read_jsonl(sample_path(), source="sample")
