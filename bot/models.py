"""Domain types that cross every boundary: small, frozen, free of ORM and SDK types."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from bot.rich import Rich


class Platform(StrEnum):
    CONSOLE = "console"
    SLACK = "slack"
    DISCORD = "discord"
    EMAIL = "email"


# What one stored Paper may hold: the database columns' limits. Every source's records are
# brought within them (`bot/sources/validate.py`) before they reach the store.
MAX_PAPER_ID = 200  # characters (VARCHAR(200))
MAX_DOI = 300
MAX_CATEGORY = 64  # one category / primary category
MAX_COUNT = 2**31 - 1  # upvotes, stars, comments, version: 32-bit INTEGER columns
MAX_TITLE = 1_000
MAX_ABSTRACT = 20_000
MAX_AUTHORS = 1_000  # longer lists are cut (collaborations list thousands)
MAX_AUTHOR_NAME = 200
MAX_CATEGORIES = 30
MAX_KEYWORDS = 30
MAX_SHORT_FIELD = 2_000  # comments, journal references, summaries, URLs


@dataclass(frozen=True, slots=True)
class Paper:
    """One work, whatever the number of sources and versions it arrived through.

    `id` is the arXiv id without version (`2503.12461`, `hep-th/9901001`) when there is one,
    else a prefixed DOI or feed guid (`doi:10.1101/...`, `guid:...`). Fields stay within the
    MAX_* bounds above once a source has validated them.
    """

    id: str
    title: str
    abstract: str = ""
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    primary_category: str | None = None
    published: date | None = None  # first version / first publication
    updated: date | None = None  # latest version seen
    version: int | None = None
    url: str | None = None  # abstract / landing page
    pdf_url: str | None = None
    doi: str | None = None
    sources: tuple[str, ...] = ()  # "arxiv", "arxiv-api", "hf", "rss:<name>", "file", "sample"
    announce_type: str | None = None  # arXiv feed: new, cross, replace, replace-cross
    comments: str | None = None
    journal_ref: str | None = None
    upvotes: int | None = None  # HF Daily Papers
    ai_summary: str | None = None  # HF one-line summary
    keywords: tuple[str, ...] = ()
    code_url: str | None = None
    code_stars: int | None = None
    project_url: str | None = None
    hf_url: str | None = None
    hf_comments: int | None = None  # HF Daily Papers discussion size

    @property
    def is_arxiv(self) -> bool:
        return not (self.id.startswith("doi:") or self.id.startswith("guid:"))

    @property
    def abs_url(self) -> str | None:
        if self.url:
            return self.url
        return f"https://arxiv.org/abs/{self.id}" if self.is_arxiv else None

    @property
    def text(self) -> str:
        return f"{self.title}. {self.abstract}"


class InterestKind(StrEnum):
    TOPIC = "topic"  # a typed phrase
    CATEGORY = "category"  # an arXiv category (cs.RO) or archive (q-bio)
    AUTHOR = "author"  # a followed author
    EXCLUDE = "exclude"  # a keyword that removes a paper
    SEED = "seed"  # a paper id the channel liked on purpose (`like <id>`)


@dataclass(frozen=True, slots=True)
class Interest:
    kind: InterestKind
    value: str


class Threshold(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


WEEKDAYS: tuple[int, ...] = (0, 1, 2, 3, 4)
ALL_DAYS: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)


@dataclass(frozen=True, slots=True)
class Schedule:
    """When a channel gets its digest: local time, IANA timezone, weekdays (0 = Monday);
    or a 5-field cron line (`0 9 * * mon-fri`, in `timezone`), which then replaces time/days."""

    time: str = "09:00"
    timezone: str = "UTC"
    days: tuple[int, ...] = WEEKDAYS
    cron: str | None = None


@dataclass(frozen=True, slots=True)
class ChannelSettings:
    size: int = 5
    threshold: Threshold = Threshold.MEDIUM
    schedule: Schedule = field(default_factory=Schedule)
    paused: bool = False
    paused_reason: str | None = None
    announce_empty: bool = False  # post a short "no new papers today" line
    thread_mode: bool = False  # papers as replies under the header (Slack)
    follow_authors: bool = True
    learn_since: datetime | None = None  # reactions before this are forgotten (`/papers forget`)


EMAIL_WORKSPACE = "mail"  # the one workspace of email channels


@dataclass(frozen=True, slots=True)
class ChannelRef:
    """Where a channel lives: platform, workspace (Slack team / Discord guild), channel id.
    An email channel is (EMAIL, EMAIL_WORKSPACE, the address): `email:reading-group@lab.org`."""

    platform: Platform
    workspace: str
    channel: str

    def __str__(self) -> str:
        if self.platform is Platform.CONSOLE:
            return f"console:{self.channel}"
        if self.platform is Platform.EMAIL:
            return f"email:{self.channel}"
        return f"{self.platform.value}:{self.workspace}:{self.channel}"


@dataclass(frozen=True, slots=True)
class Channel:
    id: int
    ref: ChannelRef
    name: str
    settings: ChannelSettings = field(default_factory=ChannelSettings)
    interests: tuple[Interest, ...] = ()
    created_at: datetime | None = None
    next_run_at: datetime | None = None
    last_digest_at: datetime | None = None
    watermark: datetime | None = None  # papers first seen after this are new for the channel
    retry_at: datetime | None = None  # an unfinished digest is retried at this time
    set_up_by: str | None = None  # user id of who first configured it from chat
    lease_token: str | None = None  # set by a worker's claim; new on every claim

    def interest_values(self, kind: InterestKind) -> tuple[str, ...]:
        return tuple(i.value for i in self.interests if i.kind is kind)


@dataclass(frozen=True, slots=True)
class Lease:
    """A worker's claim on a channel. Outbox writes made under it are applied only while the
    channel is still claimed by `worker` with this `token` (a new token on every claim), so a
    worker whose claim expired and was taken over can never overwrite the new owner's rows."""

    channel_id: int
    worker: str
    token: str


@dataclass(frozen=True, slots=True)
class Release:
    """A claimed channel given back: its next run and retry times, under the claim `token`
    (None: whatever this worker's claim)."""

    channel_id: int
    next_run_at: datetime | None
    retry_at: datetime | None
    token: str | None = None


class ReasonKind(StrEnum):
    TOPIC = "topic"  # matched a typed phrase
    CATEGORY = "category"  # in a subscribed category
    AUTHOR = "author"  # a followed author
    SIMILAR = "similar"  # similar to a paper the channel liked
    LEARNED = "learned"  # learned affinity (category/words) from reactions
    TRENDING = "trending"  # HF upvotes
    NEW_VERSION = "new_version"  # a new version of a paper the channel liked


@dataclass(frozen=True, slots=True)
class Reason:
    """Structured evidence for a pick; `text` is what a person reads."""

    kind: ReasonKind
    text: str
    weight: float = 0.0
    ref: str | None = None  # the phrase, category, author or paper id behind it


@dataclass(frozen=True, slots=True)
class ScoredPaper:
    paper: Paper
    score: float
    reasons: tuple[Reason, ...] = ()


class ItemStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # a post was attempted; the outcome is unknown until recorded
    POSTED = "posted"
    FAILED = "failed"


class MarkKind(StrEnum):
    HEADER = "header"  # the digest's header (or empty-day notice) is out: its message id
    SENDING = "sending"  # an item is about to be posted (only from pending or failed)
    POSTED = "posted"  # an item is out: its message id
    COMPLETE = "complete"  # the digest is done


@dataclass(frozen=True, slots=True)
class PendingVote:
    """A vote reaction (👍/👎 under a posted paper) not added yet, kept in the store while it
    waits: past the lane's in-memory cap, or when the worker stops before adding it."""

    channel_id: int
    message_id: str
    emoji: str
    tries: int = 0


@dataclass(frozen=True, slots=True)
class OutboxMark:
    """One outbox write of a delivery, as `OutboxStore.apply_marks` takes several in one
    transaction; each means what the store method of the same name writes."""

    kind: MarkKind
    paper_id: str = ""  # SENDING, POSTED
    message_id: str = ""  # HEADER, POSTED
    at: datetime | None = None  # POSTED, COMPLETE

    @classmethod
    def header(cls, message_id: str) -> OutboxMark:
        return cls(MarkKind.HEADER, message_id=message_id)

    @classmethod
    def sending(cls, paper_id: str) -> OutboxMark:
        return cls(MarkKind.SENDING, paper_id=paper_id)

    @classmethod
    def posted(cls, paper_id: str, message_id: str, at: datetime) -> OutboxMark:
        return cls(MarkKind.POSTED, paper_id=paper_id, message_id=message_id, at=at)

    @classmethod
    def complete(cls, at: datetime) -> OutboxMark:
        return cls(MarkKind.COMPLETE, at=at)


@dataclass(frozen=True, slots=True)
class DigestRequest:
    """One digest to record, as `OutboxStore.create_digest` takes it (for `create_digests`)."""

    channel_id: int
    run_key: str
    picks: tuple[tuple[ScoredPaper, str], ...]
    candidates: int
    now: datetime
    watermark: datetime | None


@dataclass(frozen=True, slots=True)
class MarkRequest:
    """One delivery's marks for `OutboxStore.apply_marks_many`: what `apply_marks` takes."""

    digest_id: int
    marks: tuple[OutboxMark, ...]
    lease: Lease | None = None


@dataclass(frozen=True, slots=True)
class DigestItem:
    paper: Paper
    rank: int
    score: float
    reasons: tuple[Reason, ...] = ()
    tldr: str = ""
    status: ItemStatus = ItemStatus.PENDING
    message_id: str | None = None
    attempts: int = 0


@dataclass(frozen=True, slots=True)
class Digest:
    channel_id: int
    run_key: str  # "2026-11-27" for a scheduled run, "now-<ts>" for one asked for
    items: tuple[DigestItem, ...]
    candidates: int = 0  # how many new papers it was picked from
    id: int | None = None
    created_at: datetime | None = None
    header_message_id: str | None = None


@dataclass(frozen=True, slots=True)
class PostedDigest:
    """One digest as its outcome is counted: when it was made and the papers it posted."""

    digest_id: int
    run_key: str
    created_at: datetime
    paper_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PostReceipt:
    """What an adapter reports back: message id per posted paper, errors per failed paper."""

    header_message_id: str | None = None
    message_ids: dict[str, str] = field(default_factory=dict)  # paper_id -> message id
    failures: dict[str, str] = field(default_factory=dict)  # paper_id -> reason


@dataclass(frozen=True, slots=True)
class ReactionEvent:
    """A reaction added to or removed from a message, as the platform reported it."""

    platform: Platform
    workspace: str
    channel: str
    message_id: str
    user_id: str
    emoji: str
    added: bool
    event_id: str | None = None
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Feedback:
    """One person's current opinion of one paper in one channel (+1 or -1)."""

    channel_id: int
    paper_id: str
    user_id: str
    value: int
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class IngestReport:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: tuple[tuple[str, str], ...] = ()  # (where, reason)

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged + len(self.rejected)


@dataclass(frozen=True, slots=True)
class CachedSummary:
    """A generated TL;DR kept per (paper, model); `source_hash` ties it to the text it read."""

    paper_id: str
    model: str
    text: str
    source_hash: str = ""
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Upload:
    """A file a person attached to a command (`/papers import`): its name and its bytes."""

    name: str
    data: bytes


@dataclass(frozen=True, slots=True)
class CommandRequest:
    """A `/papers ...` command as any platform delivers it: `text` is everything after `/papers`."""

    platform: Platform
    workspace: str
    channel: str
    user_id: str
    text: str
    channel_name: str | None = None
    user_name: str | None = None
    # Whether the caller is a workspace / server admin: a bool when the payload says so
    # (Discord's member.permissions), a check run only when a command needs it (Slack's
    # users.info; it may raise PermissionUnknown), None when the platform says nothing.
    caller_admin: bool | Callable[[], bool] | None = field(default=None, compare=False)
    operator: bool = False  # the CLI (`paperbot command`): the operator may change anything
    # The file attached to the command (`/papers import`): Discord's attachment option, or a
    # look-up of the caller's latest file share on Slack, run only once the command is allowed
    # (it may raise CommandError: no file, too big). None when the platform sent none.
    upload: Upload | Callable[[], Upload | None] | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Reply:
    """The answer to a command, as neutral rich text (`bot.rich`: plain, bold, code and link
    spans, "• " bullet lines): each adapter renders it in its dialect and escapes what people
    typed or feeds sent, so it never becomes a link or a mention. Ephemeral replies are shown
    only to the caller."""

    body: Rich
    ephemeral: bool = True
    ok: bool = True

    @property
    def text(self) -> str:
        """The reply as plain text (links as `label (url)`)."""
        return self.body.plain


@dataclass(frozen=True, slots=True)
class InstallationRecord:
    """One workspace's install of the app (multi-workspace OAuth), as the store keeps it.

    `data` is the platform SDK's own JSON for the install (it holds the bot token): the core
    never reads it, only the adapter that wrote it does.
    """

    platform: Platform
    enterprise_id: str | None
    workspace: str | None  # Slack team id; None for an org-wide (Enterprise Grid) install
    user_id: str | None  # who installed it
    data: str
    installed_at: datetime


@dataclass(frozen=True, slots=True)
class PlanInputs:
    """What planning a channel's digest reads from the store, read together: the papers first
    seen after a time (`papers_seen_since`), the papers ever put in the channel's digests
    (`posted_paper_ids`) and its current opinions (`feedback`)."""

    papers: list[Paper]
    posted: frozenset[str]
    feedback: tuple[Feedback, ...]
