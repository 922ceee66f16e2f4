"""Who may change a channel: the declared access of every subcommand, the policy, and the
command layer's gate (platform-neutral: the adapters only say whether the caller is an admin)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest

from bot.clock import FixedClock
from bot.commands.permissions import Access, Caller, ChannelAccess, Policy, decide
from bot.commands.specs import SPECS, access_of
from bot.config import Settings
from bot.errors import ConfigError, PermissionUnknown
from bot.models import (
    Channel,
    ChannelRef,
    ChannelSettings,
    CommandRequest,
    Interest,
    InterestKind,
    Platform,
)
from bot.service import PaperBot
from storage.store import SqlStore
from tests.conftest import make_paper
from tests.fakes import RecordingChat
from tests.markup import marked

REF = ChannelRef(Platform.SLACK, "T1", "C1")
FOUNDER, MANAGER, MEMBER, ADMIN = "U0FOUND", "U0MANAGE", "U0MEMBER", "U0ADMIN"
PAPER = "2606.00001"
SETTINGS_COMMANDS = {
    "subscribe": "subscribe cat:cs.RO",
    "unsubscribe": "unsubscribe robot manipulation",
    "exclude": "exclude survey",
    "include": "include survey",
    "like": f"like {PAPER}",
    "unlike": f"unlike {PAPER}",
    "forget": "forget",
    "schedule": "schedule 07:00 Europe/Berlin daily",
    "size": "size 2",
    "threshold": "threshold high",
    "set": "set threads on",
    "pause": "pause",
    "resume": "resume",
    "now": "now",
}
READ_COMMANDS = ("help", "topics", "search robot", "why 2606.00001", "stats", "history", "set")


def never() -> bool:
    raise AssertionError("the admin check must not run here")


# ------------------------------------------------------------------ declarations
def test_every_subcommand_declares_who_may_run_it() -> None:
    settings = {n for n in SPECS if access_of(n, ["a", "b"]) is Access.SETTINGS}
    assert settings == set(SETTINGS_COMMANDS)
    opened = {n for n, spec in SPECS.items() if spec.access is Access.OPEN}
    assert opened == {"help", "topics", "search", "why", "stats", "history"}
    # `set` and `managers` only show with no (or one) argument: open to everyone
    assert access_of("set", []) is access_of("set", ["authors"]) is Access.OPEN
    assert access_of("set", ["authors", "off"]) is Access.SETTINGS
    assert access_of("managers", []) is access_of("managers", ["list"]) is Access.OPEN
    assert access_of("managers", ["add", "U1"]) is Access.OWNERS
    assert access_of("no-such-command", ["x"]) is Access.OPEN


def test_settings_admins_parses_and_rejects_nonsense() -> None:
    assert Policy.parse("admins") == Policy() == Policy.parse("")
    assert Policy.parse("anyone") == Policy(anyone=True) == Policy.parse(" Anyone ")
    assert Policy.parse("U0ADA, 123456789012345678,admins").listed == {
        "U0ADA",
        "123456789012345678",
    }
    with pytest.raises(ConfigError, match="SETTINGS_ADMINS"):
        Policy.parse("anyone,U0ADA")
    with pytest.raises(ConfigError, match="'@ada' is not a user id"):
        Policy.parse("@ada")
    settings = Settings(_env_file=None, settings_admins="U0ADA")  # type: ignore[call-arg]
    assert settings.settings_policy.listed == {"U0ADA"}
    assert Settings(_env_file=None).settings_policy == Policy()  # type: ignore[call-arg]


# ---------------------------------------------------------------------- policy
def channel_access(
    set_up_by: str | None = FOUNDER, configured: bool = True, managers: set[str] | None = None
) -> ChannelAccess:
    return ChannelAccess(set_up_by, configured, lambda: frozenset(managers or {MANAGER}))


def caller(user: str, is_admin: Callable[[], bool] = never, operator: bool = False) -> Caller:
    return Caller(user, is_admin, operator)


@pytest.mark.parametrize(
    ("who", "access", "allowed", "because"),
    [
        (caller(MEMBER), Access.OPEN, True, "open"),
        (caller("cli", operator=True), Access.OWNERS, True, "operator"),
        (caller(FOUNDER), Access.OWNERS, True, "set-up"),
        (caller(MANAGER), Access.SETTINGS, True, "manager"),
        (caller(MANAGER, lambda: False), Access.OWNERS, False, "refused"),
        (caller(MEMBER, lambda: True), Access.OWNERS, True, "admin"),
        (caller(MEMBER, lambda: False), Access.SETTINGS, False, "refused"),
    ],
)
def test_decide_checks_cheap_rules_before_asking_the_platform(
    who: Caller, access: Access, allowed: bool, because: str
) -> None:
    decision = decide(access, Policy(), who, channel_access())
    assert (decision.allowed, decision.because, decision.claim) == (allowed, because, False)


def test_a_fresh_channel_is_set_up_by_whoever_first_changes_it() -> None:
    fresh = channel_access(set_up_by=None, configured=False)
    decision = decide(Access.SETTINGS, Policy(), caller(MEMBER), fresh)
    assert decision.allowed and decision.records_set_up and decision.because == "first"
    # a configured channel nobody is recorded for (set up from the CLI, or before 0009) is not
    legacy = channel_access(set_up_by=None, configured=True)
    assert not decide(Access.SETTINGS, Policy(), caller(MEMBER, lambda: False), legacy).allowed


def test_anyone_and_listed_ids_need_no_admin_check() -> None:
    anyone = decide(Access.OWNERS, Policy(anyone=True), caller(MEMBER), channel_access())
    listed = decide(
        Access.OWNERS, Policy(listed=frozenset({MEMBER})), caller(MEMBER), channel_access()
    )
    assert anyone.allowed and listed.allowed


# --------------------------------------------------------------- command layer
@pytest.fixture
def core(sqlite_store: SqlStore, clock: FixedClock, settings: Settings) -> Iterator[PaperBot]:
    sqlite_store.upsert_papers(
        [make_paper(PAPER, "Robot manipulation with diffusion", categories=("cs.RO",))],
        clock.now(),
    )
    yield PaperBot(sqlite_store, clock, settings, {Platform.SLACK: RecordingChat(Platform.SLACK)})


def configured(core: PaperBot, set_up_by: str | None = FOUNDER) -> Channel:
    """A channel that follows a topic, excludes a keyword, likes a paper and has a manager."""
    store, now = core.store, core.clock.now()
    channel = store.add_channel(
        REF,
        "papers",
        ChannelSettings(size=3, paused=False),
        [
            Interest(InterestKind.TOPIC, "robot manipulation"),
            Interest(InterestKind.EXCLUDE, "survey"),
            Interest(InterestKind.SEED, PAPER),
        ],
        now=now,
    )
    if set_up_by:
        store.claim_channel(channel.id, set_up_by)
    store.add_manager(channel.id, MANAGER, added_by=ADMIN, now=now)
    return store.get_channel(channel.id)


def ask(
    core: PaperBot, text: str, user: str = MEMBER, admin: bool | Callable[[], bool] | None = False
) -> tuple[bool, str]:
    reply = core.on_command(
        CommandRequest(Platform.SLACK, "T1", "C1", user, text, "papers", None, admin)
    )
    return reply.ok, marked(reply.body)


def snapshot(core: PaperBot, channel: Channel) -> tuple[object, ...]:
    store = core.store
    return (
        store.get_channel(channel.id),
        store.channel_managers(channel.id),
        store.recent_digests(channel.id),
    )


@pytest.mark.parametrize("name", sorted(SETTINGS_COMMANDS))
def test_a_refused_command_changes_nothing_and_says_who_may(core: PaperBot, name: str) -> None:
    channel = configured(core)
    before = snapshot(core, channel)
    ok, text = ask(core, SETTINGS_COMMANDS[name])
    assert not ok
    assert text == (
        f"Only workspace admins, <@{FOUNDER}> (who set it up) and this channel's managers can "
        "change its settings. Ask one of them, or an admin can run `/papers managers add @you`."
    )
    assert snapshot(core, channel) == before
    chat = core.adapters[Platform.SLACK]
    assert isinstance(chat, RecordingChat) and chat.posts == [] and chat.headers == []


@pytest.mark.parametrize("user", [FOUNDER, MANAGER, ADMIN])
def test_who_set_it_up_its_managers_and_admins_may_change_it(core: PaperBot, user: str) -> None:
    configured(core)
    assert ask(core, "size 2", user, admin=user == ADMIN) == (
        True,
        "Digests here will show at most 2 papers.",
    )


def test_reading_is_open_and_never_asks_the_platform(core: PaperBot) -> None:
    channel = configured(core)
    before = snapshot(core, channel)
    for text in (*READ_COMMANDS, "managers", "managers list"):
        ok, reply = ask(core, text, admin=never)
        assert ok, (text, reply)
    assert snapshot(core, channel) == before


def test_the_admin_check_runs_only_when_nothing_cheaper_decides(core: PaperBot) -> None:
    configured(core)
    assert ask(core, "pause", MANAGER, admin=never)[0]
    assert ask(core, "resume", FOUNDER, admin=never)[0]
    calls: list[str] = []

    def check() -> bool:
        calls.append("users.info")
        return True

    assert ask(core, "size 4", ADMIN, admin=check)[0] and calls == ["users.info"]


def test_when_the_platform_cannot_say_the_command_is_refused_with_its_fix(core: PaperBot) -> None:
    channel = configured(core)
    before = snapshot(core, channel)

    def broken() -> bool:
        raise PermissionUnknown("PaperBot's Slack app lacks the `users:read` scope.")

    ok, text = ask(core, "pause", ADMIN, admin=broken)
    assert not ok
    assert text == (
        "I could not check whether you may change this channel, so I changed nothing. "
        "PaperBot's Slack app lacks the `users:read` scope."
    )
    assert snapshot(core, channel) == before


def test_the_first_successful_change_records_who_set_the_channel_up(core: PaperBot) -> None:
    assert ask(core, "help")[0]  # reading creates the channel but sets nobody up
    assert ask(core, "subscribe")[0] is False  # a failed change sets nobody up either
    channel = core.store.find_channel(REF)
    assert channel is not None and channel.set_up_by is None
    assert ask(core, "subscribe robot manipulation", MEMBER)[0]
    assert core.store.get_channel(channel.id).set_up_by == MEMBER
    assert ask(core, "subscribe cat:cs.RO", "U0OTHER")[0] is False
    assert ask(core, "managers add U0OTHER", MEMBER)[0]  # who set it up adds managers
    assert ask(core, "subscribe cat:cs.RO", "U0OTHER")[0]
    assert ask(core, "managers add U0THIRD", "U0OTHER")[0] is False  # a manager cannot


def test_operator_and_settings_admins_modes(core: PaperBot, settings: Settings) -> None:
    channel = configured(core)
    cli = CommandRequest(Platform.SLACK, "T1", "C1", "cli", "pause", operator=True)
    assert core.on_command(cli).ok
    assert core.store.get_channel(channel.id).set_up_by == FOUNDER  # the CLI is nobody's founder
    core.settings = replace_settings(settings, settings_admins=MEMBER)
    assert ask(core, "resume", MEMBER, admin=never)[0]
    assert not ask(core, "resume", "U0OTHER")[0]
    core.settings = replace_settings(settings, settings_admins="anyone")
    assert ask(core, "managers add U0OTHER", "U0OTHER", admin=never)[0]
    assert "Everyone here" in ask(core, "managers")[1]


def replace_settings(settings: Settings, **changes: object) -> Settings:
    return settings.model_copy(update=changes)


def test_managers_add_list_and_remove(core: PaperBot) -> None:
    channel = configured(core, set_up_by=None)
    listing = ask(core, "managers")[1]
    assert listing.splitlines() == [
        "*Who may change #papers*",
        "• Workspace admins",
        f"• Managers: <@{MANAGER}>",
        "Admins and whoever set it up add managers with `/papers managers add @member`.",
    ]
    assert ask(core, "managers add <@U0NEW>", ADMIN, admin=True) == (
        True,
        "<@U0NEW> now manages this channel: they can change its topics, schedule and options "
        "(`/papers help`).",
    )
    assert ask(core, "managers add U0NEW", ADMIN, admin=True) == (
        True,
        "<@U0NEW> already manages this channel.",
    )
    ok, text = ask(core, "managers add @ada", ADMIN, admin=True)
    assert not ok and "is a name, not a member" in text and "Copy member ID" in text
    ok, text = ask(core, "managers remove U0NOBODY", ADMIN, admin=True)
    assert not ok and f"Managers: <@{MANAGER}>, <@U0NEW>" in text
    assert ask(core, f"managers remove <@{MANAGER}>", ADMIN, admin=True)[0]
    assert core.store.channel_managers(channel.id) == ["U0NEW"]
    discord = CommandRequest(
        Platform.DISCORD, "G1", "D1", "501", "managers add 123456789012345678", "x", None, True
    )
    assert marked(core.on_command(discord).body).startswith("<@123456789012345678> now manages")
    refused = replace(discord, caller_admin=False, user_id="502", text="pause")
    assert marked(core.on_command(refused).body).startswith(
        "Only members with Manage Channels, <@501>"
    )
