"""SlackAdapter through the real WebClient against the fake Web API on 127.0.0.1."""

from __future__ import annotations

import pytest

from adapters.slack.adapter import SlackAdapter
from bot.clock import FixedClock
from bot.config import Settings
from bot.digest.pacing import POST, REACT, Lane, Pacer, Rate
from bot.errors import ChannelUnavailable, DeliveryError, RateLimited
from bot.models import MarkKind, OutboxMark
from bot.service import PaperBot
from storage.store import SqlStore
from tests.adapters.slack.conftest import robot_channel
from tests.adapters.slack.fake_slack import BOT_TOKEN, FakeSlack
from tests.fakes import FakeTime


def make_adapter(fake: FakeSlack, sleeps: list[float], **kw: object) -> SlackAdapter:
    kw.setdefault("pace_seconds", 0.0)  # the core paces; these tests do not wait it out
    return SlackAdapter(
        lambda team: BOT_TOKEN if team == "T0LAB" else None,
        api_url=fake.base_url,
        sleep=sleeps.append,
        **kw,  # type: ignore[arg-type]
    )


def make_core(
    store: SqlStore, clock: FixedClock, settings: Settings, adapter: SlackAdapter
) -> PaperBot:
    return PaperBot(store, clock, settings, {adapter.platform: adapter})


def test_digest_posts_header_then_one_message_per_paper_with_votes(
    fake: FakeSlack, slack_store: SqlStore, clock: FixedClock, slack_settings: Settings
) -> None:
    channel = robot_channel(slack_store, clock, size=2)
    core = make_core(slack_store, clock, slack_settings, make_adapter(fake, []))
    _plan, result = core.run_digest(channel)

    posts = fake.posts()
    assert len(posts) == 1 + 2 == len(result.posted) + 1
    assert all(p.auth == f"Bearer {BOT_TOKEN}" and p.body["channel"] == "C0PAPERS" for p in posts)
    assert all(p.body["unfurl_links"] is False and p.body["unfurl_media"] is False for p in posts)
    assert "2 papers for #papers" in posts[0].body["text"]
    votes = fake.hits("/reactions.add")
    digest = result.digest
    assert digest is not None and digest.header_message_id is not None
    posted_ts = {item.message_id for item in digest.items}
    assert {v.body["timestamp"] for v in votes} == posted_ts
    assert sorted(v.body["name"] for v in votes) == ["+1"] * 2 + ["-1"] * 2
    assert "thread_ts" not in posts[1].body


def test_thread_mode_posts_papers_as_replies(
    fake: FakeSlack, slack_store: SqlStore, clock: FixedClock, slack_settings: Settings
) -> None:
    channel = robot_channel(slack_store, clock, size=2, thread_mode=True)
    core = make_core(slack_store, clock, slack_settings, make_adapter(fake, []))
    _plan, result = core.run_digest(channel)
    assert result.digest is not None
    header_ts = result.digest.header_message_id
    assert [p.body.get("thread_ts") for p in fake.posts()] == [None, header_ts, header_ts]


def test_429_retried_after_retry_after_without_wall_clock(
    fake: FakeSlack, slack_store: SqlStore, clock: FixedClock
) -> None:
    channel = robot_channel(slack_store, clock)
    fake.rate_limits["C0PAPERS"] = 2
    fake.retry_after = "3"
    sleeps: list[float] = []
    ts = make_adapter(fake, sleeps, max_retries=2).post_notice(channel, "hello")
    assert ts and sleeps == [3.0, 3.0]
    assert len(fake.posts()) == 3


def test_429_retries_are_bounded(fake: FakeSlack, slack_store: SqlStore, clock: FixedClock) -> None:
    channel = robot_channel(slack_store, clock)
    fake.rate_limits["C0PAPERS"] = 100
    sleeps: list[float] = []
    with pytest.raises(RateLimited) as info:
        make_adapter(fake, sleeps, max_retries=2).post_notice(channel, "hello")
    assert len(fake.posts()) == 3 and len(sleeps) == 2
    assert info.value.retry_after == 0
    # a Retry-After longer than we are willing to wait is not waited for at all
    fake.calls.clear()
    fake.retry_after = "600"
    with pytest.raises(RateLimited) as info:
        make_adapter(fake, sleeps, max_retry_wait=30).post_notice(channel, "hello")
    assert info.value.retry_after == 600 and len(fake.posts()) == 1


@pytest.mark.parametrize(
    "code", ["channel_not_found", "is_archived", "invalid_auth", "account_inactive"]
)
def test_lost_channel_pauses_it_and_names_no_token(
    code: str, fake: FakeSlack, slack_store: SqlStore, clock: FixedClock, slack_settings: Settings
) -> None:
    channel = robot_channel(slack_store, clock)
    fake.channel_errors["C0PAPERS"] = code
    core = make_core(slack_store, clock, slack_settings, make_adapter(fake, []))
    with pytest.raises(ChannelUnavailable) as info:
        core.run_digest(channel)
    assert code in str(info.value) and BOT_TOKEN not in str(info.value)
    after = slack_store.get_channel(channel.id)
    assert after.settings.paused and code in (after.settings.paused_reason or "")


def test_not_in_channel_joins_public_channel_once(
    fake: FakeSlack, slack_store: SqlStore, clock: FixedClock
) -> None:
    channel = robot_channel(slack_store, clock)
    fake.channel_errors["C0PAPERS"] = "not_in_channel"
    assert make_adapter(fake, []).post_notice(channel, "hi")
    assert len(fake.hits("/conversations.join")) == 1 and len(fake.posts()) == 2
    fake.channel_errors["C0PAPERS"] = "not_in_channel"
    fake.join_error = "method_not_supported_for_channel_type"  # a private channel
    with pytest.raises(ChannelUnavailable, match="not_in_channel"):
        make_adapter(fake, []).post_notice(channel, "hi")


def test_other_errors_are_delivery_errors(
    fake: FakeSlack, slack_store: SqlStore, clock: FixedClock
) -> None:
    channel = robot_channel(slack_store, clock)
    fake.channel_errors["C0PAPERS"] = "msg_too_long"
    with pytest.raises(DeliveryError, match="msg_too_long") as info:
        make_adapter(fake, []).post_notice(channel, "x")
    assert not isinstance(info.value, ChannelUnavailable)


def test_unknown_workspace_is_unavailable(
    fake: FakeSlack, slack_store: SqlStore, clock: FixedClock
) -> None:
    from bot.models import ChannelRef, ChannelSettings, Platform

    other = slack_store.add_channel(
        ChannelRef(Platform.SLACK, "T0OTHER", "C1"), "x", ChannelSettings(), now=clock.now()
    )
    with pytest.raises(ChannelUnavailable, match="no Slack installation"):
        make_adapter(fake, []).post_notice(other, "hi")
    assert fake.calls == []


def test_posts_to_one_channel_are_paced_by_the_core_at_the_declared_pace(
    fake: FakeSlack, slack_store: SqlStore, clock: FixedClock, slack_settings: Settings
) -> None:
    channel = robot_channel(slack_store, clock, size=2)
    time = FakeTime()
    adapter = make_adapter(fake, [], pace_seconds=1.0)
    core = PaperBot(
        slack_store,
        clock,
        slack_settings,
        {adapter.platform: adapter},
        pacer=Pacer(monotonic=time.monotonic, sleep=time.sleep),
    )
    _plan, result = core.run_digest(channel)
    assert len(result.posted) == 2 and len(fake.posts()) == 3
    assert time.sleeps == [1.0, 1.0]  # header, then each paper a second after the last
    own = Lane("slack:T0LAB:C0PAPERS:post", Rate(1.0), serial=True)  # one post at a time
    assert adapter.lanes(channel, POST) == [own]


def test_a_workspace_ceiling_and_the_reactions_limit_are_declared(
    fake: FakeSlack, slack_store: SqlStore, clock: FixedClock
) -> None:
    channel = robot_channel(slack_store, clock)
    adapter = make_adapter(fake, [], workspace_posts_per_second=20, reactions_per_minute=30)
    assert Lane("slack:T0LAB:post", Rate(20)) in adapter.lanes(channel, POST)
    assert adapter.lanes(channel, REACT) == [Lane("slack:T0LAB:reactions.add", Rate(0.5))]


def test_a_vote_from_the_lane_is_rate_limited_at_once_but_inline_votes_wait(
    fake: FakeSlack, slack_store: SqlStore, clock: FixedClock
) -> None:
    """The lane holds the route and adds the vote later; none of its threads sleeps in a call
    (a stopping worker would wait for it). Posts and inline votes still wait out a 429."""
    channel = robot_channel(slack_store, clock)
    fake.retry_after = "7"
    sleeps: list[float] = []
    lane_adapter = make_adapter(fake, sleeps, defer_votes=True, max_retries=2)
    fake.reaction_rate_limits = 1
    with pytest.raises(RateLimited) as info:
        lane_adapter.add_vote(channel, "1.000100", "thumbsup")
    assert info.value.retry_after == 7 and sleeps == []
    assert len(fake.hits("/reactions.add")) == 1
    lane_adapter.add_vote(channel, "1.000100", "thumbsup")  # the lane's later try
    fake.rate_limits["C0PAPERS"] = 1
    assert lane_adapter.post_notice(channel, "hello") and sleeps == [7.0]

    inline = make_adapter(fake, sleeps, max_retries=2)
    fake.reaction_rate_limits = 1
    inline.add_vote(channel, "1.000200", "thumbsup")
    assert sleeps == [7.0, 7.0] and len(fake.hits("/reactions.add")) == 4


def test_deferred_votes_are_left_to_the_vote_lane(
    fake: FakeSlack, slack_store: SqlStore, clock: FixedClock, slack_settings: Settings
) -> None:
    channel = robot_channel(slack_store, clock, size=2)
    adapter = make_adapter(fake, [], defer_votes=True, reactions_per_minute=6000)
    core = make_core(slack_store, clock, slack_settings, adapter)
    lane = core.start_vote_lane()
    try:
        _plan, result = core.run_digest(channel)
        assert len(result.posted) == 2
        fake.wait_for(lambda: len(fake.hits("/reactions.add")) == 4)
    finally:
        lane.stop()
    assert lane.stats.added == 4 and lane.pending() == 0
    digest = result.digest
    assert digest is not None
    assert {v.body["timestamp"] for v in fake.hits("/reactions.add")} == {
        i.message_id for i in digest.items
    }


class _Crash(Exception):
    pass


def is_paper(body: dict[str, object]) -> bool:
    meta = body.get("metadata")
    return isinstance(meta, dict) and meta.get("event_type") == "paperbot_item"


@pytest.mark.parametrize("thread_mode", [False, True])
def test_crash_after_post_before_recording_finds_the_message_instead_of_reposting(
    fake: FakeSlack,
    slack_store: SqlStore,
    clock: FixedClock,
    slack_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    thread_mode: bool,
) -> None:
    channel = robot_channel(slack_store, clock, size=2, thread_mode=thread_mode)
    adapter = make_adapter(fake, [])
    core = make_core(slack_store, clock, slack_settings, adapter)
    record = slack_store.apply_marks

    def crash_on_second(digest_id: int, marks: list[OutboxMark], **kw: object) -> bool:
        posting = any(m.kind is MarkKind.POSTED for m in marks)
        if posting and any(
            i.message_id
            for i in slack_store.find_digest(channel.id, "k").items  # type: ignore[union-attr]
        ):
            raise _Crash  # the 2nd paper is posted, the process dies before recording it
        return record(digest_id, marks, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(slack_store, "apply_marks", crash_on_second)
    with pytest.raises(_Crash):
        core.run_digest(channel, run_key="k")
    monkeypatch.setattr(slack_store, "apply_marks", record)
    papers_posted = [p for p in fake.posts() if is_paper(p.body)]
    assert len(papers_posted) == 2

    _plan, result = core.run_digest(channel, run_key="k")  # resumed

    assert len([p for p in fake.posts() if is_paper(p.body)]) == 2  # no duplicate
    assert result.reconciled and len(result.reconciled) == 1
    digest = slack_store.find_digest(channel.id, "k")
    assert digest is not None
    second = papers_posted[1]
    found = {i.paper.id: i.message_id for i in digest.items}
    marker = second.body["metadata"]["event_payload"]["item"]
    assert found[marker.split(":", 1)[1]] == fake.messages["C0PAPERS"][-1]["ts"]
    history = "/conversations.replies" if thread_mode else "/conversations.history"
    assert fake.hits(history)


def test_find_item_message_without_history_access_cannot_tell(
    fake: FakeSlack, slack_store: SqlStore, clock: FixedClock, slack_settings: Settings
) -> None:
    channel = robot_channel(slack_store, clock, size=1)
    adapter = make_adapter(fake, [])
    core = make_core(slack_store, clock, slack_settings, adapter)
    _plan, result = core.run_digest(channel, run_key="k")
    digest = result.digest
    assert digest is not None
    item = digest.items[0]
    assert adapter.find_item_message(channel, digest, item) == item.message_id
    fake.channel_errors["C0PAPERS"] = "missing_scope"
    assert adapter.find_item_message(channel, digest, item) is None
