"""The learned state kept between digests: only what changed is applied, and the result is
what re-applying every opinion gives."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from bot.feedback.learned import LearnedProfiles, Opinion
from bot.models import Channel, ChannelRef, Interest, InterestKind, Paper, Platform
from bot.sources.sample import load_sample

PAPERS = {p.id: p for p in load_sample().papers[:40]}
IDS = sorted(PAPERS)
CHANNEL = Channel(
    id=7,
    ref=ChannelRef(Platform.CONSOLE, "lab", "papers"),
    name="papers",
    interests=(
        Interest(InterestKind.TOPIC, "robot manipulation"),
        Interest(InterestKind.EXCLUDE, "survey"),
    ),
)


class Lookups:
    def __init__(self) -> None:
        self.asked: list[list[str]] = []

    def papers(self, ids: Sequence[str]) -> Mapping[str, Paper]:
        self.asked.append(list(ids))
        return {i: PAPERS[i] for i in ids if i in PAPERS}

    def vectors(self, papers: Sequence[Paper]) -> Mapping[str, np.ndarray]:
        return {p.id: np.full(4, (hash(p.id) % 7) / 7.0) for p in papers}


def _rebuilt(opinions: list[Opinion]) -> dict[str, object]:
    look = Lookups()
    return _state(LearnedProfiles().profile(CHANNEL, opinions, look.papers, look.vectors))


def _state(profile) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {
        "counts": (profile.positives, profile.negatives, profile.emb_pos_n, profile.emb_neg_n),
        "cats": (dict(profile.cat_pos), dict(profile.cat_neg)),
        "authors": (dict(profile.author_pos), dict(profile.author_neg)),
        "terms": {t: round(w, 9) for t, w in profile.term_weights.items()},
        "emb": None if profile.emb_pos is None else np.round(profile.emb_pos, 9).tolist(),
        "liked": sorted(pid for pid, _, _ in profile.liked),
        "typed": (profile.phrases, profile.excludes),
    }


def test_each_change_applies_only_its_papers_and_equals_a_rebuild() -> None:
    kept, look = LearnedProfiles(), Lookups()
    steps: list[list[Opinion]] = [
        [(IDS[0], 1), (IDS[1], -1), (IDS[2], 1)],
        [(IDS[0], 1), (IDS[1], -1), (IDS[2], 1), (IDS[3], 1)],  # a new 👍
        [(IDS[0], 1), (IDS[2], 1), (IDS[3], 1)],  # a 👎 removed
        [(IDS[0], 1), (IDS[2], -1), (IDS[3], 1), (IDS[0], 1)],  # a 👍 turned 👎; a 2nd 👍
        [],  # everything undone
    ]
    for opinions in steps:
        look.asked.clear()
        profile = kept.profile(CHANNEL, opinions, look.papers, look.vectors)
        assert _state(profile) == _rebuilt(opinions)
    assert look.asked == [sorted({IDS[0], IDS[2], IDS[3]})]  # the last step: only its changes
    assert _state(profile) == _rebuilt([])
    look.asked.clear()
    kept.profile(CHANNEL, [], look.papers, look.vectors)
    assert look.asked == []  # nothing changed: nothing fetched


def test_the_returned_profile_is_a_copy() -> None:
    kept, look = LearnedProfiles(), Lookups()
    first = kept.profile(CHANNEL, [(IDS[0], 1)], look.papers, look.vectors)
    first.apply_reaction(PAPERS[IDS[5]], -1)
    again = kept.profile(CHANNEL, [(IDS[0], 1)], look.papers, look.vectors)
    assert (again.positives, again.negatives) == (1, 0)


def test_an_opinion_on_an_unknown_paper_waits_and_a_vanished_one_starts_over() -> None:
    kept, look = LearnedProfiles(), Lookups()
    profile = kept.profile(CHANNEL, [(IDS[0], 1), ("2699.99999", 1)], look.papers, look.vectors)
    assert profile.positives == 1  # the unknown paper is not counted yet
    PAPERS["2699.99999"] = PAPERS[IDS[1]]
    try:
        again = kept.profile(CHANNEL, [(IDS[0], 1), ("2699.99999", 1)], look.papers, look.vectors)
        assert again.positives == 2
        del PAPERS["2699.99999"]
        look.asked.clear()
        gone = kept.profile(CHANNEL, [(IDS[0], 1)], look.papers, look.vectors)
        assert gone.positives == 1 and _state(gone) == _rebuilt([(IDS[0], 1)])
        assert look.asked == [["2699.99999"], [IDS[0]]]  # could not subtract it: rebuilt
    finally:
        PAPERS.pop("2699.99999", None)


def test_only_the_most_recent_channels_are_kept() -> None:
    kept, look = LearnedProfiles(kept=1), Lookups()
    other = Channel(id=8, ref=CHANNEL.ref, name="other")
    kept.profile(CHANNEL, [(IDS[0], 1)], look.papers, look.vectors)
    kept.profile(other, [(IDS[1], 1)], look.papers, look.vectors)
    look.asked.clear()
    kept.profile(CHANNEL, [(IDS[0], 1)], look.papers, look.vectors)
    assert look.asked == [[IDS[0]]]  # dropped, so rebuilt
