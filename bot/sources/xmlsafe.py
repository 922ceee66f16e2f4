"""Safe, incremental XML reading for feeds: no DTDs or entities (XML bombs), partial results kept.

`iter_entries` yields each complete entry element as it is parsed, so a truncated or malformed
response still gives every entry before the damage, then reports the damage as `error`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from bot.sources.base import ParsedFeed

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"

_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S)


def looks_like_html(body: bytes) -> bool:
    return bool(_HTML_START.match(body[:2048]))


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def iter_entries(
    body: bytes,
    entry_tags: frozenset[str],
    result: ParsedFeed,
    on_meta: Callable[[Element], None] | None = None,
) -> Iterator[Element]:
    """Yield complete entry elements; set `result.root` and `result.error` on the way."""
    if not body.strip():
        result.error = "empty response body"
        return
    if looks_like_html(body):
        result.error = "got an HTML page instead of a feed"
        return
    depth = 0
    try:
        for event, elem in iterparse(
            io.BytesIO(body), events=("start", "end"), forbid_dtd=True, forbid_entities=True
        ):
            if event == "start":
                depth += 1
                if depth == 1:
                    result.root = local(elem.tag)
                    if result.root.lower() == "html":
                        result.error = "got an HTML page instead of a feed"
                        return
                continue
            depth -= 1
            if elem.tag in entry_tags:
                yield elem
                elem.clear()
            elif on_meta is not None and depth <= 2:
                on_meta(elem)
    except DefusedXmlException as exc:
        result.error = f"unsafe XML refused ({type(exc).__name__})"
    except ParseError as exc:
        line, col = getattr(exc, "position", (0, 0))
        what = "truncated" if "no element found" in str(exc) else "malformed XML"
        result.error = f"{what} response (line {line}, column {col})"


def text(elem: Element | None) -> str:
    """Whitespace-collapsed text of an element ('' when absent)."""
    if elem is None or elem.text is None:
        return ""
    return " ".join(elem.text.split())


def split_authors(value: str) -> list[str]:
    """`A, B and C` / `A, B, C` -> names."""
    parts = re.split(r",|\band\b", value)
    return [" ".join(p.split()) for p in parts if p.strip()]
