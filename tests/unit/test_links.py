"""Links: abstract, PDF, HTML, code, HF page; nothing arXiv-shaped for non-arXiv papers."""

from __future__ import annotations

from bot.content.links import code_url, has_arxiv_html, hf_page, paper_links
from bot.models import Paper


def test_arxiv_paper_from_hf_with_code() -> None:
    paper = Paper(
        id="2606.00467",
        title="T",
        sources=("arxiv", "hf"),
        code_url="https://github.com/org/repo",
    )
    assert paper_links(paper) == (
        ("abs", "https://arxiv.org/abs/2606.00467"),
        ("PDF", "https://arxiv.org/pdf/2606.00467"),
        ("HTML", "https://arxiv.org/html/2606.00467"),
        ("code", "https://github.com/org/repo"),
        ("HF", "https://huggingface.co/papers/2606.00467"),
    )


def test_no_hf_page_for_papers_hf_never_listed() -> None:
    paper = Paper(id="2606.00467", title="T", sources=("arxiv",))
    assert hf_page(paper) is None
    assert [label for label, _ in paper_links(paper)] == ["abs", "PDF", "HTML"]
    listed = Paper(id="2606.00467", title="T", hf_url="https://huggingface.co/papers/2606.00467")
    assert hf_page(listed) == "https://huggingface.co/papers/2606.00467"


def test_html_only_where_arxiv_builds_it() -> None:
    assert has_arxiv_html("2312.00001") and has_arxiv_html("2606.12345")
    assert not has_arxiv_html("2311.09999")
    assert not has_arxiv_html("hep-th/9901001")
    old = Paper(id="hep-th/9901001", title="Old")
    assert [label for label, _ in paper_links(old)] == ["abs", "PDF"]


def test_code_found_in_abstract_or_comments() -> None:
    in_abstract = Paper(
        id="2503.12461",
        title="T",
        abstract="Code is released at https://github.com/AuroraZengfh/MambaIC.",
    )
    assert code_url(in_abstract) == "https://github.com/AuroraZengfh/MambaIC"
    in_comments = Paper(id="2503.1", title="T", comments="15 pages; code: github.com/a-b/c_d.git)")
    assert code_url(in_comments) == "https://github.com/a-b/c_d"
    not_a_repo = Paper(id="2503.1", title="T", abstract="see https://github.com/features/x")
    assert code_url(not_a_repo) is None
    gitlab = Paper(id="2503.1", title="T", abstract="At https://gitlab.com/grp/proj/-/tree/main.")
    assert code_url(gitlab) == "https://gitlab.com/grp/proj"


def test_non_arxiv_paper_gets_no_arxiv_links() -> None:
    paper = Paper(
        id="doi:10.1101/2026.01.01.123456",
        title="A bioRxiv preprint",
        doi="10.1101/2026.01.01.123456",
        pdf_url="https://www.biorxiv.org/content/10.1101/2026.01.01.123456.full.pdf",
        sources=("rss:biorxiv",),
    )
    links = paper_links(paper)
    assert links == (
        ("abs", "https://doi.org/10.1101/2026.01.01.123456"),
        ("PDF", "https://www.biorxiv.org/content/10.1101/2026.01.01.123456.full.pdf"),
    )
    assert not any("arxiv.org" in url or "huggingface" in url for _, url in links)
    bare = Paper(id="guid:abc", title="A blog post")
    assert paper_links(bare) == ()


def test_unsafe_or_relative_urls_are_dropped() -> None:
    paper = Paper(
        id="guid:x",
        title="T",
        url="javascript:alert(1)",
        pdf_url="/relative.pdf",
        project_url="https://project.example.org",
    )
    assert paper_links(paper) == (("project", "https://project.example.org"),)


def test_abstract_link_of_an_arxiv_paper_stays_on_arxiv() -> None:
    versioned = Paper(id="2606.00467", title="T", url="https://arxiv.org/abs/2606.00467v2")
    assert paper_links(versioned)[0] == ("abs", "https://arxiv.org/abs/2606.00467v2")
    elsewhere = Paper(id="2606.00467", title="T", url="https://huggingface.co/papers/2606.00467")
    assert paper_links(elsewhere)[0] == ("abs", "https://arxiv.org/abs/2606.00467")
