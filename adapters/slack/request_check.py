"""What a Slack HTTP request must be before bolt sees it: pure checks, no I/O.

Bolt trusts Slack's shapes: a timestamp header that is not a number, a body that is not UTF-8,
not JSON where JSON is due, or JSON of another shape raises inside it and becomes a 500. Here the
timestamp must be whole seconds (else 401, as for a bad signature), and a correctly signed body
must have the shape Slack sends (else 400): a slash command or `ssl_check` form, an interactivity
form whose `payload` is a JSON object, or an Events API JSON object, with the nested ids bolt
reads (`team`, `user`, `channel`, `enterprise`, `authorizations`) in the types Slack uses.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

MAX_AGE_SECONDS = 300  # Slack's (and bolt's) replay window
MAX_DEPTH = 6  # bolt looks at most a few levels down
# What bolt reads without checking types (`slack_bolt.request.internals`, its middleware and
# its log messages): these must be objects, lists of objects, and strings or objects.
OBJECTS = frozenset(
    {"event", "view", "item", "message", "previous_message", "assistant_thread", "container"}
)
OBJECT_LISTS = frozenset({"authorizations", "actions", "response_urls"})
IDS = frozenset({"enterprise", "team", "user", "channel"})
# Interactivity types whose matchers read `actions[0]` or `callback_id` directly.
WITH_ACTIONS = frozenset({"block_actions", "interactive_message"})
WITH_CALLBACK = frozenset(
    {
        "interactive_message",
        "dialog_submission",
        "dialog_cancellation",
        "workflow_step_edit",
        "shortcut",
        "message_action",
    }
)


def timestamp_ok(value: str | None) -> bool:
    """`X-Slack-Request-Timestamp` is whole seconds since the epoch (ASCII digits only)."""
    return value is not None and 0 < len(value) <= 12 and value.isascii() and value.isdigit()


def signature_ok(
    secret: str, body: bytes, timestamp: str, signature: str | None, *, now: float
) -> bool:
    """Slack's v0 signature over the raw bytes, from a request at most 5 minutes old.

    (slack_sdk's verifier decodes the body as UTF-8 first and raises on other bytes.)"""
    if not signature or abs(now - int(timestamp)) > MAX_AGE_SECONDS:
        return False
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))


def body_problem(body: bytes, content_type: str | None) -> str | None:
    """None when `body` has a shape Slack sends; else what is wrong with it (for a 400)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "the body is not UTF-8"
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind == "application/json" or text.startswith("{"):  # as bolt decides
        return _json_problem(text, "body")
    form = dict(parse_qsl(text, keep_blank_values=True))
    if "payload" in text and "payload" in form:
        return _json_problem(form["payload"], "payload")
    if "payload" in text:  # bolt reads any body containing "payload" as an empty payload
        return None
    if "command" in form or "ssl_check" in form:
        return None
    return "the form is neither a slash command nor an interactivity payload"


def _json_problem(text: str, where: str) -> str | None:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested thousands deep
        return f"the {where} is not JSON"
    if not isinstance(data, dict):
        return f"the {where} is not a JSON object"
    if not isinstance(data.get("type"), str):
        return f"the {where} has no type"
    return _shape_problem(data)


def _shape_problem(data: Mapping[str, Any]) -> str | None:
    kind = data["type"]
    if problem := _nested_problem(data, "body"):
        return problem
    if kind == "event_callback" and not isinstance(data.get("event", {}).get("type"), str):
        return "an event_callback without an event type"
    if kind in WITH_ACTIONS and not data.get("actions"):
        return f"{kind} without actions"
    if kind in WITH_CALLBACK and not isinstance(data.get("callback_id"), str):
        return f"{kind} without a callback_id"
    return None


def _nested_problem(data: Mapping[str, Any], where: str, depth: int = 0) -> str | None:
    """The objects and ids bolt reads have Slack's types, in `data` and what it nests: objects
    are objects, lists of objects are that, ids are strings or objects; Slack's `*_id`, `*_ts`
    and `response_url` fields are strings."""
    for name, value in data.items():
        if name in OBJECTS and not isinstance(value, dict):
            return f"{where}.{name} is not an object"
        if name in OBJECT_LISTS and not (
            isinstance(value, list) and all(isinstance(v, dict) for v in value)
        ):
            return f"{where}.{name} is not a list of objects"
        if name in IDS and value is not None and not isinstance(value, str | dict):
            return f"{where}.{name} is neither a string nor an object"
        if value is not None and not isinstance(value, str) and _stringly(name):
            return f"{where}.{name} is not a string"
    if depth >= MAX_DEPTH:
        return None
    inner = [(n, v) for n, v in data.items() if n in OBJECTS]
    inner += [(n, v) for n, vs in data.items() if n in OBJECT_LISTS for v in vs]
    for name, value in inner:
        if problem := _nested_problem(value, name, depth + 1):
            return problem
    return None


def _stringly(name: str) -> bool:
    return name.endswith(("_id", "_ts")) or name == "response_url"
