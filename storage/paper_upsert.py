"""Bulk upsert of papers: one SELECT of the known rows, one multi-row INSERT, one UPDATE batch.

Works on SQLAlchemy Core (no ORM objects): the known rows are read as plain tuples, merged in
Python with `bot.sources.merge.merge_papers` (the one place that decides how two records of a work
combine), and written back with executemany, which SQLite runs as one prepared statement and
psycopg as batched multi-row VALUES (INSERT) and a pipeline (UPDATE).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from bot.models import Paper
from bot.sources.merge import merge_papers
from storage.mapping import paper_from_row, paper_values
from storage.tables import PaperRow

PAPERS = PaperRow.__table__  # type: ignore[attr-defined]
SELECT_CHUNK = 500  # ids per IN (...) query
INGEST_CHUNK = 2_000  # distinct works per ingest transaction
# The SET clause of an executemany UPDATE comes from the parameters' keys (all but `_id`).
_UPDATE = update(PAPERS).where(PAPERS.c.id == bindparam("_id"))


@dataclass
class ChunkPlan:
    """What one chunk of incoming papers does to the table."""

    inserts: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0

    @property
    def counts(self) -> tuple[int, int, int]:
        return len(self.inserts), len(self.updates), self.unchanged


def known_papers(conn: Connection, ids: Sequence[str]) -> dict[str, Paper]:
    """The stored papers among `ids`, read as plain rows (no ORM objects)."""
    found: dict[str, Paper] = {}
    for start in range(0, len(ids), SELECT_CHUNK):
        chunk = list(ids[start : start + SELECT_CHUNK])
        for row in conn.execute(select(PAPERS).where(PAPERS.c.id.in_(chunk))):
            found[row.id] = paper_from_row(row)  # type: ignore[arg-type]
    return found


def plan_chunk(papers: Sequence[Paper], known: dict[str, Paper], now: datetime) -> ChunkPlan:
    """Sort `papers` (distinct ids) into new rows, changed rows and unchanged ones."""
    plan = ChunkPlan()
    for paper in papers:
        old = known.get(paper.id)
        if old is None:
            row = paper_values(paper)
            row.update(id=paper.id, first_seen_at=now, updated_at=now)
            plan.inserts.append(row)
            continue
        merged = old if paper == old else merge_papers(old, paper)
        if merged is old or merged == old:
            plan.unchanged += 1
            continue
        values = paper_values(merged)
        values.update(_id=paper.id, updated_at=now)
        plan.updates.append(values)
    return plan


def write_chunk(conn: Connection, plan: ChunkPlan) -> None:
    """Apply a chunk's plan in the caller's transaction: one INSERT batch, one UPDATE batch."""
    if plan.inserts:
        conn.execute(insert(PAPERS), plan.inserts)
    if plan.updates:
        conn.execute(_UPDATE, plan.updates)
