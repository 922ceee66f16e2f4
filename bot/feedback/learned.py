"""Each channel's learned state, kept between digests and brought up to date by what changed.

A channel's profile is its typed interests plus a sum over its current opinions (seed papers
count as likes). Re-applying every opinion before every digest costs ~0.3 ms an opinion; this
keeps the sum per channel (in this process) and applies only the difference with the store's
current opinions: a new 👍 is added, a removed one subtracted, a 👍 turned 👎 both. Learning is
a sum, so the result is the one a full rebuild gives (up to float rounding).
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from bot.models import Channel, Paper
from bot.ranking import Profile

KEPT = 20_000  # channels whose learned state is kept (least recently used dropped)

Opinion = tuple[str, int]  # (paper id, +1 or -1)


@dataclass
class _Learned:
    profile: Profile  # learned state only; typed interests come from the channel each time
    applied: Counter[Opinion]


class LearnedProfiles:
    """`profile(channel, opinions, papers, vectors)`: the channel's profile, learned state kept."""

    def __init__(self, kept: int = KEPT) -> None:
        self._kept = kept
        self._learned: OrderedDict[int, _Learned] = OrderedDict()
        self._lock = threading.Lock()

    def profile(
        self,
        channel: Channel,
        opinions: Iterable[Opinion],
        papers: Callable[[list[str]], Mapping[str, Paper]],
        vectors: Callable[[list[Paper]], Mapping[str, np.ndarray]],
    ) -> Profile:
        """The typed interests of `channel` with the sum of `opinions` (oldest first) learned;
        `papers` and `vectors` are asked only for the papers whose opinions changed."""
        wanted = Counter(opinions)
        order = {op: n for n, op in enumerate(dict.fromkeys(wanted))}
        with self._lock:  # taken out while in use: two callers never update one state
            found = self._learned.pop(channel.id, None)
        learned = found or _Learned(Profile(), Counter())
        drop, add = learned.applied - wanted, wanted - learned.applied
        if drop or add:
            known = papers(sorted({pid for pid, _ in (*drop, *add)}))
            if any(pid not in known for pid, _ in drop):  # cannot subtract it: start over
                learned, drop, add = _Learned(Profile(), Counter()), Counter(), wanted
                known = papers(sorted({pid for pid, _ in add}))
            vecs = vectors(list(known.values()))
            for (pid, value), n in drop.items():
                for _ in range(n):
                    learned.profile.remove_reaction(known[pid], value, vecs.get(pid))
                learned.applied[(pid, value)] -= n
            for (pid, value), n in sorted(add.items(), key=lambda kv: order[kv[0]]):
                if pid not in known:  # not in the store (yet): tried again next time
                    continue
                for _ in range(n):
                    learned.profile.apply_reaction(known[pid], value, vecs.get(pid))
                learned.applied[(pid, value)] += n
            learned.applied = +learned.applied  # drop the zero counts
        profile = learned.profile.copy()  # the caller's; the kept one changes later
        typed = Profile.for_channel(channel)
        profile.phrases, profile.categories = typed.phrases, typed.categories
        profile.authors, profile.excludes = typed.authors, typed.excludes
        profile.follow_authors = typed.follow_authors
        with self._lock:
            self._learned[channel.id] = learned
            while len(self._learned) > self._kept:
                self._learned.popitem(last=False)
        return profile

    def forget(self, channel_id: int) -> None:
        with self._lock:
            self._learned.pop(channel_id, None)
