"""TL;DRs: contribution sentence, LaTeX/HTML/unicode cleaning, and every bad abstract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.content.summarize import (
    TLDR_LIMIT,
    ExtractiveSummarizer,
    clean_text,
    extractive_tldr,
    first_sentence,
    method_name,
    sentences,
    tldr,
    trim,
)
from bot.models import Paper
from tests.conftest import make_paper

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _real(paper_id: str) -> dict[str, str]:
    for line in (FIXTURES / "content_papers.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["id"] == paper_id:
            return row
    raise KeyError(paper_id)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (r"an $\mathcal{O}(n \log n)$ method", "an 𝒪(n log n) method"),
        (r"with $\alpha$-shapes and $\geq 3$ layers", "with α-shapes and ≥ 3 layers"),
        (r"$x^{2}$ over $\frac{a}{b}$", "x^2 over a/b"),
        (r"$x \in \mathbb{R}^d$ and $a\leq b$", "x ∈ ℝ^d and a ≤ b"),
        (r"\textbf{bold} and \emph{em} \cite{foo}", "bold and em"),
        (r"Schr\"odinger's caf\'e", "Schrödinger's café"),
        (r"$\sim$10x faster, a 50% gain & more", "∼10x faster, a 50% gain & more"),
        (r"unbalanced { brace $ and \textbf{bold", "unbalanced brace and bold"),
    ],
)
def test_latex_becomes_plain_unicode(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


def test_no_tex_soup_reaches_the_tldr() -> None:
    out = extractive_tldr(r"We propose an $\mathcal{O}(n)$ solver for $\mathbb{R}^d$ problems.")
    assert out == "We propose an 𝒪(n) solver for ℝ^d problems."
    assert "\\" not in out and "$" not in out and "{" not in out


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Tom &amp; Jerry &lt;3 caf&eacute;", "Tom & Jerry <3 café"),
        ("double &amp;amp; escaped", "double & escaped"),
        ("<p>We <i>propose</i> a<br/>model</p>", "We propose a model"),
        ("keeps x < y and z > w", "keeps x < y and z > w"),
        ("&#x3b1;-decay and &#946;", "α-decay and β"),
        ("H<sub>2</sub>O at <i>scale</i>", "H2O at scale"),
        ("<jats:p>We study <jats:italic>X</jats:italic>.</jats:p>", "We study X."),
        ("$a<b c>d$ holds", "a<b c>d holds"),  # math, not markup: nothing to strip
    ],
)
def test_html_entities_and_tags(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


def test_tilde_means_approximately_before_a_number_only() -> None:
    assert clean_text("~10x faster (~5 ms), see Fig.~3") == "∼10x faster (∼5 ms), see Fig. 3"


def test_unicode_oddities() -> None:
    raw = "e\u0301cole ﬁne-tuning\u200b of\u00a0LLMs\x00 \u2028 in 日本語 — ok\u00ad"
    assert clean_text(raw) == "école fine-tuning of LLMs in 日本語 — ok"


def test_contribution_sentence_is_chosen_over_background() -> None:
    abstract = (
        "Large language models are widely used. However, they hallucinate often. "
        "In this paper, we propose FactGuard, a decoder that checks facts as it writes. "
        "Experiments on five benchmarks show gains. Code is available at https://github.com/x/y."
    )
    assert extractive_tldr(abstract) == (
        "We propose FactGuard, a decoder that checks facts as it writes."
    )
    assert first_sentence(abstract) == "Large language models are widely used."


def test_real_abstract_picks_the_named_method() -> None:
    row = _real("2503.12461")  # MambaIC: "…and propose …, which we term MambaIC."
    out = extractive_tldr(row["abstract"], title=row["title"])
    assert "MambaIC" in out
    assert out.startswith("We integrate")
    row = _real("2503.15457")  # the title itself has LaTeX
    assert clean_text(row["title"]).startswith("Di[")
    assert extractive_tldr(row["abstract"], title=row["title"]).startswith("We propose Di[")


def test_method_name_from_title() -> None:
    assert method_name("MambaIC: State Space Models") == "MambaIC"
    assert method_name("A Long Title Without A Colon") is None
    assert method_name("Reasoning Beyond Limits For All: Advances") is None


def test_abbreviations_do_not_split_sentences() -> None:
    text = "We follow Smith et al. and use e.g. Fig. 3 for this. Then we stop."
    assert sentences(text) == [
        "We follow Smith et al. and use e.g. Fig. 3 for this.",
        "Then we stop.",
    ]


def test_units_variables_and_initials() -> None:
    text = "Latency drops to 10 ms. We use a matrix of size N. Then Alan J. Smith wins, etc. Done."
    assert sentences(text) == [
        "Latency drops to 10 ms.",
        "We use a matrix of size N.",
        "Then Alan J. Smith wins, etc.",
        "Done.",
    ]


def test_no_sentence_boundary_is_trimmed_at_a_word() -> None:
    abstract = "we study " + " ".join(f"word{i}" for i in range(200))  # no full stop at all
    out = extractive_tldr(abstract)
    assert len(out) <= TLDR_LIMIT
    assert out.endswith("…")
    assert out[:-1].split()[-1].startswith("word")  # cut between words, not inside one
    assert out.startswith("we study word0")


def test_one_giant_token_is_cut_hard() -> None:
    out = trim("x" * 5000)
    assert len(out) == TLDR_LIMIT and out.endswith("…")


def test_five_thousand_word_abstract_is_fast_and_short() -> None:
    filler = "Background sentence number {i} talks about prior art at length. "
    abstract = "".join(filler.format(i=i) for i in range(520)) + "We propose LateNet, late."
    assert len(abstract.split()) > 5000
    out = extractive_tldr(abstract)
    assert 0 < len(out) <= TLDR_LIMIT
    assert out.startswith("Background sentence number 0")  # the tail beyond the cap is ignored


@pytest.mark.parametrize("abstract", ["", "   ", "\n\t", "$$", "<p></p>", "&nbsp;"])
def test_empty_abstract_gives_no_tldr(abstract: str) -> None:
    assert extractive_tldr(abstract) == ""
    assert tldr(Paper(id="2601.00001", title="A title", abstract=abstract)) == ""


def test_hf_ai_summary_comes_first_and_is_cleaned() -> None:
    paper = Paper(
        id="2601.00001",
        title="T",
        abstract="We propose something else entirely here, at length.",
        ai_summary="  A model with $\\mathcal{O}(1)$ memory &amp; speed.  ",
    )
    assert tldr(paper) == "A model with 𝒪(1) memory & speed."
    assert ExtractiveSummarizer().tldr(paper) == tldr(paper)
    blank = Paper(
        id="2601.00002", title="T", abstract="We propose X for Y problems.", ai_summary=" "
    )
    assert tldr(blank) == "We propose X for Y problems."


def test_every_sample_tldr_is_clean_and_bounded() -> None:
    for line in (FIXTURES / "content_papers.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        out = extractive_tldr(row["abstract"], title=row["title"])
        assert 20 < len(out) <= TLDR_LIMIT
        assert not any(ch in out for ch in "\\$")
        assert "http" not in out  # the "code is available at" sentence is never the TL;DR


# --- the foundation's original cases, kept --------------------------------------------------


def test_contribution_sentence_is_preferred() -> None:
    abstract = (
        "Robots struggle with clutter. Prior work ignores contact. "
        "We propose GraspNet, a contact-aware policy. It works well."
    )
    assert extractive_tldr(abstract) == "We propose GraspNet, a contact-aware policy."


def test_latex_and_html_are_cleaned() -> None:
    text = clean_text(
        r"We reach $\mathcal{O}(n \log n)$ time &amp; <b>bold</b> claims with $\alpha \leq 0.5$."
    )
    assert "\\" not in text and "$" not in text and "<b>" not in text
    assert "𝒪(n log n)" in text and "&" in text and "α ≤ 0.5" in text


def test_trim_at_word_boundary() -> None:
    out = trim("word " * 100, 50)
    assert len(out) <= 50 and out.endswith("…") and not out.endswith(" …")


def test_hf_summary_wins_and_an_empty_abstract_gives_no_tldr_line() -> None:
    assert (
        tldr(make_paper("1", "T", abstract="We propose X.", ai_summary="HF says so."))
        == "HF says so."
    )
    # The title is already shown; repeating it as a TL;DR says nothing, so the line is left out.
    assert tldr(make_paper("2", "Just a title", abstract=" ")) == ""
    no_boundary = "a " * 3000
    assert len(extractive_tldr(no_boundary)) <= 200
