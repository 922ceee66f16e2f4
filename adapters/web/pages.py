"""The small HTML pages the feedback links answer with (everything shown is escaped)."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.responses import HTMLResponse

_ENV = Environment(
    loader=PackageLoader("adapters.web", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
)
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",  # the token is in the URL: never hand it on
    "X-Robots-Tag": "noindex",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
}


def page(
    title: str,
    *lines: str,
    button: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    """A page with a title, paragraphs and, with `button`, one button that POSTs to the page's
    own URL (no action attribute: right behind a proxy that serves PUBLIC_URL under a path)."""
    html = _ENV.get_template("page.html.j2").render(
        title=title, lines=lines, confirm=button is not None, button=button or ""
    )
    return HTMLResponse(html, status_code=status, headers=HEADERS)
