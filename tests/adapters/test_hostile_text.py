"""User and feed text is never a live link or a mention, whatever is typed or fetched.

A table of hostile inputs goes through the real command layer (on SQLite) into replies, and
through paper titles, abstracts, authors, TL;DRs and reasons into digests; the real Slack and
Discord renderers turn both into what the platforms receive, and the checks in
`tests.adapters.hostile` read that output the way each platform parses it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from adapters.discord import render as discord_render
from adapters.slack import render as slack_render
from bot.clock import FixedClock
from bot.config import Settings
from bot.content.links import paper_links
from bot.models import (
    Channel,
    ChannelRef,
    CommandRequest,
    Digest,
    DigestItem,
    Paper,
    Platform,
    Reason,
    ReasonKind,
    Reply,
)
from bot.service import PaperBot
from storage.store import SqlStore
from tests.adapters.hostile import (
    HOSTILE,
    assert_discord_markdown_safe,
    assert_slack_payload_safe,
    discord_embed_texts,
)
from tests.conftest import make_paper
from tests.fakes import RecordingChat

# Every command that echoes what was typed; `{}` is the hostile text.
ECHOING = (
    "subscribe {}",
    "subscribe author:{}",
    "exclude {}",
    "include {}",
    "unsubscribe {}",
    "unsubscribe author:{}",
    "search {}",
    "why {}",
    "like {}",
    "schedule {}",
    "schedule 09:00 {}",
    "schedule 09:00 UTC {}",
    "set {}",
    "set empty {}",
    "size {}",
    "threshold {}",
    "help {}",
    "{}",
    "topics",
)


def hostile_paper(i: int, text: str) -> Paper:
    return make_paper(
        f"2606.{10000 + i}",
        f"{text} evil example",
        f"{text} we study evil examples. {text}",
        authors=(text, "Ada Lovelace"),
        categories=("cs.CR",),
    )


PAPERS = [hostile_paper(i, h) for i, h in enumerate(HOSTILE)]
ALLOWED = [url for p in PAPERS for _, url in paper_links(p)]


@pytest.fixture
def core(sqlite_store: SqlStore, clock: FixedClock, settings: Settings) -> Iterator[PaperBot]:
    sqlite_store.upsert_papers(PAPERS, clock.now())
    yield PaperBot(sqlite_store, clock, settings, {Platform.SLACK: RecordingChat(Platform.SLACK)})


def ask(core: PaperBot, text: str, channel: str) -> Reply:
    return core.on_command(
        CommandRequest(Platform.SLACK, "T1", channel, "U1", text, channel_name="papers")
    )


def assert_reply_safe(reply: Reply, context: str) -> None:
    payload = slack_render.reply_payload(reply)
    try:
        assert_slack_payload_safe(payload, ALLOWED)
        assert_discord_markdown_safe(discord_render.reply_content(reply), ALLOWED)
    except AssertionError as exc:
        raise AssertionError(f"{context}: {exc}") from None


@pytest.mark.parametrize("hostile", HOSTILE)
def test_typed_text_comes_back_inert_in_every_reply(core: PaperBot, hostile: str) -> None:
    channel = f"C{HOSTILE.index(hostile)}"
    for template in ECHOING:
        text = template.format(hostile)
        assert_reply_safe(ask(core, text, channel), text)


def test_feed_text_comes_back_inert_in_replies_about_papers(core: PaperBot) -> None:
    """Titles in why, like, unlike, search, topics and history; reasons quoting them."""
    assert ask(core, "subscribe evil example", "CFEED").ok
    assert ask(core, "like 2606.10000", "CFEED").ok
    assert ask(core, "set authors on", "CFEED").ok
    _, result = core.run_digest(core.store.find_channel(_ref("CFEED")))  # type: ignore[arg-type]
    assert result.digest is not None and len(result.posted) >= 3
    asked = ["search evil example", "topics", "history 50", "stats", "unlike 2606.10000"]
    asked += [f"why {p.id}" for p in PAPERS]
    for text in asked:
        assert_reply_safe(ask(core, text, "CFEED"), text)


def _ref(channel: str) -> ChannelRef:
    return ChannelRef(Platform.SLACK, "T1", channel)


def hostile_item(i: int, text: str) -> DigestItem:
    reasons = (
        Reason(ReasonKind.TOPIC, f"matches “{text}”", 1.0, ref=text),
        Reason(ReasonKind.AUTHOR, f"by {text}", 0.9, ref=text),
        Reason(ReasonKind.SIMILAR, f"similar to “{text}” you 👍", 0.8),
        Reason(ReasonKind.CATEGORY, "in cs.CR", 0.1, ref="cs.CR"),
    )
    return DigestItem(paper=PAPERS[i], rank=i + 1, score=0.5, reasons=reasons, tldr=text)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_feed_text_is_inert_in_digests_on_slack_and_discord(hostile: str) -> None:
    i = HOSTILE.index(hostile)
    item = hostile_item(i, hostile)
    channel = Channel(id=1, ref=_ref("C1"), name=hostile)
    digest = Digest(
        channel_id=1,
        run_key="k",
        items=(item,),
        candidates=3,
        created_at=datetime(2026, 6, 30, 9, 0, tzinfo=UTC),
    )
    allowed = [url for _, url in paper_links(item.paper)]
    for payload in (
        slack_render.item_message(item),
        slack_render.header_message(channel, digest),
        slack_render.notice_message(hostile),
    ):
        assert_slack_payload_safe(payload, allowed)
    embed = discord_render.paper_embed(item).to_dict()
    for text in discord_embed_texts(embed):
        assert_discord_markdown_safe(text, allowed)
    assert_discord_markdown_safe(discord_render.header_content(channel, digest, "Tue"), allowed)
    assert_discord_markdown_safe(discord_render.notice_content(hostile), allowed)
    # an abstract stands in for a missing TL;DR; a feed's guid for a missing title
    untitled = Paper(id=f"guid:{hostile}", title="", abstract=hostile)
    for bare in (item.paper, untitled):
        embed = discord_render.paper_embed(DigestItem(paper=bare, rank=1, score=0.5)).to_dict()
        for text in discord_embed_texts(embed):
            assert_discord_markdown_safe(text, allowed)
        assert_slack_payload_safe(slack_render.item_message(DigestItem(bare, 1, 0.5)), allowed)
