"""arXiv ids are parsed whole or refused, never truncated, old-style ids included, everywhere."""

from __future__ import annotations

import json

import pytest

from bot.commands import parse as command_parse
from bot.content.export import bibtex_entry
from bot.content.links import has_arxiv_html
from bot.errors import CommandError
from bot.identity import arxiv_id, parse_arxiv_id, split_arxiv_id
from bot.sources import arxiv_api, arxiv_feed, hf_daily, rss
from tests.conftest import make_paper

WHOLE = [
    ("2601.01234v2", ("2601.01234", 2)),
    ("2601.01234", ("2601.01234", None)),
    ("2601.12345", ("2601.12345", None)),
    ("0704.0001", ("0704.0001", None)),
    ("1412.9999v11", ("1412.9999", 11)),
    ("hep-th/9901001v3", ("hep-th/9901001", 3)),
    ("hep-th/9901001", ("hep-th/9901001", None)),
    ("math.AG/0601001", ("math/0601001", None)),
    ("cond-mat.mes-hall/0102003", ("cond-mat/0102003", None)),
    ("Cond-Mat.Mes-Hall/0102003v2", ("cond-mat/0102003", 2)),
    ("https://arxiv.org/abs/2601.01234", ("2601.01234", None)),
    ("https://arxiv.org/abs/2601.01234v2", ("2601.01234", 2)),
    ("https://arxiv.org/pdf/2601.01234v2", ("2601.01234", 2)),
    ("https://arxiv.org/pdf/2601.01234v2.pdf", ("2601.01234", 2)),
    ("http://export.arxiv.org/abs/hep-th/9901001v3", ("hep-th/9901001", 3)),
    ("https://arxiv.org/abs/math.AG/0601001", ("math/0601001", None)),
    ("https://arxiv.org/html/2601.12345v1#S2", ("2601.12345", 1)),
    ("https://arxiv.org/abs/2601.12345?context=cs.LG", ("2601.12345", None)),
    ("arxiv:2601.01234", ("2601.01234", None)),
    ("arXiv: 2601.01234v2", ("2601.01234", 2)),
    ("arXiv:hep-th/9901001", ("hep-th/9901001", None)),
    ("10.48550/arXiv.2601.01234", ("2601.01234", None)),
    ("https://doi.org/10.48550/arXiv.2601.01234", ("2601.01234", None)),
    ("doi:10.48550/arxiv.hep-th/9901001", ("hep-th/9901001", None)),
    ("oai:arXiv.org:2606.00467v1", ("2606.00467", 1)),
    ("https://huggingface.co/papers/2606.00467", ("2606.00467", None)),
    ("<https://arxiv.org/abs/2601.01234|the paper>", ("2601.01234", None)),
]

REFUSED = [
    "2601.123456",  # six digits after the dot: not 2601.12345
    "arXiv:2601.123456",
    "https://arxiv.org/abs/2601.123456",
    "https://arxiv.org/abs/2601.123456v2",
    "10.48550/arXiv.2601.123456",
    "2601.1234",  # new ids have five digits since 2015
    "1412.12345",  # ... and four before
    "0703.0001",  # new-style ids start in April 2007
    "2613.01234",  # no month 13
    "hep-th/99010011",  # eight digits: not hep-th/9901001
    "hep-th/990100",
    "hep-th/0801001",  # old-style ids end in March 2007
    "nonsense/9901001",  # not an arXiv archive
    "9901001",  # an old-style number without its archive is no id
    "2601.01234v0",
    "2601.01234v12345",  # not v1234
    "2601.01234v2x",
    "2601.01234abc",
    "12345",
    "10.1101/2024.01.01.123456",
    "",
]


@pytest.mark.parametrize(("text", "expected"), WHOLE)
def test_ids_are_parsed_whole(text: str, expected: tuple[str, int | None]) -> None:
    assert split_arxiv_id(text) == expected


@pytest.mark.parametrize("text", REFUSED)
def test_ids_that_are_not_whole_ids_are_refused(text: str) -> None:
    assert parse_arxiv_id(text) is None


def test_year_and_month_come_from_the_id() -> None:
    new, old = parse_arxiv_id("2601.01234v2"), parse_arxiv_id("hep-th/9901001")
    assert new is not None and (new.year, new.month, new.new_style) == (2026, 1, True)
    assert old is not None and (old.year, old.month, old.new_style) == (1999, 1, False)
    assert str(new) == "2601.01234v2" and str(old) == "hep-th/9901001"
    y2k = parse_arxiv_id("math.AG/0601001")
    assert y2k is not None and y2k.year == 2006


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2601.12345", "2601.12345"),
        ("https://arxiv.org/abs/hep-th/9901001v3", "hep-th/9901001"),
        ("<https://arxiv.org/abs/cond-mat.mes-hall/0102003>", "cond-mat/0102003"),
        ("arXiv:2601.01234v2", "2601.01234"),
    ],
)
def test_like_and_why_take_ids_whole(text: str, expected: str) -> None:
    assert command_parse.paper_ref(text, "usage") == expected


@pytest.mark.parametrize("text", ["2601.123456", "https://arxiv.org/abs/2601.123456", "9901001"])
def test_like_and_why_refuse_truncatable_ids(text: str) -> None:
    with pytest.raises(CommandError, match="not an arXiv id"):
        command_parse.paper_ref(text, "usage")


def _feed_item(pid: str) -> str:
    return (
        f"<item><title>T {pid}</title><link>https://arxiv.org/abs/{pid}</link>"
        f"<description>arXiv:{pid}v1 Announce Type: new \nAbstract: A.</description>"
        f'<guid isPermaLink="false">oai:arXiv.org:{pid}v1</guid></item>'
    )


def test_sources_never_store_a_truncated_id() -> None:
    feed = arxiv_feed.parse_feed(
        (
            '<rss version="2.0"><channel><title>t</title>'
            + _feed_item("2606.123456")
            + _feed_item("hep-th/9901001")
            + "</channel></rss>"
        ).encode()
    )
    assert [p.id for p in feed.papers] == ["hep-th/9901001"]
    assert feed.rejected == [("oai:arXiv.org:2606.123456v1", "no arXiv id in the entry")]

    api = arxiv_api.parse_api(
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry>'
        b"<id>http://arxiv.org/abs/2606.123456v1</id><title>T</title><summary>S</summary>"
        b"</entry><entry><id>http://arxiv.org/abs/cond-mat/0102003v2</id><title>T</title>"
        b'<summary>S</summary><link href="https://arxiv.org/abs/cond-mat/0102003v2" '
        b'rel="alternate"/></entry></feed>'
    )
    assert [(p.id, p.version) for p in api.papers] == [("cond-mat/0102003", 2)]
    assert api.papers[0].url == "https://arxiv.org/abs/cond-mat/0102003"

    hf = hf_daily.parse_daily(
        json.dumps(
            [{"paper": {"id": "2606.123456", "title": "T"}}, {"paper": {"id": "2606.12345"}}]
        ).encode()
    )
    assert hf.papers == [] and hf.rejected[0] == ("2606.123456", "missing or non-arXiv paper id")

    entry = {"link": "https://arxiv.org/abs/2606.123456", "id": "g1", "title": "T"}
    assert rss.parse_entry(entry, "rss:x").id == "guid:g1"  # kept, but not as 2606.12345


def test_lookup_refuses_truncatable_ids_and_asks_arxiv_for_the_canonical_form() -> None:
    pages = list(
        arxiv_api.lookup_pages(
            None,  # type: ignore[arg-type]  # the bad-ids page needs no client
            None,  # type: ignore[arg-type]
            None,  # type: ignore[arg-type]
            ["2606.123456"],
        )
    )
    assert [p.parsed.rejected for p in pages] == [[("2606.123456", "not an arXiv id")]]
    assert arxiv_id("math.GT/0309136v2") == "math/0309136"


def test_links_and_export_read_the_id_through_the_parser() -> None:
    assert has_arxiv_html("2312.00001") and not has_arxiv_html("2311.99999")
    assert not has_arxiv_html("hep-th/9901001") and not has_arxiv_html("2606.123456")
    old = make_paper("hep-th/9901001", "Strings", published=None)
    assert "year = {1999}" in bibtex_entry(old)
