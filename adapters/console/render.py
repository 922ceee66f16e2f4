"""Pure rendering of digests as terminal text."""

from __future__ import annotations

from bot.content.links import paper_links
from bot.content.reasons import reason_lines
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
    links = paper_links(paper)
    lines = [f"{item.rank}. {paper.title}"]
    authors = authors_line(paper)
    if authors:
        lines.append(f"   {authors}")
    abs_url = links[0][1] if links and links[0][0] == "abs" else ""
    meta = " · ".join(x for x in (", ".join(paper.categories[:3]), abs_url) if x)
    if meta:
        lines.append(f"   {meta}")
    if item.tldr:
        lines.append(f"   TL;DR: {item.tldr}")
    why = reason_lines(item.reasons, paper)
    if why:
        lines.append("   Why: " + "; ".join(why))
    more = [f"{label} {url}" for label, url in links if url != abs_url]
    if more:
        lines.append("   Links: " + " · ".join(more))
    return lines
