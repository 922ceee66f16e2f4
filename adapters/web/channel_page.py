"""GET /c/{token}: a channel's read-only page, reached by the signed link `/papers web` gives.

Rendered with Jinja2 (autoescape on: what people typed or feeds sent is text, never markup),
inline CSS and a server-side SVG chart, so the page loads nothing from elsewhere; the CSP says
so too. The token is in the path, so the page never sends a Referer and is never cached.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from adapters.web.svg_chart import Series, line_chart
from bot.content.channel_page import ChannelPage, LinkedPage
from bot.errors import LinkExpired, LinkInvalid, NotFound

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).parent / "templates"
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    ),
}


PageSource = Callable[[str], LinkedPage]  # token -> page; LinkExpired, LinkInvalid, NotFound


def templates() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def channel_page_routes(page_for: PageSource, *, command: str = "/papers") -> list[Route]:
    """The route, reading pages through `page_for` (blocking: run in the thread pool)."""
    env = templates()

    async def channel_page(request: Request) -> Response:
        token = str(request.path_params["token"])
        try:
            shown = await run_in_threadpool(page_for, token)
        except LinkExpired as exc:
            return _problem(env, 410, "This link has expired", f"{exc}.".capitalize(), command)
        except LinkInvalid:
            detail = "It may have been cut short when it was copied, or changed."
            return _problem(env, 404, "This link is not valid", detail, command)
        except NotFound:
            detail = "The channel this link was made for no longer uses PaperBot."
            return _problem(env, 404, "This channel is gone", detail, command)
        except Exception:  # one bulkhead per request: logged here, never shown to the reader
            log.exception("channel page failed")
            detail = "The page could not be made just now; try again in a minute."
            return _problem(env, 500, "Something went wrong", detail, command)
        html = env.get_template("channel_page.html").render(
            page=shown.page,
            expires_at=shown.expires_at,
            chart=curve_chart(shown.page),
            command=command,
        )
        return HTMLResponse(html, headers=HEADERS)

    return [Route("/c/{token}", channel_page, methods=["GET"])]


def curve_chart(page: ChannelPage) -> Markup | None:
    """The learning curve as inline SVG (built from numbers and escaped labels only)."""
    if not page.curve:
        return None
    days = [p.day.strftime("%d %b") for p in page.curve]
    series = [
        Series("liked (more 👍 than 👎)", "#1a7f37", tuple(p.liked_share for p in page.curve)),
        Series(
            "disliked (more 👎 than 👍)", "#cf222e", tuple(p.disliked_share for p in page.curve)
        ),
    ]
    svg = line_chart(days, series, x_title="digest day", y_title="share of the day's papers")
    return Markup(svg)  # every text in it went through html.escape


def _problem(env: Environment, status: int, heading: str, detail: str, command: str) -> Response:
    html = env.get_template("link_problem.html").render(
        heading=heading, detail=detail, command=command
    )
    return HTMLResponse(html, status_code=status, headers=HEADERS)
