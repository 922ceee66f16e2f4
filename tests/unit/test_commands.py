"""The platform-neutral `/papers` command layer, on a real SQLite store and a recording chat."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot.clock import FixedClock
from bot.config import Settings
from bot.models import WEEKDAYS, CommandRequest, InterestKind, Platform, Threshold
from bot.service import PaperBot
from tests.conftest import make_paper
from tests.fakes import MemoryStore, RecordingChat
from tests.markup import marked


@pytest.fixture
def chat() -> RecordingChat:
    return RecordingChat(platform=Platform.SLACK)


@pytest.fixture
def core(
    memory_store: MemoryStore, clock: FixedClock, settings: Settings, chat: RecordingChat
) -> Iterator[PaperBot]:
    papers = [
        make_paper(
            "2606.00001", "Robot manipulation with diffusion policies", categories=("cs.RO",)
        ),
        make_paper(
            "2606.00002", "Dexterous robot manipulation from video", categories=("cs.RO", "cs.CV")
        ),
        make_paper(
            "2606.00003", "Speech recognition for low-resource languages", categories=("cs.CL",)
        ),
        make_paper("2606.00004", "A survey of robot manipulation", categories=("cs.RO",)),
    ]
    memory_store.upsert_papers(papers, clock.now())
    yield PaperBot(memory_store, clock, settings, {Platform.SLACK: chat})


def run(core: PaperBot, text: str, channel: str = "C1", user: str = "U1") -> tuple[bool, str]:
    reply = core.on_command(
        CommandRequest(Platform.SLACK, "T1", channel, user, text, channel_name="papers")
    )
    return reply.ok, marked(reply.body)


def channel_of(core: PaperBot, channel: str = "C1"):  # type: ignore[no-untyped-def]
    from bot.models import ChannelRef

    found = core.store.find_channel(ChannelRef(Platform.SLACK, "T1", channel))
    assert found is not None
    return found


def test_subscribe_kinds_and_duplicates(core: PaperBot) -> None:
    assert run(core, "subscribe robot manipulation")[0]
    assert run(core, "subscribe cat:cs.ro")[0]
    assert run(core, 'subscribe author:"Jane Doe"')[0]
    ok, text = run(core, "subscribe Robot   Manipulation")
    assert ok and "already" in text
    interests = channel_of(core).interests
    assert [(i.kind, i.value) for i in interests] == [
        (InterestKind.TOPIC, "robot manipulation"),
        (InterestKind.CATEGORY, "cs.RO"),
        (InterestKind.AUTHOR, "Jane Doe"),
    ]


def test_bad_arguments_get_usage_and_change_nothing(core: PaperBot) -> None:
    run(core, "subscribe robots")
    before = channel_of(core)
    for text in (
        "subscribe",
        "subscribe cat:not a category",
        "size 0",
        "size many",
        "threshold extreme",
        "schedule 25:00",
        "schedule 09:00 Europe/Berln",
        "schedule 09:00 UTC someday",
        "like not-an-id",
        "unsubscribe never followed",
        "include nothing",
    ):
        ok, reply = run(core, text)
        assert not ok, text
        assert "Usage:" in reply, text
    assert channel_of(core) == before


def test_unknown_subcommand_suggests(core: PaperBot) -> None:
    ok, text = run(core, "subscibe robots")
    assert not ok and "/papers subscribe" in text


def test_timezone_typo_suggests_nearest(core: PaperBot) -> None:
    ok, text = run(core, "schedule 09:00 Europe/Berln weekdays")
    assert not ok and "Europe/Berlin" in text


def test_schedule_size_threshold_pause_resume(core: PaperBot) -> None:
    ok, text = run(core, "schedule 8:30 asia/tokyo mon,wed")
    assert ok, text
    s = channel_of(core).settings
    assert (s.schedule.time, s.schedule.timezone, s.schedule.days) == (
        "08:30",
        "Asia/Tokyo",
        (0, 2),
    )
    assert run(core, "schedule 07:00 daily")[0]
    s = channel_of(core).settings
    assert (s.schedule.time, s.schedule.timezone, s.schedule.days) == (
        "07:00",
        "Asia/Tokyo",
        tuple(range(7)),
    )
    assert run(core, "size 3")[0] and channel_of(core).settings.size == 3
    assert run(core, "threshold high")[0] and channel_of(core).settings.threshold is Threshold.HIGH
    assert run(core, "pause")[0] and channel_of(core).settings.paused
    assert run(core, "resume")[0] and not channel_of(core).settings.paused


def test_exclude_include_and_now_posts_without_excluded(
    core: PaperBot, chat: RecordingChat
) -> None:
    run(core, "subscribe robot manipulation")
    assert run(core, "exclude survey")[0]
    ok, text = run(core, "now")
    assert ok and "Posted 2 papers" in text
    assert sorted(p for _, p, _ in chat.posts) == ["2606.00001", "2606.00002"]
    ok, text = run(core, "now")
    assert ok and "No new papers" in text  # nothing is posted twice
    assert run(core, "include survey")[0]
    assert InterestKind.EXCLUDE not in {i.kind for i in channel_of(core).interests}


def test_commands_only_touch_their_own_channel(core: PaperBot) -> None:
    run(core, "subscribe robot manipulation", channel="C1")
    run(core, "subscribe speech", channel="C2")
    assert [i.value for i in channel_of(core, "C1").interests] == ["robot manipulation"]
    assert [i.value for i in channel_of(core, "C2").interests] == ["speech"]


def test_like_search_why_stats_history_topics(core: PaperBot, chat: RecordingChat) -> None:
    assert run(core, "like https://arxiv.org/abs/2606.00002v3")[0]
    assert channel_of(core).interest_values(InterestKind.SEED) == ("2606.00002",)
    ok, text = run(core, "like 2612.99999")
    assert not ok and "could not find" in text

    ok, text = run(core, "search speech recognition")
    assert ok and "2606.00003" in text.splitlines()[1]

    run(core, "subscribe robot manipulation")
    run(core, "now")
    posted = chat.posts[0][1]
    ok, text = run(core, f"why {posted}")
    assert ok and "robot manipulation" in text
    core.react(channel_of(core), posted, "U9", "+1")
    ok, text = run(core, "stats")
    assert ok and "1 👍, 0 👎" in text and "Digests posted: 1" in text
    ok, text = run(core, "history")
    assert ok and "1 👍" in text
    ok, text = run(core, "topics")
    assert ok and "robot manipulation" in text and "1 👍" in text


def test_help_lists_every_command_and_explains_one(core: PaperBot) -> None:
    ok, text = run(core, "")
    assert ok and "/papers subscribe" in text and "/papers stats" in text
    ok, text = run(core, "help schedule")
    assert ok and "Europe/Berlin" in text


def test_topics_shows_where_the_typed_topics_point_until_categories_are_chosen(
    core: PaperBot,
) -> None:
    run(core, "subscribe robot manipulation", channel="C2")
    run(core, "subscribe motion planning", channel="C2")
    ok, text = run(core, "topics", channel="C2")
    assert ok and "Your topics point to: `cs.RO`" in text
    run(core, "subscribe cat:cs.CV", channel="C2")
    ok, text = run(core, "topics", channel="C2")
    assert ok and "point to" not in text and "`cs.CV`" in text


def test_unlike_takes_back_a_liked_paper(core: PaperBot) -> None:
    run(core, "like 2606.00002")
    run(core, "like 2606.00001")
    assert len(core.profile_for(channel_of(core)).liked) == 2
    ok, text = run(core, "unlike https://arxiv.org/abs/2606.00002v2")
    assert ok and "no longer likes “Dexterous robot manipulation from video”" in text
    assert channel_of(core).interest_values(InterestKind.SEED) == ("2606.00001",)
    assert [liked[0] for liked in core.profile_for(channel_of(core)).liked] == ["2606.00001"]
    ok, text = run(core, "unlike 2606.00003")
    assert not ok and "has not liked `2606.00003`" in text and "`2606.00001`" in text
    ok, text = run(core, "unlike")
    assert not ok and "Usage: `/papers unlike" in text


def test_set_lists_and_switches_the_channel_options(core: PaperBot) -> None:
    ok, text = run(core, "set")
    assert ok and "`authors` on" in text and "`threads` off" in text and "`empty` off" in text
    ok, text = run(core, "set threads on")
    assert ok and "now on" in text and channel_of(core).settings.thread_mode
    ok, text = run(core, "settings empty yes")
    assert ok and channel_of(core).settings.announce_empty
    ok, text = run(core, "set empty on")
    assert ok and "already on" in text
    ok, text = run(core, "set threads")
    assert ok and text.startswith("`threads` on")
    for bad, hint in (
        ("set colour on", "no option `colour`"),
        ("set authors maybe", "`on` or `off`"),
        ("set authors off now", "one option"),
    ):
        ok, text = run(core, bad)
        assert not ok and hint in text and "Usage: `/papers set" in text, bad
    assert channel_of(core).settings.follow_authors  # the bad ones changed nothing
    console = core.on_command(CommandRequest(Platform.CONSOLE, "", "lab", "U1", "set threads on"))
    assert not console.ok and "Slack only" in console.text


def test_switching_authors_off_stops_the_followed_author_boost(
    core: PaperBot, clock: FixedClock
) -> None:
    by_jane = make_paper(
        "2606.00005", "Grasping in clutter", authors=("Jane Doe", "Ann Lee"), categories=("cs.RO",)
    )
    core.store.upsert_papers([by_jane], clock.now())
    run(core, 'subscribe author:"Jane Doe"')
    ok, text = run(core, "why 2606.00005")
    assert ok and "by Jane Doe (followed)" in text
    assert run(core, "set authors off")[0]
    ok, text = run(core, "why 2606.00005")
    assert ok and "Jane Doe" not in text
    ok, text = run(core, "topics")
    assert "`Jane Doe` (no boost" in text
    assert run(core, "set authors on")[0]
    assert "by Jane Doe (followed)" in run(core, "why 2606.00005")[1]


def test_forget_drops_what_reactions_taught_and_keeps_the_rest(
    core: PaperBot, chat: RecordingChat, clock: FixedClock
) -> None:
    ok, text = run(core, "forget")
    assert ok and "nothing to forget" in text
    run(core, "subscribe robot manipulation")
    run(core, "like 2606.00003")
    run(core, "now")
    first, second = chat.posts[0][1], chat.posts[1][1]
    core.react(channel_of(core), first, "U1", "+1")
    core.react(channel_of(core), second, "U2", "-1")
    assert core.profile_for(channel_of(core)).opinions == 3  # the liked paper and two reactions
    assert "1 👍 and 1 👎 so far" in run(core, "topics")[1]

    clock.advance(timedelta(minutes=5))
    ok, text = run(core, "forget")
    assert ok and "Forgot what 2 reactions taught me" in text
    channel = channel_of(core)
    assert channel.settings.learn_since == clock.now()
    profile = core.profile_for(channel)
    assert profile.opinions == 1 and [liked[0] for liked in profile.liked] == ["2606.00003"]
    assert profile.phrases == ["robot manipulation"]
    assert "so far" not in run(core, "topics")[1]  # no reaction counts since the forget
    assert "1 👍, 1 👎" in run(core, "stats")[1]  # the reactions themselves are kept

    clock.advance(timedelta(minutes=5))
    core.react(channel, second, "U2", "-1", added=False)  # changed after the forget: counts
    core.react(channel, second, "U2", "+1")
    assert core.profile_for(channel_of(core)).opinions == 2
    ok, text = run(core, "topics")
    assert (
        "1 👍 and 0 👎 so far" in text
        and f"since `/papers forget` on {clock.now():%Y-%m-%d}" in text
    )


def test_a_paper_the_channel_liked_is_not_posted_to_it(core: PaperBot, chat: RecordingChat) -> None:
    run(core, "subscribe robot manipulation")
    run(core, "like 2606.00002")  # a new paper they already know
    run(core, "now")
    posted = [paper_id for _, paper_id, _ in chat.posts]
    assert posted and "2606.00002" not in posted and "2606.00001" in posted


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("schedule 09:00 utc", ("09:00", "UTC", None)),
        ("schedule 09:00 europe/berlin", ("09:00", "Europe/Berlin", None)),
        ("schedule 9am Europe/Berlin weekdays", ("09:00", "Europe/Berlin", None)),
        ("schedule 0 9 * * mon-fri Europe/Berlin", ("00:00", "Europe/Berlin", "0 9 * * mon-fri")),
    ],
)
def test_schedule_takes_what_the_cli_takes(
    core: PaperBot, text: str, expected: tuple[str, str, str | None]
) -> None:
    ok, reply = run(core, text)
    assert ok, reply
    s = channel_of(core).settings.schedule
    assert (s.time, s.timezone, s.cron) == expected


def test_schedule_abbreviation_is_named_in_the_reply(core: PaperBot) -> None:
    ok, reply = run(core, "schedule 09:00 CET mon,thu")
    assert ok and "09:00 Europe/Berlin, mon,thu" in reply
    assert "Note: CET taken as Europe/Berlin" in reply


def test_cron_schedule_shows_in_topics_and_reply(core: PaperBot) -> None:
    ok, reply = run(core, "schedule 30 7 * * 1,3 America/New_York")
    assert ok and "cron line 30 7 * * mon,wed (America/New_York)" in reply
    assert "Schedule: cron 30 7 * * mon,wed America/New_York" in run(core, "topics")[1]
    ok, reply = run(core, "schedule 0 9 * * mon-fri UTC extra")
    assert not ok and "not a cron line" in reply
    assert run(core, "schedule 08:00")[0]  # back from cron: weekdays again, the zone kept
    s = channel_of(core).settings.schedule
    assert (s.cron, s.time, s.timezone, s.days) == (None, "08:00", "America/New_York", WEEKDAYS)


def test_size_range_is_the_core_one(core: PaperBot) -> None:
    from bot.limits import SIZE_MAX

    assert run(core, f"size {SIZE_MAX}")[0]
    ok, reply = run(core, f"size {SIZE_MAX + 1}")
    assert not ok and f"from 1 to {SIZE_MAX}" in reply


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("cat:CS.ro", "cs.RO"),
        ("cat:cond-mat.MES-HALL", "cond-mat.mes-hall"),
        ("cat:Q-BIO", "q-bio"),
    ],
)
def test_categories_are_written_as_arxiv_writes_them(
    core: PaperBot, typed: str, stored: str
) -> None:
    assert run(core, f"subscribe {typed}")[0]
    assert stored in [i.value for i in channel_of(core).interests]


def test_unknown_category_suggests_real_ones(core: PaperBot) -> None:
    ok, reply = run(core, "subscribe cat:cs.RB")
    assert not ok and "`cs.RB` is not an arXiv category. Did you mean `cs.RO`" in reply
    ok, reply = run(core, "subscribe cat:cs.ML")
    assert not ok and "Did you mean `stat.ML`" in reply
    assert channel_of(core).interests == ()
