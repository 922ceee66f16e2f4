"""Pure rendering of digests as terminal text."""

from __future__ import annotations

from bot.models import Channel, Digest, DigestItem, Paper

MAX_AUTHORS = 4


def authors_line(paper: Paper) -> str:
    if not paper.authors:
        return ""
    names = list(paper.authors[:MAX_AUTHORS])
    more = len(paper.authors) - len(names)
    return ", ".join(names) + (f" +{more} more" if more > 0 else "")


def header_text(channel: Channel, digest: Digest, day_label: str) -> str:
    n = len(digest.items)
    noun = "paper" if n == 1 else "papers"
    return f"{n} {noun} for #{channel.name} · {day_label} · from {digest.candidates} new"


def item_lines(item: DigestItem) -> list[str]:
    paper = item.paper
    lines = [f"{item.rank}. {paper.title}"]
    authors = authors_line(paper)
    if authors:
        lines.append(f"   {authors}")
    meta = " · ".join(x for x in (", ".join(paper.categories[:3]), paper.abs_url or "") if x)
    if meta:
        lines.append(f"   {meta}")
    if item.tldr:
        lines.append(f"   TL;DR: {item.tldr}")
    if item.reasons:
        lines.append("   Why: " + "; ".join(r.text for r in item.reasons[:2]))
    return lines
