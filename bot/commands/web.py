"""`/papers web`: a private, signed, expiring link to the channel's read-only web page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.commands import parse as cp
from bot.content.channel_link import make_page_link
from bot.errors import CommandError
from bot.models import Channel, CommandRequest, Reply
from bot.rich import code, fmt, lines, link

if TYPE_CHECKING:
    from bot.service import PaperBot


class WebCommands:
    """web."""

    core: PaperBot

    def _web(self, channel: Channel, _p: cp.Parsed, _req: CommandRequest) -> Reply:
        settings = self.core.settings
        if not settings.public_url:
            raise CommandError(
                fmt(
                    "This PaperBot has no web address yet: whoever runs it sets {} to the public "
                    "URL of {} (e.g. {}).",
                    code("PUBLIC_URL"),
                    code("paperbot serve"),
                    code("https://paperbot.example.org"),
                )
            )
        if self.core.link_key is None:
            raise CommandError(
                fmt("Links cannot be signed here: set {}.", code("LINK_SIGNING_KEY"))
            )
        now = self.core.clock.now()
        page = make_page_link(
            self.core.link_key(), settings.public_url, channel, now, settings.web_link_days
        )
        return Reply(
            lines(
                [
                    fmt(
                        "{}: what it follows, what reactions taught me, recent digests with "
                        "the reasons, liked papers and its learning curve.",
                        link(page.url, "This channel's page"),
                    ),
                    fmt(
                        "Only you see this link. It works until {:%Y-%m-%d %H:%M} UTC; anyone "
                        "you share it with can read the page (not change anything). {} gives "
                        "a new one.",
                        page.expires_at,
                        code("/papers web"),
                    ),
                ]
            ),
            ephemeral=True,
        )
