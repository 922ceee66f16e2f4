"""Rich text (`bot.rich`) in the core's old light markdown, for readable test assertions."""

from __future__ import annotations

from bot.rich import Rich, Style

_SHOWN = {Style.BOLD: "*{}*", Style.CODE: "`{}`", Style.PLAIN: "{}", Style.MENTION: "<@{}>"}


def marked(rich: Rich) -> str:
    """`*bold*`, `` `code` ``, `<url|label>`, `<@member>`: the assertions see which parts are what."""
    return "".join(
        f"<{s.url}|{s.text}>" if s.style is Style.LINK else _SHOWN[s.style].format(s.text)
        for s in rich.spans
    )
