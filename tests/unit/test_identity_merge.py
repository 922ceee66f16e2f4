"""Paper identity and merging of the same work from several sources and versions."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.identity import arxiv_id, paper_key, split_arxiv_id
from bot.sources.merge import merge_papers
from tests.conftest import make_paper


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2503.12461", ("2503.12461", None)),
        ("2503.12461v2", ("2503.12461", 2)),
        ("arXiv:2503.12461v3", ("2503.12461", 3)),
        ("https://arxiv.org/abs/2503.12461v1", ("2503.12461", 1)),
        ("https://arxiv.org/pdf/2503.12461", ("2503.12461", None)),
        ("10.48550/arXiv.2503.12461", ("2503.12461", None)),
        ("oai:arXiv.org:2503.12461v2", ("2503.12461", 2)),
        ("https://huggingface.co/papers/2503.12461", ("2503.12461", None)),
        ("hep-th/9901001", ("hep-th/9901001", None)),
        ("math.GT/0309136v2", ("math/0309136", 2)),
        ("0704.0001", ("0704.0001", None)),
    ],
)
def test_arxiv_ids(text: str, expected: tuple[str, int | None]) -> None:
    assert split_arxiv_id(text) == expected


@pytest.mark.parametrize("text", ["", "hello", "10.1101/2024.01.01.123456", "12345"])
def test_not_arxiv(text: str) -> None:
    assert arxiv_id(text) is None


def test_paper_key_prefers_arxiv_then_doi_then_guid() -> None:
    assert paper_key(arxiv="2503.12461v2", doi="10.1/x") == "2503.12461"
    assert paper_key(doi="10.48550/arXiv.2503.12461") == "2503.12461"
    assert paper_key(doi="https://doi.org/10.1101/ABC") == "doi:10.1101/abc"
    assert paper_key(guid="tag:example.org,2026:42") == "guid:tag:example.org,2026:42"
    with pytest.raises(ValueError):
        paper_key()


def test_merge_arxiv_and_hf_records() -> None:
    arxiv = make_paper(
        "2606.1",
        "Title",
        categories=("cs.RO", "cs.LG"),
        version=1,
        sources=("arxiv",),
        authors=("A. One",),
    )
    hf = make_paper(
        "2606.1",
        "Title (HF copy)",
        categories=(),
        sources=("hf",),
        upvotes=12,
        ai_summary="One line.",
        code_url="https://github.com/x/y",
    )
    merged = merge_papers(arxiv, hf)
    assert merged.title == "Title"  # arXiv metadata wins over another source's copy
    assert merged.categories == ("cs.RO", "cs.LG")
    assert merged.upvotes == 12 and merged.ai_summary == "One line."
    assert merged.code_url == "https://github.com/x/y"
    assert merged.sources == ("arxiv", "hf")
    # the other order gives the same work
    assert merge_papers(hf, arxiv).title == "Title"


def test_newer_version_updates_text_and_fresher_counts_win() -> None:
    v1 = make_paper("2606.1", "Old title", version=1, sources=("arxiv",), upvotes=3)
    v2 = replace(v1, title="New title", abstract="New abstract.", version=2, upvotes=None)
    merged = merge_papers(v1, v2)
    assert (merged.title, merged.abstract, merged.version, merged.upvotes) == (
        "New title",
        "New abstract.",
        2,
        3,
    )
    assert merge_papers(merged, v1).title == "New title"  # an old version never rolls back
    assert merge_papers(merged, merged) is merged


def test_merge_refuses_different_works() -> None:
    with pytest.raises(ValueError):
        merge_papers(make_paper("1", "a"), make_paper("2", "b"))
