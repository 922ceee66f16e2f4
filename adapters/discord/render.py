"""Pure rendering for Discord: a digest header line, one embed per paper, command replies.

Everything here stays inside Discord's limits for any input (content 2000, embed title 256,
description 4096, field value 1024, footer 2048, author 256, all embed text 6000).

Text from people and feeds is escaped fully wherever Discord reads markdown (message content,
embed titles, descriptions and field values): every markdown character gets a backslash, so
no `[x](url)` (however many on a line), `<url>`, `<@id>`, `<#id>`, heading, quote, spoiler or
code span survives; a `scheme://` loses its colon to an escape, so no bare URL is auto-linked;
`@everyone`, `@here` and `@<id>` get a zero-width space. Every message is also sent with no
allowed mentions (`NO_MENTIONS`), so nothing pings even if text slipped through. Only
the core's own links (`bot.rich` link spans, a paper's pages) are masked links.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import discord

from bot.content.links import paper_links
from bot.content.reasons import reason_lines
from bot.models import Channel, Digest, DigestItem, Paper, Reply
from bot.rich import Rich, Span, Style

CONTENT_MAX = 2000
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
AUTHOR_MAX = 256
EMBED_TOTAL_MAX = 6000
URL_MAX = 2048
MAX_AUTHORS = 6
MAX_CATEGORIES = 6
MAX_REASONS = 2

# Colour by score, matching the ranker's thresholds (0.25 medium, 0.6 high).
COLOUR_STRONG = discord.Colour(0x2E7D32)  # green
COLOUR_GOOD = discord.Colour(0x1565C0)  # blue
COLOUR_FAIR = discord.Colour(0xF9A825)  # amber
COLOUR_WEAK = discord.Colour(0x9E9E9E)  # grey
ELLIPSIS = "…"
NO_MENTIONS = discord.AllowedMentions.none()  # every send: nothing pings, whatever the text


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, ending in an ellipsis when cut."""
    text = text.strip()
    if len(text) <= limit:
        return text
    if limit <= 0:
        return ""
    cut = text[: limit - 1].rstrip()
    # never leave a dangling escape backslash at the end of a cut
    while cut.endswith("\\"):
        cut = cut[:-1]
    return cut + ELLIPSIS


def one_line(text: str) -> str:
    return " ".join(text.split())


_MARKDOWN = re.compile(r"([\\*_~`|<\[\]])")  # escaped everywhere
_LINE_START = re.compile(r"(?m)^(\s*)([-+#>]|\d+[.)])")  # headings, quotes, lists, subtext
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):(?=//)")
_MENTION = re.compile(r"@(?=everyone|here|[!&]?\d)")
_TAG = re.compile(r"<(?=[@#])")  # a user, role or channel mention
ZWSP = "\u200b"


def escape_markdown(text: str) -> str:
    """Text Discord shows literally, line breaks kept: no formatting, link, autolink, mention,
    heading, quote or list from it (see the module docstring)."""
    text = _MARKDOWN.sub(r"\\\1", text)
    text = _LINE_START.sub(lambda m: f"{m.group(1)}{m.group(2)[:-1]}\\{m.group(2)[-1]}", text)
    text = _SCHEME.sub(r"\1\\:", text)
    return _MENTION.sub("@" + ZWSP, text)


def escape(text: str) -> str:
    """`escape_markdown` on one line (whitespace runs and line breaks become one space)."""
    return escape_markdown(one_line(text))


def score_colour(score: float) -> discord.Colour:
    if score >= 1.0:
        return COLOUR_STRONG
    if score >= 0.6:
        return COLOUR_GOOD
    if score >= 0.25:
        return COLOUR_FAIR
    return COLOUR_WEAK


def safe_url(url: str | None) -> str | None:
    """An http(s) URL Discord accepts, or None."""
    if not url:
        return None
    url = url.strip()
    if not url.startswith(("https://", "http://")) or len(url) > URL_MAX or " " in url:
        return None
    return url


def authors_text(paper: Paper) -> str:
    names = [one_line(a) for a in paper.authors[:MAX_AUTHORS] if a.strip()]
    more = len(paper.authors) - len(names)
    return ", ".join(names) + (f" +{more} more" if more > 0 else "")


def links_text(paper: Paper) -> str:
    """The core's links for a paper (abstract, PDF, HTML, code, HF) as masked links."""
    parts: list[str] = []
    for label, raw in paper_links(paper):
        url = safe_url(raw)
        if url is None:
            continue
        part = f"[{label}]({_quote_url(url)})"
        if len(" · ".join([*parts, part])) > FIELD_VALUE_MAX:
            break
        parts.append(part)
    return " · ".join(parts)


def header_content(channel: Channel, digest: Digest, day_label: str) -> str:
    """The short message posted before the papers."""
    n = len(digest.items)
    noun = "paper" if n == 1 else "papers"
    name = escape(channel.name)
    text = (
        f"📚 **{n} {noun} for #{name}** · {escape(day_label)} · picked from {digest.candidates} new"
        " · react 👍 / 👎 to teach me"
    )
    return clip(text, CONTENT_MAX)


def paper_embed(item: DigestItem) -> discord.Embed:
    """One paper as one embed: title linked, authors, TL;DR, why, categories, links."""
    paper = item.paper
    title = clip(f"{item.rank}. {escape(paper.title or paper.id)}", TITLE_MAX)
    abs_url = next((url for label, url in paper_links(paper) if label == "abs"), paper.abs_url)
    embed = discord.Embed(title=title, url=safe_url(abs_url), colour=score_colour(item.score))
    authors = authors_text(paper)
    if authors:
        embed.set_author(name=clip(authors, AUTHOR_MAX))
    reasons = reason_lines(item.reasons, paper, limit=MAX_REASONS)
    if reasons:
        why = "\n".join(f"• {escape(r)}" for r in reasons)
        embed.add_field(name="Why", value=clip(why, FIELD_VALUE_MAX), inline=False)
    categories = [escape(c) for c in paper.categories[:MAX_CATEGORIES] if c.strip()]
    if categories:
        embed.add_field(
            name="Categories", value=clip(", ".join(categories), FIELD_VALUE_MAX), inline=True
        )
    links = links_text(paper)
    if links:
        embed.add_field(name="Links", value=links, inline=True)
    footer = f"{footer_prefix(paper)} score {item.score:.2f}"
    if paper.upvotes:
        footer += f" · {paper.upvotes} HF upvotes"
    embed.set_footer(text=clip(footer, FOOTER_MAX))
    # The TL;DR takes what is left of the 6000-character budget.
    tldr = escape(item.tldr or paper.abstract)
    if tldr:
        label = "**TL;DR** "
        budget = min(DESCRIPTION_MAX, EMBED_TOTAL_MAX - len(embed)) - len(label)
        if budget > 20:
            embed.description = label + clip(tldr, budget)
    return embed


def notice_content(text: str) -> str:
    return clip(escape_markdown(text), CONTENT_MAX)


def _quote_url(url: str) -> str:
    # parentheses would end the markdown link early
    return quote(url, safe=":/?#[]@!$&*+,;=%~-._")


def _wrappable(text: str, marker: str) -> bool:
    return bool(text) and text == text.strip() and marker not in text and "\n" not in text


def span_markdown(span: Span) -> str:
    """One span of the core's rich text as Discord markdown."""
    if span.style is Style.LINK:
        url = safe_url(span.url)
        label = escape(span.text) or "link"
        return f"[{label}](<{_quote_url(url)}>)" if url else escape_markdown(span.text)
    if span.style is Style.CODE and _wrappable(span.text, "`"):
        # nothing is parsed inside `…`; the zero-width spaces keep mention look-alikes inert
        return f"`{_MENTION.sub('@' + ZWSP, _TAG.sub('<' + ZWSP, span.text))}`"
    if span.style is Style.BOLD and _wrappable(span.text, "*"):
        return f"**{escape_markdown(span.text)}**"
    if span.style is Style.MENTION and span.text.isdigit() and len(span.text) <= 21:
        return f"<@{span.text}>"  # shown as the name; every send has allowed_mentions none
    if span.style is Style.MENTION:
        return escape_markdown("@" + span.text)
    return escape_markdown(span.text)


def rich_markdown(rich: Rich, limit: int = CONTENT_MAX) -> str:
    """The core's rich text as Discord markdown, at most `limit` characters: a span that does
    not fit is cut only when it is plain text, else left out (never half a link)."""
    pieces: list[str] = []
    used = 0
    for span in rich.spans:
        piece = span_markdown(span)
        if used + len(piece) <= limit:
            pieces.append(piece)
            used += len(piece)
            continue
        if span.style is Style.PLAIN and limit - used > 1:
            pieces.append(clip(piece, limit - used))
        else:
            while pieces and used + 1 > limit:
                used -= len(pieces.pop())
            pieces.append(ELLIPSIS)
        break
    return "".join(pieces)


def reply_content(reply: Reply) -> str:
    """A command reply as message content (at most 2000 characters)."""
    return rich_markdown(reply.body) or "Done."


def footer_prefix(paper: Paper) -> str:
    """How a paper's embed footer starts; it finds the message again after a crash."""
    return f"{paper.id} ·"
