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
from bot.rich import bold, code, fmt, lines, link, mention, plain

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


def test_reply_is_verbatim_mrkdwn_with_a_plain_fallback_and_privacy() -> None:
    reply = Reply(
        fmt(
            "{} to {}\n• see {} <now> [x](https://e.example)",
            bold("Subscribed"),
            code("cs.RO"),
            link("https://x.org/a?b=1&c=2", "the <docs>"),
        )
    )
    payload = render.reply_payload(reply)
    assert payload["response_type"] == "ephemeral"
    (section,) = payload["blocks"]
    assert section["text"] == {
        "type": "mrkdwn",
        "verbatim": True,
        "text": "*Subscribed* to `cs.RO`\n• see <https://x.org/a?b=1&amp;c=2|the &lt;docs&gt;> "
        "&lt;now&gt; [x](https:\u2060//e.example)",
    }
    assert payload["text"] == (
        "Subscribed to cs.RO\n• see the &lt;docs&gt; &lt;now&gt; [x](https:\u2060//e.example)"
    )
    assert render.reply_payload(Reply(plain("hi")))["response_type"] == "ephemeral"
    assert render.reply_payload(Reply(plain("hi"), ephemeral=False))["response_type"] == (
        "in_channel"
    )
    # a member mention shows the person's name; group and channel pings typed as text stay text
    shown = render.reply_payload(
        Reply(fmt("{} manages <!here> <!subteam^S1> <@U0BOB|x>", mention("U0BOB")))
    )
    assert shown["blocks"][0]["text"]["text"] == (
        "<@U0BOB> manages &lt;!here&gt; &lt;!subteam^S1&gt; &lt;@U0BOB|x&gt;"
    )
    odd = render.reply_payload(Reply(fmt("{}", mention("<!channel>"))))
    assert "<!" not in odd["blocks"][0]["text"]["text"]


def test_long_replies_split_between_spans_within_limits() -> None:
    many = lines(
        [
            fmt("• {} {}", link(f"https://arxiv.org/abs/{i}", "t" * 200), code("x"))
            for i in range(60)
        ]
    )
    payload = render.reply_payload(Reply(many))
    assert 1 < len(payload["blocks"]) <= render.MAX_BLOCKS
    assert all(len(b["text"]["text"]) <= render.MAX_SECTION for b in payload["blocks"])
    assert all(
        b["text"]["text"].count("<") == b["text"]["text"].count(">") for b in payload["blocks"]
    )
    assert len(payload["text"]) <= render.MAX_FALLBACK
    assert len(render.reply_payload(Reply(plain("y" * 10_000)))["text"]) <= render.MAX_FALLBACK


def test_backticks_or_stars_inside_a_span_never_open_markup() -> None:
    text = render.rich_sections(fmt("{} {}", code("a`b <!here>"), bold("x*y")))[0]
    assert text == "a`b &lt;!here&gt; x*y"


def test_notice_is_escaped_verbatim_and_unfurl_free() -> None:
    payload = render.notice_message("No new papers <today> https://e.example @here")
    shown = "No new papers &lt;today&gt; https:\u2060//e.example @\u2060here"
    assert payload == {
        "text": shown,
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": shown, "verbatim": True}}
        ],
        "unfurl_links": False,
        "unfurl_media": False,
    }
