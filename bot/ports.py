"""Ports: the small protocols the core needs from the outside world."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol, TypeGuard, TypeVar, runtime_checkable

import numpy as np

from bot.digest.pacing import Lane
from bot.errors import LeaseLost, PaperBotError, StorageError
from bot.models import (
    CachedSummary,
    Channel,
    ChannelRef,
    ChannelSettings,
    Digest,
    DigestItem,
    DigestRequest,
    Feedback,
    IngestReport,
    InstallationRecord,
    Interest,
    Lease,
    MarkRequest,
    OutboxMark,
    Paper,
    PendingVote,
    PlanInputs,
    Platform,
    PostedDigest,
    Release,
    ScoredPaper,
)


class Clock(Protocol):
    def now(self) -> datetime: ...


class Embedder(Protocol):
    """Text -> unit-length float32 vectors (the semantic tier); `name` keys stored vectors."""

    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


class ChatAdapter(Protocol):
    """Posts digests and notices to one platform. Raises only bot.errors.DeliveryError kinds.

    The core posts item by item and records each message id at once (the outbox), so a crash
    between two papers resumes at the first unposted one.
    """

    platform: Platform

    def post_header(self, channel: Channel, digest: Digest) -> str | None:
        """Post the digest's short header; its message id (None if the platform has none)."""
        ...

    def post_item(self, channel: Channel, digest: Digest, item: DigestItem) -> str:
        """Post one paper as its own message (so reactions attach to it); its message id."""
        ...

    def post_notice(self, channel: Channel, text: str) -> str | None:
        """Post a short line (an empty day, a paused channel)."""
        ...


class ChatService(Protocol):
    """A chat connection the worker runs (console, Slack Socket Mode, Discord, email, ...).

    The composition root builds one per platform the settings ask for, bound to the core;
    `paperbot run` starts each once and stops each once, the same way for all. `start` returns
    promptly (a service with a connection runs it in its own threads); `stop` closes it.
    """

    name: str

    def start(self) -> None: ...
    def stop(self) -> None: ...


@runtime_checkable
class ReconcilingAdapter(Protocol):
    """Optional: an adapter that can tell whether an item was already posted.

    The outbox marks an item `sending` before posting and `posted` after; a crash in between
    leaves the outcome unknown. An adapter that can look the item up (a marker in Slack message
    metadata, a Discord nonce, the console outbox file) closes that window without a duplicate.
    """

    def find_item_message(self, channel: Channel, digest: Digest, item: DigestItem) -> str | None:
        """The message id of this item if it is already in the channel, else None (not there,
        or the platform can never tell, e.g. no history permission). Raises DeliveryError
        (DeliveryUncertain, RateLimited) when it cannot tell right now: then nothing is posted.
        """
        ...


@runtime_checkable
class PacedAdapter(Protocol):
    """Optional: an adapter that declares its platform's rate limits, so the core paces every
    post (and vote reaction) itself and many channels can be in flight at once."""

    def lanes(self, channel: Channel, route: str) -> Sequence[Lane]:
        """The limited keys a request on `route` (`pacing.POST`, `pacing.REACT`) to `channel`
        counts against: the channel's own limit, the route's, a global cap."""
        ...


@runtime_checkable
class VoteSeedingAdapter(Protocol):
    """Optional: an adapter whose vote reactions (👍/👎 under each paper) can be added apart
    from the post, by the core's vote lane at their own, tighter pace. With `defer_votes`
    set, `post_item` leaves them to `add_vote`."""

    defer_votes: bool
    vote_emoji: tuple[str, ...]

    def add_vote(self, channel: Channel, message_id: str, emoji: str) -> None:
        """Add one vote reaction; raises RateLimited, or DeliveryError when it cannot."""
        ...


@runtime_checkable
class HeaderReconcilingAdapter(Protocol):
    """Optional: an adapter that can tell whether a digest's header was already posted (a
    header post that failed ambiguously is looked up before it is posted again)."""

    def find_header_message(self, channel: Channel, digest: Digest) -> str | None:
        """The header's message id if it is already in the channel, else None; raises
        DeliveryError when it cannot tell right now."""
        ...


_C = TypeVar("_C")
_SUPPORTED: dict[tuple[type, type], bool] = {}


def supports(adapter: object, capability: type[_C]) -> TypeGuard[_C]:
    """`isinstance(adapter, capability)` for the optional adapter protocols above, answered
    once per adapter class: a runtime-checkable Protocol's isinstance inspects every member
    (~20 µs), and delivery asks several times per message. Our adapters declare their
    capabilities in the class (methods, class attributes), never per instance."""
    key = (type(adapter), capability)
    found = _SUPPORTED.get(key)
    if found is None:
        found = _SUPPORTED[key] = isinstance(adapter, capability)
    return found


class SummaryCache(Protocol):
    """Generated TL;DRs kept per (paper, model), so a paper costs one LLM call at most."""

    def get_summary(self, paper_id: str, model: str) -> CachedSummary | None: ...
    def save_summary(self, summary: CachedSummary) -> None: ...
    def count_summaries_since(self, since: datetime) -> int: ...


class PaperStore(Protocol):
    """Papers: ingest (insert new works, merge known ones) and look-ups."""

    def upsert_papers(self, papers: Iterable[Paper], now: datetime) -> IngestReport: ...
    def get_paper(self, paper_id: str) -> Paper | None: ...
    def get_papers(self, paper_ids: Sequence[str]) -> dict[str, Paper]: ...
    def papers_seen_since(self, since: datetime, limit: int = 5000) -> list[Paper]:
        """Papers first seen after `since`, except those first seen as an arXiv `replace`."""
        ...

    def count_papers(self) -> int: ...
    def papers_by_doi(self, dois: Sequence[str]) -> dict[str, Paper]:
        """Lower-cased DOI -> the paper carrying it (its DOI, or its `doi:` id)."""
        ...

    def papers_by_title_key(self, keys: Sequence[str]) -> dict[str, list[Paper]]:
        """Normalised title (`bot.library.titles.title_key`) -> the papers with it."""
        ...

    def papers_by_title_prefix(self, prefix: str, limit: int) -> list[Paper]:
        """Papers whose normalised title starts with `prefix`."""
        ...


class EmbeddingStore(Protocol):
    """Stored paper embeddings per model (the semantic tier)."""

    def get_embeddings(self, model: str, paper_ids: Sequence[str]) -> dict[str, bytes]: ...
    def save_embeddings(self, model: str, vectors: dict[str, bytes]) -> None: ...


class ChannelStore(Protocol):
    """Channels, their settings, interests and saved profile state."""

    def add_channel(
        self,
        ref: ChannelRef,
        name: str,
        settings: ChannelSettings,
        interests: Iterable[Interest] = (),
        *,
        now: datetime,
    ) -> Channel: ...
    def ensure_channel(
        self, ref: ChannelRef, name: str, settings: ChannelSettings, *, now: datetime
    ) -> Channel: ...
    def get_channel(self, channel_id: int) -> Channel: ...
    def find_channel(self, ref: ChannelRef) -> Channel | None: ...
    def list_channels(self) -> list[Channel]: ...
    def remove_channel(self, channel_id: int) -> None: ...
    def update_settings(self, channel_id: int, settings: ChannelSettings) -> Channel: ...
    def add_interest(self, channel_id: int, interest: Interest, *, now: datetime) -> bool: ...
    def add_interests(
        self, channel_id: int, interests: Iterable[Interest], *, now: datetime
    ) -> int:
        """Add several in one transaction; how many were new."""
        ...

    def remove_interest(self, channel_id: int, interest: Interest) -> bool: ...
    def get_profile_state(self, channel_id: int) -> str | None: ...
    def save_profile_state(self, channel_id: int, state: str | None) -> None: ...


class ManagerStore(Protocol):
    """Who may change a channel: who set it up (first one wins) and its managers."""

    def claim_channel(self, channel_id: int, user_id: str) -> str | None: ...
    def channel_managers(self, channel_id: int) -> list[str]: ...
    def add_manager(
        self, channel_id: int, user_id: str, *, added_by: str | None, now: datetime
    ) -> bool: ...
    def remove_manager(self, channel_id: int, user_id: str) -> bool: ...


class DigestWriter(Protocol):
    """Records a digest and its items before anything is posted (see OutboxStore)."""

    def create_digest(
        self,
        channel_id: int,
        run_key: str,
        picks: Sequence[tuple[ScoredPaper, str]],
        *,
        candidates: int,
        now: datetime,
        watermark: datetime | None,
    ) -> tuple[Digest, bool]: ...


class OutboxStore(DigestWriter, Protocol):
    """Digests and their items (the outbox): recorded before posting, marked as posted."""

    def posted_paper_ids(self, channel_id: int) -> set[str]: ...
    def create_digests(
        self, requests: Sequence[DigestRequest]
    ) -> list[tuple[Digest, bool] | PaperBotError]:
        """Many channels' `create_digest` written together (group commit), each as if alone:
        its outcome is `create_digest`'s result or the error it would raise (DigestInProgress,
        StorageError). All is written when this returns."""
        ...

    def find_digest(self, channel_id: int, run_key: str) -> Digest | None: ...
    def get_digest(self, digest_id: int) -> Digest: ...
    # Outbox writes: under a `lease` they apply only while that claim holds the channel, and
    # raise bot.errors.LeaseLost (changing nothing) once another worker has claimed it.
    def set_header_message(
        self, digest_id: int, message_id: str, *, lease: Lease | None = None
    ) -> None: ...
    def mark_item_posted(
        self,
        digest_id: int,
        paper_id: str,
        message_id: str,
        *,
        now: datetime,
        lease: Lease | None = None,
    ) -> None: ...
    def mark_item_sending(
        self, digest_id: int, paper_id: str, *, lease: Lease | None = None
    ) -> bool: ...
    def mark_item_failed(
        self,
        digest_id: int,
        paper_id: str,
        error: str,
        *,
        count: bool = True,
        lease: Lease | None = None,
    ) -> None: ...
    def mark_item_uncertain(
        self, digest_id: int, paper_id: str, error: str, *, lease: Lease | None = None
    ) -> None: ...
    def complete_digest(
        self, digest_id: int, *, now: datetime, lease: Lease | None = None
    ) -> None: ...
    def apply_marks(
        self, digest_id: int, marks: Sequence[OutboxMark], *, lease: Lease | None = None
    ) -> bool:
        """Header, sending, posted and complete marks, in order, in one transaction (a
        delivery writes the record of a message that is out together with its next mark);
        each applies as its own method would, a LeaseLost applies none. True when the last
        mark changed its row (for a `sending` mark: the item is ours to post)."""
        ...

    def apply_marks_many(
        self, requests: Sequence[MarkRequest]
    ) -> list[bool | LeaseLost | StorageError]:
        """Many deliveries' `apply_marks` written together (group commit: bot/digest/
        group_commit.py), in as few statements and transactions as the store can, each
        request atomic and as if applied alone, in order: its outcome is `apply_marks`'s
        result, or the LeaseLost it would raise (that request applies none of its marks; the
        others still apply). Any other error is raised for the whole batch; all is written
        when this returns."""
        ...

    def unfinished_digests(self, channel_id: int | None = None) -> list[Digest]: ...
    def unfinished_digests_many(self, channel_ids: Sequence[int]) -> list[list[Digest]]:
        """`unfinished_digests` of each channel, in order, read together (one read when none
        has any: the usual case)."""
        ...

    def recent_digests(self, channel_id: int, limit: int = 10) -> list[Digest]: ...
    def posted_digests(self, channel_id: int, limit: int = 60) -> list[PostedDigest]:
        """The channel's last `limit` digests, newest first, each with the ids of the papers
        it posted (papers not loaded): what a learning curve counts."""
        ...

    def find_item_by_message(self, channel_id: int, message_id: str) -> str | None: ...
    def find_item(self, channel_id: int, paper_id: str) -> DigestItem | None: ...


def create_requested(store: DigestWriter, r: DigestRequest) -> tuple[Digest, bool]:
    """`store.create_digest` for one `DigestRequest` (what a `create_digests` batch falls back
    to, request by request)."""
    return store.create_digest(
        r.channel_id,
        r.run_key,
        r.picks,
        candidates=r.candidates,
        now=r.now,
        watermark=r.watermark,
    )


class ScheduleStore(Protocol):
    """Scheduling shared by workers: next runs, claims and leases on due channels, one-at-a-time
    jobs."""

    def set_next_run(self, channel_id: int, next_run_at: datetime | None) -> None: ...
    def channels_to_schedule(self) -> list[Channel]: ...
    def claim_due_channels(
        self, worker: str, now: datetime, *, lease_seconds: float, limit: int
    ) -> list[Channel]: ...
    def renew_lease(
        self, channel_id: int, worker: str, until: datetime, *, token: str | None = None
    ) -> bool: ...
    def release_channel(
        self,
        channel_id: int,
        worker: str,
        *,
        next_run_at: datetime | None,
        retry_at: datetime | None,
        token: str | None = None,
    ) -> bool: ...
    def release_channels(self, worker: str, releases: Sequence[Release]) -> int: ...
    def next_due_at(self) -> datetime | None: ...
    def exclusive(self, name: str) -> AbstractContextManager[bool]: ...
    def job_done(self, name: str, run_key: str) -> bool: ...
    def record_job(self, name: str, run_key: str, *, worker: str, now: datetime) -> bool: ...


class ReactionStore(Protocol):
    """Reactions (ordered by event time), the opinions they add up to, handled event ids."""

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
        at: datetime | None = None,
    ) -> bool:
        """Apply a reaction event that happened at `at` (`now` when unknown): the latest event
        per (channel, paper, person, emoji) decides, a removal winning a tie; True when the
        person's reaction changed."""
        ...

    def record_message_reaction(
        self,
        ref: ChannelRef,
        message_id: str,
        user_id: str,
        emoji: str,
        value: int,
        *,
        added: bool,
        now: datetime,
        event_id: str | None = None,
        at: datetime | None = None,
    ) -> bool:
        """`record_reaction` on the paper posted as `message_id` in the channel `ref`, all in
        one transaction; False (nothing recorded) when no such posted paper exists."""
        ...

    def prune_events(self, before: datetime) -> int:
        """Forget the ids of platform events handled before `before`; how many."""
        ...

    def feedback(self, channel_id: int) -> list[Feedback]: ...
    def reaction_counts(self, channel_id: int) -> tuple[int, int]: ...


class VoteStore(Protocol):
    """Vote reactions waiting to be added, shared by every worker (a durable overflow of the
    vote lane's queue)."""

    def save_votes(self, votes: Sequence[PendingVote], *, now: datetime) -> None:
        """Keep `votes` (one transaction)."""
        ...

    def take_votes(self, limit: int, platforms: Collection[Platform]) -> list[PendingVote]:
        """Remove and return up to `limit` of the oldest kept votes of channels on
        `platforms`; two workers taking at once get different votes."""
        ...


class PlanInputStore(Protocol):
    """What planning one channel's digest reads, in one go."""

    def plan_inputs(self, channel_id: int, since: datetime, limit: int = 5000) -> PlanInputs:
        """`papers_seen_since(since, limit)`, `posted_paper_ids` and `feedback` of the channel."""
        ...


class Store(
    PlanInputStore,
    PaperStore,
    EmbeddingStore,
    ChannelStore,
    ManagerStore,
    OutboxStore,
    ScheduleStore,
    ReactionStore,
    SummaryCache,
    VoteStore,
    Protocol,
):
    """Every port at once, for the composition root; `storage.store.SqlStore` implements it.
    Each use case is typed with only the ports it needs."""


class InstallationRepository(Protocol):
    """App installs per workspace (multi-workspace OAuth) and single-use OAuth states.

    Implemented by `storage.installations.SqlInstallations`; the Slack adapter wraps it in the
    SDK's installation and state store interfaces, so neither side imports the other.
    """

    def save_installation(self, record: InstallationRecord) -> None:
        """Insert or replace the install for (platform, enterprise, workspace, user)."""
        ...

    def find_installation(
        self,
        platform: Platform,
        enterprise_id: str | None,
        workspace: str | None,
        user_id: str | None = None,
    ) -> InstallationRecord | None:
        """That user's install, or the workspace's latest one when `user_id` is None."""
        ...

    def delete_installations(
        self,
        platform: Platform,
        enterprise_id: str | None,
        workspace: str | None,
        user_id: str | None = None,
    ) -> int: ...

    def reseal_installations(self) -> int:
        """Rewrite every install sealed with the current encryption key; how many."""
        ...

    def issue_oauth_state(self, state: str, expires_at: datetime) -> None: ...

    def consume_oauth_state(self, state: str, now: datetime) -> bool:
        """True once for a state issued and not yet expired; False ever after."""
        ...
