"""Reasons: at most two short lines, from the ranker's structured evidence."""

from __future__ import annotations

from bot.content.reasons import MAX_CHARS, reason_line, reason_lines
from bot.models import Paper, Reason, ReasonKind

PAPER = Paper(
    id="2606.00001",
    title="T",
    categories=("cs.RO", "cs.LG"),
    upvotes=42,
    version=3,
)


def test_each_kind_reads_as_a_person_would_say_it() -> None:
    assert reason_line(Reason(ReasonKind.TOPIC, "x", 1.0, "motion planning")) == (
        "matches “motion planning”"
    )
    assert reason_line(Reason(ReasonKind.CATEGORY, "x", 0.8, "cs"), PAPER) == "in cs.RO"
    assert reason_line(Reason(ReasonKind.AUTHOR, "x", 1.2, "Yann LeCun")) == (
        "by followed author Yann LeCun"
    )
    assert reason_line(Reason(ReasonKind.TRENDING, "x", 0.1), PAPER) == "trending on HF (42 👍)"
    assert reason_line(Reason(ReasonKind.NEW_VERSION, "x", 1.0, "2606.00001"), PAPER) == (
        "new version of a paper you liked (v3)"
    )
    similar = Reason(ReasonKind.SIMILAR, "similar to “Diffusion Policy” you 👍", 0.5, "2303.1")
    assert reason_line(similar) == "similar to “Diffusion Policy” you 👍"
    learned = Reason(ReasonKind.LEARNED, "you 👍 papers in cs.RO", 0.3, "cs.RO")
    assert reason_line(learned) == "you 👍 papers in cs.RO"


def test_at_most_two_most_specific_first_one_per_kind() -> None:
    reasons = (
        Reason(ReasonKind.CATEGORY, "in cs.RO", 0.8, "cs.RO"),
        Reason(ReasonKind.TRENDING, "trending", 0.05),
        Reason(ReasonKind.TOPIC, "matches “grasping”", 0.6, "grasping"),
        Reason(ReasonKind.TOPIC, "matches “robot hands”", 0.4, "robot hands"),
    )
    assert reason_lines(reasons, PAPER) == ("matches “grasping”", "trending on HF (42 👍)")
    assert reason_lines(reasons[:1], PAPER) == ("in cs.RO",)
    assert reason_lines((), PAPER) == ()


def test_lines_stay_short() -> None:
    long_title = "A " + "very " * 40 + "long title"
    similar = Reason(ReasonKind.SIMILAR, f"similar to “{long_title}” you 👍", 0.5, "2303.1")
    line = reason_line(similar)
    assert len(line) <= MAX_CHARS
    assert line.startswith("similar to “A very") and line.endswith("” you 👍")
    topic = Reason(ReasonKind.TOPIC, "x", 1.0, "word " * 40)
    assert len(reason_line(topic)) <= MAX_CHARS


def test_trending_without_upvotes_keeps_the_rankers_text() -> None:
    reason = Reason(ReasonKind.TRENDING, "trending on HF (20 upvotes)", 0.1)
    assert reason_line(reason, Paper(id="1", title="T")) == "trending on HF (20 upvotes)"
