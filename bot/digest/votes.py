"""The vote lane: 👍/👎 under each posted paper, added in the background at the platform's
reaction limit (far tighter than posts), so reactions never hold up a post."""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
from dataclasses import dataclass, field

from bot.digest.pacing import REACT, Pacer
from bot.errors import ChannelUnavailable, DeliveryError, RateLimited
from bot.models import Channel
from bot.ports import PacedAdapter, VoteSeedingAdapter

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


class VoteLane:
    """A queue of reactions ordered by their booked time, drained by `threads` daemon threads.

    Reactions are best effort, as before (a paper is posted without them when they fail); one
    still queued when the process stops is not added (people can still react by hand).
    """

    def __init__(self, pacer: Pacer, *, threads: int = 2, max_tries: int = 3) -> None:
        self.pacer = pacer
        self.max_tries = max_tries
        self.stats = VoteStats()
        self._heap: list[Vote] = []
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
            self._push(Vote(0.0, 0, adapter, channel, message_id, emoji))

    def _count(self, what: str) -> None:
        with self._cond:
            setattr(self.stats, what, getattr(self.stats, what) + 1)

    def _push(self, vote: Vote) -> None:
        adapter = vote.adapter
        lanes = adapter.lanes(vote.channel, REACT) if isinstance(adapter, PacedAdapter) else ()
        vote.at, vote.seq = self.pacer.book(lanes), next(self._seq)
        with self._cond:
            heapq.heappush(self._heap, vote)
            self._cond.notify()

    def pending(self) -> int:
        with self._cond:
            return len(self._heap)

    def _next(self) -> Vote | None:
        """The next due vote, waiting for it; None once stopping."""
        with self._cond:
            while not self._stopping:
                now = self.pacer.monotonic()
                if self._heap and self._heap[0].at <= now:
                    return heapq.heappop(self._heap)
                timeout = self._heap[0].at - now if self._heap else None
                self._cond.wait(timeout)
        return None

    def _drain(self) -> None:
        while (vote := self._next()) is not None:
            self._add(vote)

    def _add(self, vote: Vote) -> None:
        try:
            vote.adapter.add_vote(vote.channel, vote.message_id, vote.emoji)
            self._count("added")
        except RateLimited as exc:
            self._count("rate_limited")
            lanes = (
                vote.adapter.lanes(vote.channel, REACT)
                if isinstance(vote.adapter, PacedAdapter)
                else ()
            )
            self.pacer.hold(lanes, exc.retry_after)
            self._retry(vote, str(exc))
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

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the threads; votes still queued are dropped (counted in `pending`)."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        for thread in self._threads:
            thread.join(timeout)


__all__ = ["VoteLane", "VoteStats"]
