"""The bulk ingest path (`storage/paper_upsert.py`) on SQLite and PostgreSQL: new, unchanged and
changed works, cross-source merges and duplicates inside one batch, batches over a chunk."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from bot.models import Paper
from bot.sources.merge import merge_papers
from storage.paper_upsert import INGEST_CHUNK
from storage.store import SqlStore
from tests.conftest import make_paper

T0 = datetime(2026, 6, 30, 9, 0, tzinfo=UTC)


def _arxiv(i: int, **kw: object) -> Paper:
    return make_paper(
        f"2606.{i:05d}",
        f"Paper {i}",
        f"Abstract {i}",
        version=1,
        sources=("arxiv",),
        authors=("Ada Lovelace", f"Author {i}"),
        categories=("cs.RO", "cs.LG"),
        published=date(2026, 6, 29),
        announce_type="new",
        **kw,
    )


def test_new_then_unchanged_then_new_version(store: SqlStore) -> None:
    papers = [_arxiv(i) for i in range(1, 301)]
    first = store.upsert_papers(papers, T0)
    assert (first.new, first.updated, first.unchanged, first.rejected) == (300, 0, 0, ())
    assert store.get_papers([p.id for p in papers]) == {p.id: p for p in papers}

    again = store.upsert_papers(papers, T0 + timedelta(hours=1))
    assert (again.new, again.updated, again.unchanged) == (0, 0, 300)

    v2 = [
        replace(p, version=2, title=p.title + " revised", announce_type="replace") for p in papers
    ]
    changed = store.upsert_papers([*v2[:100], *papers[100:]], T0 + timedelta(hours=2))
    assert (changed.new, changed.updated, changed.unchanged) == (0, 100, 200)
    stored = store.get_papers([p.id for p in papers])
    for old, new in zip(papers[:100], v2[:100], strict=True):
        got = stored[old.id]
        assert got.version == 2 and got.title == new.title
        assert got.announce_type == "new"  # the first announcement's type stays
    assert stored[papers[150].id] == papers[150]
    # a new version never makes a paper new again: first-seen times did not move
    assert store.papers_seen_since(T0 + timedelta(minutes=1)) == []
    assert len(store.papers_seen_since(T0 - timedelta(minutes=1))) == 300


def test_cross_source_merge_and_duplicates_in_one_batch(store: SqlStore) -> None:
    arxiv = _arxiv(7)
    hf = make_paper(
        arxiv.id, "Paper 7 (HF title)", sources=("hf",), upvotes=12, ai_summary="It grasps."
    )
    v2 = replace(arxiv, version=2, title="Paper 7 v2", announce_type="replace")
    other = _arxiv(8)
    batch = [arxiv, hf, other, v2, other, hf]  # one work three ways, another twice
    report = store.upsert_papers(batch, T0)
    assert (report.new, report.updated, report.unchanged) == (2, 0, 0)
    expected = merge_papers(merge_papers(merge_papers(arxiv, hf), v2), hf)
    got = store.get_paper(arxiv.id)
    assert got == expected
    assert got is not None and got.title == "Paper 7 v2" and got.version == 2
    assert got.upvotes == 12 and got.ai_summary == "It grasps." and got.sources == ("arxiv", "hf")
    assert store.get_paper(other.id) == other

    # the same merge against stored rows: HF first, then arXiv in the next batch
    hf_only = make_paper("2606.09999", "HF copy", sources=("hf",), upvotes=3)
    store.upsert_papers([hf_only], T0)
    later = store.upsert_papers(
        [_arxiv(9999), replace(hf_only, upvotes=5)], T0 + timedelta(hours=1)
    )
    assert (later.new, later.updated, later.unchanged) == (0, 1, 0)
    merged = store.get_paper("2606.09999")
    assert merged is not None
    assert merged.title == "Paper 9999" and merged.upvotes == 5  # arXiv metadata wins
    assert merged.sources == ("hf", "arxiv")


def test_batches_over_one_chunk_with_duplicates_across_chunks(store: SqlStore) -> None:
    n = INGEST_CHUNK + 300
    papers = [_arxiv(i) for i in range(n)]
    upvoted = [replace(p, sources=("hf",), upvotes=i) for i, p in enumerate(papers[:50])]
    report = store.upsert_papers([*papers, *upvoted], T0)
    # the HF copies arrive in the second chunk, after their arXiv records were written
    assert (report.new, report.updated, report.unchanged) == (n, 50, 0)
    assert store.count_papers() == n
    assert store.get_paper(papers[49].id) == merge_papers(papers[49], upvoted[49])
    again = store.upsert_papers([*papers, *upvoted], T0)
    # each chunk counts its own works: the HF copies are counted again in the second chunk
    assert (again.new, again.updated, again.unchanged) == (0, 0, n + 50)


def test_a_bad_row_in_a_bulk_chunk_is_rejected_alone(store: SqlStore) -> None:
    good = [_arxiv(i) for i in range(1, 11)]
    bad = make_paper("2606.77777", "Too many stars", code_stars=2**70)
    report = store.upsert_papers([*good[:5], bad, *good[5:]], T0)
    assert report.new == 10 and [pid for pid, _ in report.rejected] == [bad.id]
    assert store.count_papers() == 10
