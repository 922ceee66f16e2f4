"""ChannelStore and ManagerStore contract: channels, settings, interests, who may change them."""

from __future__ import annotations

import pytest

from bot.errors import NotFound, StorageError
from bot.models import ChannelRef, ChannelSettings, Interest, InterestKind, Platform
from bot.ports import Store
from tests.contracts.conftest import REF, T0

TOPIC = InterestKind.TOPIC


def test_add_find_list_update_remove(any_store: Store) -> None:
    other = ChannelRef(Platform.DISCORD, "G1", "C9")
    a = any_store.add_channel(
        REF, "lab", ChannelSettings(size=3), [Interest(TOPIC, "robots")], now=T0
    )
    b = any_store.add_channel(other, "ops", ChannelSettings(), now=T0)
    assert any_store.find_channel(REF) == a == any_store.get_channel(a.id)
    assert (a.name, a.settings.size, a.interests) == ("lab", 3, (Interest(TOPIC, "robots"),))
    assert [c.id for c in any_store.list_channels()] == [a.id, b.id]
    with pytest.raises(StorageError):
        any_store.add_channel(REF, "again", ChannelSettings(), now=T0)
    assert any_store.ensure_channel(REF, "x", ChannelSettings(size=9), now=T0) == a
    updated = any_store.update_settings(a.id, ChannelSettings(size=7, paused=True))
    assert updated.settings.size == 7 and updated.settings.paused
    assert any_store.get_channel(a.id).settings == updated.settings
    any_store.remove_channel(a.id)
    assert any_store.find_channel(REF) is None
    assert [c.id for c in any_store.list_channels()] == [b.id]
    with pytest.raises(NotFound):
        any_store.get_channel(a.id)
    with pytest.raises(NotFound):
        any_store.update_settings(a.id, ChannelSettings())


def test_ensure_channel_creates_once(any_store: Store) -> None:
    first = any_store.ensure_channel(REF, "lab", ChannelSettings(size=4), now=T0)
    again = any_store.ensure_channel(REF, "renamed", ChannelSettings(size=9), now=T0)
    assert again == first and first.settings.size == 4


def test_interests_compare_normalised_and_keep_their_order(any_store: Store) -> None:
    cid = any_store.add_channel(REF, "lab", ChannelSettings(), now=T0).id
    assert any_store.add_interest(cid, Interest(TOPIC, " Motion  Planning "), now=T0) is True
    assert any_store.add_interest(cid, Interest(TOPIC, "motion planning"), now=T0) is False
    assert any_store.add_interest(cid, Interest(InterestKind.CATEGORY, "cs.RO"), now=T0) is True
    got = any_store.get_channel(cid).interests
    assert got == (Interest(TOPIC, "Motion  Planning"), Interest(InterestKind.CATEGORY, "cs.RO"))
    assert any_store.remove_interest(cid, Interest(TOPIC, "MOTION planning")) is True
    assert any_store.remove_interest(cid, Interest(TOPIC, "motion planning")) is False
    assert any_store.get_channel(cid).interests == (Interest(InterestKind.CATEGORY, "cs.RO"),)
    with pytest.raises(NotFound):
        any_store.add_interest(cid + 100, Interest(TOPIC, "x"), now=T0)


def test_profile_state_is_kept_per_channel(any_store: Store) -> None:
    cid = any_store.add_channel(REF, "lab", ChannelSettings(), now=T0).id
    assert any_store.get_profile_state(cid) is None
    any_store.save_profile_state(cid, '{"v": 1}')
    assert any_store.get_profile_state(cid) == '{"v": 1}'
    assert any_store.get_profile_state(cid + 100) is None


def test_the_first_to_set_a_channel_up_wins_and_managers_keep_their_order(
    any_store: Store,
) -> None:
    cid = any_store.add_channel(REF, "lab", ChannelSettings(), now=T0).id
    assert any_store.claim_channel(cid, "U1") == "U1"
    assert any_store.claim_channel(cid, "U2") == "U1"
    assert any_store.get_channel(cid).set_up_by == "U1"
    assert any_store.add_manager(cid, "U3", added_by="U1", now=T0) is True
    assert any_store.add_manager(cid, "U2", added_by="U1", now=T0) is True
    assert any_store.add_manager(cid, "U3", added_by="U1", now=T0) is False
    assert any_store.channel_managers(cid) == ["U3", "U2"]
    assert any_store.remove_manager(cid, "U3") is True
    assert any_store.remove_manager(cid, "U3") is False
    assert any_store.channel_managers(cid) == ["U2"]
    with pytest.raises(NotFound):
        any_store.claim_channel(cid + 100, "U1")
    with pytest.raises(NotFound):
        any_store.add_manager(cid + 100, "U1", added_by=None, now=T0)


def test_add_interests_adds_the_new_ones_in_one_call(any_store: Store) -> None:
    from bot.models import Interest, InterestKind

    ch = any_store.add_channel(REF, "lab", ChannelSettings(), [], now=T0)
    assert ch.id is not None
    seeds = [Interest(InterestKind.SEED, s) for s in ("2607.00001", "2607.00002", "2607.00001")]
    assert any_store.add_interests(ch.id, seeds, now=T0) == 2
    assert any_store.add_interests(ch.id, seeds[:1], now=T0) == 0
    kept = any_store.get_channel(ch.id).interest_values(InterestKind.SEED)
    assert list(kept) == ["2607.00001", "2607.00002"]
