"""Which papers each of a channel's digests posted, without loading the papers (learning curves)."""

from __future__ import annotations

from sqlmodel import col, select

from bot.models import ItemStatus, PostedDigest
from storage.base import StoreBase
from storage.tables import DigestItemRow, DigestRow


class PostedDigestStore(StoreBase):
    """`posted_digests`: the last digests of a channel with the ids of the papers they posted."""

    def posted_digests(self, channel_id: int, limit: int = 60) -> list[PostedDigest]:
        """Newest first; a digest that posted nothing (all failed, or empty) is listed with no
        ids. Two queries: the digests, then their posted items, ordered by rank."""
        with self.session() as s:
            digests = list(
                s.exec(
                    select(DigestRow.id, DigestRow.run_key, DigestRow.created_at)
                    .where(DigestRow.channel_id == channel_id)
                    .order_by(col(DigestRow.id).desc())
                    .limit(max(0, limit))
                )
            )
            ids = [d[0] for d in digests]
            items = s.exec(
                select(DigestItemRow.digest_id, DigestItemRow.paper_id)
                .where(
                    col(DigestItemRow.digest_id).in_(ids),
                    DigestItemRow.status == ItemStatus.POSTED.value,
                )
                .order_by(col(DigestItemRow.digest_id), col(DigestItemRow.rank))
            )
            posted: dict[int, list[str]] = {}
            for digest_id, paper_id in items:
                posted.setdefault(digest_id, []).append(paper_id)
        return [
            PostedDigest(int(did), run_key, created, tuple(posted.get(did, ())))
            for did, run_key, created in digests
            if did is not None
        ]
