"""An import's outcome as the reply people read: counts, then why entries did not match."""

from __future__ import annotations

from bot.library.importer import ImportReport
from bot.library.matcher import Outcome
from bot.rich import Inline, Rich, code, fmt, lines, plain

LISTED = 8  # unmatched entries named in a chat reply (Discord shows 2,000 characters)
TITLE_CHARS = 80


def entry_label(outcome: Outcome) -> str:
    """The entry as people know it: its title (shortened), else its id or DOI."""
    entry = outcome.entry
    title = entry.title
    if len(title) > TITLE_CHARS:
        title = title[: TITLE_CHARS - 1] + "…"
    if title:
        return f"“{title}”"
    return entry.arxiv or entry.doi or "an entry without a title"


def report_text(report: ImportReport, *, listed: int = LISTED) -> Rich:
    """`Imported “x.bib” (BibTeX): 17 matched, 3 unmatched. ...` and the unmatched entries
    with their reasons; titles and file names are plain text, never markup."""
    matched, unmatched = report.matched, report.unmatched
    head: list[Inline] = [
        fmt(
            "Imported {} ({}): {}.",
            plain(f"“{report.name}”"),
            report.format_name,
            report.summary,
        )
    ]
    if matched:
        again = len(report.paper_ids) - report.added
        already = f"; {again} were liked already" if again else ""
        head.append(
            plain(
                f"{report.added} new liked papers here{already}. Similar papers will rank higher."
            )
        )
    if not report.outcomes:
        head.append(plain("The file has no references in it."))
    if unmatched:
        head.append(plain("Not matched:"))
        head += [plain(f"• {entry_label(o)}: {o.reason}") for o in unmatched[:listed]]
        if len(unmatched) > listed:
            head.append(fmt("… and {} more.", len(unmatched) - listed))
    if matched:
        head.append(fmt("{} takes one back.", code("/papers unlike <arXiv id>")))
    return lines(head)
