"""Pure rendering: embeds and messages stay inside Discord's limits for any input."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import discord
import pytest

from adapters.discord.render import (
    COLOUR_FAIR,
    COLOUR_STRONG,
    COLOUR_WEAK,
    CONTENT_MAX,
    DESCRIPTION_MAX,
    EMBED_TOTAL_MAX,
    FIELD_VALUE_MAX,
    FOOTER_MAX,
    TITLE_MAX,
    clip,
    escape_markdown,
    header_content,
    paper_embed,
    reply_content,
)
from bot.models import (
    Channel,
    ChannelRef,
    Digest,
    DigestItem,
    Paper,
    Platform,
    Reason,
    ReasonKind,
    Reply,
)
from bot.rich import bold, code, fmt, lines, link

REF = ChannelRef(Platform.DISCORD, "3000", "4000")


def item(
    paper: Paper, score: float = 0.7, tldr: str = "A short summary.", **kw: object
) -> DigestItem:
    reasons = kw.pop("reasons", (Reason(ReasonKind.TOPIC, "matches “robot manipulation”", 1.0),))
    return DigestItem(paper=paper, rank=1, score=score, reasons=reasons, tldr=tldr)  # type: ignore[arg-type]


def test_paper_embed_has_title_link_authors_tldr_reason_links_and_colour() -> None:
    paper = Paper(
        id="2606.00001",
        title="Robot *manipulation* with diffusion",
        authors=("Ada Lovelace", "Alan Turing"),
        categories=("cs.RO", "cs.LG"),
        url="https://arxiv.org/abs/2606.00001",
        pdf_url="https://arxiv.org/pdf/2606.00001",
        code_url="https://github.com/x/y_(z)",
        upvotes=12,
    )
    embed = paper_embed(item(paper, score=1.3))
    data = embed.to_dict()
    assert data["title"] == r"1. Robot \*manipulation\* with diffusion"
    assert data["url"] == "https://arxiv.org/abs/2606.00001"
    assert data["author"]["name"] == "Ada Lovelace, Alan Turing"
    assert data["description"] == "**TL;DR** A short summary."
    fields = {f["name"]: f["value"] for f in data["fields"]}
    assert fields["Why"] == "• matches “robot manipulation”"
    assert fields["Categories"] == "cs.RO, cs.LG"
    assert fields["Links"] == (
        "[abs](https://arxiv.org/abs/2606.00001) · [PDF](https://arxiv.org/pdf/2606.00001) · "
        "[HTML](https://arxiv.org/html/2606.00001) · [code](https://github.com/x/y_)"
    )  # the core's links (bot.content.links), as masked links
    assert data["footer"]["text"] == "2606.00001 · score 1.30 · 12 HF upvotes"
    assert embed.colour == COLOUR_STRONG


def test_parentheses_in_urls_do_not_break_masked_links() -> None:
    paper = Paper(id="doi:10.1/x", title="t", url="https://example.org/a_(b)")
    links = {f["name"]: f["value"] for f in paper_embed(item(paper)).to_dict()["fields"]}["Links"]
    assert links == "[abs](https://example.org/a_%28b%29)"


@pytest.mark.parametrize(
    ("score", "colour"), [(1.5, COLOUR_STRONG), (0.3, COLOUR_FAIR), (0.01, COLOUR_WEAK)]
)
def test_colour_follows_score(score: float, colour: discord.Colour) -> None:
    assert paper_embed(item(Paper(id="1", title="t"), score=score)).colour == colour


def test_absurd_input_stays_inside_every_limit() -> None:
    huge = "word " * 5000
    paper = Paper(
        id="2606.99999",
        title="T" * 5000,
        abstract=huge,
        authors=tuple(f"Author Number {i} " + "x" * 300 for i in range(500)),
        categories=tuple(f"cat.{i}" * 50 for i in range(100)),
        url="https://arxiv.org/abs/" + "a" * 5000,  # too long to be a URL Discord accepts
        pdf_url="https://example.org/" + "p" * 1000,
        code_url="https://example.org/" + "c" * 1000,
        project_url="javascript:alert(1)",
    )
    reasons = tuple(Reason(ReasonKind.TOPIC, "r" * 3000) for _ in range(10))
    embed = paper_embed(item(paper, tldr=huge, reasons=reasons))
    data = embed.to_dict()
    assert len(data["title"]) <= TITLE_MAX
    assert len(data.get("description", "")) <= DESCRIPTION_MAX
    assert all(len(f["value"]) <= FIELD_VALUE_MAX for f in data["fields"])
    assert all(len(f["name"]) <= 256 for f in data["fields"])
    assert len(data["author"]["name"]) <= 256
    assert len(data["footer"]["text"]) <= FOOTER_MAX
    assert len(embed) <= EMBED_TOTAL_MAX
    assert "url" not in data  # an unusable URL is dropped, not sent
    assert "javascript" not in str(data)
    assert data["description"].startswith("**TL;DR** word word")  # the TL;DR got what was left


def test_empty_paper_still_renders() -> None:
    embed = paper_embed(item(Paper(id="guid:abc", title=""), tldr="", reasons=()))
    data = embed.to_dict()
    assert data["title"] == "1. guid:abc"
    assert "description" not in data and "fields" not in data


def test_mentions_and_markdown_in_titles_are_neutralised() -> None:
    embed = paper_embed(item(Paper(id="1", title="@everyone look at __this__")))
    assert "@everyone" not in (embed.title or "")
    assert r"\_\_this\_\_" in (embed.title or "")


def test_header_is_short_and_bounded() -> None:
    channel = Channel(id=1, ref=REF, name="x" * 5000)
    digest = Digest(
        channel_id=1,
        run_key="2026-06-30",
        items=(item(Paper(id="1", title="t")),),
        candidates=42,
        created_at=datetime(2026, 6, 30, tzinfo=UTC),
    )
    text = header_content(channel, digest, "Tue 30 Jun")
    assert len(text) <= CONTENT_MAX
    short = header_content(Channel(id=1, ref=REF, name="papers"), digest, "Tue 30 Jun")
    assert short.startswith("📚 **1 paper for #papers** · Tue 30 Jun · picked from 42 new")


def test_reply_renders_bold_and_code_and_bounds_length() -> None:
    reply = Reply(
        fmt("{} to {} and {}\n• one\n• two", bold("Subscribed"), code("a*b*c"), bold("cs.RO"))
    )
    assert reply_content(reply) == "**Subscribed** to `a*b*c` and **cs.RO**\n• one\n• two"
    assert reply_content(Reply(fmt("2 * 3 * 4"))) == r"2 \* 3 \* 4"
    assert len(reply_content(Reply(fmt("y" * 10_000)))) == CONTENT_MAX
    # a span that does not fit is never cut in half: a link is left out whole
    long = Reply(fmt("{}{}", "y" * 1990, link("https://arxiv.org/abs/1", "a title")))
    assert reply_content(long) == "y" * 1990 + "…"


def test_clip_never_ends_with_a_lone_escape() -> None:
    assert clip("ab\\*cd", 4) == "ab…"
    assert clip("short", 10) == "short"
    assert clip("anything", 0) == ""


def test_reply_links_are_masked_links_with_escaped_labels() -> None:
    reply = Reply(
        lines([fmt("• {} · 1 👍 0 👎", link("https://arxiv.org/abs/2606.00001", "Robot *[x](y)*"))])
    )
    assert reply_content(reply) == (
        r"• [Robot \*\[x\](y)\*](<https://arxiv.org/abs/2606.00001>) · 1 👍 0 👎"
    )


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("[a](http://x) [b](http://y)", r"\[a\](http\://x) \[b\](http\://y)"),
        ("<http://x>", r"\<http\://x>"),
        ("@everyone @here", "@\u200beveryone @\u200bhere"),
        ("<@123> <@&456> <#789>", "\\<@\u200b123> \\<@\u200b&456> \\<#789>"),
        ("# h\n> q\n-# s\n1. l\n+ p", "\\# h\n\\> q\n\\-# s\n1\\. l\n\\+ p"),
        ("a > b # c (d) 2. e", "a > b # c (d) 2. e"),  # only where Discord reads markup
        ("||s|| __u__ ~~t~~ `c` \\", r"\|\|s\|\| \_\_u\_\_ \~\~t\~\~ \`c\` \\"),
    ],
)
def test_escape_markdown_leaves_no_link_mention_or_formatting(text: str, shown: str) -> None:
    assert escape_markdown(text) == shown
    # what Discord shows once it reads the escapes is the text itself (zero-width spaces aside)
    assert re.sub(r"\\(.)", r"\1", shown).replace("\u200b", "") == text
