"""Questions in a paper's thread, the pure parts: sentences, retrieval, extractive answers,
the LLM answer's grounding check, arXiv HTML parsing."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answers.extractive import extractive_answer
from bot.answers.grounded import NOT_IN_TEXT, check_answer
from bot.answers.html import parse_sections
from bot.answers.models import Passage
from bot.answers.retrieve import question_terms, score_passages
from bot.answers.sentences import split_sentences

PAGE = Path(__file__).resolve().parents[1] / "fixtures" / "arxiv_html" / "2606.00001v1.html"
ABSTRACT = (
    "We present FakeNet, a method that prunes attention heads early in training. "
    "FakeNet cuts training cost in half on vision transformers. "
    "We evaluate on the ImageNet-1k dataset, where it keeps accuracy within 0.3 points. "
    "Code is released under the MIT license."
)


def abstract_passages() -> list[Passage]:
    return [Passage(s) for s in split_sentences(ABSTRACT)]


def test_sentences_split_at_ends_not_at_abbreviations_or_decimals() -> None:
    text = (
        "Heads are redundant, e.g. in late layers, as Michel et al. showed. Accuracy is 81.2% "
        "(Fig. 3). Does it scale? Yes!  It does."
    )
    assert split_sentences(text) == [
        "Heads are redundant, e.g. in late layers, as Michel et al. showed.",
        "Accuracy is 81.2% (Fig. 3).",
        "Does it scale?",
    ]  # "Yes!" and "It does." are too short to quote


def test_question_words_are_not_what_is_asked_about() -> None:
    assert question_terms("What dataset do they use?") == ["dataset"]
    assert question_terms("Which license is the code under?") == ["licens", "code"]
    # research words a ranking ignores are what a question is about; word forms meet
    assert question_terms("Which models and data were evaluated?") == ["model", "data", "evalu"]


def test_word_forms_meet_and_section_titles_count_outside_the_abstract() -> None:
    passages = [
        Passage("Characterizations of zero-sum games are given.", "abstract"),
        Passage("We train on ImageNet-1k.", "4.1 Datasets"),
    ]
    assert extractive_answer("Which games do they characterize?", passages).quotes == (passages[0],)
    assert extractive_answer("Which datasets?", passages).quotes == (passages[1],)


def test_extractive_answer_quotes_the_sentence_that_answers() -> None:
    answer = extractive_answer("What dataset do they use?", abstract_passages())
    assert [q.text for q in answer.quotes] == [
        "We evaluate on the ImageNet-1k dataset, where it keeps accuracy within 0.3 points."
    ]
    assert answer.quotes[0].where == "abstract" and answer.prose is None


def test_extractive_answer_says_nothing_when_the_text_does_not_say() -> None:
    for question in ("Does it work on robots?", "Who funded this?", "what?"):
        assert not extractive_answer(question, abstract_passages()).found


def test_half_the_question_is_not_enough() -> None:
    # "training cost" is there, "robots" is not: coverage stays under the threshold
    assert not extractive_answer("training cost on robots drones", abstract_passages()).found


def test_scores_prefer_sentences_covering_more_of_the_question() -> None:
    scored = score_passages("training cost of attention heads", abstract_passages())
    assert scored[0].passage.text.startswith("We present FakeNet")
    assert all(0 < s.coverage <= 1 for s in scored)


EXCERPTS = [
    Passage("We evaluate on the ImageNet-1k dataset.", "abstract"),
    Passage("FakeNet reaches 81.2% top-1 accuracy.", "4.2 Results"),
]


def test_a_grounded_llm_answer_keeps_the_sentences_it_cites_renumbered() -> None:
    answer = check_answer("They report 81.2% top-1 accuracy [2].", "accuracy?", EXCERPTS)
    assert answer is not None
    assert answer.prose == "They report 81.2% top-1 accuracy [1]."
    assert answer.quotes == (EXCERPTS[1],)


@pytest.mark.parametrize(
    "raw",
    [
        "They use ImageNet.",  # cites nothing
        "They use ImageNet [3].",  # cites a sentence it was not given
        "They reach 92.5% accuracy [2].",  # a number none of the cited sentences has
        "I'm sorry, I cannot help [1].",
        "",
        "x [1] " * 200,  # far too long
    ],
)
def test_ungrounded_llm_answers_are_refused(raw: str) -> None:
    assert check_answer(raw, "accuracy?", EXCERPTS) is None


def test_not_in_the_text_is_an_answer_without_quotes() -> None:
    answer = check_answer(f"<think>hmm</think>{NOT_IN_TEXT}.", "robots?", EXCERPTS)
    assert answer is not None and not answer.found


def test_arxiv_html_becomes_titled_sections_without_the_clutter() -> None:
    sections = parse_sections(PAGE.read_text(encoding="utf-8"))
    assert [s.title for s in sections] == [
        "1 Introduction",
        "3 Method",
        "4.1 Datasets",
        "4.2 Results",
    ]
    method = sections[1].paragraphs[0]
    assert "\\|g_{h}\\|_{2}" in method and "2,000 steps" in method  # maths as its LaTeX
    everything = " ".join(p for s in sections for p in s.paragraphs)
    for clutter in ("Refer to caption", "Vaswani", "ada@example.org", "experimental HTML"):
        assert clutter not in everything
    assert "prunes attention heads early" not in everything  # the abstract is the record's


def test_a_page_without_sections_has_none() -> None:
    assert parse_sections("<html><body><h1>Not Found</h1><p>No HTML.</p></body></html>") == []
