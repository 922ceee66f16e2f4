"""`SqlStore`: the Store port on SQLModel, for SQLite and PostgreSQL alike."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, func, or_, text, update
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlmodel import Session, col, select

from bot.errors import NotFound, StorageError
from bot.merge import REPLACED, merge_papers
from bot.models import (
    CachedSummary,
    Channel,
    ChannelRef,
    ChannelSettings,
    Digest,
    DigestItem,
    Feedback,
    IngestReport,
    Interest,
    ItemStatus,
    Paper,
    ScoredPaper,
)
from storage.db import make_engine, migrate
from storage.mapping import (
    channel_from_row,
    normalise_interest,
    paper_from_row,
    paper_values,
    reasons_from_json,
    reasons_to_json,
    settings_values,
)
from storage.sources import SourcesStoreMixin
from storage.tables import (
    ChannelRow,
    DigestItemRow,
    DigestRow,
    InterestRow,
    JobRunRow,
    PaperEmbeddingRow,
    PaperRow,
    PaperSummaryRow,
    ProcessedEventRow,
    ReactionRow,
)

log = logging.getLogger(__name__)
_CHUNK = 500


class SqlStore(SourcesStoreMixin):
    """Papers, channels and their interests, digests (the outbox), reactions."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str, *, migrate_schema: bool = True) -> SqlStore:
        engine = make_engine(url)
        if migrate_schema:
            migrate(engine)
        return cls(engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction; driver errors become StorageError."""
        try:
            with Session(self.engine, expire_on_commit=False) as session, session.begin():
                yield session
        except OperationalError as exc:
            raise StorageError(f"database unavailable: {str(exc.orig).strip()[:200]}") from exc
        except IntegrityError:
            raise
        except SQLAlchemyError as exc:
            raise StorageError(f"database error: {type(exc).__name__}") from exc

    # ------------------------------------------------------------------ papers
    def upsert_papers(self, papers: Iterable[Paper], now: datetime) -> IngestReport:
        """Insert new works, merge known ones; one transaction per chunk."""
        new = updated = unchanged = 0
        batch: dict[str, Paper] = {}
        for paper in papers:
            batch[paper.id] = merge_papers(batch[paper.id], paper) if paper.id in batch else paper
            if len(batch) >= _CHUNK:
                n, u, s = self._upsert_chunk(list(batch.values()), now)
                new, updated, unchanged = new + n, updated + u, unchanged + s
                batch = {}
        if batch:
            n, u, s = self._upsert_chunk(list(batch.values()), now)
            new, updated, unchanged = new + n, updated + u, unchanged + s
        return IngestReport(new=new, updated=updated, unchanged=unchanged)

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

    # ---------------------------------------------------------------- channels
    def add_channel(
        self,
        ref: ChannelRef,
        name: str,
        settings: ChannelSettings,
        interests: Iterable[Interest] = (),
        *,
        now: datetime,
    ) -> Channel:
        with self.session() as s:
            existing = s.exec(self._ref_query(ref)).first()
            if existing is not None:
                raise StorageError(f"channel {ref} already exists (id {existing.id})")
            row = ChannelRow(
                platform=ref.platform.value,
                workspace=ref.workspace,
                external_id=ref.channel,
                name=name,
                created_at=now,
                **settings_values(settings),
            )
            s.add(row)
            s.flush()
            assert row.id is not None
            for interest in interests:
                self._add_interest(s, row.id, interest, now)
            channel_id = row.id
        return self.get_channel(channel_id)

    def ensure_channel(
        self, ref: ChannelRef, name: str, settings: ChannelSettings, *, now: datetime
    ) -> Channel:
        """The channel for `ref`, created with `settings` on first use."""
        found = self.find_channel(ref)
        if found is not None:
            return found
        try:
            return self.add_channel(ref, name, settings, now=now)
        except (IntegrityError, StorageError):
            found = self.find_channel(ref)
            if found is None:
                raise
            return found

    @staticmethod
    def _ref_query(ref: ChannelRef) -> Any:
        return select(ChannelRow).where(
            ChannelRow.platform == ref.platform.value,
            ChannelRow.workspace == ref.workspace,
            ChannelRow.external_id == ref.channel,
        )

    def _load_channel(self, s: Session, row: ChannelRow) -> Channel:
        interests = list(s.exec(select(InterestRow).where(InterestRow.channel_id == row.id)))
        return channel_from_row(row, interests)

    def get_channel(self, channel_id: int) -> Channel:
        with self.session() as s:
            row = s.get(ChannelRow, channel_id)
            if row is None:
                raise NotFound(f"no channel with id {channel_id}")
            return self._load_channel(s, row)

    def find_channel(self, ref: ChannelRef) -> Channel | None:
        with self.session() as s:
            row = s.exec(self._ref_query(ref)).first()
            return self._load_channel(s, row) if row else None

    def list_channels(self) -> list[Channel]:
        with self.session() as s:
            rows = list(s.exec(select(ChannelRow).order_by(col(ChannelRow.id))))
            interests: dict[int, list[InterestRow]] = {}
            for i in s.exec(select(InterestRow)):
                interests.setdefault(i.channel_id, []).append(i)
            return [channel_from_row(r, interests.get(r.id or 0, [])) for r in rows]

    def remove_channel(self, channel_id: int) -> None:
        with self.session() as s:
            row = s.get(ChannelRow, channel_id)
            if row is None:
                raise NotFound(f"no channel with id {channel_id}")
            s.execute(delete(ReactionRow).where(col(ReactionRow.channel_id) == channel_id))
            s.execute(delete(DigestItemRow).where(col(DigestItemRow.channel_id) == channel_id))
            s.execute(delete(InterestRow).where(col(InterestRow.channel_id) == channel_id))
            s.execute(delete(DigestRow).where(col(DigestRow.channel_id) == channel_id))
            s.delete(row)

    def update_settings(self, channel_id: int, settings: ChannelSettings) -> Channel:
        with self.session() as s:
            row = s.get(ChannelRow, channel_id)
            if row is None:
                raise NotFound(f"no channel with id {channel_id}")
            for key, value in settings_values(settings).items():
                setattr(row, key, value)
            s.add(row)
        return self.get_channel(channel_id)

    def set_next_run(self, channel_id: int, next_run_at: datetime | None) -> None:
        with self.session() as s:
            s.execute(
                update(ChannelRow)
                .where(col(ChannelRow.id) == channel_id)
                .values(next_run_at=next_run_at)
            )

    def add_interest(self, channel_id: int, interest: Interest, *, now: datetime) -> bool:
        """Add an interest; False when the channel already had it."""
        try:
            with self.session() as s:
                if s.get(ChannelRow, channel_id) is None:
                    raise NotFound(f"no channel with id {channel_id}")
                return self._add_interest(s, channel_id, interest, now)
        except IntegrityError:
            return False

    @staticmethod
    def _add_interest(s: Session, channel_id: int, interest: Interest, now: datetime) -> bool:
        norm = normalise_interest(interest.value)
        exists = s.exec(
            select(InterestRow).where(
                InterestRow.channel_id == channel_id,
                InterestRow.kind == interest.kind.value,
                InterestRow.norm == norm,
            )
        ).first()
        if exists is not None:
            return False
        s.add(
            InterestRow(
                channel_id=channel_id,
                kind=interest.kind.value,
                value=interest.value.strip(),
                norm=norm,
                created_at=now,
            )
        )
        s.flush()
        return True

    def remove_interest(self, channel_id: int, interest: Interest) -> bool:
        """Remove an interest; False when the channel did not have it."""
        with self.session() as s:
            result = s.execute(
                delete(InterestRow).where(
                    col(InterestRow.channel_id) == channel_id,
                    col(InterestRow.kind) == interest.kind.value,
                    col(InterestRow.norm) == normalise_interest(interest.value),
                )
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def get_profile_state(self, channel_id: int) -> str | None:
        with self.session() as s:
            row = s.get(ChannelRow, channel_id)
            return row.profile_state if row else None

    def save_profile_state(self, channel_id: int, state: str | None) -> None:
        with self.session() as s:
            s.execute(
                update(ChannelRow)
                .where(col(ChannelRow.id) == channel_id)
                .values(profile_state=state)
            )

    # --------------------------------------------------------------- embeddings
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

    # ------------------------------------------------------------ digests/outbox
    def posted_paper_ids(self, channel_id: int) -> set[str]:
        """Every paper ever put into a digest for this channel (posted or still pending)."""
        with self.session() as s:
            return set(
                s.exec(select(DigestItemRow.paper_id).where(DigestItemRow.channel_id == channel_id))
            )

    def create_digest(
        self,
        channel_id: int,
        run_key: str,
        picks: Sequence[tuple[ScoredPaper, str]],
        *,
        candidates: int,
        now: datetime,
        watermark: datetime | None,
    ) -> tuple[Digest, bool]:
        """Write a digest and all its items before anything is posted.

        Returns (digest, created). When (channel, run_key) already exists the existing digest is
        returned with created=False, so a retried or concurrent run resumes instead of duplicating.
        """
        try:
            with self.session() as s:
                digest = DigestRow(
                    channel_id=channel_id, run_key=run_key, candidates=candidates, created_at=now
                )
                s.add(digest)
                s.flush()
                assert digest.id is not None
                for rank, (scored, tldr) in enumerate(picks, start=1):
                    s.add(
                        DigestItemRow(
                            digest_id=digest.id,
                            channel_id=channel_id,
                            paper_id=scored.paper.id,
                            rank=rank,
                            score=float(scored.score),
                            reasons=reasons_to_json(scored.reasons),
                            tldr=tldr,
                        )
                    )
                values: dict[str, Any] = {"last_digest_at": now}
                if watermark is not None:
                    values["watermark"] = watermark
                s.execute(
                    update(ChannelRow).where(col(ChannelRow.id) == channel_id).values(**values)
                )
                digest_id = digest.id
        except IntegrityError:
            existing = self.find_digest(channel_id, run_key)
            if existing is None:
                raise
            return existing, False
        return self.get_digest(digest_id), True

    def find_digest(self, channel_id: int, run_key: str) -> Digest | None:
        with self.session() as s:
            row = s.exec(
                select(DigestRow).where(
                    DigestRow.channel_id == channel_id, DigestRow.run_key == run_key
                )
            ).first()
            return self._load_digest(s, row) if row else None

    def get_digest(self, digest_id: int) -> Digest:
        with self.session() as s:
            row = s.get(DigestRow, digest_id)
            if row is None:
                raise NotFound(f"no digest with id {digest_id}")
            return self._load_digest(s, row)

    def _load_digest(self, s: Session, row: DigestRow) -> Digest:
        items = list(
            s.exec(
                select(DigestItemRow)
                .where(DigestItemRow.digest_id == row.id)
                .order_by(col(DigestItemRow.rank))
            )
        )
        papers = {
            p.id: paper_from_row(p)
            for p in s.exec(
                select(PaperRow).where(col(PaperRow.id).in_([i.paper_id for i in items]))
            )
        }
        assert row.id is not None
        return Digest(
            id=row.id,
            channel_id=row.channel_id,
            run_key=row.run_key,
            candidates=row.candidates,
            created_at=row.created_at,
            header_message_id=row.header_message_id,
            items=tuple(
                DigestItem(
                    paper=papers[i.paper_id],
                    rank=i.rank,
                    score=i.score,
                    reasons=reasons_from_json(i.reasons),
                    tldr=i.tldr,
                    status=ItemStatus(i.status),
                    message_id=i.message_id,
                    attempts=i.attempts,
                )
                for i in items
            ),
        )

    def set_header_message(self, digest_id: int, message_id: str) -> None:
        with self.session() as s:
            s.execute(
                update(DigestRow)
                .where(col(DigestRow.id) == digest_id)
                .values(header_message_id=message_id)
            )

    def mark_item_posted(
        self, digest_id: int, paper_id: str, message_id: str, *, now: datetime
    ) -> None:
        with self.session() as s:
            s.execute(
                update(DigestItemRow)
                .where(
                    col(DigestItemRow.digest_id) == digest_id,
                    col(DigestItemRow.paper_id) == paper_id,
                )
                .values(status=ItemStatus.POSTED.value, message_id=message_id, posted_at=now)
            )

    def mark_item_sending(self, digest_id: int, paper_id: str) -> bool:
        """Mark an item as being posted now; False when it is not pending/failed any more."""
        with self.session() as s:
            result = s.execute(
                update(DigestItemRow)
                .where(
                    col(DigestItemRow.digest_id) == digest_id,
                    col(DigestItemRow.paper_id) == paper_id,
                    col(DigestItemRow.status).in_(
                        [ItemStatus.PENDING.value, ItemStatus.FAILED.value]
                    ),
                )
                .values(status=ItemStatus.SENDING.value)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def mark_item_failed(
        self, digest_id: int, paper_id: str, error: str, *, count: bool = True
    ) -> None:
        """Record a failed post; `count=False` (rate limited) does not use up an attempt."""
        with self.session() as s:
            s.execute(
                update(DigestItemRow)
                .where(
                    col(DigestItemRow.digest_id) == digest_id,
                    col(DigestItemRow.paper_id) == paper_id,
                )
                .values(
                    status=ItemStatus.FAILED.value,
                    last_error=error[:500],
                    attempts=DigestItemRow.attempts + (1 if count else 0),  # type: ignore[operator]
                )
            )

    def complete_digest(self, digest_id: int, *, now: datetime) -> None:
        with self.session() as s:
            s.execute(
                update(DigestRow)
                .where(col(DigestRow.id) == digest_id)
                .values(status="done", completed_at=now)
            )

    def unfinished_digests(self, channel_id: int | None = None) -> list[Digest]:
        with self.session() as s:
            query = select(DigestRow).where(DigestRow.status != "done")
            if channel_id is not None:
                query = query.where(DigestRow.channel_id == channel_id)
            return [self._load_digest(s, r) for r in s.exec(query.order_by(col(DigestRow.id)))]

    def recent_digests(self, channel_id: int, limit: int = 10) -> list[Digest]:
        with self.session() as s:
            rows = s.exec(
                select(DigestRow)
                .where(DigestRow.channel_id == channel_id)
                .order_by(col(DigestRow.id).desc())
                .limit(limit)
            )
            return [self._load_digest(s, r) for r in rows]

    def find_item_by_message(self, channel_id: int, message_id: str) -> str | None:
        """The paper id posted as `message_id` in this channel, if the bot posted it."""
        with self.session() as s:
            return s.exec(
                select(DigestItemRow.paper_id).where(
                    DigestItemRow.channel_id == channel_id, DigestItemRow.message_id == message_id
                )
            ).first()

    def find_item(self, channel_id: int, paper_id: str) -> DigestItem | None:
        with self.session() as s:
            row = s.exec(
                select(DigestItemRow).where(
                    DigestItemRow.channel_id == channel_id, DigestItemRow.paper_id == paper_id
                )
            ).first()
            if row is None:
                return None
            paper = s.get(PaperRow, row.paper_id)
            assert paper is not None
            return DigestItem(
                paper=paper_from_row(paper),
                rank=row.rank,
                score=row.score,
                reasons=reasons_from_json(row.reasons),
                tldr=row.tldr,
                status=ItemStatus(row.status),
                message_id=row.message_id,
                attempts=row.attempts,
            )

    # -------------------------------------------------------------- scheduling
    def channels_to_schedule(self) -> list[Channel]:
        """Active channels that have no next run yet (new, or just resumed)."""
        with self.session() as s:
            rows = s.exec(
                select(ChannelRow).where(
                    col(ChannelRow.next_run_at).is_(None), col(ChannelRow.paused).is_(False)
                )
            )
            return [self._load_channel(s, r) for r in rows]

    def claim_due_channels(
        self, worker: str, now: datetime, *, lease_seconds: float, limit: int
    ) -> list[Channel]:
        """Lease up to `limit` due channels to `worker` (FOR UPDATE SKIP LOCKED on PostgreSQL).

        A channel is due when its next run or its retry time has come; a channel leased to a
        live worker is skipped, and an expired lease (a dead worker) can be taken over.
        """
        free = or_(col(ChannelRow.lease_until).is_(None), col(ChannelRow.lease_until) < now)
        due = or_(col(ChannelRow.next_run_at) <= now, col(ChannelRow.retry_at) <= now)
        until = now + timedelta(seconds=lease_seconds)
        with self.session() as s:
            ids = list(
                s.exec(
                    select(ChannelRow.id)
                    .where(col(ChannelRow.paused).is_(False), due, free)
                    .order_by(col(ChannelRow.next_run_at), col(ChannelRow.id))
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            )
            if not ids:
                return []
            # Compare-and-set, so SQLite (no row locks) cannot hand one channel to two workers.
            s.execute(
                update(ChannelRow)
                .where(col(ChannelRow.id).in_(ids), free)
                .values(claimed_by=worker, lease_until=until)
            )
            rows = s.exec(
                select(ChannelRow)
                .where(
                    col(ChannelRow.id).in_(ids),
                    ChannelRow.claimed_by == worker,
                    ChannelRow.lease_until == until,
                )
                .order_by(col(ChannelRow.next_run_at), col(ChannelRow.id))
            )
            return [self._load_channel(s, r) for r in rows]

    def renew_lease(self, channel_id: int, worker: str, until: datetime) -> bool:
        """Extend this worker's lease; False when the lease was lost to another worker."""
        with self.session() as s:
            result = s.execute(
                update(ChannelRow)
                .where(col(ChannelRow.id) == channel_id, col(ChannelRow.claimed_by) == worker)
                .values(lease_until=until)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def release_channel(
        self,
        channel_id: int,
        worker: str,
        *,
        next_run_at: datetime | None,
        retry_at: datetime | None,
    ) -> bool:
        """Give the channel back with its next run and retry times; False if not ours any more."""
        with self.session() as s:
            result = s.execute(
                update(ChannelRow)
                .where(col(ChannelRow.id) == channel_id, col(ChannelRow.claimed_by) == worker)
                .values(
                    claimed_by=None, lease_until=None, next_run_at=next_run_at, retry_at=retry_at
                )
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def next_due_at(self) -> datetime | None:
        """The earliest next run or retry among active channels (for an idle worker's nap)."""
        with self.session() as s:
            active = col(ChannelRow.paused).is_(False)
            runs = s.exec(select(func.min(ChannelRow.next_run_at)).where(active)).one()
            retries = s.exec(select(func.min(ChannelRow.retry_at)).where(active)).one()
        found = [self._aware(v) for v in (runs, retries) if v is not None]
        return min(found) if found else None

    @staticmethod
    def _aware(value: datetime) -> datetime:
        from datetime import UTC

        return value.replace(tzinfo=UTC) if value.tzinfo is None else value

    @contextmanager
    def exclusive(self, name: str) -> Iterator[bool]:
        """Hold a cluster-wide lock named `name` (PostgreSQL advisory lock) while inside.

        Yields False at once when another process holds it. SQLite has one process: always True.
        """
        if self.dialect != "postgresql":
            yield True
            return
        key = int.from_bytes(
            hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True
        )
        try:
            conn = self.engine.connect()
        except OperationalError as exc:
            raise StorageError(f"database unavailable: {str(exc.orig).strip()[:200]}") from exc
        try:
            got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())
            conn.commit()
            try:
                yield got
            finally:
                if got:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                    conn.commit()
        finally:
            conn.close()

    def job_done(self, name: str, run_key: str) -> bool:
        with self.session() as s:
            return s.get(JobRunRow, (name, run_key)) is not None

    def record_job(self, name: str, run_key: str, *, worker: str, now: datetime) -> bool:
        """Record that a job ran for `run_key`; False when it was already recorded."""
        try:
            with self.session() as s:
                s.add(JobRunRow(name=name, run_key=run_key, worker=worker, finished_at=now))
            return True
        except IntegrityError:
            return False

    # --------------------------------------------------------------- reactions
    def record_reaction(
        self,
        channel_id: int,
        paper_id: str,
        user_id: str,
        emoji: str,
        value: int,
        *,
        added: bool,
        now: datetime,
        event_id: str | None = None,
    ) -> bool:
        """Store a reaction added or removed; False when nothing changed (a retried event)."""
        try:
            with self.session() as s:
                if event_id:
                    s.add(ProcessedEventRow(event_id=event_id, created_at=now))
                    s.flush()
                row = s.exec(
                    select(ReactionRow).where(
                        ReactionRow.channel_id == channel_id,
                        ReactionRow.paper_id == paper_id,
                        ReactionRow.user_id == user_id,
                        ReactionRow.emoji == emoji,
                    )
                ).first()
                if row is None:
                    if not added:
                        return False
                    s.add(
                        ReactionRow(
                            channel_id=channel_id,
                            paper_id=paper_id,
                            user_id=user_id,
                            emoji=emoji,
                            value=value,
                            active=True,
                            created_at=now,
                            updated_at=now,
                        )
                    )
                    return True
                if row.active == added:
                    return False
                row.active = added
                row.updated_at = now
                s.add(row)
                return True
        except IntegrityError:
            return False

    def feedback(self, channel_id: int) -> list[Feedback]:
        """Each person's latest opinion per paper in this channel (removed reactions excluded)."""
        with self.session() as s:
            rows = s.exec(
                select(ReactionRow)
                .where(ReactionRow.channel_id == channel_id, col(ReactionRow.active).is_(True))
                .order_by(col(ReactionRow.updated_at), col(ReactionRow.id))
            )
            latest: dict[tuple[str, str], ReactionRow] = {}
            for row in rows:
                latest[(row.paper_id, row.user_id)] = row
        return [
            Feedback(channel_id, r.paper_id, r.user_id, r.value, r.updated_at)
            for r in latest.values()
        ]

    def reaction_counts(self, channel_id: int) -> tuple[int, int]:
        """(positive, negative) opinions currently held in this channel."""
        values = [f.value for f in self.feedback(channel_id)]
        return sum(1 for v in values if v > 0), sum(1 for v in values if v < 0)

    def prune_events(self, before: datetime) -> int:
        with self.session() as s:
            result = s.execute(
                delete(ProcessedEventRow).where(col(ProcessedEventRow.created_at) < before)
            )
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    # ---------------------------------------------------------- summary cache
    def get_summary(self, paper_id: str, model: str) -> CachedSummary | None:
        with self.session() as s:
            row = s.get(PaperSummaryRow, (paper_id, model))
            if row is None:
                return None
            return CachedSummary(row.paper_id, row.model, row.text, row.source_hash, row.created_at)

    def save_summary(self, summary: CachedSummary) -> None:
        """Insert or replace the summary of (paper, model)."""
        created = summary.created_at
        if created is None:
            raise ValueError("a cached summary needs created_at")
        try:
            self._merge_summary(summary, created)
        except IntegrityError as exc:
            raise NotFound(f"no paper with id {summary.paper_id}") from exc

    def _merge_summary(self, summary: CachedSummary, created: datetime) -> None:
        with self.session() as s:
            s.merge(
                PaperSummaryRow(
                    paper_id=summary.paper_id,
                    model=summary.model[:200],
                    text=summary.text,
                    source_hash=summary.source_hash,
                    created_at=created,
                )
            )

    def count_summaries_since(self, since: datetime) -> int:
        with self.session() as s:
            return int(
                s.exec(
                    select(func.count())
                    .select_from(PaperSummaryRow)
                    .where(col(PaperSummaryRow.created_at) >= since)
                ).one()
            )


__all__ = ["SqlStore"]
