"""Console rendering shows the TL;DR, at most two human reasons, and the paper's links."""

from __future__ import annotations

from adapters.console.render import item_lines
from bot.models import DigestItem, Paper, Reason, ReasonKind


def test_item_lines_show_tldr_reasons_and_links() -> None:
    paper = Paper(
        id="2606.00467",
        title="FakeNet",
        authors=("A", "B"),
        categories=("cs.LG",),
        sources=("hf",),
        upvotes=42,
        code_url="https://github.com/org/fakenet",
    )
    reasons = (
        Reason(ReasonKind.CATEGORY, "in cs.LG", 0.8, "cs.LG"),
        Reason(ReasonKind.TRENDING, "trending on HF (42 upvotes)", 0.08),
        Reason(ReasonKind.TOPIC, "matches “pruning”", 0.5, "pruning"),
    )
    item = DigestItem(paper=paper, rank=1, score=1.0, reasons=reasons, tldr="FakeNet prunes.")
    assert item_lines(item) == [
        "1. FakeNet",
        "   A, B",
        "   cs.LG · https://arxiv.org/abs/2606.00467",
        "   TL;DR: FakeNet prunes.",
        "   Why: matches “pruning”; trending on HF (42 👍)",
        "   Links: PDF https://arxiv.org/pdf/2606.00467 · HTML https://arxiv.org/html/2606.00467"
        " · code https://github.com/org/fakenet · HF https://huggingface.co/papers/2606.00467",
    ]


def test_item_without_tldr_reasons_or_links() -> None:
    item = DigestItem(paper=Paper(id="guid:x", title="Blog post"), rank=2, score=0.1)
    assert item_lines(item) == ["2. Blog post"]
