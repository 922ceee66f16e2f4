"""How many replies and digest posts carry a live link or mention from hostile text.

Feeds every input of `tests.adapters.hostile.HOSTILE` through every echoing `/papers` command
(the real command layer on a temporary SQLite store) and through a digest item (title,
abstract, authors, TL;DR, reasons), renders each with the real Slack and Discord renderers and
counts those the checks in `tests.adapters.hostile` reject. Run:

    .venv/bin/python -m benchmarks.hostile_text
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from adapters.discord import render as discord_render
from adapters.slack import render as slack_render
from bot.clock import FixedClock
from bot.config import Settings
from bot.models import CommandRequest, Platform, Reply
from bot.service import PaperBot
from storage.store import SqlStore
from tests.adapters.hostile import (
    HOSTILE,
    assert_discord_markdown_safe,
    assert_slack_payload_safe,
    discord_embed_texts,
)
from tests.adapters.test_hostile_text import ALLOWED, ECHOING, PAPERS, hostile_item
from tests.fakes import RecordingChat


def _live(check: Callable[[], None]) -> bool:
    try:
        check()
    except AssertionError:
        return True
    return False


def _discord_embed(item_index: int, text: str) -> None:
    embed = discord_render.paper_embed(hostile_item(item_index, text)).to_dict()
    for part in discord_embed_texts(embed):
        assert_discord_markdown_safe(part, ALLOWED)


def _replies(core: PaperBot) -> list[Reply]:
    out = []
    for i, text in enumerate(HOSTILE):
        for template in ECHOING:
            req = CommandRequest(Platform.SLACK, "T1", f"C{i}", "U1", template.format(text))
            out.append(core.on_command(req))
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = SqlStore.open(f"sqlite:///{Path(tmp) / 'hostile.db'}")
        clock = FixedClock(datetime(2026, 6, 30, 9, 0, tzinfo=UTC))
        settings = Settings(_env_file=None, database_url="sqlite://", ranker="lexical")  # type: ignore[call-arg]
        store.upsert_papers(PAPERS, clock.now())
        core = PaperBot(store, clock, settings, {Platform.SLACK: RecordingChat(Platform.SLACK)})
        replies = _replies(core)
        store.close()
    public = [r for r in replies if not r.ephemeral]
    rows = [
        ("replies", replies),
        ("public replies", public),
    ]
    print(f"{len(HOSTILE)} hostile inputs x {len(ECHOING)} echoing commands")
    print("| output | total | live on Slack | live on Discord |")
    print("|---|---|---|---|")
    for label, group in rows:
        slack = sum(
            _live(lambda r=r: assert_slack_payload_safe(slack_render.reply_payload(r), ALLOWED))
            for r in group
        )
        discord = sum(
            _live(
                lambda r=r: assert_discord_markdown_safe(discord_render.reply_content(r), ALLOWED)
            )
            for r in group
        )
        print(f"| {label} | {len(group)} | {slack} | {discord} |")
    items = [hostile_item(i, text) for i, text in enumerate(HOSTILE)]
    slack_items = sum(
        _live(lambda it=it: assert_slack_payload_safe(slack_render.item_message(it), ALLOWED))
        for it in items
    )
    discord_items = sum(_live(lambda i=i, t=t: _discord_embed(i, t)) for i, t in enumerate(HOSTILE))
    print(f"| digest posts | {len(items)} | {slack_items} | {discord_items} |")


if __name__ == "__main__":
    main()
