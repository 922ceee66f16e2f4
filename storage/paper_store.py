"""Papers and their stored embeddings."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BindParameter, Connection, DateTime, Select, func, or_, type_coerce
from sqlalchemy import select as core_select
from sqlalchemy.exc import DataError
from sqlmodel import col, select

from bot.errors import StorageError
from bot.models import IngestReport, Paper
from bot.sources.merge import REPLACED, merge_papers
from storage.base import _CHUNK, StoreBase
from storage.mapping import paper_from_row
from storage.paper_cache import PaperRowCache, Window
from storage.paper_upsert import INGEST_CHUNK, PAPERS, known_papers, plan_chunk, write_chunk
from storage.tables import PaperEmbeddingRow, PaperRow

log = logging.getLogger(__name__)
# What one row's values can raise: PostgreSQL's DataError (NUL in text, out-of-range integer,
# too long for VARCHAR) and the drivers' own refusals before sending (SQLite's 64-bit
# integers, text that cannot be encoded).
_ROW_FAULTS = (OverflowError, UnicodeError)
# a row's version as the driver returns it (no time-zone conversion: only compared for equality)
_STAMP = type_coerce(PAPERS.c.updated_at, DateTime())
_CACHE_LOCK = threading.Lock()
_READING = threading.Lock()  # rows missing from the window cache are read by one caller at once
_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789 ")


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
        """Insert new works, merge known ones; one transaction per chunk of INGEST_CHUNK works.

        A chunk that the database refuses because of one row's values (a NUL byte, a number
        too large for its column) is stored row by row instead: the bad rows are reported as
        rejected, the others kept. Sources validate first; this is the last line of defence.
        """
        totals = [0, 0, 0]
        rejected: list[tuple[str, str]] = []
        batch: dict[str, Paper] = {}
        for paper in papers:
            batch[paper.id] = merge_papers(batch[paper.id], paper) if paper.id in batch else paper
            if len(batch) >= INGEST_CHUNK:
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
        """One transaction: read the known rows, merge, write new and changed rows in bulk."""
        with self.session() as s:
            conn = s.connection()
            plan = plan_chunk(papers, known_papers(conn, [p.id for p in papers]), now)
            write_chunk(conn, plan)
        if plan.updates or plan.inserts:  # this process's own change is seen under a frozen clock
            self._paper_cache().drop(row["_id"] for row in plan.updates)
        return plan.counts

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
        Only the window's (id, updated_at) pairs are read each time; rows are read and converted
        when new or changed (`storage.paper_cache`), so every caller gets the same objects.
        """
        with self.session() as s:
            return self.window_papers(s.connection(), since, limit)

    def window_papers(self, conn: Connection, since: datetime, limit: int) -> list[Paper]:
        """`papers_seen_since` in the caller's transaction: a kept window covering `since` whose
        signature is unchanged serves it (one aggregate row read), else the window is read."""
        since = since if since.tzinfo is not None else since.replace(tzinfo=UTC)
        cache = self._paper_cache()
        kept = cache.windows.covering(since, limit)
        if kept is not None and self._signature(conn, kept.floor, cache) == kept.signature:
            return kept.after(since, limit)
        signature = self._signature(conn, since, cache)  # before the read: a write between
        rows = self._read_window(conn, since, limit, cache)  # the two is seen next time
        cache.windows.keep(Window(since, limit, signature, tuple(rows)))
        return [paper for _, paper in rows]

    def _signature(
        self, conn: Connection, floor: datetime, cache: PaperRowCache
    ) -> tuple[object, ...]:
        """What changes when any row first seen after `floor` is added or changed: their
        count, latest and summed `updated_at` (any writer), and this process's write count."""
        generation = cache.generation
        return (*conn.execute(self.signature_query(floor)).one(), generation)

    def signature_query(
        self, floor: datetime | BindParameter[datetime]
    ) -> Select[int, datetime, Any]:
        """The one-row aggregate of `_signature` (without the write count), for callers that
        read it along with other rows in one statement (`PlanInputStore.plan_inputs`)."""
        total = (
            func.julianday(PAPERS.c.updated_at)
            if self.dialect == "sqlite"
            else func.extract("epoch", PAPERS.c.updated_at)
        )
        return core_select(
            func.count().label("sig_count"),
            func.max(_STAMP).label("sig_latest"),
            func.sum(total).label("sig_total"),
        ).where(PAPERS.c.first_seen_at > floor)

    def _read_window(
        self, conn: Connection, since: datetime, limit: int, cache: PaperRowCache
    ) -> list[tuple[datetime, Paper]]:
        """(first seen, paper) of the window, newest first; rows converted when new or changed."""
        window = (
            select(PAPERS.c.id, _STAMP, PAPERS.c.first_seen_at)
            .where(PAPERS.c.first_seen_at > since)
            .where(
                or_(
                    PAPERS.c.announce_type.is_(None),
                    PAPERS.c.announce_type.not_in(sorted(REPLACED)),
                )
            )
            .order_by(PAPERS.c.first_seen_at.desc(), PAPERS.c.id.desc())
            .limit(limit)
        )
        rows = list(conn.execute(window))
        stamps: list[tuple[str, datetime]] = [(r[0], r[1]) for r in rows]
        found = cache.known(stamps)
        if len(found) < len(stamps):
            with _READING:  # callers missing at once (a pass starting): one reads, others wait
                found = cache.known(stamps)
                missing = [pid for pid, _ in stamps if pid not in found]
                found.update(self._read_rows(conn, missing, cache))
        return [(r[2], found[r[0]]) for r in rows if r[0] in found]

    @staticmethod
    def _read_rows(conn: Connection, ids: list[str], cache: PaperRowCache) -> dict[str, Paper]:
        """Full rows of `ids`, converted and kept in `cache`."""
        found: dict[str, Paper] = {}
        for start in range(0, len(ids), _CHUNK):
            query = select(PAPERS, _STAMP.label("stamp")).where(
                PAPERS.c.id.in_(ids[start : start + _CHUNK])
            )
            rows = [(r.stamp, paper_from_row(r)) for r in conn.execute(query)]  # type: ignore[arg-type]
            cache.keep(rows)
            found.update((paper.id, paper) for _, paper in rows)
        return found

    def _paper_cache(self) -> PaperRowCache:
        cache = self.__dict__.get("_window_papers")
        if cache is None:
            with _CACHE_LOCK:
                cache = self.__dict__.setdefault("_window_papers", PaperRowCache())
        return cache  # type: ignore[no-any-return]

    def papers_by_doi(self, dois: Sequence[str]) -> dict[str, Paper]:
        """Lower-cased DOI -> the paper carrying it, as its `doi` or as its `doi:` id (an arXiv
        paper first when both exist)."""
        wanted = sorted({d.strip().lower() for d in dois if d.strip()})
        out: dict[str, Paper] = {}
        with self.session() as s:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                rows = s.exec(
                    select(PaperRow).where(
                        or_(
                            func.lower(PaperRow.doi).in_(chunk),
                            col(PaperRow.id).in_(["doi:" + d for d in chunk]),
                        )
                    )
                )
                for row in sorted(rows, key=lambda r: (r.id.startswith("doi:"), r.id)):
                    key = (row.doi or row.id.removeprefix("doi:")).lower()
                    out.setdefault(key, paper_from_row(row))
        return out

    def papers_by_title_key(self, keys: Sequence[str]) -> dict[str, list[Paper]]:
        """Title key (`bot.library.titles.title_key`) -> the papers with that key, by id."""
        wanted = sorted({k for k in keys if k})
        out: dict[str, list[Paper]] = {}
        with self.session() as s:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                rows = s.exec(
                    select(PaperRow)
                    .where(col(PaperRow.title_key).in_(chunk))
                    .order_by(col(PaperRow.id))
                )
                for row in rows:
                    out.setdefault(row.title_key or "", []).append(paper_from_row(row))
        return out

    def papers_by_title_prefix(self, prefix: str, limit: int) -> list[Paper]:
        """Papers whose title key starts with `prefix` (keys are `[0-9a-z ]` only, so nothing in
        the prefix is a LIKE wildcard; LIKE, not a range, because PostgreSQL's collation may
        order spaces unlike code points)."""
        if not prefix or not set(prefix) <= _KEY_CHARS:
            return []
        with self.session() as s:
            rows = s.exec(
                select(PaperRow)
                .where(col(PaperRow.title_key).like(prefix + "%"))
                .order_by(col(PaperRow.title_key), col(PaperRow.id))
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
