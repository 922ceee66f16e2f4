"""Console rendering shows the TL;DR, at most two human reasons, and the paper's links."""

from __future__ import annotations

import io
import json
from pathlib import Path

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


def test_outbox_records_why_and_links(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from adapters.console import ConsoleAdapter
    from bot.models import Channel, ChannelRef, Digest, Platform

    outbox = tmp_path / "outbox.jsonl"
    adapter = ConsoleAdapter(io.StringIO(), outbox)
    channel = Channel(id=1, ref=ChannelRef(Platform.CONSOLE, "local", "lab"), name="lab")
    paper = Paper(id="2606.00467", title="FakeNet", sources=("hf",))
    reason = Reason(ReasonKind.TOPIC, "matches “pruning”", 0.5, "pruning")
    item = DigestItem(paper=paper, rank=1, score=1.0, reasons=(reason,), tldr="FakeNet prunes.")
    digest = Digest(
        channel_id=1, run_key="k", items=(item,), id=7, created_at=datetime(2026, 6, 30, tzinfo=UTC)
    )
    adapter.post_item(channel, digest, item)
    record = json.loads(outbox.read_text(encoding="utf-8"))
    assert record["why"] == ["matches “pruning”"]
    assert record["links"][-1] == {"label": "HF", "url": "https://huggingface.co/papers/2606.00467"}


def test_hostile_text_prints_as_it_is(tmp_path: Path) -> None:
    """The console need not escape: what people typed or feeds sent is printed verbatim."""
    from datetime import UTC, datetime

    from adapters.console import ConsoleAdapter
    from bot.models import Channel, ChannelRef, Digest, Platform
    from tests.adapters.hostile import HOSTILE

    out = io.StringIO()
    adapter = ConsoleAdapter(out, tmp_path / "outbox.jsonl")
    channel = Channel(id=1, ref=ChannelRef(Platform.CONSOLE, "local", "lab"), name="<!channel>")
    for i, text in enumerate(HOSTILE):
        paper = Paper(id=f"2606.{10000 + i}", title=text, abstract=text, authors=(text,))
        reason = Reason(ReasonKind.TOPIC, f"matches “{text}”", 0.5, text)
        item = DigestItem(paper=paper, rank=1, score=1.0, reasons=(reason,), tldr=text)
        digest = Digest(
            channel_id=1,
            run_key="k",
            items=(item,),
            id=i,
            created_at=datetime(2026, 6, 30, tzinfo=UTC),
        )
        adapter.post_header(channel, digest)
        adapter.post_item(channel, digest, item)
        adapter.post_notice(channel, text)
        assert f"1. {text}" in out.getvalue()
