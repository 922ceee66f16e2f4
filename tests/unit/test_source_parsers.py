"""Source parsers on recorded responses, and every kind of bad input."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from bot.identity import find_doi, paper_key
from bot.sources import arxiv_api, arxiv_feed, hf_daily, rss

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "sources"
RSS_FEED = FIX / "arxiv-rss-cs.CL+cs.LG-2026-06-12.xml"
ATOM_FEED = FIX / "arxiv-atom-cs.CL+cs.LG-2026-06-12.xml"


def _item(pid: str = "2606.00001", title: str = "A title", abstract: str = "An abstract.") -> str:
    return (
        f"<item><title>{title}</title><link>https://arxiv.org/abs/{pid}</link>"
        f"<description>arXiv:{pid}v1 Announce Type: new \nAbstract: {abstract}</description>"
        f'<guid isPermaLink="false">oai:arXiv.org:{pid}v1</guid><category>cs.LG</category>'
        "<pubDate>Fri, 12 Jun 2026 00:00:00 -0400</pubDate>"
        "<arxiv:announce_type>new</arxiv:announce_type><dc:creator>A. One, B. Two</dc:creator></item>"
    )


def _rss(*items: str) -> bytes:
    return (
        '<?xml version="1.0"?><rss xmlns:arxiv="http://arxiv.org/schemas/atom" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0"><channel><title>t</title>'
        + "".join(items)
        + "</channel></rss>"
    ).encode()


# ---------------------------------------------------------------- arXiv feeds
@pytest.mark.parametrize("path", [RSS_FEED, ATOM_FEED], ids=["rss", "atom"])
def test_arxiv_feed_reads_every_announce_type(path: Path) -> None:
    result = arxiv_feed.parse_feed(path.read_bytes())
    assert result.error is None and result.rejected == []
    by_id = {p.id: p for p in result.papers}
    assert len(by_id) == 7
    assert [p.announce_type for p in result.papers] == [
        "new", "new", "cross", "new", "new", "replace", "replace-cross"
    ]  # fmt: skip
    first = by_id["2606.00467"]
    assert first.title.startswith("On the Limits of LLM Adaptability")
    assert first.authors == ("Etienne Casanova", "Rafal Kocielnik", "R. Michael Alvarez")
    assert first.version == 1 and first.sources == ("arxiv",)
    assert first.published == date(2026, 6, 12) and first.abstract.startswith("Large Language")
    assert "cs.CL" in first.categories
    replaced = by_id["2606.11199"]
    assert replaced.version == 2
    assert replaced.published is None  # a replacement's date is not the paper's first release
    assert replaced.updated == date(2026, 6, 12)


def test_weekend_feed_is_empty_not_an_error() -> None:
    result = arxiv_feed.parse_feed((FIX / "arxiv-rss-weekend-empty.xml").read_bytes())
    assert result.error is None and result.papers == [] and result.meta["skip_days"]


def test_feed_urls_join_categories_with_plus() -> None:
    urls = arxiv_feed.feed_urls("https://rss.arxiv.org/rss/", ["cs.AI", "cs.LG", "q-bio"], 2)
    assert urls == ["https://rss.arxiv.org/rss/cs.AI+cs.LG", "https://rss.arxiv.org/rss/q-bio"]


def test_malformed_xml_keeps_entries_before_the_damage() -> None:
    body = _rss(_item("2606.00001"), _item("2606.00002")).replace(
        b"</channel>", b"<oops></channel>"
    )
    result = arxiv_feed.parse_feed(body)
    assert [p.id for p in result.papers] == ["2606.00001", "2606.00002"]
    assert result.error is not None and "malformed" in result.error


def test_truncated_response_keeps_complete_entries() -> None:
    body = _rss(_item("2606.00001"), _item("2606.00002"), _item("2606.00003"))
    cut = body[: body.index(b"2606.00003") + 40]
    result = arxiv_feed.parse_feed(cut)
    assert [p.id for p in result.papers] == ["2606.00001", "2606.00002"]
    assert result.error is not None and "truncated" in result.error


def test_xml_bomb_is_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b"<rss><channel><item><title>&lol2;</title></item></channel></rss>"
    )
    for parse in (arxiv_feed.parse_feed, arxiv_api.parse_api):
        result = parse(bomb)
        assert result.papers == [] and result.error is not None and "unsafe" in result.error
    generic = rss.parse_rss(bomb, "rss:x")
    assert generic.papers == [] and generic.error is not None and "unsafe" in generic.error


def test_html_instead_of_a_feed() -> None:
    page = b"<!DOCTYPE html><html><head><title>503</title></head><body>down</body></html>"
    assert "HTML" in (arxiv_feed.parse_feed(page).error or "")
    assert "HTML" in (arxiv_api.parse_api(page).error or "")
    assert "HTML" in (rss.parse_rss(page, "rss:x").error or "")


def test_missing_fields_long_fields_and_duplicates_are_skipped_with_reasons() -> None:
    no_id = (
        _item("2606.00005")
        .replace("arXiv:2606.00005v1", "")
        .replace("oai:arXiv.org:2606.00005v1", "nothing")
    )
    body = _rss(
        _item("2606.00001"),
        _item("2606.00002", title=""),
        _item("2606.00003", abstract=""),
        no_id,
        _item("2606.00004", title="x" * 5000),
        _item("2606.00006", abstract="y " * 30000),
        _item("2606.00001"),
    )
    result = arxiv_feed.parse_feed(body)
    assert [p.id for p in result.papers] == ["2606.00001"]
    reasons = [reason for _, reason in result.rejected]
    assert "missing title" in reasons
    assert "missing abstract" in reasons
    assert "no arXiv id in the entry" in reasons
    assert any(r.startswith("title too long") for r in reasons)
    assert any(r.startswith("abstract too long") for r in reasons)
    assert "duplicate entry in the same feed" in reasons
    assert result.error is None


# ------------------------------------------------------------------ arXiv API
def test_api_old_style_id_and_fields() -> None:
    result = arxiv_api.parse_api((FIX / "api-id-astro-ph-0601001.xml").read_bytes())
    (paper,) = result.papers
    assert paper.id == "astro-ph/0601001" and paper.version == 1
    assert paper.primary_category == "astro-ph"
    assert paper.journal_ref == "ActaAstron.56:1-50,2006"
    assert paper.comments and paper.comments.startswith("62 pages")
    assert paper.url == "https://arxiv.org/abs/astro-ph/0601001"
    assert paper.pdf_url == "https://arxiv.org/pdf/astro-ph/0601001v1"
    assert paper.published == date(2006, 1, 2)


def test_api_versioned_id_legacy_and_empty_results() -> None:
    (p,) = arxiv_api.parse_api((FIX / "api-id-2104.12255v1.xml").read_bytes()).papers
    assert (p.id, p.version, p.title) == ("2104.12255", 1, "0")
    (legacy,) = arxiv_api.parse_api((FIX / "api-legacy-id-1111.2011v2.xml").read_bytes()).papers
    assert legacy.id == "1111.2011" and legacy.version == 2
    assert "Bethe Lattice" in legacy.title and "\n" not in legacy.title
    empty = arxiv_api.parse_api((FIX / "api-id-empty.xml").read_bytes())
    assert empty.papers == [] and empty.error is None and empty.meta["total"] == 0


def test_api_error_entry_becomes_the_error() -> None:
    result = arxiv_api.parse_api((FIX / "api-error-abc.xml").read_bytes())
    assert result.papers == []
    assert result.error == "arXiv API error: incorrect id format for abc"


def test_api_search_page_has_total_for_paging() -> None:
    result = arxiv_api.parse_api((FIX / "api-q-testing-s0-m10.xml").read_bytes())
    assert len(result.papers) == 10 and result.meta["total"] == 214881


def test_window_query() -> None:
    q = arxiv_api.window_query(["quant-ph", "cs.LG"], date(2026, 6, 1), date(2026, 6, 3))
    assert q == "(cat:quant-ph OR cat:cs.LG) AND submittedDate:[202606010000 TO 202606032359]"


# ----------------------------------------------------------------------- HF
def test_hf_fields_and_the_two_published_dates() -> None:
    result = hf_daily.parse_daily((FIX / "hf-daily-2026-06-12.json").read_bytes())
    assert result.error is None and len(result.papers) == 8
    paper = next(p for p in result.papers if p.id == "2606.00467")
    assert paper.upvotes == 0 and paper.hf_comments == 2
    assert paper.ai_summary and paper.ai_summary.startswith("Large language models")
    assert "decision stickiness" in paper.keywords
    assert paper.published == date(2026, 5, 30)  # paper.publishedAt, not the Daily Papers date
    assert paper.hf_url == "https://huggingface.co/papers/2606.00467"
    recorded = hf_daily.parse_daily((FIX / "hf-daily-2026-07-31.json").read_bytes())
    with_repo = [p for p in recorded.papers if p.code_url]
    assert with_repo and all(p.code_stars is not None for p in with_repo)


def test_hf_bad_json_and_bad_elements() -> None:
    assert "malformed JSON" in (hf_daily.parse_daily(b'[{"paper": ').error or "")
    assert "expected a JSON array" in (hf_daily.parse_daily(b'{"x": 1}').error or "")
    assert "Hugging Face error" in (hf_daily.parse_daily(b'{"error": "nope"}').error or "")
    good = {"paper": {"id": "2606.00001", "title": "T", "summary": "S", "upvotes": 3}}
    items = [
        good,
        {"paper": {"id": "not-an-id", "title": "T"}},
        {"paper": {"id": "2606.00002"}},
        {"paper": {"id": "2606.00003", "title": "T", "withdrawnAt": "2026-01-01"}},
        {"paper": {"id": "2606.00004", "title": "t" * 5000}},
        "junk",
        {"paper": {**good["paper"], "unknownField": {"x": 1}, "upvotes": "many"}},
    ]
    result = hf_daily.parse_daily(json.dumps(items).encode())
    assert [p.id for p in result.papers] == ["2606.00001"]
    assert result.papers[0].upvotes == 3
    reasons = [r for _, r in result.rejected]
    assert reasons[:3] == [
        "missing or non-arXiv paper id",
        "missing title",
        "withdrawn on Hugging Face",
    ]
    assert reasons[3].startswith("title too long") and reasons[4] == "not a JSON object"
    assert reasons[5] == "duplicate entry in the same response"


# ------------------------------------------------------------- generic RSS
def test_generic_rss_identity_from_arxiv_links_dois_and_guids() -> None:
    body = b"""<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:prism="http://prismstandard.org/namespaces/basic/2.0/"><channel><title>j</title>
    <item><title>Via arXiv DOI</title><link>https://doi.org/10.48550/arXiv.2606.00467</link>
      <description>&lt;p&gt;Some &lt;b&gt;abstract&lt;/b&gt;&lt;/p&gt;</description><guid>a1</guid></item>
    <item><title>bioRxiv paper</title><link>https://www.biorxiv.org/content/10.1101/2026.06.01.123456v1</link>
      <prism:doi>10.1101/2026.06.01.123456</prism:doi><description>Cells.</description>
      <dc:creator>Ann Lee</dc:creator><pubDate>Mon, 01 Jun 2026 10:00:00 GMT</pubDate></item>
    <item><title>A blog post</title><guid>https://blog.example.org/p/1</guid></item>
    <item><title>A blog post again</title><guid>https://blog.example.org/p/1</guid></item>
    <item><description>no title</description><guid>x</guid></item>
    </channel></rss>"""
    result = rss.parse_rss(body, "rss:j")
    ids = [p.id for p in result.papers]
    assert ids == [
        "2606.00467",
        "doi:10.1101/2026.06.01.123456",
        "guid:https://blog.example.org/p/1",
    ]
    assert result.papers[0].abstract == "Some abstract"
    bio = result.papers[1]
    assert bio.authors == ("Ann Lee",) and bio.published == date(2026, 6, 1)
    assert bio.sources == ("rss:j",)
    reasons = [r for _, r in result.rejected]
    assert reasons == ["duplicate entry in the same feed", "missing title"]


def test_generic_atom_and_garbage() -> None:
    atom = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
      <entry><id>tag:x,2026:1</id><title>Hello</title><summary>World</summary>
      <link href="https://arxiv.org/abs/2501.00001v3"/><author><name>Z</name></author></entry></feed>"""
    (paper,) = rss.parse_rss(atom, "rss:t").papers
    assert paper.id == "2501.00001" and paper.authors == ("Z",)
    assert rss.parse_rss(b"", "rss:t").error == "empty response body"
    assert "not a readable" in (rss.parse_rss(b"\x00\x01 not xml {", "rss:t").error or "")


def test_feed_specs() -> None:
    specs = rss.feed_specs("nature=https://n.example/rss, https://www.biorxiv.org/feed ,")
    assert [(s.name, s.url) for s in specs] == [
        ("nature", "https://n.example/rss"),
        ("www.biorxiv.org", "https://www.biorxiv.org/feed"),
    ]
    assert specs[0].source == "rss:nature"


# ------------------------------------------------------------------ identity
def test_identity_from_dois_and_links() -> None:
    assert find_doi("https://doi.org/10.1101/2026.06.01.123456.") == "10.1101/2026.06.01.123456"
    assert find_doi("no doi here") is None
    assert find_doi("https://www.biorxiv.org/content/10.1101/2026.06.01.123456v2") == (
        "10.1101/2026.06.01.123456"
    )
    assert paper_key(doi="10.48550/arXiv.2606.00467") == "2606.00467"
    assert paper_key(doi="https://doi.org/10.1000/ABC") == "doi:10.1000/abc"
    assert paper_key(guid="https://huggingface.co/papers/2606.00467") == "2606.00467"


def test_category_shapes() -> None:
    assert all(
        map(arxiv_feed.is_category, ["cs.LG", "q-bio.NC", "math", "hep-th", "cond-mat.str-el"])
    )
    assert not any(
        map(arxiv_feed.is_category, ["robotics", "robotics stuff", "cs.LG+cs.AI", "", "../x"])
    )


def test_api_bad_entries_are_skipped_with_reasons() -> None:
    def entry(pid: str, title: str = "T", summary: str = "S", comment: str = "") -> str:
        return (
            f"<entry><id>http://arxiv.org/abs/{pid}</id><title>{title}</title>"
            f"<summary>{summary}</summary><arxiv:comment>{comment}</arxiv:comment></entry>"
        )

    body = (
        '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">'
        + entry("2606.00001v2", comment="c" * 50_000)
        + entry("2606.00002v1", title="")
        + entry("2606.00003v1", summary="")
        + entry("nothing-here")
        + entry("2606.00001v1")
        + "</feed>"
    ).encode()
    result = arxiv_api.parse_api(body)
    (good,) = result.papers
    assert good.id == "2606.00001" and good.version == 2
    assert good.comments is not None and len(good.comments) == 2_000
    assert [r for _, r in result.rejected] == [
        "missing title",
        "missing abstract",
        "no arXiv id in the entry",
        "duplicate entry in the same response",
    ]
