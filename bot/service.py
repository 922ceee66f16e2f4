"""The core use cases: ingest papers, build and deliver digests, learn from reactions."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bot.config import Settings
from bot.errors import ChannelUnavailable, DeliveryError, NotFound, RateLimited
from bot.feedback import EmojiMap, normalise_emoji
from bot.models import (
    Channel,
    Digest,
    IngestReport,
    InterestKind,
    ItemStatus,
    Paper,
    Platform,
    ReactionEvent,
    ScoredPaper,
)
from bot.ports import ChatAdapter, Clock, Embedder, Store
from bot.ranking import Profile, Ranker
from bot.ranking.embeddings import EmbeddingCache
from bot.summarize import tldr

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DigestPlan:
    """What a digest would contain, before anything is recorded."""

    channel: Channel
    picks: tuple[tuple[ScoredPaper, str], ...]
    candidates: int
    watermark: datetime


@dataclass
class DeliveryResult:
    digest: Digest | None
    posted: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    resumed: bool = False
    notice: str | None = None


class PaperBot:
    """The platform-neutral core the CLI, the scheduler and the chat adapters drive."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        settings: Settings,
        adapters: Mapping[Platform, ChatAdapter] | None = None,
        ranker: Ranker | None = None,
        embedder: Embedder | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.settings = settings
        self.adapters: dict[Platform, ChatAdapter] = dict(adapters or {})
        self.embeddings = EmbeddingCache(store, settings, embedder)
        self._ranker = ranker
        self.emoji = EmojiMap.from_names(settings.positive_emoji_set, settings.negative_emoji_set)

    # ------------------------------------------------------------------ ingest
    def ingest(self, papers: Iterable[Paper]) -> IngestReport:
        return self.store.upsert_papers(papers, self.clock.now())

    @property
    def ranker(self) -> Ranker:
        """The default tier, or the semantic tier when an embedder is available (lazily)."""
        if self._ranker is None:
            embedder = self.embeddings.embedder
            self._ranker = Ranker(
                popularity_weight=self.settings.popularity_weight,
                embed=embedder.embed if embedder is not None else None,
            )
        return self._ranker

    # ----------------------------------------------------------------- profile
    def profile_for(self, channel: Channel) -> Profile:
        """Typed interests as the prior, then seed papers and every current opinion.

        Recomputed from the current opinions (the store keeps one latest opinion per person and
        drops removed reactions), so undo is exact; learning is a sum, so order does not matter.
        """
        profile = Profile.for_channel(channel)
        seeds = channel.interest_values(InterestKind.SEED)
        feedback = sorted(
            self.store.feedback(channel.id), key=lambda f: (f.at or datetime.min, f.paper_id)
        )
        papers = self.store.get_papers([*seeds, *(f.paper_id for f in feedback)])
        vectors = self.embeddings.vectors(list(papers.values()))
        for seed in seeds:
            if seed in papers:
                profile.apply_reaction(papers[seed], +1, vectors.get(seed))
        for fb in feedback:
            if fb.paper_id in papers:
                profile.apply_reaction(papers[fb.paper_id], fb.value, vectors.get(fb.paper_id))
        return profile

    # ------------------------------------------------------------------ digest
    def candidates(self, channel: Channel) -> tuple[list[Paper], datetime]:
        """Papers new for this channel since its last digest (or the lookback for a new one)."""
        now = self.clock.now()
        since = channel.watermark or now - timedelta(days=self.settings.new_channel_lookback_days)
        posted = self.store.posted_paper_ids(channel.id)
        papers = [p for p in self.store.papers_seen_since(since) if p.id not in posted]
        return papers, now

    def plan(self, channel: Channel, *, size: int | None = None) -> DigestPlan:
        papers, watermark = self.candidates(channel)
        profile = self.profile_for(channel)
        k = size or channel.settings.size
        picks = self.ranker.rank(
            profile,
            papers,
            k=k,
            threshold=channel.settings.threshold,
            embeddings=self.embeddings.vectors(papers),
        )
        return DigestPlan(
            channel=channel,
            picks=tuple((p, tldr(p.paper)) for p in picks),
            candidates=len(papers),
            watermark=watermark,
        )

    def run_digest(
        self, channel: Channel, *, run_key: str | None = None, dry_run: bool = False
    ) -> tuple[DigestPlan, DeliveryResult]:
        """Build the channel's digest, record it (outbox) and deliver it, unless `dry_run`."""
        now = self.clock.now()
        key = run_key or f"now-{now:%Y%m%dT%H%M%S}"
        existing = None if dry_run else self.store.find_digest(channel.id, key)
        if existing is not None:
            plan = DigestPlan(channel, (), existing.candidates, now)
            return plan, self.deliver(channel, existing, resumed=True)
        plan = self.plan(channel)
        if dry_run:
            return plan, DeliveryResult(digest=None)
        digest, created = self.store.create_digest(
            channel.id,
            key,
            plan.picks,
            candidates=plan.candidates,
            now=now,
            watermark=plan.watermark,
        )
        return plan, self.deliver(channel, digest, resumed=not created)

    def deliver(self, channel: Channel, digest: Digest, *, resumed: bool = False) -> DeliveryResult:
        """Post every pending item, recording each message id as soon as it is posted."""
        adapter = self.adapters.get(channel.ref.platform)
        result = DeliveryResult(digest=digest, resumed=resumed)
        if adapter is None:
            raise DeliveryError(f"no adapter running for {channel.ref.platform.value}")
        if digest.id is None:
            raise DeliveryError("cannot deliver a digest that was not recorded")
        digest_id = digest.id
        if not digest.items:
            if channel.settings.announce_empty and not resumed:
                result.notice = "No new papers for this channel today."
                adapter.post_notice(channel, result.notice)
            self.store.complete_digest(digest_id, now=self.clock.now())
            return result
        try:
            if digest.header_message_id is None and any(
                i.status is not ItemStatus.POSTED for i in digest.items
            ):
                header_id = adapter.post_header(channel, digest)
                if header_id:
                    self.store.set_header_message(digest_id, header_id)
                    digest = replace(digest, header_message_id=header_id)
            for item in digest.items:
                if item.status is ItemStatus.POSTED:
                    continue
                try:
                    message_id = adapter.post_item(channel, digest, item)
                except RateLimited:
                    raise
                except ChannelUnavailable:
                    raise
                except DeliveryError as exc:
                    self.store.mark_item_failed(digest_id, item.paper.id, str(exc))
                    result.failed[item.paper.id] = str(exc)
                    continue
                self.store.mark_item_posted(
                    digest_id, item.paper.id, message_id, now=self.clock.now()
                )
                result.posted.append(item.paper.id)
        except ChannelUnavailable as exc:
            log.warning("channel %s unavailable, pausing it: %s", channel.ref, exc)
            self.pause(channel, reason=str(exc))
            raise
        if not result.failed:
            self.store.complete_digest(digest_id, now=self.clock.now())
        result.digest = self.store.get_digest(digest_id)
        return result

    def pause(self, channel: Channel, *, reason: str | None) -> Channel:
        settings = replace(channel.settings, paused=True, paused_reason=reason)
        return self.store.update_settings(channel.id, settings)

    # --------------------------------------------------------------- reactions
    def on_reaction(self, event: ReactionEvent) -> bool:
        """A platform reaction event -> a stored opinion. False when ignored or a duplicate."""
        from bot.models import ChannelRef

        channel = self.store.find_channel(
            ChannelRef(event.platform, event.workspace, event.channel)
        )
        if channel is None:
            return False
        paper_id = self.store.find_item_by_message(channel.id, event.message_id)
        if paper_id is None:
            return False
        return self.react(
            channel,
            paper_id,
            event.user_id,
            event.emoji,
            added=event.added,
            event_id=event.event_id,
        )

    def react(
        self,
        channel: Channel,
        paper_id: str,
        user_id: str,
        emoji: str,
        *,
        added: bool = True,
        event_id: str | None = None,
    ) -> bool:
        value = self.emoji.value(emoji)
        if value == 0:
            return False
        if self.store.get_paper(paper_id) is None:
            raise NotFound(f"no paper with id {paper_id}")
        return self.store.record_reaction(
            channel.id,
            paper_id,
            user_id,
            normalise_emoji(emoji),
            value,
            added=added,
            now=self.clock.now(),
            event_id=event_id,
        )
