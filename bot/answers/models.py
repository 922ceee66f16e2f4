"""The values a question in a paper's thread passes through: question, passages, answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.models import Platform

ABSTRACT = "abstract"


@dataclass(frozen=True)
class Question:
    """A mention of the bot in a chat thread, already stripped of the mention.

    `channel` is where the paper was posted (a Discord thread's parent channel); `message_ids`
    are the messages the thread may hang off, most likely first (Slack: the thread's parent
    ts; Discord: the replied-to message, the message a thread was started from). Empty when
    the mention is not in any thread: it then gets a short help reply.
    """

    platform: Platform
    workspace: str
    channel: str
    user_id: str
    text: str
    message_ids: tuple[str, ...] = ()
    event_id: str | None = None


@dataclass(frozen=True)
class Passage:
    """One sentence of the paper and where it stands (`abstract` or a section's title)."""

    text: str
    where: str = ABSTRACT

    @property
    def from_abstract(self) -> bool:
        return self.where == ABSTRACT


@dataclass(frozen=True)
class Section:
    """A section of a paper's full text: its title and its paragraphs."""

    title: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class FullText:
    """What the arXiv HTML page of a paper held; `sections` empty when there was none."""

    paper_id: str
    sections: tuple[Section, ...]
    fetched_at: datetime
    found: bool = True


@dataclass(frozen=True)
class Answer:
    """What the paper says about a question: `prose` from an LLM (None when extractive) and
    the `quotes` it rests on; no quotes means the text does not say."""

    quotes: tuple[Passage, ...] = ()
    prose: str | None = None
    searched_full_text: bool = False
    notes: tuple[str, ...] = field(default=())

    @property
    def found(self) -> bool:
        return bool(self.quotes)
