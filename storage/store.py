"""`SqlStore`: every store port of `bot.ports` (their union, `Store`) on SQLModel, for SQLite and
PostgreSQL alike, assembled from parts."""

from __future__ import annotations

from storage.answer_store import AnswerStore
from storage.claim_store import ClaimStore
from storage.db import make_engine, migrate
from storage.manager_store import ManagerStore
from storage.outbox_store import OutboxStore
from storage.paper_store import PaperStore
from storage.plan_store import PlanInputStore
from storage.posted_store import PostedDigestStore
from storage.reaction_store import ReactionStore
from storage.secret_store import SecretStore
from storage.sources import SourcesStoreMixin
from storage.summary_store import SummaryStore
from storage.vote_store import VoteStore


class SqlStore(
    PlanInputStore,
    PaperStore,
    ClaimStore,
    ManagerStore,
    OutboxStore,
    PostedDigestStore,
    AnswerStore,
    ReactionStore,
    SummaryStore,
    SecretStore,
    VoteStore,
    SourcesStoreMixin,
):
    """Papers, channels, their interests and managers, digests (the outbox), reactions,
    schedules, caches (summaries, full texts), the app's own secrets, vote reactions waiting."""

    @classmethod
    def open(cls, url: str, *, migrate_schema: bool = True) -> SqlStore:
        engine = make_engine(url)
        if migrate_schema:
            migrate(engine)
        return cls(engine)


__all__ = ["SqlStore"]
