"""Neutral rich text the core hands the adapters: spans of plain, bold, code, link, mention.

Every span holds literal text: whatever a person typed or a feed sent is shown as it is, never
read as markup. Each adapter renders the spans in its own dialect and escapes the text for it
(Slack mrkdwn, Discord markdown, the terminal), so a title like `[x](https://evil)` or a topic
like `<!channel>` stays text on every platform. Only `link` spans, which the core makes for
a paper's own pages, become links.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from string import Formatter
from typing import Any


class Style(StrEnum):
    PLAIN = "plain"
    BOLD = "bold"
    CODE = "code"  # a command, a value to type: shown in a monospace span where possible
    LINK = "link"  # `text` is the label, `url` where it points (made by the core)
    MENTION = "mention"  # `text` is a member id; shown as the person's name, never a ping


@dataclass(frozen=True, slots=True)
class Span:
    text: str
    style: Style = Style.PLAIN
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Rich:
    """A sequence of spans; `+` concatenates with other rich text or plain strings."""

    spans: tuple[Span, ...] = ()

    def __add__(self, other: Rich | str) -> Rich:
        return Rich(self.spans + as_rich(other).spans)

    def __radd__(self, other: str) -> Rich:
        return as_rich(other) + self

    def __bool__(self) -> bool:
        return any(span.text for span in self.spans)

    @property
    def plain(self) -> str:
        """As plain text for a terminal or a log: code in backticks, links as `label (url)`."""
        return "".join(_plain(s) for s in self.spans)


def _plain(span: Span) -> str:
    if span.style is Style.LINK and span.url:
        return f"{span.text} ({span.url})"
    if span.style is Style.CODE:
        return f"`{span.text}`"
    if span.style is Style.MENTION:
        return f"@{span.text}"
    return span.text


Inline = Rich | str


def as_rich(value: Inline) -> Rich:
    if isinstance(value, Rich):
        return value
    return Rich((Span(value),)) if value else Rich()


def plain(text: str) -> Rich:
    return as_rich(text)


def bold(text: str) -> Rich:
    return Rich((Span(text, Style.BOLD),))


def code(text: str) -> Rich:
    return Rich((Span(text, Style.CODE),))


def link(url: str | None, label: str) -> Rich:
    """A link to one of the core's own pages (a paper's abstract); just the label without URL."""
    return Rich((Span(label, Style.LINK, url),)) if url else plain(label)


def mention(user_id: str) -> Rich:
    """A member, by platform id (from a command's caller or a mention they typed): adapters show
    the person's name where the platform can, and never notify them."""
    return Rich((Span(user_id, Style.MENTION),))


def concat(*parts: Inline) -> Rich:
    out = Rich()
    for part in parts:
        out = out + part
    return out


def join(separator: Inline, parts: Iterable[Inline]) -> Rich:
    out = Rich()
    for i, part in enumerate(parts):
        out = out + (concat(separator, part) if i else as_rich(part))
    return out


def lines(parts: Iterable[Inline]) -> Rich:
    return join("\n", parts)


def fmt(template: str, *args: Any) -> Rich:
    """`str.format` for rich text: `{}` fields take rich text as it is and anything else as
    plain text (with its format spec: `fmt("score {:.2f}", 0.5)`). The template is plain."""
    out = Rich()
    position = 0
    for literal, field, spec, conversion in Formatter().parse(template):
        out = out + literal
        if field is None:
            continue
        if field not in ("", str(position)):
            raise ValueError(f"fmt takes positional fields only, not {field!r}")
        value = args[position]
        position += 1
        if isinstance(value, Rich):
            out = out + value
        else:
            shown = repr(value) if conversion == "r" else value
            out = out + format(shown, spec or "")
    return out
