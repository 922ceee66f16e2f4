"""The ASGI app `paperbot serve` runs: Slack events/commands/interactivity, OAuth, health."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import App, BoltResponse
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from adapters.slack.app import EVENTS_PATH, INSTALL_PATH, REDIRECT_PATH

log = logging.getLogger(__name__)

HealthCheck = Callable[[], bool]


def create_web_app(bolt_app: App | None, health: HealthCheck) -> Starlette:
    """Routes: POST /slack/events, GET /slack/install, GET /slack/oauth_redirect, GET /healthz.

    Bolt's dispatch is synchronous, so it runs in the thread pool and never blocks the loop;
    bolt verifies every request's signature and timestamp (401 otherwise) before any listener.
    """

    async def healthz(_request: Request) -> Response:
        try:
            ok = await run_in_threadpool(health)
        except Exception as exc:
            log.warning("health check failed: %s", type(exc).__name__)
            ok = False
        return JSONResponse(
            {"status": "ok" if ok else "unavailable", "slack": bolt_app is not None},
            status_code=200 if ok else 503,
        )

    async def events(request: Request) -> Response:
        if bolt_app is None:
            return PlainTextResponse("Slack is not configured", status_code=404)
        bolt_request = to_bolt_request(request, await request.body())
        response: BoltResponse = await run_in_threadpool(bolt_app.dispatch, bolt_request)
        return to_starlette_response(response)

    async def oauth(request: Request) -> Response:
        flow = bolt_app.oauth_flow if bolt_app is not None else None
        if flow is None:
            return PlainTextResponse("Slack OAuth is not configured", status_code=404)
        bolt_request = to_bolt_request(request, await request.body())
        handler = (
            flow.handle_installation if request.url.path == INSTALL_PATH else flow.handle_callback
        )
        response: BoltResponse = await run_in_threadpool(handler, bolt_request)
        return to_starlette_response(response)

    return Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route(EVENTS_PATH, events, methods=["POST"]),
            Route(INSTALL_PATH, oauth, methods=["GET"]),
            Route(REDIRECT_PATH, oauth, methods=["GET"]),
        ]
    )
