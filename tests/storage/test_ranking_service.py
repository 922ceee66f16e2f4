"""Ranking through the core and the store: stored embeddings, learning, undo."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import timedelta

import numpy as np

from bot.clock import FixedClock
from bot.config import Settings
from bot.models import ChannelRef, ChannelSettings, Interest, InterestKind, Platform
from bot.service import PaperBot
from storage.store import SqlStore
from tests.conftest import make_paper


class FakeEmbedder:
    """Deterministic vectors from a hash of the text; counts what it embeds."""

    name = "fake@8"
    dim = 8

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded.extend(texts)
        out = []
        for text in texts:
            raw = np.frombuffer(hashlib.sha256(text.encode()).digest()[:32], dtype=np.uint8)
            vec = raw[:8].astype(np.float32) - 127.5
            out.append(vec / np.linalg.norm(vec))
        return np.stack(out)


PAPERS = [
    make_paper("2607.00001", "Robot manipulation with tactile sensing", categories=("cs.RO",)),
    make_paper("2607.00002", "Motion planning in clutter", categories=("cs.RO",)),
    make_paper("2607.00003", "Image generation with diffusion", categories=("cs.CV",)),
    make_paper("2607.00004", "Speech recognition at scale", categories=("eess.AS",)),
]


def _core(store: SqlStore, settings: Settings, clock: FixedClock, embedder: FakeEmbedder | None):
    core = PaperBot(store, clock, settings, embedder=embedder)
    core.ingest(PAPERS)
    clock.set(clock.now() + timedelta(minutes=1))
    channel = store.add_channel(
        ChannelRef(Platform.CONSOLE, "local", "lab"),
        "lab",
        ChannelSettings(size=3),
        [Interest(InterestKind.TOPIC, "robot manipulation")],
        now=clock.now() - timedelta(days=1),
    )
    return core, channel


def test_embeddings_are_computed_once_and_stored(
    sqlite_store: SqlStore, settings: Settings, clock: FixedClock
) -> None:
    embedder = FakeEmbedder()
    core, channel = _core(sqlite_store, settings, clock, embedder)
    plan = core.plan(channel)
    assert plan.picks
    assert len(embedder.embedded) == len(PAPERS) + 1  # and the phrase, once
    stored = sqlite_store.get_embeddings("fake@8", [p.id for p in PAPERS])
    assert set(stored) == {p.id for p in PAPERS}
    core.plan(channel)
    assert len(embedder.embedded) == len(PAPERS) + 1  # second plan reads the store
    sqlite_store.save_embeddings("fake@8", {"2607.00001": b"\x00" * 32})
    assert sqlite_store.get_embeddings("fake@8", ["2607.00001"]) == {
        "2607.00001": stored["2607.00001"]
    }


def test_profile_learns_from_reactions_and_undo_is_exact(
    store: SqlStore, settings: Settings, clock: FixedClock
) -> None:
    core, channel = _core(store, settings, clock, FakeEmbedder())
    fresh = core.profile_for(channel).to_json()
    core.react(channel, "2607.00004", "ana", "+1")
    core.react(channel, "2607.00004", "raj", "heart")
    core.react(channel, "2607.00003", "ben", "-1")
    learned = core.profile_for(channel)
    assert learned.positives == 2 and learned.negatives == 1
    assert learned.category_affinity("eess.AS") > 0 > learned.category_affinity("cs.CV")
    ids = [s.paper.id for s, _ in core.plan(channel).picks]
    assert ids.index("2607.00004") < ids.index("2607.00003") if "2607.00003" in ids else True
    for user, emoji, pid in [("ana", "+1", "2607.00004"), ("raj", "heart", "2607.00004")]:
        core.react(channel, pid, user, emoji, added=False)
    core.react(channel, "2607.00003", "ben", "-1", added=False)
    assert core.profile_for(channel).to_json() == fresh


def test_lexical_setting_never_loads_a_model(
    sqlite_store: SqlStore, settings: Settings, clock: FixedClock
) -> None:
    core, channel = _core(sqlite_store, settings, clock, None)
    assert settings.ranker == "lexical"
    assert core.ranker.embed is None and core.ranker.name == "lexical"
    assert core.plan(channel).picks
