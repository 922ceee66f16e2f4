"""`/papers web`: a private, signed, expiring link to the channel's read-only web page."""

from __future__ import annotations

from bot.commands.registry import Call, command
from bot.content.channel_link import make_page_link
from bot.errors import CommandError
from bot.models import Reply
from bot.rich import code, fmt, lines, link


@command(
    name="web",
    usage="/papers web",
    summary="A private link to this channel's web page: its topics, what reactions taught me, "
    "recent digests with the reasons, liked papers and its learning curve.",
    brief="A private link to this channel's web page",
    aliases=("page",),
)
def web(call: Call) -> Reply:
    settings, key = call.core.settings, call.core.link_key
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
    if key is None:
        raise CommandError(fmt("Links cannot be signed here: set {}.", code("LINK_SIGNING_KEY")))
    page = make_page_link(
        key(), settings.public_url, call.channel, call.now, settings.web_link_days
    )
    return Reply(
        lines(
            [
                fmt(
                    "{}: what it follows, what reactions taught me, recent digests with the "
                    "reasons, liked papers and its learning curve.",
                    link(page.url, "This channel's page"),
                ),
                fmt(
                    "Only you see this link. It works until {:%Y-%m-%d %H:%M} UTC; anyone you "
                    "share it with can read the page (not change anything). {} gives a new one.",
                    page.expires_at,
                    code("/papers web"),
                ),
            ]
        ),
        ephemeral=True,
    )
