"""Hostile text and the checks that rendered Slack / Discord output carries no live link or ping.

The checks read output the way each platform parses it: Slack treats every `<` as the start of a
link or mention and auto-links bare `scheme://` URLs (unless `verbatim`); Discord parses masked
links `[x](url)`, autolinks `<url>` and bare URLs, and mentions `<@id>`, `<#id>`, `@everyone`,
unless the character that starts them is escaped with a backslash.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

# Each is a link or a ping on Slack or Discord when pasted into a message as it is.
HOSTILE: tuple[str, ...] = (
    "[click me](https://evil.example)",
    "<https://evil.example|x>",
    "<https://evil.example>",
    "https://evil.example/bare",
    "<!channel>",
    "<!here>",
    "@everyone",
    "@here",
    "<@U123>",
    "<#C123>",
    "<!subteam^S1>",
    "<@123456789012345678> <@&123456789012345678> <#123456789012345678>",
    "[a](http://x.example) [b](http://y.example)",
    "`[a](https://evil.example)`",
    "a` [b](https://evil.example) `c",
    "``` <https://evil.example|x> ```",
    "**bold** __under__ ~~strike~~ *it*",
    "||spoiler|| [s](https://evil.example)",
    "> quote [q](https://evil.example)",
    "# heading https://evil.example",
    "-# small [m](https://evil.example)",
    "line one\n[x](https://evil.example)\n@everyone",
    "a & b < c > d",
)

_SCHEME_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s<>|)\]]*")
_SLACK_LINK = re.compile(r"<(https?://[^\s<>|]+)\|[^<>]*>")


def strings(value: Any) -> Iterator[str]:
    """Every string inside a JSON-like value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings(item)


def _slack_allowed(urls: Iterable[str]) -> set[str]:
    return {u for url in urls for u in (url, url.replace("&", "&amp;"))}


def assert_slack_text_safe(text: str, allowed: Iterable[str] = ()) -> None:
    """No `<` but the bot's own `<url|label>` links; no bare URL but the bot's own."""
    ok = _slack_allowed(allowed)
    pos = text.find("<")
    while pos != -1:
        link = _SLACK_LINK.match(text, pos)
        assert link is not None and link.group(1) in ok, f"live markup at {pos}: {text!r}"
        pos = text.find("<", link.end())
    for url in _SCHEME_URL.findall(text):
        assert url in ok, f"bare URL {url!r} would be auto-linked: {text!r}"
    for word in ("@here", "@channel", "@everyone"):
        assert word not in text, f"{word} in {text!r}"


def assert_slack_payload_safe(payload: dict[str, Any], allowed: Iterable[str] = ()) -> None:
    """Every string of a chat.postMessage / command reply payload is safe, and every mrkdwn text
    object is `verbatim` (Slack then neither auto-links URLs nor parses names in it)."""
    allowed = list(allowed)
    for text in strings({k: v for k, v in payload.items() if k != "metadata"}):
        assert_slack_text_safe(text, allowed)
    for obj in _text_objects(payload.get("blocks") or []):
        if obj.get("type") == "mrkdwn":
            assert obj.get("verbatim") is True, f"mrkdwn without verbatim: {obj}"


def _text_objects(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        if value.get("type") in ("mrkdwn", "plain_text") and "text" in value:
            yield value
        for item in value.values():
            yield from _text_objects(item)
    elif isinstance(value, list):
        for item in value:
            yield from _text_objects(item)


_UNESCAPED = r"(?<!\\)(?:\\\\)*"  # an even number of backslashes before: not escaped
_DISCORD_LINK = re.compile(_UNESCAPED + r"\[((?:\\.|[^\]\\])*)\]\(<?(https?://[^\s()<>]+)>?\)")


def _without_bot_links(text: str, allowed: set[str]) -> str:
    def drop(match: re.Match[str]) -> str:
        assert match.group(2) in allowed, f"masked link to {match.group(2)!r}: {text!r}"
        return ""

    return _DISCORD_LINK.sub(drop, text)


# Inline code as Discord's parser reads it: unescaped backticks, the same run to close.
_CODE_SPAN = re.compile(_UNESCAPED + r"(`+)([\s\S]*?[^`])\1(?!`)")
_MENTION_IN_CODE = re.compile(r"@(everyone|here)|<[@#]!?&?\d")


def _without_code_spans(text: str) -> str:
    """Text outside inline code; what is inside is shown literally (but must not mention)."""

    def drop(match: re.Match[str]) -> str:
        inside = match.group(2)
        assert not _MENTION_IN_CODE.search(inside), f"a mention in code: {text!r}"
        return " "

    return _CODE_SPAN.sub(drop, text)


def assert_discord_markdown_safe(text: str, allowed: Iterable[str] = ()) -> None:
    """No unescaped masked link but the bot's own, no `<…>` (autolink, mention, channel, role),
    bare URL, @everyone/@here, spoiler, strike, underline, quote or heading. (Bold is the core's
    own formatting too; that user text has none is checked on the escaper itself.)"""
    rest = _without_bot_links(_without_code_spans(text), set(allowed))
    for pattern, what in (
        (_UNESCAPED + r"\[", "a masked-link bracket"),
        (_UNESCAPED + r"<", "an autolink or mention"),
        (r"(?<!\\)://", "a bare URL"),
        (r"@(everyone|here)", "a mass mention"),
        (_UNESCAPED + r"\|\|", "a spoiler"),
        (_UNESCAPED + r"~~", "strike markers"),
        (_UNESCAPED + r"__", "underline markers"),
        (r"(?m)^(?:>|#|-#)\s", "a quote or heading"),
    ):
        found = re.search(pattern, rest)
        assert found is None, f"{what} at {found.start() if found else 0}: {text!r}"


def discord_embed_texts(embed: dict[str, Any]) -> list[str]:
    """The parts of an embed Discord renders as markdown: title, description, field values."""
    parts = [embed.get("title") or "", embed.get("description") or ""]
    parts += [f["value"] for f in embed.get("fields") or []]
    return [p for p in parts if p]


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
