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
MAX_BODY = 1_000_000  # Slack's payloads are a few kB; refuse floods before verifying them


class TooLarge(Exception):
    pass


async def read_body(request: Request, limit: int = MAX_BODY) -> bytes:
    """The request body, refusing more than `limit` bytes (declared or streamed)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


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
        try:
            body = await read_body(request)
        except TooLarge:
            return PlainTextResponse("Request too large", status_code=413)
        bolt_request = to_bolt_request(request, body)
        response: BoltResponse = await run_in_threadpool(bolt_app.dispatch, bolt_request)
        return to_starlette_response(response)

    async def oauth(request: Request) -> Response:
        flow = bolt_app.oauth_flow if bolt_app is not None else None
        if flow is None:
            return PlainTextResponse("Slack OAuth is not configured", status_code=404)
        bolt_request = to_bolt_request(request, b"")
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
