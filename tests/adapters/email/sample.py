"""An email channel, a digest with hostile papers, and an HTML reader for the tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser

from adapters.email.links import LinkSigner
from bot.models import (
    EMAIL_WORKSPACE,
    Channel,
    ChannelRef,
    Digest,
    DigestItem,
    Platform,
    Reason,
    ReasonKind,
)
from tests.conftest import make_paper

NOW = datetime(2026, 6, 30, 9, 0, tzinfo=UTC)
PUBLIC = "https://paperbot.lab.org"
SENDER = "PaperBot <paperbot@lab.org>"
KEY = b"test-link-key-0123456789abcdef"
# Each would be markup, a live link or a script in an HTML email if pasted in as it is.
HOSTILE_TITLES = (
    "<script>window.__pwned = 1</script>Robot grasping",
    '"><img src=x onerror="window.__pwned=2">Tactile sensing',
    '<a href="https://evil.example/phish">Click to verify your account</a>',
    "A & B <b>bold</b> &amp; entities &lt;x&gt;",
)


def email_channel(channel_id: int = 3, address: str = "reading-group@lab.org") -> Channel:
    return Channel(channel_id, ChannelRef(Platform.EMAIL, EMAIL_WORKSPACE, address), address)


def hostile_digest(digest_id: int = 11) -> Digest:
    items = []
    for rank, title in enumerate(HOSTILE_TITLES, start=1):
        paper = make_paper(
            f"2606.0000{rank}",
            title,
            authors=("Ada <b>Lovelace</b>", "Alan Turing"),
            url="javascript:alert(1)" if rank == 2 else None,
        )
        reason = Reason(ReasonKind.TOPIC, "matches 'robot'", 1.0, "robot")
        tldr = "We <i>propose</i> <script>x()</script> a method."
        items.append(DigestItem(paper, rank, 1.0 - rank / 10, (reason,), tldr))
    return Digest(3, "2026-06-30", tuple(items), candidates=40, id=digest_id, created_at=NOW)


def signer(now: datetime = NOW) -> LinkSigner:
    return LinkSigner(KEY, PUBLIC, now)


@dataclass
class Anchors(HTMLParser):
    """Every <a>: its class, href and text; and every tag name seen."""

    links: list[tuple[str, str, str]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    _open: list[tuple[str, str]] = field(default_factory=list)
    _text: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "a":
            found = dict(attrs)
            self._open.append((found.get("class") or "", found.get("href") or ""))
            self._text = []

    def handle_data(self, data: str) -> None:
        self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open:
            cls, href = self._open.pop()
            self.links.append((cls, href, "".join(self._text).strip()))


def read_html(html: str) -> Anchors:
    parser = Anchors()
    parser.feed(html)
    return parser


def parts(message: object) -> tuple[str, str]:
    """The (plain text, HTML) bodies of a digest email."""
    from email.message import EmailMessage

    assert isinstance(message, EmailMessage)
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    crlf = "\r\n"  # on the wire lines end in CRLF; compare the text
    return (
        str(text.get_content()).replace(crlf, "\n"),
        str(html.get_content()).replace(crlf, "\n"),
    )
