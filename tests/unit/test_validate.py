"""The validation gate: every source's bad record is cleaned, clamped or skipped, never fatal."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from bot.models import MAX_AUTHOR_NAME, MAX_AUTHORS, MAX_COUNT
from bot.sources import arxiv_api, arxiv_feed, hf_daily, rss
from bot.sources.jsonl import read_jsonl
from bot.sources.validate import clean_paper, clean_text, count, parse_date
from tests.conftest import make_paper

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "sources"
HF_PAGE = json.loads((FIX / "hf-daily-2026-06-12.json").read_text(encoding="utf-8"))


def test_text_loses_control_characters_and_lone_surrogates() -> None:
    assert clean_text("Bad\x00 title\x07\x1b[31m\x7f\x85\ud800!") == "Bad title[31m!"
    assert clean_text("  two\n\tlines\r\n  ") == "two lines"
    assert clean_text("Ünïcode — “quotes” 🙂") == "Ünïcode — “quotes” 🙂"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12, 12),
        (10**30, MAX_COUNT),
        (2**63, MAX_COUNT),
        (-5, 0),
        ("42", 42),
        (7.0, 7),
        (7.5, None),
        (float("nan"), None),
        (float("inf"), None),
        (True, None),
        ("many", None),
        (None, None),
        ([3], None),
    ],
)
def test_counts_are_clamped_to_the_integer_column(value: object, expected: int | None) -> None:
    assert count(value) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-06-12", date(2026, 6, 12)),
        ("2026-06-12T14:00:00Z", date(2026, 6, 12)),
        ("2026-05-30T13:00:00.000Z", date(2026, 5, 30)),
        ("Fri, 12 Jun 2026 00:00:00 -0400", date(2026, 6, 12)),
        ("", None),
    ],
)
def test_dates_are_read_strictly(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["yesterday", "2026-13-01", "Fri, 99 Foo 2026", "9999-01-01"])
def test_unreadable_or_absurd_dates_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="date"):
        parse_date(text)


def test_clean_paper_caps_and_clamps_or_says_why_not() -> None:
    messy = make_paper(
        "2606.00001",
        "A\x00 title",
        authors=(*(f"Author {n}" for n in range(3 * MAX_AUTHORS)), "x" * 5000),
        upvotes=10**30,
        code_stars=2**63,
        hf_comments=-1,
        doi="10.1/" + "d" * 400,
        primary_category="c" * 100,
        url="https://example.org/\x00a",
        ai_summary="s" * 10_000,
        keywords=("k\x00", " ", "w" * 500),
    )
    clean = clean_paper(messy)
    assert clean.title == "A title"
    assert len(clean.authors) == MAX_AUTHORS
    assert (clean.upvotes, clean.code_stars, clean.hf_comments) == (MAX_COUNT, MAX_COUNT, 0)
    assert clean.doi is None and clean.primary_category is None
    assert clean.url == "https://example.org/a"
    assert clean.ai_summary is not None and len(clean.ai_summary) == 2_000
    assert clean.keywords[0] == "k" and len(clean.keywords) == 2 and len(clean.keywords[1]) == 100
    long_name = clean_paper(make_paper("2606.00002", "T", authors=("n" * 5000,))).authors[0]
    assert len(long_name) == MAX_AUTHOR_NAME
    for bad, reason in [
        (make_paper("2606.00003", "\x00\x01"), "missing title"),
        (make_paper("2606.00004", "t" * 1001), "title too long"),
        (make_paper("2606.00005", "T", abstract="a " * 20_000), "abstract too long"),
        (make_paper("guid:" + "g" * 300, "T"), "id too long"),
        (make_paper("2606.00006", "T", published=date(9999, 1, 1)), "date out of range"),
    ]:
        with pytest.raises(ValueError, match=reason):
            clean_paper(bad)


def test_hf_page_with_bad_records_keeps_every_other_paper() -> None:
    page = json.loads(json.dumps(HF_PAGE))
    page[0]["paper"]["title"] = "Bad\x00title"
    page[1]["paper"]["upvotes"] = 10**30
    page[2]["paper"]["githubStars"] = 2**63
    page[3]["numComments"] = 2**64 + 1
    page[4]["paper"]["publishedAt"] = "not a date"  # cannot be made valid: skipped
    page[5]["paper"]["summary"] = "An abstract\x00 with a NUL\ud83d and a lone surrogate."
    result = hf_daily.parse_daily(json.dumps(page).encode())
    assert result.error is None
    bad_id = page[4]["paper"]["id"]
    assert result.rejected == [(bad_id, "bad date 'not a date'")]
    by_id = {p.id: p for p in result.papers}
    assert len(by_id) == 7
    assert by_id[page[0]["paper"]["id"]].title == "Badtitle"
    assert by_id[page[1]["paper"]["id"]].upvotes == MAX_COUNT
    assert by_id[page[2]["paper"]["id"]].code_stars == MAX_COUNT
    assert by_id[page[3]["paper"]["id"]].hf_comments == MAX_COUNT
    assert by_id[page[5]["paper"]["id"]].abstract == "An abstract with a NUL and a lone surrogate."


def test_arxiv_feed_entry_with_a_bad_date_is_skipped_the_rest_kept() -> None:
    body = (FIX / "arxiv-rss-cs.CL+cs.LG-2026-06-12.xml").read_bytes()
    first = body.index(b"<pubDate>Fri, 12 Jun 2026", body.index(b"<item>"))
    body = body[:first] + b"<pubDate>Fry, 99 Jun 2026" + body[first + 25 :]
    # C1 controls are legal XML 1.0 characters, so they reach the parser's text
    body = body.replace(b"Rethinking Psychometric", "Rethinking\u009b\u0080".encode() + b" x", 1)
    result = arxiv_feed.parse_feed(body)
    assert result.error is None and len(result.papers) == 6
    assert result.rejected == [
        ("oai:arXiv.org:2606.00467v1", "bad date 'Fry, 99 Jun 2026 00:00:00 -0400'")
    ]
    assert result.papers[0].title.startswith("Rethinking x Evaluation")


def test_arxiv_api_entry_with_absurd_fields() -> None:
    body = (FIX / "api-window-cs.CL+cs.LG-2026-06-11.xml").read_bytes()
    body = body.replace(b"<published>2026-06-11T17:41:09Z", b"<published>1066-10-14T09:00:00Z")
    body = body.replace(b"<name>Etienne Casanova</name>", b"<name>" + b"E" * 3000 + b"</name>")
    result = arxiv_api.parse_api(body)
    assert result.rejected == [
        ("http://arxiv.org/abs/2606.00467v1", "date out of range (1066-10-14)")
    ]
    assert len(result.papers) == 4
    (named,) = [p for p in arxiv_api.parse_api(body.replace(b"1066", b"2026")).papers[:1]]
    assert len(named.authors[0]) == MAX_AUTHOR_NAME


def test_rss_entry_with_an_unreadable_date_is_skipped_the_rest_kept() -> None:
    feed = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>j</title>
    <item><title>Good</title><link>https://j.example/1</link><guid>j1</guid>
      <pubDate>Fri, 12 Jun 2026 08:00:00 GMT</pubDate><description>A.</description></item>
    <item><title>Bad date</title><link>https://j.example/2</link><guid>j2</guid>
      <pubDate>sometime soon</pubDate><description>B.</description></item>
    <item><title>Control\x01chars</title><link>https://j.example/3</link><guid>j3</guid>
      <description>C.</description></item>
    </channel></rss>"""
    result = rss.parse_rss(feed, "rss:j")
    assert [p.id for p in result.papers] == ["guid:j1", "guid:j3"]
    assert result.rejected == [("j2", "bad date 'sometime soon'")]
    assert result.papers[1].title == "Controlchars"


def test_jsonl_records_pass_the_same_gate(tmp_path: Path) -> None:
    good = {"id": "2503.12461", "title": "T\x00", "abstract": "A", "upvotes": 10**30}
    lines = [
        json.dumps(good),
        json.dumps({**good, "id": "2503.00002", "doi": 12345, "url": ["x"]}),
        json.dumps({**good, "id": "2503.00003", "date": "2026-02-30"}),
    ]
    path = tmp_path / "x.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = read_jsonl(path)
    assert [(p.id, p.title, p.upvotes) for p in result.papers] == [
        ("2503.12461", "T", MAX_COUNT),
        ("2503.00002", "T", MAX_COUNT),
    ]
    assert result.papers[1].doi is None and result.papers[1].url is None
    assert result.rejected == [("x.jsonl:3", "bad date '2026-02-30'")]
