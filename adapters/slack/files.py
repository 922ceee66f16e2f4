"""`/papers import` on Slack: slash commands carry no file, so the caller's latest file share
in the channel is found with `files.list` and downloaded from `url_private` with the bot token
(both need the `files:read` scope)."""

from __future__ import annotations

import logging
from typing import Any

import httpx
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.errors import CommandError
from bot.library.entries import MAX_LIBRARY_BYTES
from bot.library.formats import EXTENSIONS
from bot.models import Upload

log = logging.getLogger(__name__)
LISTED = 20  # the caller's latest files looked at
TEXT_TYPES = frozenset({"text", "csv", "plain", "bib", "ris"})  # Slack's `filetype` values
DOWNLOAD_TIMEOUT = 10.0
NO_SCOPE = "I may not read files here: the app needs the files:read scope (reinstall it)."


def is_library_file(file: dict[str, Any]) -> bool:
    name = str(file.get("name") or "").lower()
    return any(name.endswith(ext) for ext in EXTENSIONS) or file.get("filetype") in TEXT_TYPES


def latest_file(client: WebClient, channel: str, user: str) -> dict[str, Any] | None:
    """The newest library-like file `user` shared in `channel`, as files.list describes it."""
    try:
        answer = client.files_list(channel=channel, user=user, count=LISTED)
    except SlackApiError as exc:
        if exc.response.get("error") == "missing_scope":
            raise CommandError(NO_SCOPE) from exc
        error = exc.response.get("error")
        raise CommandError(f"Slack would not list your files ({error}).") from exc
    except SlackClientError as exc:
        raise CommandError("I could not reach Slack to find your file; try again.") from exc
    files = [f for f in answer.get("files") or [] if isinstance(f, dict) and is_library_file(f)]
    files.sort(key=lambda f: int(f.get("created") or 0), reverse=True)
    return files[0] if files else None


def download(client: WebClient, file: dict[str, Any]) -> bytes:
    """The file's bytes from `url_private_download` with the bot token, at most the cap."""
    if int(file.get("size") or 0) > MAX_LIBRARY_BYTES:
        raise CommandError(
            f"“{file.get('name')}” is over {MAX_LIBRARY_BYTES // 1_000_000} MB; export a "
            "collection instead of the whole library."
        )
    url = str(file.get("url_private_download") or file.get("url_private") or "")
    headers = {"Authorization": f"Bearer {client.token}"}
    try:
        with httpx.stream("GET", url, headers=headers, timeout=DOWNLOAD_TIMEOUT) as resp:
            refused(resp)
            data = bytearray()
            for chunk in resp.iter_bytes():
                data += chunk
                if len(data) > MAX_LIBRARY_BYTES:
                    raise CommandError(f"“{file.get('name')}” is too big to import.")
            return bytes(data)
    except httpx.HTTPError as exc:
        log.warning("Slack file download failed: %s", type(exc).__name__)
        raise CommandError("I could not download your file from Slack; try again.") from exc


def refused(resp: httpx.Response) -> None:
    """Raise unless Slack handed over the file: a token without files:read gets Slack's sign-in
    page (HTML) or a redirect to it, not the file."""
    if resp.status_code == 200 and "text/html" not in resp.headers.get("content-type", ""):
        return
    if resp.status_code in (200, 302, 403):
        raise CommandError(NO_SCOPE)
    raise CommandError(f"Slack would not hand me the file (HTTP {resp.status_code}).")


def upload_lookup(client: WebClient, channel: str, user: str) -> Upload | None:
    """The caller's latest library file in the channel, downloaded; None when there is none."""
    file = latest_file(client, channel, user)
    if file is None:
        return None
    return Upload(str(file.get("name") or "library"), download(client, file))
