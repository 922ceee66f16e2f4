"""A channel with five days of digests and reactions, for the channel page tests and screenshot.

Each day new papers arrive, the channel's digest posts them (through a recording chat), and
two people react: robot papers get 👍, speech papers 👎, more of each as days go by."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bot.clock import FixedClock
from bot.config import Settings
from bot.models import Channel, ChannelRef, CommandRequest, Paper, Platform
from bot.ports import Store
from bot.service import PaperBot
from tests.conftest import make_paper
from tests.fakes import RecordingChat

START = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
DAYS = 5
HOSTILE = '<script>alert("x")</script> & <b>bold</b>'
REF = ChannelRef(Platform.SLACK, "T1", "C1")


@dataclass
class Seeded:
    core: PaperBot
    channel: Channel
    clock: FixedClock
    chat: RecordingChat


def command(core: PaperBot, text: str, user: str = "U1") -> str:
    reply = core.on_command(
        CommandRequest(Platform.SLACK, "T1", "C1", user, text, channel_name="robots")
    )
    assert reply.ok, reply.text
    return reply.text


ROBOT = (
    "Diffusion policies for dexterous robot manipulation",
    "Tactile feedback improves robot grasping of deformable objects",
    "Language-conditioned robot manipulation from few demonstrations",
    "Sim-to-real transfer of bimanual manipulation skills",
    "Learning contact-rich assembly with visuo-tactile policies",
)
SPEECH = (
    "Speech recognition for low-resource languages",
    "Streaming speech translation with monotonic attention",
)
HOSTILE_EXCLUDE = "<img src=x onerror=alert(1)>"


def _papers(day: int) -> list[Paper]:
    published = date(2026, 6, 1) + timedelta(days=day)
    robot = [
        make_paper(
            f"2606.{day}{n:04d}",
            f"{ROBOT[(day + n) % len(ROBOT)]} ({day + 1}.{n})",
            f"We study {ROBOT[(day + n) % len(ROBOT)].lower()} on real robots.",
            categories=("cs.RO",),
            primary_category="cs.RO",
            authors=("Ada Lovelace", ("Grace Hopper", "Katherine Johnson", "Edsger Dijkstra")[n]),
            published=published,
        )
        for n in range(3)
    ]
    speech = [
        make_paper(
            f"2606.{day}{n:04d}",
            f"{SPEECH[n - 3]} ({day + 1})",
            f"We study {SPEECH[n - 3].lower()} for robot manipulation assistants.",
            categories=("cs.CL",),
            primary_category="cs.CL",
            authors=("Alan Turing",),
            published=published,
        )
        for n in range(3, 5)
    ]
    return robot + speech


def seed_channel(store: Store, settings: Settings, *, hostile: bool = False) -> Seeded:
    """The channel `robots` (Slack T1/C1) after `DAYS` digests; `hostile` puts markup in a
    topic, an excluded keyword and a paper title."""
    clock = FixedClock(START)
    chat = RecordingChat(platform=Platform.SLACK)
    core = PaperBot(store, clock, settings, {Platform.SLACK: chat})
    command(core, "subscribe robot manipulation")
    command(core, "subscribe cat:cs.RO")
    command(core, 'subscribe author:"Ada Lovelace"')
    command(core, "exclude survey")
    command(core, "size 5")
    command(core, "threshold low")
    if hostile:
        command(core, f"subscribe {HOSTILE}")
        command(core, f"exclude {HOSTILE_EXCLUDE}")
    for day in range(DAYS):
        clock.set(START + timedelta(days=day))
        papers = _papers(day)
        if hostile and day == DAYS - 1:
            papers[0] = make_paper(
                papers[0].id, f"Robot manipulation {HOSTILE}", categories=("cs.RO",)
            )
        core.ingest(papers)
        clock.advance(timedelta(minutes=5))
        channel = store.find_channel(REF)
        assert channel is not None
        before = len(chat.posts)
        core.run_digest(channel)
        clock.advance(timedelta(hours=2))
        _react(core, channel, [pid for _, pid, _ in chat.posts[before:]], day)
    clock.advance(timedelta(hours=1))
    channel = store.find_channel(REF)
    assert channel is not None
    return Seeded(core, channel, clock, chat)


def _react(core: PaperBot, channel: Channel, today: list[str], day: int) -> None:
    """On day d, the first d+1 robot papers posted that day get 👍 from two people, and from
    day 2 on the speech papers get 👎 from one."""
    robot = [pid for pid in today if int(pid[-1]) < 3][: min(3, day + 1)]
    for pid in robot:
        core.react(channel, pid, "U1", "+1")
        core.react(channel, pid, "U2", "+1")
    if day >= 2:
        for pid in today:
            if int(pid[-1]) >= 3:
                core.react(channel, pid, "U3", "-1")
