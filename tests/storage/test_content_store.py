"""Summary cache, channel history and liked-paper export on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta

import bibtexparser
import pytest

from bot.content.export import bibtex_entry, render, to_bibtex, to_csv, to_jsonl
from bot.content.history import history_text, liked_papers, recent_picks
from bot.models import (
    CachedSummary,
    Channel,
    ChannelRef,
    ChannelSettings,
    Paper,
    Platform,
    Reason,
    ReasonKind,
    ScoredPaper,
)
from storage.store import SqlStore
from tests.conftest import make_paper
from tests.markup import marked

T0 = datetime(2026, 6, 30, 9, 0, tzinfo=UTC)


def test_migration_0006_upgrades_and_downgrades(db_url: str) -> None:
    from alembic import command
    from sqlalchemy import inspect

    from storage.db import alembic_config, make_engine, migrate

    engine = make_engine(db_url)
    migrate(engine)
    assert "paper_summary" in inspect(engine).get_table_names()
    command.downgrade(alembic_config(engine), "0001")
    assert "paper_summary" not in inspect(engine).get_table_names()
    migrate(engine)
    assert "paper_summary" in inspect(engine).get_table_names()
    engine.dispose()


def test_summary_cache_round_trip_and_count(store: SqlStore) -> None:
    store.upsert_papers([make_paper("2606.00001", "A"), make_paper("2606.00002", "B")], T0)
    assert store.get_summary("2606.00001", "m") is None
    store.save_summary(CachedSummary("2606.00001", "m", "first", "h1", T0))
    store.save_summary(CachedSummary("2606.00001", "m", "second", "h2", T0 + timedelta(hours=1)))
    store.save_summary(CachedSummary("2606.00002", "m", "other", "h3", T0 - timedelta(days=1)))
    got = store.get_summary("2606.00001", "m")
    assert got is not None and (got.text, got.source_hash) == ("second", "h2")
    assert got.created_at == T0 + timedelta(hours=1)
    assert store.get_summary("2606.00001", "other-model") is None
    assert store.count_summaries_since(T0) == 1
    assert store.count_summaries_since(T0 - timedelta(days=2)) == 2


def test_summary_of_an_unknown_paper_is_not_found(store: SqlStore) -> None:
    from bot.errors import NotFound

    with pytest.raises(NotFound):
        store.save_summary(CachedSummary("2606.99999", "m", "text", "h", T0))


def _channel_with_history(store: SqlStore) -> tuple[Channel, list[Paper]]:
    papers = [
        make_paper(
            "2606.00001",
            "Grasping & Manipulation with 100% Success: A {Study}",
            "We propose GraspNet. Code at https://github.com/lab/graspnet.",
            authors=("José Álvarez", "Li Wei"),
            categories=("cs.RO", "cs.LG"),
            primary_category="cs.RO",
            published=date(2026, 6, 29),
        ),
        make_paper(
            "doi:10.1101/2026.06.01.000001",
            "=HYPERLINK(1) a bioRxiv preprint",
            doi="10.1101/2026.06.01.000001",
            authors=("Ann O'Neil",),
            categories=(),
            primary_category=None,
            url="https://www.biorxiv.org/content/10.1101/2026.06.01.000001v1",
        ),
        make_paper("2606.00003", "Disliked paper"),
        make_paper("2606.00004", "Never reacted to"),
        make_paper("2606.00005", "Pending, not yet posted"),
    ]
    store.upsert_papers(papers, T0)
    channel = store.add_channel(
        ChannelRef(Platform.SLACK, "T1", "C1"), "robots", ChannelSettings(), now=T0
    )
    reason = (Reason(ReasonKind.TOPIC, "matches “grasping”", 1.0, "grasping"),)
    day1, _ = store.create_digest(
        channel.id,
        "2026-06-29",
        [(ScoredPaper(p, 1.0, reason), f"TL;DR of {p.id}") for p in papers[:2]],
        candidates=10,
        now=T0 - timedelta(days=1),
        watermark=None,
    )
    day2, _ = store.create_digest(
        channel.id,
        "2026-06-30",
        [(ScoredPaper(p, 1.0, reason), f"TL;DR of {p.id}") for p in papers[2:]],
        candidates=10,
        now=T0,
        watermark=None,
    )
    for digest, posted in ((day1, papers[:2]), (day2, papers[2:4])):
        assert digest.id is not None
        for i, paper in enumerate(posted):
            store.mark_item_posted(digest.id, paper.id, f"m-{paper.id}-{i}", now=T0)
    react = store.record_reaction
    react(channel.id, papers[0].id, "u1", "+1", 1, added=True, now=T0)
    react(channel.id, papers[0].id, "u2", "heart", 1, added=True, now=T0 + timedelta(seconds=1))
    react(channel.id, papers[0].id, "u3", "-1", -1, added=True, now=T0 + timedelta(seconds=2))
    react(channel.id, papers[1].id, "u1", "+1", 1, added=True, now=T0 + timedelta(seconds=3))
    react(channel.id, papers[2].id, "u1", "+1", 1, added=True, now=T0 + timedelta(seconds=4))
    react(channel.id, papers[2].id, "u2", "-1", -1, added=True, now=T0 + timedelta(seconds=5))
    react(channel.id, papers[2].id, "u3", "-1", -1, added=True, now=T0 + timedelta(seconds=6))
    return channel, papers


def test_history_lists_recent_posted_picks_with_reactions(store: SqlStore) -> None:
    channel, papers = _channel_with_history(store)
    picks = recent_picks(store, channel.id, 10)
    assert [p.paper.id for p in picks] == [papers[2].id, papers[3].id, papers[0].id, papers[1].id]
    assert [(p.up, p.down) for p in picks] == [(1, 2), (0, 0), (2, 1), (1, 0)]
    text = marked(history_text(store, channel, 3))
    lines = text.splitlines()
    assert lines[0] == "*Last 3 picks in #robots*"
    assert lines[1] == "• 30 Jun · <https://arxiv.org/abs/2606.00003|Disliked paper> · 1 👍 2 👎"
    assert lines[2] == "• 30 Jun · <https://arxiv.org/abs/2606.00004|Never reacted to> · 0 👍 0 👎"
    assert lines[3].startswith("• 29 Jun · <https://arxiv.org/abs/2606.00001|Grasping & Manip")
    assert lines[3].endswith(" · 2 👍 1 👎") and len(lines) == 4
    assert "Pending" not in text


def test_history_of_a_quiet_channel(store: SqlStore) -> None:
    channel = store.add_channel(
        ChannelRef(Platform.DISCORD, "G", "C"), "quiet", ChannelSettings(), now=T0
    )
    assert history_text(store, channel).plain == "Nothing posted here yet."


def test_liked_papers_are_net_positive_in_like_order(store: SqlStore) -> None:
    channel, papers = _channel_with_history(store)
    liked = liked_papers(store, channel.id)
    assert [(item.paper.id, item.up, item.down) for item in liked] == [
        (papers[0].id, 2, 1),
        (papers[1].id, 1, 0),
    ]
    assert liked[0].tldr == f"TL;DR of {papers[0].id}"


def test_bibtex_export_parses_and_escapes(store: SqlStore) -> None:
    channel, _ = _channel_with_history(store)
    text = to_bibtex(liked_papers(store, channel.id))
    db = bibtexparser.loads(text)
    assert len(db.entries) == 2
    arxiv, other = db.entries
    assert arxiv["ENTRYTYPE"] == "misc"
    assert arxiv["ID"] == "alvarez2026grasping"
    assert arxiv["eprint"] == "2606.00001"
    assert arxiv["archiveprefix"] == "arXiv"
    assert arxiv["primaryclass"] == "cs.RO"
    assert arxiv["year"] == "2026"
    assert arxiv["url"] == "https://arxiv.org/abs/2606.00001"
    # LaTeX grouping braces in the title are markup; specials are escaped, caps protected.
    assert arxiv["title"] == "{Grasping \\& Manipulation with 100\\% Success: A Study}"
    assert arxiv["author"] == "Jos\\'e \\'Alvarez and Li Wei"
    assert "eprint" not in other and "archiveprefix" not in other
    assert other["doi"] == "10.1101/2026.06.01.000001"
    assert other["url"].startswith("https://www.biorxiv.org/")
    assert "arxiv" not in text.split("@misc", 2)[2].lower()


def test_bibtex_keys_are_unique() -> None:
    paper = Paper(id="2606.00009", title="Same Title", authors=("A Smith",))
    used: set[str] = set()
    first = bibtex_entry(paper, used)
    second = bibtex_entry(paper, used)
    assert first.startswith("@misc{smith2026same,") and second.startswith("@misc{smith2026samea,")


def test_csv_and_jsonl_exports(store: SqlStore) -> None:
    channel, papers = _channel_with_history(store)
    liked = liked_papers(store, channel.id)
    rows = list(csv.DictReader(io.StringIO(to_csv(liked))))
    assert [r["id"] for r in rows] == [papers[0].id, papers[1].id]
    assert rows[0]["authors"] == "José Álvarez; Li Wei"
    assert rows[0]["code_url"] == "https://github.com/lab/graspnet"
    assert (rows[0]["likes"], rows[0]["dislikes"]) == ("2", "1")
    assert rows[1]["title"].startswith("'=HYPERLINK")  # no formula runs in a spreadsheet
    records = [json.loads(line) for line in to_jsonl(liked).splitlines()]
    assert records[0]["authors"] == ["José Álvarez", "Li Wei"]
    assert records[1]["title"] == "=HYPERLINK(1) a bioRxiv preprint"
    assert records[1]["url"].startswith("https://www.biorxiv.org/")
    assert records[1]["pdf_url"] is None
    with pytest.raises(ValueError):
        render(liked, "xml")
