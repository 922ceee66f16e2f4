"""PaperStore, EmbeddingStore and SummaryCache contract: one paper per work, merged on upsert,
first-seen time kept; `replace` announcements are stored but never new."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.errors import NotFound
from bot.models import CachedSummary, IngestReport
from bot.ports import Store
from tests.conftest import make_paper
from tests.contracts.conftest import T0

H = timedelta(hours=1)


def test_upsert_inserts_merges_and_counts(any_store: Store) -> None:
    v1 = make_paper("2607.00001", "Old title", version=1, sources=("arxiv",))
    hf = make_paper("2607.00001", "Old title", version=1, sources=("hf",), upvotes=12)
    other = make_paper("2607.00002", "Other")
    assert any_store.upsert_papers([v1, other], T0) == IngestReport(new=2)
    assert any_store.upsert_papers([v1], T0 + H) == IngestReport(unchanged=1)
    v2 = make_paper("2607.00001", "New title", version=2, sources=("arxiv",))
    assert any_store.upsert_papers([hf, v2], T0 + 2 * H) == IngestReport(updated=1)
    got = any_store.get_paper("2607.00001")
    assert got is not None
    assert (got.title, got.version, got.upvotes) == ("New title", 2, 12)
    assert set(got.sources) == {"arxiv", "hf"}
    assert any_store.count_papers() == 2
    assert set(any_store.get_papers(["2607.00001", "2607.99999"])) == {"2607.00001"}
    assert any_store.get_paper("2607.99999") is None


def test_new_means_first_seen_after_and_never_a_replace(any_store: Store) -> None:
    any_store.upsert_papers([make_paper("2607.00001", "A")], T0)
    any_store.upsert_papers([make_paper("2607.00002", "B")], T0 + H)
    any_store.upsert_papers([make_paper("2607.00003", "C", announce_type="replace")], T0 + H)
    any_store.upsert_papers([make_paper("2607.00004", "D", announce_type="new")], T0 + 2 * H)
    any_store.upsert_papers([make_paper("2607.00001", "A", version=3)], T0 + 3 * H)  # a v3
    assert [p.id for p in any_store.papers_seen_since(T0)] == ["2607.00004", "2607.00002"]
    assert [p.id for p in any_store.papers_seen_since(T0 - H, limit=2)] == [
        "2607.00004",
        "2607.00002",
    ]


def test_embeddings_keep_their_first_vector(any_store: Store) -> None:
    any_store.upsert_papers([make_paper("2607.00001", "A"), make_paper("2607.00002", "B")], T0)
    any_store.save_embeddings("m", {"2607.00001": b"\x00" * 8})
    any_store.save_embeddings("m", {"2607.00001": b"\x01" * 8, "2607.00002": b"\x02" * 8})
    assert any_store.get_embeddings("m", ["2607.00001", "2607.00002", "x"]) == {
        "2607.00001": b"\x00" * 8,
        "2607.00002": b"\x02" * 8,
    }
    assert any_store.get_embeddings("other", ["2607.00001"]) == {}


def test_summaries_per_paper_and_model(any_store: Store) -> None:
    any_store.upsert_papers([make_paper("2607.00001", "A")], T0)
    any_store.save_summary(CachedSummary("2607.00001", "m", "one", "h1", T0))
    any_store.save_summary(CachedSummary("2607.00001", "m", "two", "h2", T0 + H))
    got = any_store.get_summary("2607.00001", "m")
    assert got is not None and (got.text, got.source_hash) == ("two", "h2")
    assert any_store.get_summary("2607.00001", "other") is None
    assert any_store.count_summaries_since(T0 + H) == 1
    with pytest.raises(NotFound):
        any_store.save_summary(CachedSummary("2607.99999", "m", "x", "", T0))


def test_library_lookups_by_doi_and_title(any_store: Store) -> None:
    from bot.library.titles import title_key

    arxiv = make_paper("2607.00001", "{T}he Optimal $k$-Means, Revisited", doi="10.1/ABC")
    journal = make_paper("doi:10.2/xyz", "A Journal Paper")
    other = make_paper("2607.00002", "The Optimal Transport Plan")
    any_store.upsert_papers([arxiv, journal, other], T0)
    by_doi = any_store.papers_by_doi(["10.1/abc", " 10.2/XYZ ", "10.9/none"])
    assert {k: p.id for k, p in by_doi.items()} == {
        "10.1/abc": "2607.00001",
        "10.2/xyz": "doi:10.2/xyz",
    }
    key = title_key("The optimal k-means revisited")
    assert [p.id for p in any_store.papers_by_title_key([key, "nothing"]).get(key, [])] == [
        "2607.00001"
    ]
    assert [p.id for p in any_store.papers_by_title_prefix("the optimal", 10)] == [
        "2607.00001",
        "2607.00002",
    ]
    assert [p.id for p in any_store.papers_by_title_prefix("the optimal", 1)] == ["2607.00001"]
    assert any_store.papers_by_title_prefix("", 10) == []
