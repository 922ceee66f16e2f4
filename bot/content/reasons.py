"""Why a paper was picked, in at most two short lines a person reads at a glance. Pure."""

from __future__ import annotations

from bot.models import Paper, Reason, ReasonKind

MAX_REASONS = 2
MAX_CHARS = 70
TITLE_CHARS = 48

# Specific evidence first, then popularity and learned taste, then the broad category.
_TIER = {
    ReasonKind.AUTHOR: 0,
    ReasonKind.NEW_VERSION: 0,
    ReasonKind.SIMILAR: 0,
    ReasonKind.TOPIC: 0,
    ReasonKind.TRENDING: 1,
    ReasonKind.LEARNED: 1,
    ReasonKind.CATEGORY: 2,
}


def reason_lines(
    reasons: tuple[Reason, ...] | list[Reason],
    paper: Paper | None = None,
    limit: int = MAX_REASONS,
) -> tuple[str, ...]:
    """The best `limit` reasons as short lines, one per kind, most specific first."""
    ordered = sorted(
        enumerate(reasons), key=lambda ir: (_TIER.get(ir[1].kind, 3), -ir[1].weight, ir[0])
    )
    lines: list[str] = []
    kinds: set[ReasonKind] = set()
    for _, reason in ordered:
        if reason.kind in kinds:
            continue
        line = reason_line(reason, paper)
        if not line or line in lines:
            continue
        kinds.add(reason.kind)
        lines.append(line)
        if len(lines) >= limit:
            break
    return tuple(lines)


def reason_line(reason: Reason, paper: Paper | None = None) -> str:
    """One reason as a person reads it; the ranker's own text when the evidence is thin."""
    ref = (reason.ref or "").strip()
    kind = reason.kind
    if kind is ReasonKind.TOPIC and ref:
        line = f"matches “{ref}”"
    elif kind is ReasonKind.CATEGORY and ref:
        shown = _matched_category(ref, paper)
        line = f"in {shown}"
    elif kind is ReasonKind.AUTHOR and ref:
        line = f"by followed author {ref}"
    elif kind is ReasonKind.TRENDING and paper is not None and paper.upvotes:
        line = f"trending on HF ({paper.upvotes} 👍)"
    elif kind is ReasonKind.NEW_VERSION:
        version = f" (v{paper.version})" if paper is not None and paper.version else ""
        line = f"new version of a paper you liked{version}"
    elif kind is ReasonKind.SIMILAR and _quoted(reason.text):
        line = f"similar to “{_short(_quoted(reason.text), TITLE_CHARS)}” you 👍"
    elif kind is ReasonKind.SIMILAR:
        line = "similar to papers you 👍"
    else:
        line = reason.text.strip()
    return _short(line, MAX_CHARS)


def _matched_category(ref: str, paper: Paper | None) -> str:
    if paper is not None:
        for cat in paper.categories:
            if cat == ref or cat.startswith(ref + "."):
                return cat
    return ref


def _quoted(text: str) -> str:
    """The title inside “…” in a ranker's text ('similar to “X” you 👍' -> 'X')."""
    if "“" in text and "”" in text:
        return text.split("“", 1)[1].rsplit("”", 1)[0].strip()
    return ""


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut + "…"
