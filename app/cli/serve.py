"""`paperbot serve`: the web process (Slack events, commands, OAuth install, health check)."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from app.cli.common import runtime
from app.cli.root import app
from app.setup_checks import warn_at_start
from bot.config import load_settings
from bot.errors import ConfigError

log = logging.getLogger("paperbot")


@app.command()
def serve(
    port: Annotated[
        int | None, typer.Option(help="Port to listen on (default: $PORT, else 3000).")
    ] = None,
    host: Annotated[
        str | None, typer.Option(help="Interface to bind (default: $WEB_HOST, else 0.0.0.0).")
    ] = None,
) -> None:
    """Serve Slack's HTTP endpoints: POST /slack/events, GET /slack/install,
    GET /slack/oauth_redirect and GET /healthz. Handles every command alone, `now` included."""
    import uvicorn

    settings = load_settings()
    with runtime(settings) as rt:
        warn_at_start(settings, log, "the web process")
        if rt.web_app is None:
            raise ConfigError("this installation has no web app (wiring did not provide one)")
        asgi = rt.web_app()
        bind_host, bind_port = host or settings.web_host, port or settings.port
        log.info("serving on http://%s:%d (POST /slack/events, GET /healthz)", bind_host, bind_port)
        # access_log off: OAuth redirects carry one-time codes in their query strings
        uvicorn.run(
            asgi,
            host=bind_host,
            port=bind_port,
            log_level=settings.log_level.lower(),
            access_log=False,
            log_config=None,  # uvicorn's loggers use PaperBot's handler (LOG_FORMAT)
        )
