"""The use case: a library file becomes a channel's liked papers (the seeds `/papers like`
adds, which teach its ranking as a 👍 does), idempotently."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.library.formats import read_library
from bot.library.matcher import LibraryMatcher, Lookup, Outcome
from bot.models import Channel, Interest, InterestKind
from bot.ports import ChannelStore, PaperStore


class LibraryStore(PaperStore, ChannelStore, Protocol):
    """What an import needs of the store: the paper look-ups and adding seeds."""


FORMAT_NAMES = {"bibtex": "BibTeX", "ris": "RIS", "csv": "Zotero CSV"}


@dataclass(frozen=True)
class ImportReport:
    """What an import did: every entry's outcome and how many liked papers were new."""

    name: str
    format: str
    outcomes: tuple[Outcome, ...]
    added: int  # papers that became liked papers now (0 on a repeated import)

    @property
    def matched(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.paper is not None]

    @property
    def unmatched(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.paper is None]

    @property
    def paper_ids(self) -> list[str]:
        """The matched papers, each once, in file order."""
        return list(dict.fromkeys(o.paper.id for o in self.matched if o.paper is not None))

    @property
    def summary(self) -> str:
        return f"{len(self.matched)} matched, {len(self.unmatched)} unmatched"

    @property
    def format_name(self) -> str:
        return FORMAT_NAMES.get(self.format, self.format)


def import_library(
    store: LibraryStore,
    channel: Channel,
    name: str,
    data: bytes,
    *,
    now: datetime,
    lookup: Lookup | None = None,
) -> ImportReport:
    """Parse, match (fetching missing arXiv papers through `lookup`) and like the matches in
    `channel`. Raises LibraryError for a file it cannot read as a whole."""
    fmt, entries = read_library(name, data)
    outcomes = LibraryMatcher(store, lookup).match(entries)
    report = ImportReport(name, fmt, tuple(outcomes), 0)
    added = like_papers(store, channel, report.paper_ids, now=now)
    return ImportReport(name, fmt, tuple(outcomes), added)


def like_papers(
    store: ChannelStore, channel: Channel, paper_ids: Sequence[str], *, now: datetime
) -> int:
    """Add the papers the channel does not like yet as seeds; how many were new."""
    liked = set(channel.interest_values(InterestKind.SEED))
    new = [Interest(InterestKind.SEED, pid) for pid in paper_ids if pid not in liked]
    return store.add_interests(channel.id, new, now=now) if new else 0
