"""The vote lane: 👍/👎 under each posted paper, added in the background at the platform's
reaction limit (far tighter than posts), so reactions never hold up a post.

With a backlog (the store: `bot.digest.vote_backlog.StoredVotes`) the lane holds at most
`max_queued` votes in memory: past that they are kept in the store in batches and taken back
as the queue drains, and a stopping worker keeps what it had not added, for itself or any
other worker to add after (at 50 reactions a minute per workspace, the votes of a large
morning's posts take hours; a deploy in between loses none of them)."""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bot.digest.pacing import REACT, Pacer
from bot.errors import ChannelUnavailable, DeliveryError, RateLimited
from bot.models import Channel
from bot.ports import PacedAdapter, VoteSeedingAdapter, supports

log = logging.getLogger(__name__)


@dataclass(order=True)
class Vote:
    """One reaction to add, due at `at` (the pacer's booking, monotonic seconds)."""

    at: float
    seq: int
    adapter: VoteSeedingAdapter = field(compare=False)
    channel: Channel = field(compare=False)
    message_id: str = field(compare=False)
    emoji: str = field(compare=False)
    tries: int = field(default=0, compare=False)


@dataclass
class VoteStats:
    queued: int = 0
    added: int = 0
    failed: int = 0
    rate_limited: int = 0
    kept: int = 0  # saved to the backlog (past the cap, or at stop)
    restored: int = 0  # taken back from the backlog


class VoteBacklog(Protocol):
    """Where the lane keeps the votes it does not hold in memory."""

    def save(self, votes: Sequence[Vote]) -> None:
        """Keep `votes` (one transaction); raises on failure."""
        ...

    def take(self, limit: int) -> list[Vote]:
        """Up to `limit` kept votes, oldest first, each now this lane's alone."""
        ...


class VoteLane:
    """A queue of reactions ordered by their booked time, drained by `threads` daemon threads.

    Reactions are best effort (a paper is posted without them when they fail). Without a
    `backlog` one still queued when the process stops is not added (people can still react by
    hand); with one, at most `max_queued` wait in memory and none is dropped by a stop (a crash
    loses at most those in memory and the last unsaved `spill_batch`).
    """

    def __init__(
        self,
        pacer: Pacer,
        *,
        threads: int = 2,
        max_tries: int = 3,
        backlog: VoteBacklog | None = None,
        max_queued: int = 20_000,
        spill_batch: int = 500,
        recheck_seconds: float = 60.0,
    ) -> None:
        self.pacer = pacer
        self.max_tries = max_tries
        self.backlog = backlog
        self.max_queued = max_queued
        self.spill_batch = spill_batch
        self.recheck_seconds = recheck_seconds
        self.stats = VoteStats()
        self._heap: list[Vote] = []
        # the votes a thread is adding right now, by identity (a re-queued vote gets a new seq)
        self._busy: dict[int, Vote] = {}
        self._spill: list[Vote] = []  # past the cap, not saved yet (newest votes)
        self._stored = backlog is not None  # the backlog may hold votes (an earlier process's)
        self._looked_at = pacer.monotonic()
        self._refilling = False
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._stopping = False
        self._threads = [
            threading.Thread(target=self._drain, name=f"paperbot-votes-{i}", daemon=True)
            for i in range(threads)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, adapter: VoteSeedingAdapter, channel: Channel, message_id: str) -> None:
        """Queue the adapter's vote reactions under `message_id`, each booked on its lanes."""
        for emoji in adapter.vote_emoji:
            self._count("queued")
            vote = Vote(0.0, 0, adapter, channel, message_id, emoji)
            if self.backlog is not None and self.pending() >= self.max_queued:
                self._spill_one(vote)
            else:
                self._push(vote)

    def _spill_one(self, vote: Vote) -> None:
        """Past the cap: kept aside, saved to the backlog a batch at a time."""
        with self._cond:
            self._spill.append(vote)
            if len(self._spill) < self.spill_batch:
                return
            batch, self._spill = self._spill, []
        self._save(batch)

    def _save(self, votes: list[Vote]) -> None:
        if not votes or self.backlog is None:
            return
        try:
            self.backlog.save(votes)
        except Exception:  # the store is down: these votes are lost, the posts are not
            log.exception("could not keep %d vote reactions for later", len(votes))
            with self._cond:
                self.stats.failed += len(votes)
            return
        with self._cond:
            self.stats.kept += len(votes)
            self._stored = True

    def _count(self, what: str) -> None:
        with self._cond:
            setattr(self.stats, what, getattr(self.stats, what) + 1)

    def _push(self, vote: Vote) -> None:
        adapter = vote.adapter
        lanes = adapter.lanes(vote.channel, REACT) if supports(adapter, PacedAdapter) else ()
        vote.at, vote.seq = self.pacer.book(lanes), next(self._seq)
        with self._cond:
            heapq.heappush(self._heap, vote)
            self._cond.notify()

    def pending(self) -> int:
        with self._cond:
            return len(self._heap)

    def _next(self) -> Vote | None:
        """The next due vote, waiting for it; None once stopping, or (with a backlog) after
        `recheck_seconds` without one, to look at the backlog again."""
        with self._cond:
            while not self._stopping:
                now = self.pacer.monotonic()
                if self._heap and self._heap[0].at <= now:
                    vote = heapq.heappop(self._heap)
                    self._busy[id(vote)] = vote
                    return vote
                timeout = self._heap[0].at - now if self._heap else None
                if self.backlog is not None:
                    cap = self.recheck_seconds
                    timeout = cap if timeout is None else min(timeout, cap)
                if not self._cond.wait(timeout) and self.backlog is not None and not self._heap:
                    return None
        return None

    def _drain(self) -> None:
        while not self._stopping:
            self._refill()
            if (vote := self._next()) is not None:
                try:
                    self._add(vote)
                finally:
                    with self._cond:
                        self._busy.pop(id(vote), None)

    def _refill(self) -> None:
        """Below half the cap: the backlog's oldest votes (when it may hold some, or once a
        `recheck_seconds` for other workers' votes), else the unsaved spill."""
        if self.backlog is None:
            return
        with self._cond:
            want = self.max_queued - len(self._heap)
            if self._refilling or self._stopping or len(self._heap) >= self.max_queued // 2:
                return
            now = self.pacer.monotonic()
            look = self._stored or now - self._looked_at >= self.recheck_seconds
            spilled: list[Vote] = []
            if not look:
                spilled, self._spill = self._spill[:want], self._spill[want:]
            self._refilling = look
        for vote in spilled:
            self._push(vote)
        if look:
            self._take(want)

    def _take(self, want: int) -> None:
        votes: list[Vote] = []
        try:
            assert self.backlog is not None
            votes = self.backlog.take(want)
        except Exception:
            log.exception("could not take the kept vote reactions; trying again later")
        finally:
            with self._cond:
                self._refilling = False
                self._looked_at = self.pacer.monotonic()
                self._stored = len(votes) >= want
                self.stats.restored += len(votes)
        for vote in votes:
            self._push(vote)

    def _add(self, vote: Vote) -> None:
        try:
            vote.adapter.add_vote(vote.channel, vote.message_id, vote.emoji)
            self._count("added")
        except RateLimited as exc:
            self._count("rate_limited")
            lanes = (
                vote.adapter.lanes(vote.channel, REACT)
                if supports(vote.adapter, PacedAdapter)
                else ()
            )
            self.pacer.hold(lanes, exc.retry_after)
            self._push(vote)  # not a failed try: the platform said when (the hold paces it)
        except ChannelUnavailable as exc:  # no permission to react: trying again will not help
            log.warning("could not add %s in %s: %s", vote.emoji, vote.channel.ref, exc)
            self._count("failed")
        except DeliveryError as exc:
            self._retry(vote, str(exc))
        except Exception:  # a bulkhead: one bad reaction never stops the lane
            log.exception("%s: adding %s failed", vote.channel.ref, vote.emoji)
            self._count("failed")

    def _retry(self, vote: Vote, why: str) -> None:
        vote.tries += 1
        if vote.tries >= self.max_tries:
            log.warning("could not add %s in %s: %s", vote.emoji, vote.channel.ref, why)
            self._count("failed")
            return
        self._push(vote)

    def stop(self, timeout: float = 5.0) -> int:
        """Stop the threads; votes still queued are kept in the backlog (how many is returned),
        or without one dropped (counted in `pending`). A vote a thread is still adding after
        `timeout` (a slow platform) is kept too: added twice at worst, which the platforms
        treat as one (Slack's `already_reacted`, Discord's idempotent PUT)."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        for thread in self._threads:
            thread.join(timeout)
        if self.backlog is None:
            return 0
        with self._cond:
            # a vote being re-queued by its thread can be in both: kept once
            both = sorted(self._heap) + self._spill + sorted(self._busy.values())
            left = list({id(vote): vote for vote in both}.values())
            self._heap, self._spill, self._busy = [], [], {}
        before = self.stats.kept
        self._save(left)
        return self.stats.kept - before


__all__ = ["Vote", "VoteBacklog", "VoteLane", "VoteStats"]
