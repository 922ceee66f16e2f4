"""The extractive answer: the paper's own best 1-3 sentences, or "the text does not say"."""

from __future__ import annotations

from collections.abc import Sequence

from bot.answers.models import Answer, Passage
from bot.answers.retrieve import Scored, score_passages

MIN_COVERAGE = 0.5  # at least half of what was asked about must be in a quoted sentence
KEEP_RATIO = 0.6  # further quotes score at least this share of the best one
MAX_QUOTES = 3


def best_sentences(scored: Sequence[Scored], *, limit: int = MAX_QUOTES) -> list[Scored]:
    """The sentences that answer, best first: enough coverage, close to the best one."""
    good = [s for s in scored if s.coverage >= MIN_COVERAGE]
    if not good:
        return []
    best = max(s.coverage * s.score for s in good)
    kept = [s for s in good if s.coverage * s.score >= KEEP_RATIO * best]
    return kept[:limit]


def extractive_answer(
    question: str, passages: Sequence[Passage], *, searched_full_text: bool = False
) -> Answer:
    """Quote the sentences that answer `question`, in reading order; none when none does."""
    picked = best_sentences(score_passages(question, passages))
    picked.sort(key=lambda s: s.position)
    return Answer(quotes=tuple(s.passage for s in picked), searched_full_text=searched_full_text)
