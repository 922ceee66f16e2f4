"""Sentence splitting of a paper's abstract and full text into quotable passages."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from bot.answers.models import ABSTRACT, FullText, Passage, Section

# Words whose trailing dot does not end a sentence.
_ABBREVIATIONS = frozenset(
    [
        "e.g",
        "i.e",
        "etc",
        "al",
        "fig",
        "figs",
        "eq",
        "eqs",
        "sec",
        "secs",
        "vs",
        "cf",
        "approx",
        "resp",
        "tab",
        "no",
        "dr",
        "prof",
        "ref",
        "refs",
    ]
)
_CANDIDATE = re.compile(r"([.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")
MIN_CHARS = 12  # shorter pieces ("Fig. 3.") are not worth quoting
MAX_CHARS = 600  # longer "sentences" are cut: a quote stays a quote
MAX_PASSAGES = 3000  # a very long paper is read up to here


def _ends_abbreviation(text: str) -> bool:
    word = re.split(r"[\s(]", text.rstrip(".!?"))[-1].lower()
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def split_sentences(text: str) -> list[str]:
    """Sentences of `text`, whitespace normalised; abbreviations and initials do not split."""
    text = " ".join(text.split())
    out: list[str] = []
    start = 0
    for match in _CANDIDATE.finditer(text):
        end = match.end(1)
        piece = text[start:end]
        if match.group(1) == "." and _ends_abbreviation(piece):
            continue
        out.append(piece.strip())
        start = match.end()
    out.append(text[start:].strip())
    return [_clip(s) for s in out if len(s) >= MIN_CHARS]


def _clip(sentence: str) -> str:
    if len(sentence) <= MAX_CHARS:
        return sentence
    return sentence[: MAX_CHARS - 1].rsplit(" ", 1)[0] + "…"


def paper_passages(abstract: str, full_text: FullText | None = None) -> list[Passage]:
    """The abstract's sentences, then the full text's, each with where it came from."""
    passages = [Passage(s, ABSTRACT) for s in split_sentences(abstract)]
    if full_text is not None:
        for passage in _full_text_passages(full_text.sections):
            if len(passages) >= MAX_PASSAGES:
                break
            passages.append(passage)
    return passages


def _full_text_passages(sections: Iterable[Section]) -> Iterator[Passage]:
    for section in sections:
        title = section.title or "full text"
        for paragraph in section.paragraphs:
            for sentence in split_sentences(paragraph):
                yield Passage(sentence, title)
