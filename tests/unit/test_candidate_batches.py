"""Channels due with the same candidates share one build of the candidates' features."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

import bot.service
from bot.clock import FixedClock
from bot.config import Settings
from bot.models import ChannelRef, ChannelSettings, Interest, InterestKind, Platform
from bot.ranking import build_batch
from bot.service import BATCHES_KEPT, PaperBot
from tests.conftest import make_paper
from tests.fakes import MemoryStore, RecordingAdapter

NOW = datetime(2026, 6, 29, 6, tzinfo=UTC)


def _core(store: MemoryStore, settings: Settings, topics: list[str]) -> PaperBot:
    core = PaperBot(store, FixedClock(NOW), settings, {Platform.CONSOLE: RecordingAdapter()})
    for i, topic in enumerate(topics):
        store.add_channel(
            ChannelRef(Platform.CONSOLE, "local", f"c{i}"),
            f"c{i}",
            ChannelSettings(size=2),
            [Interest(InterestKind.TOPIC, topic)],
            now=NOW,
        )
    store.upsert_papers(
        [
            make_paper("p1", "Robot grasping with tactile sensing"),
            make_paper("p2", "Language model reasoning benchmarks"),
            make_paper("p3", "Robot motion planning in clutter"),
            make_paper("p4", "Diffusion models for images"),
        ],
        NOW,
    )
    return core


def test_same_candidates_are_tokenised_once_and_rank_as_before(
    memory_store: MemoryStore, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[int] = []

    def counting(papers, embeddings=None):  # type: ignore[no-untyped-def]
        built.append(len(papers))
        return build_batch(papers, embeddings)

    monkeypatch.setattr(bot.service, "build_batch", counting)
    core = _core(memory_store, settings, ["robot", "language model", "robot planning"])
    plans = [core.plan(channel) for channel in memory_store.list_channels()]
    assert built == [4]  # three channels, one build
    fresh = PaperBot(memory_store, FixedClock(NOW), settings, {})
    for channel, plan in zip(memory_store.list_channels(), plans, strict=True):
        papers, _ = fresh.candidates(channel)
        threshold = channel.settings.threshold
        alone = fresh.ranker.rank(fresh.profile_for(channel), papers, k=2, threshold=threshold)
        assert [s.paper.id for s, _ in plan.picks] == [s.paper.id for s in alone]
        assert [s.score for s, _ in plan.picks] == [s.score for s in alone]


def test_a_changed_candidate_is_a_new_set_and_only_a_few_sets_are_kept(
    memory_store: MemoryStore, settings: Settings
) -> None:
    core = _core(memory_store, settings, ["robot"])
    papers, _ = core.candidates(memory_store.list_channels()[0])
    first = core.batch_for(papers)
    assert core.batch_for(list(papers)) is first
    voted = [replace(papers[0], upvotes=50), *papers[1:]]
    assert core.batch_for(voted) is not first
    for n in range(BATCHES_KEPT + 1):
        core.batch_for(papers[: n + 1])
    assert len(core._batches) == BATCHES_KEPT


def test_a_set_is_found_by_identity_and_by_value(
    memory_store: MemoryStore, settings: Settings
) -> None:
    core = _core(memory_store, settings, ["robot"])
    papers, _ = core.candidates(memory_store.list_channels()[0])
    first = core.batch_for(papers)
    assert core.batch_for(list(papers)) is first  # the same objects
    assert core.batch_for([replace(p) for p in papers]) is first  # equal copies
    for n in range(2 * BATCHES_KEPT):
        core.batch_for([replace(p) for p in papers[: n % 4 + 1]])
    assert len(core._batches) == BATCHES_KEPT
    assert len(core._batch_values) <= BATCHES_KEPT
