"""Pure rendering for Slack: digests as Block Kit messages, command replies as mrkdwn.

Every function returns the keyword arguments for `chat.postMessage` (or a `response_url`
reply) and stays inside Slack's limits for any input: at most 50 blocks per message, header
text at most 150 characters, section and context text at most 3000, links only for http(s)
URLs. Every message carries a plain-text `text` fallback and turns link unfurling off.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.links import paper_links
from bot.models import Channel, Digest, DigestItem, Paper, Reply
from bot.reasons import reason_lines

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
_MD_LINK = re.compile(r"\[([^\]\n]{1,300})\]\((https?://[^\s)<>|]{1,1500})\)")
_SLACK_LINK = re.compile(r"<(https?://[^\s<>|]{1,1500})\|([^<>\n]{0,500})>")
_MD_BOLD = re.compile(r"\*\*([^*\n]+)\*\*")


def escape(text: str) -> str:
    """Escape Slack's three control characters (mrkdwn and plain `text` alike)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


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
    text = fit(label.replace("|", "¦"), limit)
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


def _section(mrkdwn: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn[:MAX_SECTION]}}


def _context(*parts: str) -> dict[str, Any]:
    elements = [
        {"type": "mrkdwn", "text": p[:MAX_SECTION]} for p in parts[:MAX_CONTEXT_ELEMENTS] if p
    ]
    return {"type": "context", "elements": elements}


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
            "text": {"type": "plain_text", "text": clip(title, MAX_HEADER), "emoji": True},
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


def item_message(
    item: DigestItem, *, thread_ts: str | None = None, marker: str | None = None
) -> dict[str, Any]:
    """One paper as its own message, so a reaction attaches to exactly one paper. `marker`
    goes into the message metadata, so the item can be found again after a crash."""
    paper = item.paper
    abs_url = _abs_url(paper)
    title = link(abs_url, f"{item.rank}. {paper.title or paper.id}", limit=1000)
    meta = " · ".join(
        x
        for x in (
            fit(authors_short(paper), 600),
            " ".join(f"`{fit(c, 40)}`" for c in paper.categories[:MAX_CATEGORIES]),
        )
        if x
    )
    blocks: list[dict[str, Any]] = [_section(f"*{title}*" + (f"\n{meta}" if meta else ""))]
    if item.tldr:
        blocks.append(_section("*TL;DR* " + fit(item.tldr, MAX_SECTION - 10)))
    why = "; ".join(reason_lines(item.reasons, paper, limit=MAX_REASONS))
    links = _links(paper)
    footer = [f"_Why:_ {fit(why, 1000)}" if why else "", links]
    if any(footer):
        blocks.append(_context(*footer))
    fallback = " — ".join(
        x
        for x in (
            f"{item.rank}. {paper.title or paper.id}",
            authors_short(paper),
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
    """A short plain line (an empty day, a paused channel)."""
    return {"text": fit(text, MAX_FALLBACK), "unfurl_links": False, "unfurl_media": False}


def reply_mrkdwn(text: str) -> str:
    """The core's light markdown as Slack mrkdwn: *bold*, `code` and • bullets pass through,
    `**bold**` and `[label](url)` are converted, `<url|label>` links are kept, and every other
    `<`, `>`, `&` is escaped (so a reply can never ping @channel or a user)."""
    out: list[str] = []
    pos = 0
    for m in _SLACK_LINK.finditer(text):
        out.append(_light(text[pos : m.start()]))
        out.append(link(m.group(1), m.group(2), limit=500))
        pos = m.end()
    out.append(_light(text[pos:]))
    return "".join(out)


def _light(text: str) -> str:
    out = _MD_BOLD.sub(r"*\1*", escape(text))
    return _MD_LINK.sub(lambda m: f"<{m.group(2)}|{m.group(1).replace('|', '¦')}>", out)


def reply_payload(reply: Reply) -> dict[str, Any]:
    """A command reply for `ack()` / `respond()`: private unless the core says otherwise."""
    text = reply_mrkdwn(reply.text)
    if len(text) > MAX_FALLBACK:
        text = text[: MAX_FALLBACK - 1] + ELLIPSIS
    return {"text": text, "response_type": "ephemeral" if reply.ephemeral else "in_channel"}
