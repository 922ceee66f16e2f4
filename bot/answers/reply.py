"""What a thread sees: the answer and its quotes, or a plain "the text does not say", as rich
text (`bot.rich`), which every adapter renders with the paper's and the asker's text escaped."""

from __future__ import annotations

from datetime import timedelta

from bot.answers.models import Answer, Passage
from bot.models import Paper
from bot.rich import Rich, bold, concat, fmt, lines, link

EXAMPLE = "@PaperBot what dataset do they use?"


def answer_text(paper: Paper, answer: Answer) -> Rich:
    """The answer in a paper's thread, quoting every sentence it rests on."""
    title = link(paper.abs_url, paper.title)
    if not answer.found:
        rest = " (nor does its full text on arXiv)" if answer.searched_full_text else ""
        return fmt(
            "The abstract of {} does not say{}. I only answer from the paper's own text.",
            title,
            rest,
        )
    if answer.prose is not None:
        head = concat(bold("Answer"), " (from ", title, "): ", answer.prose)
        quotes = [_quote(p, f"[{i}] ") for i, p in enumerate(answer.quotes, 1)]
        return lines([head, *quotes])
    where = "abstract" if all(p.from_abstract for p in answer.quotes) else "text"
    head = concat(bold(f"From the {where}"), " of ", title, ":")
    return lines([head, *(_quote(p) for p in answer.quotes)])


def _quote(passage: Passage, prefix: str = "") -> Rich:
    return fmt("{}“{}” ({})", prefix, passage.text, passage.where)


def not_in_thread() -> Rich:
    return fmt(
        "Ask me about a paper in its thread: reply to a paper I posted with a question, "
        "e.g. {}, or name its arXiv id in the question. I answer from the paper's abstract "
        "and, where arXiv has it, its full text.",
        EXAMPLE,
    )


def empty_question(paper: Paper) -> Rich:
    return fmt("What would you like to know about {}? For example: {}", paper.title, EXAMPLE)


def too_long(limit: int) -> Rich:
    return fmt("Please keep a question under {} characters.", limit)


def slow_down(limit: int, retry_in: timedelta) -> Rich:
    minutes = max(1, round(retry_in.total_seconds() / 60))
    if limit == 0:
        return fmt("Questions about papers are turned off in this workspace.")
    return fmt(
        "I answer {} questions an hour per channel; ask again in about {} minutes.",
        limit,
        minutes,
    )
