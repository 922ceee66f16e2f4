"""`/papers import`: the file the caller attached or shared becomes the channel's liked papers."""

from __future__ import annotations

from bot.commands.permissions import Access
from bot.commands.registry import Arg, ArgKind, Call, command
from bot.errors import CommandError
from bot.library.entries import FORMATS, LibraryError
from bot.library.importer import import_library
from bot.library.reply import report_text
from bot.models import CommandRequest, Platform, Reply, Upload
from bot.rich import Rich, code, fmt

HOW_TO_ATTACH = {
    Platform.SLACK: ("Upload your {} export to this channel first, then run {}.", "/papers import"),
    Platform.DISCORD: ("Attach your {} export to {} (its file option).", "/papers import"),
}
DEFAULT_HOW = ("Give me your {} export: {}.", "paperbot channel import --channel REF FILE")


def no_file_message(platform: Platform) -> Rich:
    template, command_text = HOW_TO_ATTACH.get(platform, DEFAULT_HOW)
    return fmt(template, " or ".join(FORMATS), code(command_text))


def resolve_upload(req: CommandRequest) -> Upload | None:
    """The attached file; a platform look-up (Slack's latest file share) runs here, once the
    command is allowed."""
    upload = req.upload
    return upload() if callable(upload) else upload


@command(
    name="import",
    usage="/papers import",
    summary="Share or attach your BibTeX, RIS or Zotero CSV export, then run this: its papers "
    "become this channel's liked papers.",
    brief="Like the papers of your reference library",
    args=(
        Arg(
            "file",
            ArgKind.ATTACHMENT,
            help="a BibTeX (.bib), RIS (.ris) or Zotero CSV (.csv) export",
        ),
    ),
    examples=("/papers import",),
    access=Access.SETTINGS,
    slow=True,  # a download, and missing arXiv papers fetched at arXiv's pace
)
def import_(call: Call) -> Reply:
    upload = resolve_upload(call.request)
    if upload is None:
        raise CommandError(no_file_message(call.request.platform), call.usage)
    try:
        report = import_library(
            call.core.store,
            call.channel,
            upload.name,
            upload.data,
            now=call.now,
            lookup=call.core.papers_lookup,
        )
    except LibraryError as exc:
        raise CommandError(str(exc), call.usage) from exc
    return Reply(report_text(report), ok=bool(report.outcomes))
