"""The channel page's view model (on a real SQLite store) and its learning curve (pure)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import Settings
from bot.content.channel_link import channel_of_link, make_page_link
from bot.content.channel_page import load_channel_page, page_of_link, strongest
from bot.content.learning_curve import CurvePoint, learning_curve
from bot.errors import LinkExpired, LinkInvalid, NotFound
from bot.models import CommandRequest, Platform, PostedDigest
from storage.store import SqlStore
from tests.channel_page_seed import DAYS, HOSTILE, Seeded, command, seed_channel

KEY = b"test-key" * 4


@pytest.fixture
def seeded(sqlite_store: SqlStore, settings: Settings) -> Seeded:
    return seed_channel(sqlite_store, settings)


def test_subscriptions_and_schedule(seeded: Seeded) -> None:
    command(seeded.core, "like 2606.00001")
    command(seeded.core, "schedule 08:30 Europe/Berlin mon,thu")
    channel = seeded.core.store.get_channel(seeded.channel.id)
    subs = load_channel_page(seeded.core, channel).subscriptions
    assert subs.topics == ("robot manipulation",)
    assert subs.categories == ("cs.RO",) and subs.authors == ("Ada Lovelace",)
    assert subs.excluded == ("survey",)
    assert subs.seeds == ("Tactile feedback improves robot grasping of deformable objects (1.1)",)
    assert subs.schedule == "08:30 Europe/Berlin mon,thu"
    assert (subs.size, subs.threshold, subs.paused) == (5, "low", False)


def test_learned_is_what_reactions_taught(seeded: Seeded) -> None:
    learned = load_channel_page(seeded.core, seeded.channel).learned
    assert (learned.up, learned.down) == (24, 2)  # 12 papers x 2 people 👍, 2 papers x 1 👎
    assert learned.categories[0].label == "cs.RO" and learned.categories[0].weight > 0
    assert learned.categories[-1].label == "cs.CL" and learned.categories[-1].weight < 0
    assert learned.authors[0].label == "Ada Lovelace"  # spelled as on the papers
    assert learned.authors[-1].label == "Alan Turing" and learned.authors[-1].weight < 0
    assert learned.words[0].label == "robot"
    assert any(w.label == "speech" and w.weight < 0 for w in learned.words)


def test_forget_empties_what_was_learned(seeded: Seeded) -> None:
    command(seeded.core, "forget")
    channel = seeded.core.store.get_channel(seeded.channel.id)
    learned = load_channel_page(seeded.core, channel).learned
    assert (learned.up, learned.down, learned.words, learned.categories) == (0, 0, (), ())
    assert learned.since == seeded.clock.now()


def test_recent_digests_carry_reasons_and_reactions(seeded: Seeded) -> None:
    page = load_channel_page(seeded.core, seeded.channel)
    assert [d.day for d in page.digests] == [date(2026, 6, 1 + d) for d in reversed(range(DAYS))]
    first_day = page.digests[-1]
    assert len(first_day.picks) == 5
    top = first_day.picks[0]
    assert top.url == f"https://arxiv.org/abs/{top.paper_id}"
    assert "matches “robot manipulation”" in top.reasons
    assert top.tldr and (top.up, top.down) == (2, 0)
    speech = [p for p in first_day.picks if "Speech" in p.title or "speech" in p.title]
    assert speech and all(p.down == 0 for p in speech)  # nobody disliked on day 1


def test_liked_papers_newest_first(seeded: Seeded) -> None:
    liked = load_channel_page(seeded.core, seeded.channel).liked
    assert len(liked) == 12
    assert liked[0].liked_on == date(2026, 6, 5) and liked[-1].liked_on == date(2026, 6, 1)
    assert all(p.up == 2 and p.down == 0 for p in liked)


def test_curve_rises_as_the_channel_learns(seeded: Seeded) -> None:
    curve = load_channel_page(seeded.core, seeded.channel).curve
    assert [p.day for p in curve] == [date(2026, 6, 1 + d) for d in range(DAYS)]
    assert [p.liked_share for p in curve] == [0.2, 0.4, 0.6, 1.0, 1.0]
    assert curve[2].disliked == 2 and curve[2].posted == 5


def test_page_link_round_trip_expiry_and_removed_channel(seeded: Seeded) -> None:
    core, now = seeded.core, seeded.clock.now()
    made = make_page_link(KEY, "https://bot.example.org/", seeded.channel, now, 7)
    assert made.url.startswith("https://bot.example.org/c/")
    assert made.expires_at == now + timedelta(days=7)
    token = made.url.rsplit("/", 1)[1]
    shown = page_of_link(core, KEY, token)
    assert shown.page.name == "robots" and shown.expires_at == made.expires_at
    seeded.clock.advance(timedelta(days=7))
    with pytest.raises(LinkExpired):
        channel_of_link(KEY, token, core.store, seeded.clock)
    with pytest.raises(LinkInvalid):
        channel_of_link(b"another key" * 3, token, core.store, seeded.clock)
    seeded.clock.set(now)
    core.store.remove_channel(seeded.channel.id)
    with pytest.raises(NotFound):
        page_of_link(core, KEY, token)


def test_hostile_text_is_kept_as_data(tmp_path: Path, settings: Settings) -> None:
    store = SqlStore.open(f"sqlite:///{tmp_path / 'h.db'}")
    try:
        page = load_channel_page(*_hostile(store, settings))
    finally:
        store.close()
    assert HOSTILE in page.subscriptions.topics  # escaping is the renderer's job
    assert any(HOSTILE in p.title for d in page.digests for p in d.picks)


def _hostile(store: SqlStore, settings: Settings):  # type: ignore[no-untyped-def]
    seeded = seed_channel(store, settings, hostile=True)
    return seeded.core, seeded.channel


# ------------------------------------------------------------------ pure parts
def _posted(did: int, when: datetime, *ids: str) -> PostedDigest:
    return PostedDigest(did, f"run{did}", when, ids)


def test_curve_counts_current_opinions_per_paper() -> None:
    day = datetime(2026, 6, 1, 9, tzinfo=UTC)
    counts = {"a": (2, 1), "b": (1, 1), "c": (0, 3)}  # a liked, b a tie, c disliked, d none
    curve = learning_curve([_posted(1, day, "a", "b", "c", "d")], counts)
    assert curve == [CurvePoint(date(2026, 6, 1), posted=4, liked=1, disliked=1)]
    assert (curve[0].liked_share, curve[0].disliked_share) == (0.25, 0.25)


def test_curve_merges_a_day_skips_empty_digests_and_uses_the_channels_zone() -> None:
    morning = datetime(2026, 6, 1, 7, tzinfo=UTC)
    digests = [
        _posted(3, morning + timedelta(hours=15.5), "c"),  # 00:30 on 2 June in Berlin
        _posted(2, morning + timedelta(hours=2), "b"),
        _posted(1, morning, "a"),
        _posted(
            4,
            morning,
        ),
    ]
    counts = {"a": (1, 0), "c": (1, 0)}
    in_utc = learning_curve(digests, counts)
    assert [(p.day.day, p.posted, p.liked) for p in in_utc] == [(1, 3, 2)]
    berlin = learning_curve(digests, counts, ZoneInfo("Europe/Berlin"))
    assert [(p.day.day, p.posted, p.liked) for p in berlin] == [(1, 2, 1), (2, 1, 1)]
    assert CurvePoint(date(2026, 6, 1), 0, 0, 0).liked_share == 0.0


def test_strongest_orders_each_way_and_caps() -> None:
    weights = {"a": 0.5, "b": 2.0, "c": -1.0, "d": -3.0, "e": 0.0}
    assert [(w.label, w.weight) for w in strongest(weights)] == [
        ("b", 2.0),
        ("a", 0.5),
        ("d", -3.0),
        ("c", -1.0),
    ]
    assert [w.label for w in strongest(weights, 1)] == ["b", "d"]


# ------------------------------------------------------------------ /papers web
def test_web_command_link_and_the_settings_it_needs(seeded: Seeded) -> None:
    core = seeded.core
    req = CommandRequest(Platform.SLACK, "T1", "C1", "U9", "web", channel_name="robots")
    missing = core.on_command(req)
    assert not missing.ok and missing.ephemeral and "PUBLIC_URL" in missing.text
    core.settings = core.settings.model_copy(update={"public_url": "https://p.example.org"})
    core.link_key = None
    unsigned = core.on_command(req)
    assert not unsigned.ok and "LINK_SIGNING_KEY" in unsigned.text
    core.link_key = lambda: KEY
    reply = core.on_command(req)  # U9 is no manager: reading is open to anyone
    assert reply.ok and reply.ephemeral
    found = re.search(r"https://p\.example\.org/c/([\w.\-]+)", reply.text)
    assert found is not None, reply.text
    linked = channel_of_link(KEY, found.group(1), core.store, seeded.clock)
    assert linked.channel.id == seeded.channel.id
    assert linked.expires_at == seeded.clock.now() + timedelta(days=7)
    assert "2026-06-12 12:05 UTC" in reply.text
