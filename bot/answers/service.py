"""The use case: a question in a paper's thread -> the reply to post in that thread.

Resolves the paper from the thread (the outbox maps each posted message to its paper),
refuses what it should not answer (a re-delivered event, an over-long question, a channel
over its hourly limit), then answers from the paper's text: with an LLM configured in prose
checked against the quoted sentences, else (or when that fails) with the sentences themselves.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Protocol

import httpx

from bot.answers import reply as text
from bot.answers.extractive import extractive_answer
from bot.answers.fulltext import ArxivHtml, FullTextCache, FullTextReader
from bot.answers.grounded import Completer, llm_answer
from bot.answers.models import Answer, Question
from bot.answers.ratelimit import ChannelRateLimit, Verdict
from bot.answers.retrieve import score_passages
from bot.answers.sentences import paper_passages
from bot.config import Settings
from bot.identity import arxiv_id
from bot.models import Channel, ChannelRef, DigestItem, Paper, Reply
from bot.ports import Clock
from bot.rich import Rich

log = logging.getLogger(__name__)
LLM_MIN_COVERAGE = 0.3  # sentences shown to the LLM share at least this much of the question
LLM_EXCERPTS = 6
_ARXIV_ID = re.compile(r"(?<![\w.])\d{4}\.\d{4,5}(?:v\d+)?(?![\w.])")


class AnswerStore(FullTextCache, Protocol):
    """What answering needs from the store (`storage.store.SqlStore`)."""

    def find_channel(self, ref: ChannelRef) -> Channel | None: ...
    def find_item_by_message(self, channel_id: int, message_id: str) -> str | None: ...
    def find_item(self, channel_id: int, paper_id: str) -> DigestItem | None: ...
    def get_paper(self, paper_id: str) -> Paper | None: ...
    def mark_event_handled(self, event_id: str, now: datetime) -> bool:
        """Record a platform event id; False when it was recorded before (a re-delivery)."""
        ...


class ThreadQuestions:
    """`on_question(Question) -> Reply | None` (None: say nothing, e.g. a re-delivery)."""

    def __init__(
        self,
        store: AnswerStore,
        clock: Clock,
        settings: Settings,
        *,
        llm: Completer | None = None,
        full_text: FullTextReader | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.llm = llm
        self.full_text = full_text
        self.max_chars = settings.answer_max_question_chars
        self.limit = ChannelRateLimit(clock, settings.answer_rate_per_hour)

    @classmethod
    def from_settings(
        cls,
        store: AnswerStore,
        clock: Clock,
        settings: Settings,
        *,
        llm: Completer | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> ThreadQuestions:
        """With ANSWER_FULL_TEXT, full texts from ARXIV_HTML_URL (`transport` for tests)."""
        reader = None
        if settings.answer_full_text:
            source = ArxivHtml(
                settings.arxiv_html_url,
                timeout=settings.answer_full_text_timeout_seconds,
                max_bytes=settings.answer_full_text_max_bytes,
                user_agent=settings.http_user_agent,
                transport=transport,
            )
            reader = FullTextReader(store, source, clock)
        return cls(store, clock, settings, llm=llm, full_text=reader)

    def on_question(self, question: Question) -> Reply | None:
        if question.event_id and not self.store.mark_event_handled(
            question.event_id, self.clock.now()
        ):
            return None
        paper = self.paper_for(question)
        if paper is None:
            return _reply(text.not_in_thread())
        asked = " ".join(_ARXIV_ID.sub(" ", question.text).split())
        if not asked:
            return _reply(text.empty_question(paper))
        if len(asked) > self.max_chars:
            return _reply(text.too_long(self.max_chars))
        key = (question.platform, question.workspace, question.channel)
        verdict = self.limit.check(key)
        if verdict is Verdict.QUIET:
            return None
        if verdict is Verdict.REFUSE:
            return _reply(text.slow_down(self.limit.limit, self.limit.retry_in(key)))
        return _reply(text.answer_text(paper, self.answer(paper, asked)))

    def paper_for(self, question: Question) -> Paper | None:
        """The posted paper whose thread the question is in; else one posted in this channel
        whose arXiv id the question names (a digest threaded under its header, a question
        asked in the channel)."""
        ref = ChannelRef(question.platform, question.workspace, question.channel)
        channel = self.store.find_channel(ref)
        if channel is None:
            return None
        for message_id in question.message_ids:
            paper_id = self.store.find_item_by_message(channel.id, message_id)
            if paper_id is not None:
                return self.store.get_paper(paper_id)
        for candidate in _ARXIV_ID.findall(question.text):
            paper_id = arxiv_id(candidate)
            item = self.store.find_item(channel.id, paper_id) if paper_id else None
            if item is not None and item.message_id:
                return item.paper
        return None

    def answer(self, paper: Paper, question: str) -> Answer:
        """From the abstract and the full text when there is one: the LLM's grounded prose,
        else the best sentences, else nothing (the text does not say)."""
        full = self.full_text.full_text(paper) if self.full_text is not None else None
        passages = paper_passages(paper.abstract, full)
        searched = full is not None
        if self.llm is not None:
            scored = score_passages(question, passages)
            excerpts = [s.passage for s in scored if s.coverage >= LLM_MIN_COVERAGE]
            if not excerpts:
                return Answer(searched_full_text=searched)  # nothing to ground an answer in
            got = llm_answer(
                self.llm,
                paper.title,
                question,
                excerpts[:LLM_EXCERPTS],
                searched_full_text=searched,
            )
            if got is not None:
                return got
        return extractive_answer(question, passages, searched_full_text=searched)


def _reply(body: Rich) -> Reply:
    return Reply(body, ephemeral=False)  # in the thread, for everyone
