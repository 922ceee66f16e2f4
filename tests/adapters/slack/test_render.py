"""Block Kit rendering: content, links, thread mode, and Slack's limits for any input."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from adapters.slack import render
from bot.models import (
    Channel,
    ChannelRef,
    ChannelSettings,
    Digest,
    DigestItem,
    Paper,
    Platform,
    Reason,
    ReasonKind,
    Reply,
    Schedule,
)

CHANNEL = Channel(
    id=1,
    ref=ChannelRef(Platform.SLACK, "T0LAB", "C0PAPERS"),
    name="papers",
    settings=ChannelSettings(schedule=Schedule(timezone="Europe/Berlin")),
)
PAPER = Paper(
    id="2611.01234",
    title="Dexterous Robot Manipulation with Tactile Feedback",
    authors=("Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra", "Barbara Liskov"),
    categories=("cs.RO", "cs.LG"),
    code_url="https://github.com/lab/dex",
    hf_url="https://huggingface.co/papers/2611.01234",
)
ITEM = DigestItem(
    paper=PAPER,
    rank=1,
    score=0.9,
    reasons=(Reason(ReasonKind.TOPIC, "matches 'robot manipulation'"),),
    tldr="A tactile policy that grasps unseen objects.",
)
DIGEST = Digest(
    channel_id=1,
    run_key="2026-11-24",
    items=(ITEM,) * 5,
    candidates=214,
    created_at=datetime(2026, 11, 24, 8, 0, tzinfo=UTC),
)


def _all_text(payload: dict) -> str:
    return json.dumps(payload, ensure_ascii=False)


def assert_within_limits(payload: dict) -> None:
    blocks = payload.get("blocks", [])
    assert len(blocks) <= render.MAX_BLOCKS
    assert payload["text"] and len(payload["text"]) <= render.MAX_FALLBACK
    assert payload["unfurl_links"] is False and payload["unfurl_media"] is False
    for block in blocks:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= render.MAX_HEADER
            assert block["text"]["type"] == "plain_text"
        elif block["type"] == "section":
            assert 0 < len(block["text"]["text"]) <= render.MAX_SECTION
        elif block["type"] == "context":
            assert 0 < len(block["elements"]) <= render.MAX_CONTEXT_ELEMENTS
            assert all(len(e["text"]) <= render.MAX_SECTION for e in block["elements"])


def test_header_names_count_channel_local_day_and_pool() -> None:
    payload = render.header_message(CHANNEL, DIGEST)
    assert (
        payload["blocks"][0]["text"]["text"] == "5 papers for #papers · Tue 24 Nov · from 214 new"
    )
    assert payload["text"].startswith("5 papers for #papers")
    assert_within_limits(payload)


def test_item_has_linked_title_short_authors_categories_tldr_reason_links() -> None:
    payload = render.item_message(ITEM)
    text = _all_text(payload)
    head = payload["blocks"][0]["text"]["text"]
    assert head.startswith(
        "*<https://arxiv.org/abs/2611.01234|1. Dexterous Robot Manipulation with Tactile Feedback>*"
    )
    assert "Ada Lovelace, Alan Turing, Grace Hopper +2 more" in head
    assert "`cs.RO` `cs.LG`" in head
    assert "*TL;DR* A tactile policy" in text
    assert "_Why:_ matches 'robot manipulation'" in text
    for url in (
        "https://arxiv.org/pdf/2611.01234|PDF",
        "https://github.com/lab/dex|code",
        "https://arxiv.org/html/2611.01234|HTML",
        "https://huggingface.co/papers/2611.01234|HF",
    ):
        assert url in text
    assert "thread_ts" not in payload
    assert payload["text"].startswith("1. Dexterous Robot Manipulation")
    assert_within_limits(payload)


def test_thread_mode_replies_under_the_header() -> None:
    assert render.item_message(ITEM, thread_ts="1700.1")["thread_ts"] == "1700.1"


def test_control_characters_are_escaped_and_bad_urls_dropped() -> None:
    nasty = Paper(
        id="guid:x",
        title="<script>&|> <!channel>",
        authors=("<@U123>",),
        url="javascript:alert(1)",
        code_url="https://ok.example/a b",  # a space: not linkable
    )
    payload = render.item_message(DigestItem(paper=nasty, rank=2, score=0.1, tldr="a < b & c"))
    text = _all_text(payload)
    assert "<script>" not in text and "<!channel>" not in text and "<@U123>" not in text
    assert "&lt;script&gt;&amp;" in text
    assert "javascript:" not in text and "ok.example" not in text
    assert "a &lt; b &amp; c" in text


@pytest.mark.parametrize("n", [1, 60, 3000])
def test_any_input_stays_inside_limits(n: int) -> None:
    huge = Paper(
        id="2611.99999",
        title="T&<" * n,
        abstract="x",
        authors=tuple(f"Author {'&' * n} {i}" for i in range(n)),
        categories=tuple(f"cs.{i}" for i in range(n)),
        url="https://example.org/" + "a" * (n * 2),
        pdf_url="https://example.org/p.pdf",
    )
    item = DigestItem(
        paper=huge,
        rank=n,
        score=1.0,
        reasons=tuple(Reason(ReasonKind.TOPIC, "r<" * n) for _ in range(5)),
        tldr="&" * (n * 4),
    )
    assert_within_limits(render.item_message(item))
    channel = Channel(id=2, ref=CHANNEL.ref, name="p" * n, settings=CHANNEL.settings)
    digest = Digest(channel_id=2, run_key="k", items=(item,) * 3, candidates=10**n % 10**9)
    assert_within_limits(render.header_message(channel, digest))


def test_empty_paper_still_renders() -> None:
    payload = render.item_message(DigestItem(paper=Paper(id="guid:1", title=""), rank=1, score=0))
    assert "guid:1" in payload["blocks"][0]["text"]["text"]
    assert_within_limits(payload)


def test_reply_markdown_and_privacy() -> None:
    reply = Reply("**Subscribed** to `cs.RO`\n• see [the docs](https://x.org/a?b=1&c=2) <now>")
    payload = render.reply_payload(reply)
    assert payload["response_type"] == "ephemeral"
    assert payload["text"] == (
        "*Subscribed* to `cs.RO`\n• see <https://x.org/a?b=1&amp;c=2|the docs> &lt;now&gt;"
    )
    kept = render.reply_payload(Reply("• <https://arxiv.org/abs/1|A & B> `1` <!channel>"))
    assert kept["text"] == "• <https://arxiv.org/abs/1|A &amp; B> `1` &lt;!channel&gt;"
    assert render.reply_payload(Reply("hi", ephemeral=False))["response_type"] == "in_channel"
    # a user id mention shows the person's name; group and channel pings stay escaped
    mention = render.reply_payload(Reply("<@U0BOB> manages <!here> <!subteam^S1> <@U0BOB|x>"))
    assert mention["text"] == "<@U0BOB> manages &lt;!here&gt; &lt;!subteam^S1&gt; &lt;@U0BOB|x&gt;"
    assert len(render.reply_payload(Reply("y" * 10_000))["text"]) <= render.MAX_FALLBACK


def test_notice_is_plain_and_unfurl_free() -> None:
    assert render.notice_message("No new papers <today>") == {
        "text": "No new papers &lt;today&gt;",
        "unfurl_links": False,
        "unfurl_media": False,
    }
