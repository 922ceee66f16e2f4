"""`/papers import`: the file the caller attached or shared becomes the channel's liked papers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.commands import parse as cp
from bot.commands.specs import SPECS
from bot.errors import CommandError
from bot.library.entries import FORMATS, LibraryError
from bot.library.importer import import_library
from bot.library.reply import report_text
from bot.models import Channel, CommandRequest, Platform, Reply, Upload
from bot.rich import Rich, code, fmt

if TYPE_CHECKING:
    from bot.service import PaperBot

HOW_TO_ATTACH = {
    Platform.SLACK: ("Upload your {} export to this channel first, then run {}.", "/papers import"),
    Platform.DISCORD: ("Attach your {} export to {} (its file option).", "/papers import"),
}
DEFAULT_HOW = ("Give me your {} export: {}.", "paperbot channel import --channel REF FILE")


def no_file_message(platform: Platform) -> Rich:
    template, command = HOW_TO_ATTACH.get(platform, DEFAULT_HOW)
    return fmt(template, " or ".join(FORMATS), code(command))


def resolve_upload(req: CommandRequest) -> Upload | None:
    """The attached file; a platform look-up (Slack's latest file share) runs here, once the
    command is allowed."""
    upload = req.upload
    return upload() if callable(upload) else upload


class LibraryCommands:
    """import."""

    core: PaperBot

    def _import(self, channel: Channel, _p: cp.Parsed, req: CommandRequest) -> Reply:
        upload = resolve_upload(req)
        if upload is None:
            raise CommandError(no_file_message(req.platform), SPECS["import"].usage)
        try:
            report = import_library(
                self.core.store,
                channel,
                upload.name,
                upload.data,
                now=self.core.clock.now(),
                lookup=self.core.papers_lookup,
            )
        except LibraryError as exc:
            raise CommandError(str(exc), SPECS["import"].usage) from exc
        return Reply(report_text(report), ok=bool(report.outcomes))
