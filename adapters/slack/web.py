"""The ASGI app `paperbot serve` runs: Slack events/commands/interactivity, OAuth, health."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from urllib.parse import parse_qsl

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_bolt.request.internals import build_context
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from adapters.slack.app import EVENTS_PATH, INSTALL_PATH, REDIRECT_PATH
from adapters.slack.request_check import body_problem, signature_ok, timestamp_ok

log = logging.getLogger(__name__)

HealthCheck = Callable[[], bool]
FORM_TYPE = "application/x-www-form-urlencoded"
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


def refusal(request: Request, body: bytes, secret: str, now: float) -> Response | None:
    """401 for a missing, non-numeric or stale timestamp and a bad signature; 400 for a signed
    body of a shape Slack never sends; None for a request bolt may handle."""
    headers = request.headers
    timestamp = headers.get("x-slack-request-timestamp")
    if timestamp is None or not timestamp_ok(timestamp):
        return JSONResponse({"error": "invalid request"}, status_code=401)
    signature = headers.get("x-slack-signature")
    if not signature_ok(secret, body, timestamp, signature, now=now):
        return JSONResponse({"error": "invalid request"}, status_code=401)
    problem = body_problem(body, headers.get("content-type"))
    if problem is not None:
        log.warning("refused a signed Slack request: %s", problem)
        return JSONResponse({"error": "bad request", "detail": problem}, status_code=400)
    return None


def bolt_request_for(request: Request, body: bytes) -> BoltRequest:
    """The BoltRequest for a checked request.

    Bolt reads any form body containing the word "payload" as an interactivity payload, so a
    slash command like `/papers subscribe payload delivery` would reach it empty (a 404, which
    Slack shows as "dispatch_failed"): such a command is handed over as the form it is."""
    bolt_request = to_bolt_request(request, body)
    if not bolt_request.body and bolt_request.content_type == FORM_TYPE:
        form = dict(parse_qsl(str(bolt_request.raw_body), keep_blank_values=True))
        if "command" in form and "payload" not in form:
            bolt_request.body = form
            bolt_request.context = build_context(BoltContext(), form)
    return bolt_request


def create_web_app(
    bolt_app: App | None,
    health: HealthCheck,
    *,
    signing_secret: str = "",
    now: Callable[[], float] = time.time,
    extra_routes: Sequence[BaseRoute] = (),
) -> Starlette:
    """Routes: POST /slack/events, GET /slack/install, GET /slack/oauth_redirect, GET /healthz,
    and `extra_routes` (the emailed feedback links, `adapters/web/`), served with or without
    Slack.

    Every POST is checked first (`refusal`: 401 unsigned or with a junk timestamp, 400 for a
    signed body bolt cannot read), so junk never reaches bolt as an exception; bolt verifies
    the signature again. Bolt's dispatch is synchronous, so it runs in the thread pool and never
    blocks the loop. A failure past that is logged and answered with a bare 500. `now` is the
    wall clock Slack's replay window is measured on (bolt reads the same one).
    """
    routes = _SlackRoutes(bolt_app, health, signing_secret, now)
    return Starlette(
        routes=[
            Route("/healthz", routes.healthz, methods=["GET"]),
            Route(EVENTS_PATH, routes.events, methods=["POST"]),
            Route(INSTALL_PATH, routes.oauth, methods=["GET"]),
            Route(REDIRECT_PATH, routes.oauth, methods=["GET"]),
            *extra_routes,
        ]
    )


class _SlackRoutes:
    """The handlers `create_web_app` routes to."""

    def __init__(
        self,
        bolt_app: App | None,
        health: HealthCheck,
        signing_secret: str,
        now: Callable[[], float],
    ) -> None:
        self.bolt_app = bolt_app
        self.health = health
        self.signing_secret = signing_secret
        self.now = now

    async def healthz(self, _request: Request) -> Response:
        try:
            ok = await run_in_threadpool(self.health)
        except Exception as exc:
            log.warning("health check failed: %s", type(exc).__name__)
            ok = False
        return JSONResponse(
            {"status": "ok" if ok else "unavailable", "slack": self.bolt_app is not None},
            status_code=200 if ok else 503,
        )

    async def events(self, request: Request) -> Response:
        if self.bolt_app is None:
            return PlainTextResponse("Slack is not configured", status_code=404)
        try:
            body = await read_body(request)
        except TooLarge:
            return PlainTextResponse("Request too large", status_code=413)
        try:  # one bulkhead per request: a failure is logged here, never shown to the caller
            refused = refusal(request, body, self.signing_secret, self.now())
            if refused is not None:
                return refused
            bolt_request = bolt_request_for(request, body)
            response: BoltResponse = await run_in_threadpool(self.bolt_app.dispatch, bolt_request)
        except Exception:
            log.exception("Slack request to %s failed", request.url.path)
            return PlainTextResponse("Internal error", status_code=500)
        return to_starlette_response(response)

    async def oauth(self, request: Request) -> Response:
        flow = self.bolt_app.oauth_flow if self.bolt_app is not None else None
        if flow is None:
            return PlainTextResponse("Slack OAuth is not configured", status_code=404)
        bolt_request = to_bolt_request(request, b"")
        handler = (
            flow.handle_installation if request.url.path == INSTALL_PATH else flow.handle_callback
        )
        response: BoltResponse = await run_in_threadpool(handler, bolt_request)
        return to_starlette_response(response)
