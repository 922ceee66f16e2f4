"""Papers and their stored embeddings."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, or_
from sqlalchemy.exc import DataError
from sqlmodel import col, select

from bot.errors import StorageError
from bot.models import IngestReport, Paper
from bot.sources.merge import REPLACED, merge_papers
from storage.base import _CHUNK, StoreBase
from storage.mapping import paper_from_row, paper_values
from storage.tables import PaperEmbeddingRow, PaperRow

log = logging.getLogger(__name__)
# What one row's values can raise: PostgreSQL's DataError (NUL in text, out-of-range integer,
# too long for VARCHAR) and the drivers' own refusals before sending (SQLite's 64-bit
# integers, text that cannot be encoded).
_ROW_FAULTS = (OverflowError, UnicodeError)


def _bad_row_data(exc: BaseException) -> bool:
    if isinstance(exc, _ROW_FAULTS):
        return True
    return isinstance(exc, StorageError) and isinstance(exc.__cause__, DataError)


def _describe(exc: BaseException) -> str:
    cause = exc.__cause__ if isinstance(exc, StorageError) and exc.__cause__ else exc
    orig = getattr(cause, "orig", None) or cause
    return f"{type(orig).__name__}: {str(orig).splitlines()[0][:120]}"


class PaperStore(StoreBase):
    """Papers and their stored embeddings."""

    def upsert_papers(self, papers: Iterable[Paper], now: datetime) -> IngestReport:
        """Insert new works, merge known ones; one transaction per chunk.

        A chunk that the database refuses because of one row's values (a NUL byte, a number
        too large for its column) is stored row by row instead: the bad rows are reported as
        rejected, the others kept. Sources validate first; this is the last line of defence.
        """
        totals = [0, 0, 0]
        rejected: list[tuple[str, str]] = []
        batch: dict[str, Paper] = {}
        for paper in papers:
            batch[paper.id] = merge_papers(batch[paper.id], paper) if paper.id in batch else paper
            if len(batch) >= _CHUNK:
                rejected += self._upsert_guarded(list(batch.values()), now, totals)
                batch = {}
        if batch:
            rejected += self._upsert_guarded(list(batch.values()), now, totals)
        new, updated, unchanged = totals
        return IngestReport(new=new, updated=updated, unchanged=unchanged, rejected=tuple(rejected))

    def _upsert_guarded(
        self, papers: list[Paper], now: datetime, totals: list[int]
    ) -> list[tuple[str, str]]:
        """Upsert a chunk, falling back to one transaction per row when a row's data is bad."""
        try:
            counts = self._upsert_chunk(papers, now)
        except Exception as exc:
            if not _bad_row_data(exc):
                raise
            counts, rejected = self._upsert_rows(papers, now)
        else:
            rejected = []
        for i, n in enumerate(counts):
            totals[i] += n
        return rejected

    def _upsert_rows(
        self, papers: list[Paper], now: datetime
    ) -> tuple[tuple[int, int, int], list[tuple[str, str]]]:
        counts = [0, 0, 0]
        rejected: list[tuple[str, str]] = []
        for paper in papers:
            try:
                one = self._upsert_chunk([paper], now)
            except Exception as exc:
                if not _bad_row_data(exc):
                    raise
                reason = f"the database refused it ({_describe(exc)})"
                log.warning("paper store: skipped %s: %s", paper.id, reason)
                rejected.append((paper.id, reason))
                continue
            counts = [a + b for a, b in zip(counts, one, strict=True)]
        return (counts[0], counts[1], counts[2]), rejected

    def _upsert_chunk(self, papers: list[Paper], now: datetime) -> tuple[int, int, int]:
        new = updated = unchanged = 0
        with self.session() as s:
            ids = [p.id for p in papers]
            existing = {
                row.id: row for row in s.exec(select(PaperRow).where(col(PaperRow.id).in_(ids)))
            }
            for paper in papers:
                row = existing.get(paper.id)
                if row is None:
                    s.add(
                        PaperRow(
                            id=paper.id, first_seen_at=now, updated_at=now, **paper_values(paper)
                        )
                    )
                    new += 1
                    continue
                old = paper_from_row(row)
                merged = merge_papers(old, paper)
                if merged == old:
                    unchanged += 1
                    continue
                for key, value in paper_values(merged).items():
                    setattr(row, key, value)
                row.updated_at = now
                s.add(row)
                updated += 1
        return new, updated, unchanged

    def get_paper(self, paper_id: str) -> Paper | None:
        with self.session() as s:
            row = s.get(PaperRow, paper_id)
            return paper_from_row(row) if row else None

    def get_papers(self, paper_ids: Sequence[str]) -> dict[str, Paper]:
        out: dict[str, Paper] = {}
        with self.session() as s:
            for start in range(0, len(paper_ids), _CHUNK):
                chunk = list(paper_ids[start : start + _CHUNK])
                for row in s.exec(select(PaperRow).where(col(PaperRow.id).in_(chunk))):
                    out[row.id] = paper_from_row(row)
        return out

    def papers_seen_since(self, since: datetime, limit: int = 5000) -> list[Paper]:
        """Papers first seen after `since`, newest first.

        Papers first seen through an arXiv `replace`/`replace-cross` announcement (a new version
        of an older paper we never stored) are kept for look-ups but are not new: left out here.
        """
        with self.session() as s:
            rows = s.exec(
                select(PaperRow)
                .where(PaperRow.first_seen_at > since)
                .where(
                    or_(
                        col(PaperRow.announce_type).is_(None),
                        col(PaperRow.announce_type).not_in(sorted(REPLACED)),
                    )
                )
                .order_by(col(PaperRow.first_seen_at).desc(), col(PaperRow.id).desc())
                .limit(limit)
            )
            return [paper_from_row(r) for r in rows]

    def count_papers(self) -> int:
        with self.session() as s:
            return int(s.exec(select(func.count()).select_from(PaperRow)).one())

    def get_embeddings(self, model: str, paper_ids: Sequence[str]) -> dict[str, bytes]:
        """Stored embeddings (float32 bytes) of these papers under `model`."""
        out: dict[str, bytes] = {}
        with self.session() as s:
            for start in range(0, len(paper_ids), _CHUNK):
                chunk = list(paper_ids[start : start + _CHUNK])
                rows = s.exec(
                    select(PaperEmbeddingRow).where(
                        PaperEmbeddingRow.model == model,
                        col(PaperEmbeddingRow.paper_id).in_(chunk),
                    )
                )
                out.update((r.paper_id, bytes(r.vector)) for r in rows)
        return out

    def save_embeddings(self, model: str, vectors: dict[str, bytes]) -> None:
        """Store embeddings; a paper already stored under `model` keeps its first vector."""
        if not vectors:
            return
        known = self.get_embeddings(model, list(vectors))
        with self.session() as s:
            for paper_id, blob in vectors.items():
                if paper_id not in known:
                    s.add(
                        PaperEmbeddingRow(
                            paper_id=paper_id, model=model, dim=len(blob) // 4, vector=blob
                        )
                    )
