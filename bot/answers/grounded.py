"""The LLM answer: prose written only from retrieved sentences, checked before it is shown.

The model sees the question and the paper's best-matching sentences, numbered, and is told to
answer from them only, cite them as [n], and say NOT IN THE TEXT when they do not answer. Its
answer is used only when it is grounded: it cites at least one sentence, cites no sentence that
was not given, and every number in it appears in what it cites (or in the question). Anything
else (a timeout, an HTTP error, junk, an uncited or made-up answer) returns None: the caller
answers extractively instead.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Protocol

import httpx

from bot.answers.models import Answer, Passage
from bot.errors import LLMError

log = logging.getLogger(__name__)

NOT_IN_TEXT = "NOT IN THE TEXT"
MAX_PROSE = 900
SYSTEM_PROMPT = (
    "You answer a colleague's question about one research paper in a team chat. Use ONLY the "
    "numbered excerpts from the paper that follow; never use outside knowledge and never guess. "
    "Cite every excerpt you rely on as [1], [2], right after the claim. If the excerpts do not "
    f"answer the question, reply exactly: {NOT_IN_TEXT}. At most three sentences, plain text, "
    "no markdown, no preamble."
)
_CITE = re.compile(r"\[(\d{1,2})\]")
_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*")
_THINK = re.compile(r"<think>.*?(</think>|$)", re.DOTALL | re.IGNORECASE)
_REFUSAL = re.compile(r"^(i'?m sorry|i am sorry|sorry,|i cannot|i can'?t|as an ai)", re.I)


class Completer(Protocol):
    """The one call used from an OpenAI-compatible client (`bot.llm.ChatClient`)."""

    model: str

    def complete(self, messages: list[dict[str, str]], *, max_tokens: int = 160) -> str: ...


def answer_prompt(title: str, question: str, excerpts: Sequence[Passage]) -> list[dict[str, str]]:
    numbered = "\n".join(f"[{i}] ({p.where}) {p.text}" for i, p in enumerate(excerpts, 1))
    user = f"Paper: {title}\n\nExcerpts:\n{numbered}\n\nQuestion: {question}"
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]


def llm_answer(
    client: Completer,
    title: str,
    question: str,
    excerpts: Sequence[Passage],
    *,
    searched_full_text: bool = False,
) -> Answer | None:
    """A grounded answer from the model, `Answer()` when it says the excerpts do not answer,
    None when it failed or its answer is not grounded (then answer extractively)."""
    try:
        raw = client.complete(answer_prompt(title, question, excerpts), max_tokens=300)
    except (httpx.HTTPError, LLMError) as exc:
        log.warning("LLM answer failed (%s); answering extractively", type(exc).__name__)
        return None
    answer = check_answer(raw, question, excerpts)
    if answer is None:
        log.warning("LLM answer not grounded in the excerpts; answering extractively")
        return None
    return Answer(answer.quotes, answer.prose, searched_full_text=searched_full_text)


def check_answer(raw: str, question: str, excerpts: Sequence[Passage]) -> Answer | None:
    """The model's answer with its citations renumbered to the quotes it cites, or None."""
    text = " ".join(_THINK.sub("", raw or "").split())
    if NOT_IN_TEXT.lower() in text.lower() and not _CITE.search(text):
        return Answer()
    if not text or len(text) > MAX_PROSE or _REFUSAL.match(text):
        return None
    cited = [int(n) for n in _CITE.findall(text)]
    if not cited or any(not 1 <= n <= len(excerpts) for n in cited):
        return None
    order = list(dict.fromkeys(cited))
    quotes = tuple(excerpts[n - 1] for n in order)
    if not _numbers_grounded(_CITE.sub("", text), question, quotes):
        return None
    renumber = {old: new for new, old in enumerate(order, 1)}
    prose = _CITE.sub(lambda m: f"[{renumber[int(m.group(1))]}]", text)
    return Answer(quotes, prose)


def _numbers_grounded(prose: str, question: str, quotes: Sequence[Passage]) -> bool:
    """Every number the answer states is in a cited sentence or in the question."""
    source = question + " " + " ".join(q.text for q in quotes)
    known = set(_NUMBER.findall(source))
    return all(n in known for n in _NUMBER.findall(prose))
