"""TL;DRs: HF summary first, else the contribution sentence, cleaned and trimmed."""

from __future__ import annotations

from bot.summarize import clean_text, extractive_tldr, tldr, trim
from tests.conftest import make_paper


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
    assert "O(n log n)" in text and "&" in text and "α ≤ 0.5" in text


def test_trim_at_word_boundary() -> None:
    out = trim("word " * 100, 50)
    assert len(out) <= 50 and out.endswith("…") and not out.endswith(" …")


def test_hf_summary_wins_and_empty_abstract_falls_back_to_title() -> None:
    assert (
        tldr(make_paper("1", "T", abstract="We propose X.", ai_summary="HF says so."))
        == "HF says so."
    )
    assert tldr(make_paper("2", "Just a title", abstract=" ")) in (
        "Just a title",
        "We study just a title.",
    )
    no_boundary = "a " * 3000
    assert len(extractive_tldr(no_boundary)) <= 200
