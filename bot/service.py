"""The core use cases: ingest papers, build and deliver digests, learn from reactions."""

from __future__ import annotations

import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.answers import Question, ThreadQuestions
from bot.clock import ArrivalStamps
from bot.commands.layer import CommandLayer
from bot.config import Settings
from bot.content.summarize import ExtractiveSummarizer, Summarizer, tldr
from bot.digest.delivery import Delivery, DeliveryResult
from bot.digest.group_commit import GroupCommit
from bot.digest.pacing import Pacer
from bot.digest.vote_backlog import StoredVotes
from bot.digest.votes import VoteLane
from bot.errors import NotFound, PaperBotError
from bot.feedback.emoji import EmojiMap, normalise_emoji
from bot.feedback.event_ids import EventIdPruner
from bot.feedback.learned import LearnedProfiles
from bot.keyed_locks import KeyedLocks
from bot.models import (
    Channel,
    ChannelRef,
    CommandRequest,
    Digest,
    DigestRequest,
    Feedback,
    IngestReport,
    InterestKind,
    Lease,
    MarkRequest,
    Paper,
    Platform,
    ReactionEvent,
    Reply,
    ScoredPaper,
)
from bot.ports import (
    ChatAdapter,
    Clock,
    Embedder,
    Store,
    VoteSeedingAdapter,
    create_requested,
    supports,
)
from bot.ranking import Profile, Ranker, build_batch
from bot.ranking.embeddings import EmbeddingCache
from bot.ranking.features import Batch
from bot.ranking.warm import warm

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DigestPlan:
    """What a digest would contain, before anything is recorded."""

    channel: Channel
    picks: tuple[tuple[ScoredPaper, str], ...]
    candidates: int
    watermark: datetime


BATCHES_KEPT = 4  # candidate sets whose features are kept for the next channels


class PaperBot(Delivery):
    """The platform-neutral core the CLI, the scheduler and the chat adapters drive."""

    store: Store  # every port: the core's use cases together (each typed narrower where alone)

    def __init__(
        self,
        store: Store,
        clock: Clock,
        settings: Settings,
        adapters: Mapping[Platform, ChatAdapter] | None = None,
        ranker: Ranker | None = None,
        paper_lookup: Callable[[str], Paper | None] | None = None,
        next_run: Callable[[Channel, datetime], datetime | None] | None = None,
        summarizer: Summarizer | None = None,
        embedder: Embedder | None = None,
        questions: ThreadQuestions | None = None,
        pacer: Pacer | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.settings = settings
        self.adapters: dict[Platform, ChatAdapter] = dict(adapters or {})
        self.pacer = pacer or Pacer(margin=settings.delivery_pace_margin)
        self.votes: VoteLane | None = None  # a worker starts one (`start_vote_lane`)
        # many channels' outbox marks in one transaction each flush (group commit)
        self.outbox: GroupCommit[MarkRequest, bool] | None = GroupCommit(self.apply_marks_batch)
        self.digest_writes: GroupCommit[DigestRequest, tuple[Digest, bool]] | None = GroupCommit(
            self._create_digests
        )
        self.unfinished_reads: GroupCommit[int, list[Digest]] | None = GroupCommit(
            lambda ids: self.store.unfinished_digests_many(ids)
        )
        self.embeddings = EmbeddingCache(store, settings, embedder)
        self._ranker = ranker
        self.summarizer: Summarizer = summarizer or ExtractiveSummarizer()
        self.emoji = EmojiMap.from_names(settings.positive_emoji_set, settings.negative_emoji_set)
        self.paper_lookup = paper_lookup  # e.g. the arXiv API, for `/papers like <id>`
        # arXiv ids -> papers, fetched and stored (`/papers import`); None: the store only
        self.papers_lookup: Callable[[Sequence[str]], dict[str, Paper]] | None = None
        self.next_run = next_run  # schedule computation, when a scheduler is configured
        # the key signing web links (`/papers web`); set by the wiring, else LINK_SIGNING_KEY
        given = settings.link_signing_key
        self.link_key: Callable[[], bytes] | None = (lambda: given.encode()) if given else None
        self.commands = CommandLayer(self)
        # candidate sets by their papers' identities, and the same sets by value
        self._batches: OrderedDict[tuple[int, ...], Batch] = OrderedDict()
        self._batch_values: dict[tuple[Paper, ...], tuple[int, ...]] = {}
        self._batches_lock = threading.Lock()
        self._batch_flights = KeyedLocks()
        self.learned = LearnedProfiles()
        self._planning = threading.BoundedSemaphore(settings.plan_concurrency)
        self.arrivals = ArrivalStamps(clock)  # times for reaction events that carry none
        self.event_ids = EventIdPruner(store, settings)
        self.questions = questions  # questions in a paper's thread; None: not answered

    # --------------------------------------------------------------- questions
    def on_question(self, question: Question) -> Reply | None:
        """A mention of the bot in a chat thread -> the reply for that thread (None: stay
        quiet, e.g. a re-delivered event or questions not set up)."""
        if self.questions is None:
            return None
        reply = self.questions.on_question(question)
        self.event_ids.maybe_prune(self.clock.now())
        return reply

    def start_vote_lane(self) -> VoteLane:
        """Add vote reactions in the background from now on (adapters with `defer_votes`)."""
        if self.votes is None:
            self.votes = VoteLane(
                self.pacer,
                threads=self.settings.vote_lane_threads,
                backlog=StoredVotes(self.store, self.adapters, self.clock),
                max_queued=self.settings.vote_queue_max,
            )
        return self.votes

    def stop_vote_lane(self) -> None:
        """Stop adding vote reactions in the background; those still queued are kept in the
        store for the next worker that starts its lane."""
        lane, self.votes = self.votes, None
        if lane is None:
            return
        kept = lane.stop()
        for adapter in self.adapters.values():
            if supports(adapter, VoteSeedingAdapter):
                adapter.defer_votes = False
        if kept:
            log.info("%d vote reactions kept to be added after the restart", kept)
        if lane.pending():
            log.warning("%d vote reactions not added (stopping)", lane.pending())

    # ---------------------------------------------------------------- commands
    def on_command(self, request: CommandRequest) -> Reply:
        """Handle a `/papers ...` command from any platform."""
        return self.commands.handle(request)

    def find_paper(self, paper_id: str) -> Paper | None:
        """A paper from the store, else from the configured look-up (stored when found)."""
        paper = self.store.get_paper(paper_id)
        if paper is None and self.paper_lookup is not None:
            paper = self.paper_lookup(paper_id)
            if paper is not None:
                self.ingest([paper])
        return paper

    def reschedule(self, channel: Channel) -> Channel:
        """Recompute the channel's next run after its schedule changed."""
        if self.next_run is None:
            return channel
        nxt = None if channel.settings.paused else self.next_run(channel, self.clock.now())
        self.store.set_next_run(channel.id, nxt)
        return replace(channel, next_run_at=nxt)

    def next_run_note(self, channel: Channel) -> str:
        if channel.next_run_at is None:
            return ""
        tz = channel.settings.schedule.timezone
        try:
            local = channel.next_run_at.astimezone(ZoneInfo(tz))
        except (ZoneInfoNotFoundError, ValueError):
            local, tz = channel.next_run_at, "UTC"
        return f" Next digest: {local:%a %d %b %H:%M} ({tz})."

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

        The store keeps one latest opinion per person and drops removed reactions; the learned
        sum is kept per channel between digests and only what changed since is applied or
        subtracted (`LearnedProfiles`), so undo is exact and a digest does not re-apply every
        opinion the channel ever gave.
        """
        return self._profile(channel, self.store.feedback(channel.id))

    def _profile(self, channel: Channel, feedback: Iterable[Feedback]) -> Profile:
        seeds = channel.interest_values(InterestKind.SEED)
        kept = self._opinions(channel, feedback)
        opinions = [*((seed, +1) for seed in seeds), *((f.paper_id, f.value) for f in kept)]
        return self.learned.profile(
            channel, opinions, self.store.get_papers, self.embeddings.vectors
        )

    def opinions(self, channel: Channel) -> list[Feedback]:
        """The channel's current opinions that teach its ranking, oldest first: all of them,
        or those given since `/papers forget` (`ChannelSettings.learn_since`)."""
        return self._opinions(channel, self.store.feedback(channel.id))

    @staticmethod
    def _opinions(channel: Channel, feedback: Iterable[Feedback]) -> list[Feedback]:
        since = channel.settings.learn_since
        kept = [f for f in feedback if since is None or (f.at is not None and f.at > since)]
        return sorted(kept, key=lambda f: (f.at or datetime.min, f.paper_id))

    # ------------------------------------------------------------------ digest
    def candidates(self, channel: Channel) -> tuple[list[Paper], datetime]:
        """Papers new for this channel since its last digest (or the lookback for a new one),
        except those already posted there and those it told us it likes (`/papers like`)."""
        now = self.clock.now()
        window = self.store.papers_seen_since(self._since(channel, now))
        return self._new_for(channel, window, self.store.posted_paper_ids(channel.id)), now

    def _since(self, channel: Channel, now: datetime) -> datetime:
        return channel.watermark or now - timedelta(days=self.settings.new_channel_lookback_days)

    @staticmethod
    def _new_for(channel: Channel, window: list[Paper], posted: Iterable[str]) -> list[Paper]:
        known = set(posted) | set(channel.interest_values(InterestKind.SEED))
        return [p for p in window if p.id not in known]

    def plan(self, channel: Channel, *, size: int | None = None) -> DigestPlan:
        """The digest `candidates` and `profile_for` give, read from the store in one go.

        At most PLAN_CONCURRENCY plans run at once in a process: ranking is CPU work (one core
        under the GIL, so more at once are no faster) and each holds its channel's profile (up
        to ~0.7 MB of learned words); a thousand channels in flight would otherwise hold a
        thousand profiles at the same moment."""
        with self._planning:
            return self._plan(channel, size)

    def _plan(self, channel: Channel, size: int | None) -> DigestPlan:
        watermark = self.clock.now()
        inputs = self.store.plan_inputs(channel.id, self._since(channel, watermark))
        papers = self._new_for(channel, inputs.papers, inputs.posted)
        profile = self._profile(channel, inputs.feedback)
        k = size or channel.settings.size
        picks = self.ranker.rank(
            profile,
            self.batch_for(papers),
            k=k,
            threshold=channel.settings.threshold,
        )
        return DigestPlan(
            channel=channel,
            picks=tuple((p, self._tldr(p.paper)) for p in picks),
            candidates=len(papers),
            watermark=watermark,
        )

    def batch_for(self, papers: list[Paper]) -> Batch:
        """The candidates' features (words, categories, embeddings), built once for every
        channel that gets the same candidates: channels due around the same time mostly do, and
        tokenising a day of papers costs far more than ranking them for one channel. A few recent
        candidate sets are kept; a changed paper (new version, new upvotes) is a new set.

        The store hands every channel the same paper objects for an unchanged window, so a set
        is found by the objects' identities (~0.1 ms for 2,000 papers, where hashing them costs
        ~3 ms); equal papers in other objects are still found by value."""
        same = tuple(map(id, papers))  # a kept batch holds its objects: ids are not reused
        found = self._kept_batch(papers, same)
        if found is not None:
            return found
        with self._batch_flights.hold(same):  # channels asking at once: one builds, the rest wait
            return self._kept_batch(papers, same) or self._batch_by_value(papers, same)

    def _kept_batch(self, papers: list[Paper], same: tuple[int, ...]) -> Batch | None:
        with self._batches_lock:
            found = self._batches.get(same)
            if found is not None and all(a is b for a, b in zip(found.papers, papers, strict=True)):
                self._batches.move_to_end(same)
                return found
        return None

    def _batch_by_value(self, papers: list[Paper], same: tuple[int, ...]) -> Batch:
        key = tuple(papers)  # the embedder is fixed, so the same papers get the same vectors
        with self._batches_lock:
            alias = self._batch_values.get(key)
            if alias is not None and (found := self._batches.get(alias)) is not None:
                self._batches.move_to_end(alias)
                return found
        batch = warm(build_batch(papers, self.embeddings.vectors(papers)))
        with self._batches_lock:
            self._batches[same] = batch
            self._batch_values[key] = same
            while len(self._batches) > BATCHES_KEPT:
                _, old = self._batches.popitem(last=False)
                self._batch_values.pop(tuple(old.papers), None)
        return batch

    def _tldr(self, paper: Paper) -> str:
        """The summarizer's TL;DR; a failing summarizer never holds a digest back."""
        try:
            return self.summarizer.tldr(paper)
        except Exception:
            log.exception("summarizer failed on %s; using the extractive TL;DR", paper.id)
            return tldr(paper)

    def run_digest(
        self,
        channel: Channel,
        *,
        run_key: str | None = None,
        dry_run: bool = False,
        empty_notice: str | None = None,
        guard: Callable[[], None] | None = None,
        lease: Lease | None = None,
    ) -> tuple[DigestPlan, DeliveryResult]:
        """Build the channel's digest, record it (outbox) and deliver it, unless `dry_run`;
        under a worker's `lease` (see `Delivery.deliver`).

        A digest already recorded under `run_key` (a retried run) is not looked up first:
        `create_digest` finds it by its key and returns it instead of a new one, and it is
        resumed. A fresh key (the usual case) costs no lookup."""
        now = self.clock.now()
        key = run_key or f"now-{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
        plan = self.plan(channel)
        if dry_run:
            return plan, DeliveryResult(digest=None)
        picks = tuple(plan.picks)
        digest, created = self.record_digest(
            DigestRequest(channel.id, key, picks, plan.candidates, now, plan.watermark)
        )
        result = self.deliver(
            channel,
            digest,
            resumed=not created,
            empty_notice=empty_notice,
            guard=guard,
            lease=lease,
        )
        return plan, result

    def record_digest(self, request: DigestRequest) -> tuple[Digest, bool]:
        """`OutboxStore.create_digest` for `request`, group-committed with other channels'
        digests when `digest_writes` is set; returns once it is written."""
        if self.digest_writes is None:
            return create_requested(self.store, request)
        return self.digest_writes.submit(request)

    def _create_digests(
        self, requests: Sequence[DigestRequest]
    ) -> list[tuple[Digest, bool] | PaperBotError]:
        """A group commit's flush: a request alone takes the single-digest path."""
        if len(requests) != 1:
            return self.store.create_digests(requests)
        return [create_requested(self.store, requests[0])]

    # --------------------------------------------------------------- reactions
    def on_reaction(self, event: ReactionEvent) -> bool:
        """A platform reaction event -> a stored opinion, in one storage transaction (the
        message looked up, the event id checked, the reaction applied). False when ignored
        (an emoji that is no opinion, a message that is not a posted paper) or a duplicate."""
        value = self.emoji.value(event.emoji)
        if value == 0:
            return False
        now = self.clock.now()
        changed = self.store.record_message_reaction(
            ChannelRef(event.platform, event.workspace, event.channel),
            event.message_id,
            event.user_id,
            normalise_emoji(event.emoji),
            value,
            added=event.added,
            now=now,
            event_id=event.event_id,
            at=event.at or self.arrivals.stamp(),
        )
        self.event_ids.maybe_prune(now)
        return changed

    def react(
        self,
        channel: Channel,
        paper_id: str,
        user_id: str,
        emoji: str,
        *,
        added: bool = True,
        event_id: str | None = None,
        at: datetime | None = None,
    ) -> bool:
        """Record a reaction event that happened at `at` (its arrival here when None): the
        latest event per person, paper and emoji decides, whatever order they arrive in."""
        value = self.emoji.value(emoji)
        if value == 0:
            return False
        if self.store.get_paper(paper_id) is None:
            raise NotFound(f"no paper with id {paper_id}")
        now = self.clock.now()
        changed = self.store.record_reaction(
            channel.id,
            paper_id,
            user_id,
            normalise_emoji(emoji),
            value,
            added=added,
            now=now,
            event_id=event_id,
            at=at or self.arrivals.stamp(),
        )
        self.event_ids.maybe_prune(now)
        return changed
