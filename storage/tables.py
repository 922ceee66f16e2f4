"""SQLModel tables. Rows never leave this package: `store.py` maps them to domain objects."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, LargeBinary, Text, UniqueConstraint
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps naive strings)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _tz() -> Any:
    return Column(UTCDateTime(), nullable=True)


class PaperRow(SQLModel, table=True):
    __tablename__ = "paper"

    id: str = Field(primary_key=True, max_length=200)
    title: str = Field(sa_column=Column(Text, nullable=False))
    abstract: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    authors: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    categories: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    primary_category: str | None = Field(default=None, max_length=64)
    published: date | None = None
    updated: date | None = None
    version: int | None = None
    url: str | None = Field(default=None, sa_column=Column(Text))
    pdf_url: str | None = Field(default=None, sa_column=Column(Text))
    doi: str | None = Field(default=None, max_length=300)
    sources: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    announce_type: str | None = Field(default=None, max_length=32)
    comments: str | None = Field(default=None, sa_column=Column(Text))
    journal_ref: str | None = Field(default=None, sa_column=Column(Text))
    upvotes: int | None = None
    ai_summary: str | None = Field(default=None, sa_column=Column(Text))
    keywords: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    code_url: str | None = Field(default=None, sa_column=Column(Text))
    code_stars: int | None = None
    project_url: str | None = Field(default=None, sa_column=Column(Text))
    hf_url: str | None = Field(default=None, sa_column=Column(Text))
    hf_comments: int | None = None
    # the normalised title library imports match by (`bot.library.titles.title_key`)
    title_key: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    first_seen_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))

    __table_args__ = (
        Index("ix_paper_first_seen_at", "first_seen_at"),
        Index("ix_paper_title_key", "title_key"),
    )


class ChannelRow(SQLModel, table=True):
    __tablename__ = "channel"

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    workspace: str = Field(max_length=64)
    external_id: str = Field(max_length=64)
    name: str = Field(max_length=200)
    size: int = 5
    threshold: str = Field(default="medium", max_length=16)
    schedule_time: str = Field(default="09:00", max_length=5)
    timezone: str = Field(default="UTC", max_length=64)
    days: str = Field(default="0,1,2,3,4", max_length=32)
    schedule_cron: str | None = Field(default=None, max_length=120)
    paused: bool = False
    paused_reason: str | None = Field(default=None, sa_column=Column(Text))
    announce_empty: bool = False
    thread_mode: bool = False
    follow_authors: bool = True
    learn_since: datetime | None = Field(default=None, sa_column=_tz())
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    next_run_at: datetime | None = Field(default=None, sa_column=_tz())
    last_digest_at: datetime | None = Field(default=None, sa_column=_tz())
    watermark: datetime | None = Field(default=None, sa_column=_tz())
    profile_state: str | None = Field(default=None, sa_column=Column(Text))
    # Scheduling: an unfinished digest is retried at retry_at; a worker's claim is a lease.
    retry_at: datetime | None = Field(default=None, sa_column=_tz())
    claimed_by: str | None = Field(default=None, max_length=128)
    lease_until: datetime | None = Field(default=None, sa_column=_tz())
    set_up_by: str | None = Field(default=None, max_length=64)  # first to configure it in chat
    lease_token: str | None = Field(default=None, max_length=32)  # new on every claim

    __table_args__ = (
        UniqueConstraint("platform", "workspace", "external_id", name="uq_channel_ref"),
        Index("ix_channel_next_run_at", "next_run_at"),
        Index("ix_channel_retry_at", "retry_at"),
    )


class InterestRow(SQLModel, table=True):
    __tablename__ = "interest"

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channel.id", ondelete="CASCADE", index=True)
    kind: str = Field(max_length=16)
    value: str = Field(max_length=300)
    norm: str = Field(max_length=300)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))

    __table_args__ = (UniqueConstraint("channel_id", "kind", "norm", name="uq_interest"),)


class ChannelManagerRow(SQLModel, table=True):
    """A member an admin allowed to change one channel's settings (`/papers managers add`)."""

    __tablename__ = "channel_manager"

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channel.id", ondelete="CASCADE", index=True)
    user_id: str = Field(max_length=64)
    added_by: str | None = Field(default=None, max_length=64)
    added_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))

    __table_args__ = (UniqueConstraint("channel_id", "user_id", name="uq_channel_manager"),)


class DigestRow(SQLModel, table=True):
    __tablename__ = "digest"

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channel.id", ondelete="CASCADE", index=True)
    run_key: str = Field(max_length=64)
    candidates: int = 0
    status: str = Field(default="pending", max_length=16)
    header_message_id: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    completed_at: datetime | None = Field(default=None, sa_column=_tz())

    __table_args__ = (UniqueConstraint("channel_id", "run_key", name="uq_digest_run"),)


class DigestItemRow(SQLModel, table=True):
    __tablename__ = "digest_item"

    id: int | None = Field(default=None, primary_key=True)
    digest_id: int = Field(foreign_key="digest.id", ondelete="CASCADE", index=True)
    channel_id: int = Field(foreign_key="channel.id", ondelete="CASCADE")
    paper_id: str = Field(foreign_key="paper.id", max_length=200)
    rank: int
    score: float
    reasons: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    tldr: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    status: str = Field(default="pending", max_length=16)
    message_id: str | None = Field(default=None, max_length=64)
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    posted_at: datetime | None = Field(default=None, sa_column=_tz())

    __table_args__ = (
        # A paper is posted to a channel at most once, ever.
        UniqueConstraint("channel_id", "paper_id", name="uq_item_channel_paper"),
        Index("ix_item_message", "channel_id", "message_id"),
    )


class ReactionRow(SQLModel, table=True):
    __tablename__ = "reaction"

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channel.id", ondelete="CASCADE", index=True)
    paper_id: str = Field(foreign_key="paper.id", max_length=200)
    user_id: str = Field(max_length=64)
    emoji: str = Field(max_length=64)
    value: int
    active: bool = True
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # When the latest applied event happened (the platform's time): an older one never wins.
    event_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))

    __table_args__ = (
        UniqueConstraint("channel_id", "paper_id", "user_id", "emoji", name="uq_reaction"),
    )


class JobRunRow(SQLModel, table=True):
    """A periodic job that ran for a key (the fetch after one arXiv announcement): runs once."""

    __tablename__ = "job_run"

    name: str = Field(primary_key=True, max_length=64)
    run_key: str = Field(primary_key=True, max_length=64)
    worker: str = Field(default="", max_length=128)
    finished_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class ProcessedEventRow(SQLModel, table=True):
    """Platform event ids already handled, so a retried delivery counts once."""

    __tablename__ = "processed_event"

    event_id: str = Field(primary_key=True, max_length=128)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))

    __table_args__ = (Index("ix_processed_event_created_at", "created_at"),)


class InstallationRow(SQLModel, table=True):
    """A chat app install (Slack multi-workspace OAuth); `data` is the SDK's JSON, tokens included."""

    __tablename__ = "installation"

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    enterprise_id: str = Field(default="", max_length=64)
    workspace: str = Field(default="", max_length=64)
    user_id: str = Field(default="", max_length=64)
    data: str = Field(sa_column=Column(Text, nullable=False))
    installed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))

    __table_args__ = (
        UniqueConstraint(
            "platform", "enterprise_id", "workspace", "user_id", name="uq_installation"
        ),
    )


class OAuthStateRow(SQLModel, table=True):
    """A single-use OAuth `state` value with its expiry."""

    __tablename__ = "oauth_state"

    state: str = Field(primary_key=True, max_length=200)
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class HttpCacheRow(SQLModel, table=True):
    """The last good response per request (sources' conditional GETs and same-day reuse)."""

    __tablename__ = "http_cache"

    key: str = Field(primary_key=True, max_length=64)
    url: str = Field(sa_column=Column(Text, nullable=False))
    etag: str | None = Field(default=None, sa_column=Column(Text))
    last_modified: str | None = Field(default=None, sa_column=Column(Text))
    body: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    fetched_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class RateGateRow(SQLModel, table=True):
    """When a shared rate limit (the arXiv one) was last used, across every worker."""

    __tablename__ = "rate_gate"

    name: str = Field(primary_key=True, max_length=64)
    last_at: float


class PaperSummaryRow(SQLModel, table=True):
    """LLM TL;DRs cached per (paper, model); `source_hash` ties each to the text it read."""

    __tablename__ = "paper_summary"

    paper_id: str = Field(
        foreign_key="paper.id", ondelete="CASCADE", primary_key=True, max_length=200
    )
    model: str = Field(primary_key=True, max_length=200)
    text: str = Field(sa_column=Column(Text, nullable=False))
    source_hash: str = Field(default="", max_length=64)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))

    __table_args__ = (Index("ix_paper_summary_created_at", "created_at"),)


class PaperEmbeddingRow(SQLModel, table=True):
    """A paper's embedding under one model, computed once (float32 bytes)."""

    __tablename__ = "paper_embedding"

    paper_id: str = Field(primary_key=True, max_length=200)
    model: str = Field(primary_key=True, max_length=200)
    dim: int
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class AppSecretRow(SQLModel, table=True):
    """A secret the app generated for itself once (the link signing key), shared by every
    process through the database."""

    __tablename__ = "app_secret"

    name: str = Field(primary_key=True, max_length=64)
    value: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class PaperFullTextRow(SQLModel, table=True):
    """A paper's full text from arXiv's HTML page (JSON sections), or that it had none."""

    __tablename__ = "paper_full_text"

    paper_id: str = Field(
        foreign_key="paper.id", ondelete="CASCADE", primary_key=True, max_length=200
    )
    found: bool
    sections: str = Field(sa_column=Column(Text, nullable=False))  # [{"title", "paragraphs"}]
    fetched_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class PendingVoteRow(SQLModel, table=True):
    """A vote reaction waiting to be added under a posted paper: the vote lane's overflow past
    its in-memory cap, and what a stopping worker had not added yet. Taken oldest first."""

    __tablename__ = "pending_vote"

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channel.id", ondelete="CASCADE", index=True)
    message_id: str = Field(max_length=64)
    emoji: str = Field(max_length=64)
    tries: int = 0
    queued_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
