"""In-memory PaperStore and EmbeddingStore: papers by id with their first-seen time."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.library.titles import title_key
from bot.models import IngestReport, Paper
from bot.sources.merge import REPLACED, merge_papers
from tests.fakes.base import MemoryBase


@dataclass
class FakePaperStore(MemoryBase):
    """Papers merged as the SQL store merges them (`bot.sources.merge.merge_papers`)."""

    papers: dict[str, Paper] = field(default_factory=dict)
    first_seen: dict[str, datetime] = field(default_factory=dict)
    embeddings: dict[tuple[str, str], bytes] = field(default_factory=dict)  # (model, paper id)

    def upsert_papers(self, papers: Iterable[Paper], now: datetime) -> IngestReport:
        batch: dict[str, Paper] = {}
        for paper in papers:
            batch[paper.id] = merge_papers(batch[paper.id], paper) if paper.id in batch else paper
        new = updated = unchanged = 0
        for paper in batch.values():
            old = self.papers.get(paper.id)
            if old is None:
                self.papers[paper.id], self.first_seen[paper.id] = paper, now
                new += 1
                continue
            merged = merge_papers(old, paper)
            if merged == old:
                unchanged += 1
            else:
                self.papers[paper.id] = merged
                updated += 1
        self._note("upsert_papers", tuple(batch), now)
        return IngestReport(new=new, updated=updated, unchanged=unchanged)

    def get_paper(self, paper_id: str) -> Paper | None:
        return self.papers.get(paper_id)

    def get_papers(self, paper_ids: Sequence[str]) -> dict[str, Paper]:
        return {pid: self.papers[pid] for pid in paper_ids if pid in self.papers}

    def papers_seen_since(self, since: datetime, limit: int = 5000) -> list[Paper]:
        found = [
            p
            for pid, p in self.papers.items()
            if self.first_seen[pid] > since and p.announce_type not in REPLACED
        ]
        found.sort(key=lambda p: (self.first_seen[p.id], p.id), reverse=True)
        return found[:limit]

    def count_papers(self) -> int:
        return len(self.papers)

    def papers_by_doi(self, dois: Sequence[str]) -> dict[str, Paper]:
        wanted = {d.strip().lower() for d in dois if d.strip()}
        out: dict[str, Paper] = {}
        for paper in sorted(self.papers.values(), key=lambda p: (p.id.startswith("doi:"), p.id)):
            key = (paper.doi or paper.id.removeprefix("doi:")).lower()
            if key in wanted and (paper.doi or paper.id.startswith("doi:")):
                out.setdefault(key, paper)
        return out

    def papers_by_title_key(self, keys: Sequence[str]) -> dict[str, list[Paper]]:
        wanted = {k for k in keys if k}
        out: dict[str, list[Paper]] = {}
        for paper in sorted(self.papers.values(), key=lambda p: p.id):
            key = title_key(paper.title)
            if key in wanted:
                out.setdefault(key, []).append(paper)
        return out

    def papers_by_title_prefix(self, prefix: str, limit: int) -> list[Paper]:
        if not prefix:
            return []
        found = [(title_key(p.title), p.id, p) for p in self.papers.values()]
        hits = sorted((k, pid, p) for k, pid, p in found if k.startswith(prefix))
        return [p for _, _, p in hits[:limit]]

    def get_embeddings(self, model: str, paper_ids: Sequence[str]) -> dict[str, bytes]:
        return {
            pid: self.embeddings[(model, pid)]
            for pid in paper_ids
            if (model, pid) in self.embeddings
        }

    def save_embeddings(self, model: str, vectors: dict[str, bytes]) -> None:
        for pid, blob in vectors.items():
            self.embeddings.setdefault((model, pid), blob)
        self._note("save_embeddings", model, tuple(vectors))
