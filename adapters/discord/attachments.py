"""`/papers import` on Discord: the file option (an attachment) is downloaded from Discord's
CDN with discord.py (`Attachment.read`) once the core has allowed the command."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections.abc import Callable

import discord

from bot.errors import CommandError
from bot.library.entries import MAX_LIBRARY_BYTES
from bot.models import Upload

log = logging.getLogger(__name__)
DOWNLOAD_TIMEOUT = 20.0


def attachment_upload(
    attachment: discord.Attachment, loop: asyncio.AbstractEventLoop
) -> Callable[[], Upload]:
    """A look-up the core runs in its worker thread: the attachment's bytes, read on the
    client's event loop (its HTTP session), or CommandError saying what went wrong."""

    def fetch() -> Upload:
        if attachment.size > MAX_LIBRARY_BYTES:
            raise CommandError(
                f"“{attachment.filename}” is over {MAX_LIBRARY_BYTES // 1_000_000} MB; export "
                "a collection instead of the whole library."
            )
        future = asyncio.run_coroutine_threadsafe(attachment.read(), loop)
        try:
            data = future.result(timeout=DOWNLOAD_TIMEOUT)
        except (discord.HTTPException, concurrent.futures.TimeoutError, TimeoutError) as exc:
            future.cancel()
            log.warning("attachment download failed: %s", type(exc).__name__)
            raise CommandError("I could not download the attached file; try again.") from exc
        return Upload(attachment.filename, data)

    return fetch
