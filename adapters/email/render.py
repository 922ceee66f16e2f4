"""Pure rendering: a digest -> one MIME email (plain-text and HTML parts, list headers).

Every value from a paper or a feed reaches the HTML through Jinja2's autoescape, and only
http(s) URLs become links. Nothing here does I/O or reads a clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from adapters.console.render import authors_line
from adapters.email.links import LinkSigner
from bot.content.links import paper_links
from bot.content.reasons import reason_lines
from bot.models import Channel, Digest, DigestItem

# Lines up to RFC 5322's 998 characters: a signed URL in List-Unsubscribe stays one plain word
# (the default 78 would make the email package encode it, and clients would not read it).
POLICY = SMTP.clone(max_line_length=998)
_ENV = Environment(
    loader=PackageLoader("adapters.email", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    keep_trailing_newline=True,
)


@dataclass(frozen=True, slots=True)
class PaperView:
    rank: int
    title: str
    url: str | None
    authors: str
    tldr: str
    why: tuple[str, ...]
    links: tuple[tuple[str, str], ...]
    up_url: str
    down_url: str


def item_message_id(digest: Digest, item: DigestItem) -> str:
    """The outbox message id of a paper in an email digest (what its 👍/👎 links name)."""
    return f"mail-{digest.id}-{item.rank}"


def message_id_header(channel: Channel, digest: Digest, sender: str) -> str:
    """The digest email's Message-ID: the same for every attempt, so a duplicate is visible."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "paperbot.invalid"
    return f"<paperbot.digest-{digest.id}.channel-{channel.id}@{domain}>"


def render_email(
    channel: Channel, digest: Digest, *, sender: str, links: LinkSigner
) -> EmailMessage:
    """The digest as one email to the channel's address, dated `links.now`."""
    address = channel.ref.channel
    papers = [_paper_view(channel, digest, item, links) for item in digest.items]
    unsubscribe = links.unsubscribe_url(channel)
    context = {
        "subject": _subject(digest, links.now),
        "heading": f"PaperBot: {_count(len(papers))} for {address}",
        "intro": f"{links.now:%a %d %b %Y} · picked from {digest.candidates} new papers",
        "papers": papers,
        "address": address,
        "unsubscribe_url": unsubscribe,
    }
    msg = EmailMessage(policy=POLICY)
    msg["Subject"] = context["subject"]
    msg["From"] = sender
    msg["To"] = Address(addr_spec=address)
    msg["Date"] = format_datetime(links.now)
    msg["Message-ID"] = message_id_header(channel, digest, sender)
    msg["List-Unsubscribe"] = f"<{unsubscribe}>, <{_mailto(sender, address)}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(_ENV.get_template("digest.txt.j2").render(context))
    msg.add_alternative(_ENV.get_template("digest.html.j2").render(context), subtype="html")
    return msg


def _paper_view(channel: Channel, digest: Digest, item: DigestItem, links: LinkSigner) -> PaperView:
    paper = item.paper
    all_links = [(label, url) for label, url in paper_links(paper) if _web_url(url)]
    url = paper.abs_url if paper.abs_url and _web_url(paper.abs_url) else None
    message_id = item_message_id(digest, item)
    return PaperView(
        rank=item.rank,
        title=paper.title,
        url=url,
        authors=authors_line(paper),
        tldr=item.tldr,
        why=tuple(reason_lines(item.reasons, paper)),
        links=tuple((label, u) for label, u in all_links if u != url),
        up_url=links.vote_url(channel, message_id, "up"),
        down_url=links.vote_url(channel, message_id, "down"),
    )


def _web_url(url: str) -> bool:
    return url.startswith(("https://", "http://")) and not any(c.isspace() for c in url)


def _subject(digest: Digest, now: datetime) -> str:
    return f"PaperBot digest · {now:%a %d %b} · {_count(len(digest.items))}"


def _count(n: int) -> str:
    return f"{n} paper" + ("" if n == 1 else "s")


def _mailto(sender: str, address: str) -> str:
    return f"mailto:{parseaddr(sender)[1]}?subject={quote('unsubscribe ' + address)}"


def render_notice(channel: Channel, text: str, *, sender: str, links: LinkSigner) -> EmailMessage:
    """A short plain-text email (an empty day, a paused channel), with the unsubscribe link."""
    unsubscribe = links.unsubscribe_url(channel)
    msg = EmailMessage(policy=POLICY)
    msg["Subject"] = f"PaperBot · {links.now:%a %d %b}"
    msg["From"] = sender
    msg["To"] = Address(addr_spec=channel.ref.channel)
    msg["Date"] = format_datetime(links.now)
    msg["List-Unsubscribe"] = f"<{unsubscribe}>, <{_mailto(sender, channel.ref.channel)}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(f"{text}\n\n--\nUnsubscribe: {unsubscribe}\n")
    return msg
