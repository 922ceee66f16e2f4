"""Pure rendering for Slack: digests and command replies as Block Kit messages.

Every function returns the keyword arguments for `chat.postMessage` (or a `response_url`
reply) and stays inside Slack's limits for any input: at most 50 blocks per message, header
text at most 150 characters, section and context text at most 3000, links only for http(s)
URLs. Every message carries a plain-text `text` fallback and turns link unfurling off.

Text from people and feeds never becomes a link or a mention: `&`, `<`, `>` are escaped in
every text (so `<url|x>`, `<!channel>`, `<@U1>` stay text), every mrkdwn text object is
`verbatim` (Slack then neither auto-links URLs nor parses names in it), and a `scheme://` or
`@here` / `@channel` / `@everyone` in such text gets an invisible word joiner, so no client
auto-links or notifies from it either. Only the core's own links (`bot.rich` link spans, a
paper's pages) are `<url|label>` links.
"""

from __future__ import annotations

import contextlib
import functools
import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.content.links import paper_links
from bot.content.reasons import reason_lines
from bot.models import Channel, Digest, DigestItem, Paper, Reply
from bot.rich import Rich, Span, Style

MAX_BLOCKS = 50
MAX_HEADER = 150
MAX_SECTION = 3000
MAX_CONTEXT_ELEMENTS = 10
MAX_FALLBACK = 3000
MAX_URL = 1500
MAX_AUTHORS = 3
MAX_AUTHOR_NAME = 60
MAX_CATEGORIES = 4
MAX_REASONS = 2
ELLIPSIS = "…"

_URL_OK = re.compile(r"^https?://[^\s<>|\"]+$")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*:)(?=//)")
_MASS_MENTION = re.compile(r"@(?=(?:here|channel|everyone)\b)", re.IGNORECASE)
JOINER = "\u2060"  # WORD JOINER: invisible, and breaks a URL or a name where it sits
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,30}$")


def escape(text: str) -> str:
    """Text shown as it is: Slack's three control characters escaped (mrkdwn and plain text
    alike), and `scheme://` and @here/@channel/@everyone broken by an invisible joiner."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _SCHEME.sub(lambda m: m.group(1) + JOINER, text)
    return _MASS_MENTION.sub("@" + JOINER, text)


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, ending in an ellipsis when cut."""
    text = " ".join(text.split()) if "\n" not in text else text.strip()
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 1)].rstrip() + ELLIPSIS


def fit(text: str, limit: int) -> str:
    """Escape `text` so that the escaped result is at most `limit` characters."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    raw = text[:limit]
    while len(escape(raw)) + 1 > limit and raw:
        raw = raw[: max(0, len(raw) - (len(escape(raw)) + 1 - limit))]
    return escape(raw.rstrip()) + ELLIPSIS


def safe_url(url: str | None) -> str | None:
    """The URL when it can sit inside `<url|label>`: http(s), no spaces or `<>|`, not huge."""
    if not url:
        return None
    url = url.strip()
    if len(url) > MAX_URL or not _URL_OK.match(url):
        return None
    return url.replace("&", "&amp;")


def link(url: str | None, label: str, limit: int = 300) -> str:
    """A mrkdwn link, or just the escaped label when the URL is unusable."""
    text = fit(" ".join(label.split()).replace("|", "¦"), limit)
    good = safe_url(url)
    return f"<{good}|{text}>" if good else text


def authors_short(paper: Paper) -> str:
    """`Ada Lovelace, Alan Turing, Grace Hopper +4 more`, each name kept short."""
    names = [clip(n, MAX_AUTHOR_NAME) for n in paper.authors[:MAX_AUTHORS] if n.strip()]
    more = len(paper.authors) - len(names)
    return ", ".join(names) + (f" +{more} more" if more > 0 and names else "")


def day_label(channel: Channel, digest: Digest) -> str:
    """`Tue 27 Nov` in the channel's timezone (UTC when the zone is unknown)."""
    when = digest.created_at
    if when is None:
        return digest.run_key
    with contextlib.suppress(ZoneInfoNotFoundError, ValueError):
        when = when.astimezone(ZoneInfo(channel.settings.schedule.timezone))
    return when.strftime("%a %d %b")


def header_title(channel: Channel, digest: Digest) -> str:
    n = len(digest.items)
    noun = "paper" if n == 1 else "papers"
    return f"{n} {noun} for #{channel.name} · {day_label(channel, digest)} · from {digest.candidates} new"


def _mrkdwn(text: str) -> dict[str, Any]:
    """A mrkdwn text object; `verbatim` so Slack auto-links and parses nothing in it."""
    return {"type": "mrkdwn", "text": text[:MAX_SECTION], "verbatim": True}


def _section(mrkdwn: str) -> dict[str, Any]:
    return {"type": "section", "text": _mrkdwn(mrkdwn)}


def _context(*parts: str) -> dict[str, Any]:
    return {"type": "context", "elements": [_mrkdwn(p) for p in parts[:MAX_CONTEXT_ELEMENTS] if p]}


def _message(text: str, blocks: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "text": text[:MAX_FALLBACK],
        "blocks": blocks[:MAX_BLOCKS],
        "unfurl_links": False,
        "unfurl_media": False,
    }


def header_message(channel: Channel, digest: Digest) -> dict[str, Any]:
    """The short header posted before the papers: count, channel, day, pool size."""
    title = header_title(channel, digest)
    blocks = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": fit(title, MAX_HEADER), "emoji": True},
        },
        _context("React :+1: or :-1: on a paper to tune tomorrow's picks · `/papers help`"),
    ]
    return _message(fit(title, MAX_FALLBACK), blocks)


def _links(paper: Paper) -> str:
    """abs · PDF · HTML · code · project · HF, as the core's `paper_links` decides them."""
    return " · ".join(f"<{u}|{label}>" for label, url in paper_links(paper) if (u := safe_url(url)))


def _abs_url(paper: Paper) -> str | None:
    links = paper_links(paper)
    return links[0][1] if links and links[0][0] == "abs" else None


ITEM_EVENT = "paperbot_item"  # message metadata event type marking a digest item
HEADER_EVENT = "paperbot_header"  # ... and marking a digest's header


def header_metadata(digest: Digest) -> dict[str, Any]:
    """Message metadata naming the digest whose header this is (found again after a crash or
    an ambiguous failure)."""
    return {"event_type": HEADER_EVENT, "event_payload": {"digest": str(digest.id)}}


def item_marker(digest: Digest, item: DigestItem) -> str:
    """What identifies one digest item across a crash: digest id and paper id."""
    return f"{digest.id}:{item.paper.id}"


@functools.lru_cache(maxsize=4096)
def _paper_parts(paper: Paper) -> tuple[str | None, str, str, str]:
    """What a paper's message shows whatever the channel (abs URL, authors and categories,
    links, fallback authors), worked out once for a pass that posts it to many channels."""
    abs_url = _abs_url(paper)
    authors = authors_short(paper)
    meta = " · ".join(
        x
        for x in (
            fit(authors, 600),
            " ".join(code(c, 40) for c in paper.categories[:MAX_CATEGORIES]),
        )
        if x
    )
    return abs_url, meta, _links(paper), authors


def item_message(
    item: DigestItem, *, thread_ts: str | None = None, marker: str | None = None
) -> dict[str, Any]:
    """One paper as its own message, so a reaction attaches to exactly one paper. `marker`
    goes into the message metadata, so the item can be found again after a crash."""
    paper = item.paper
    abs_url, meta, links, authors = _paper_parts(paper)
    title = link(abs_url, f"{item.rank}. {paper.title or paper.id}", limit=1000)
    blocks: list[dict[str, Any]] = [_section(f"*{title}*" + (f"\n{meta}" if meta else ""))]
    if item.tldr:
        blocks.append(_section("*TL;DR* " + fit(item.tldr, MAX_SECTION - 10)))
    why = "; ".join(reason_lines(item.reasons, paper, limit=MAX_REASONS))
    footer = [f"_Why:_ {fit(why, 1000)}" if why else "", links]
    if any(footer):
        blocks.append(_context(*footer))
    fallback = " — ".join(
        x
        for x in (
            f"{item.rank}. {paper.title or paper.id}",
            authors,
            abs_url if safe_url(abs_url) else "",
        )
        if x
    )
    payload = _message(fit(fallback, MAX_FALLBACK), blocks)
    if thread_ts:
        payload["thread_ts"] = thread_ts
    if marker is not None:
        payload["metadata"] = {"event_type": ITEM_EVENT, "event_payload": {"item": marker}}
    return payload


def notice_message(text: str) -> dict[str, Any]:
    """A short line (an empty day, a paused channel)."""
    return _message(fit(text, MAX_FALLBACK), [_section(fit(text, MAX_SECTION))])


def code(text: str, limit: int = MAX_SECTION) -> str:
    """`text` in a code span; escaped plain text when a backtick would end the span early."""
    inner = fit(text, limit)
    return f"`{inner}`" if _wrappable(text, "`") else inner


def _wrappable(text: str, marker: str) -> bool:
    return bool(text) and text == text.strip() and marker not in text and "\n" not in text


def span_mrkdwn(span: Span, limit: int = MAX_SECTION) -> str:
    """One span of the core's rich text as mrkdwn, at most about `limit` characters."""
    if span.style is Style.LINK:
        return link(span.url, span.text, limit=min(limit, 500))
    if span.style is Style.CODE:
        return code(span.text, limit - 2)
    if span.style is Style.MENTION:
        # A user id shows as the person's name; in a verbatim text Slack does not notify them.
        return f"<@{span.text}>" if _USER_ID.match(span.text) else fit("@" + span.text, limit)
    text = fit(span.text, limit - 2)
    return f"*{text}*" if span.style is Style.BOLD and _wrappable(span.text, "*") else text


def rich_sections(rich: Rich) -> list[str]:
    """The core's rich text as mrkdwn, in pieces of at most MAX_SECTION characters, cut
    between spans (never inside a link or an escape)."""
    chunks: list[str] = []
    current = ""
    for span in rich.spans:
        piece = span_mrkdwn(span)
        if current and len(current) + len(piece) > MAX_SECTION:
            chunks.append(current)
            current = piece.lstrip("\n")
        else:
            current += piece
    if current.strip():
        chunks.append(current)
    return chunks[:MAX_BLOCKS]


def _fallback(span: Span) -> str:
    return "@" + span.text if span.style is Style.MENTION else span.text


def reply_payload(reply: Reply) -> dict[str, Any]:
    """A command reply for `ack()` / `respond()`: verbatim mrkdwn sections, a plain fallback,
    private unless the core says otherwise."""
    sections = rich_sections(reply.body) or ["Done."]
    fallback = "".join(_fallback(s) for s in reply.body.spans) or "Done."
    return {
        "text": fit(fallback, MAX_FALLBACK),
        "blocks": [_section(s) for s in sections],
        "response_type": "ephemeral" if reply.ephemeral else "in_channel",
    }


def thread_reply(reply: Reply, thread_ts: str | None) -> dict[str, Any]:
    """An answer for `chat.postMessage` in a thread: the reply's sections, no unfurling."""
    payload = reply_payload(reply)
    message = _message(payload["text"], payload["blocks"])
    if thread_ts:
        message["thread_ts"] = thread_ts
    return message
