"""Row <-> domain object mapping, kept apart from queries."""

from __future__ import annotations

from typing import Any

from bot.library.titles import title_key
from bot.models import (
    Channel,
    ChannelRef,
    ChannelSettings,
    Interest,
    InterestKind,
    Paper,
    Platform,
    Reason,
    ReasonKind,
    Schedule,
    Threshold,
)
from storage.tables import ChannelRow, InterestRow, PaperRow

_PAPER_SCALARS = [
    "title",
    "abstract",
    "primary_category",
    "published",
    "updated",
    "version",
    "url",
    "pdf_url",
    "doi",
    "announce_type",
    "comments",
    "journal_ref",
    "upvotes",
    "ai_summary",
    "code_url",
    "code_stars",
    "project_url",
    "hf_url",
    "hf_comments",
]
_PAPER_LISTS = ("authors", "categories", "sources", "keywords")


def paper_from_row(row: PaperRow) -> Paper:
    values: dict[str, Any] = {name: getattr(row, name) for name in _PAPER_SCALARS}
    values.update({name: tuple(getattr(row, name) or ()) for name in _PAPER_LISTS})
    return Paper(id=row.id, **values)


def paper_values(paper: Paper) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(paper, name) for name in _PAPER_SCALARS}
    values.update({name: list(getattr(paper, name)) for name in _PAPER_LISTS})
    values["title_key"] = title_key(paper.title)
    return values


def channel_from_row(row: ChannelRow, interests: list[InterestRow]) -> Channel:
    assert row.id is not None
    days = tuple(int(d) for d in row.days.split(",") if d.strip())
    settings = ChannelSettings(
        size=row.size,
        threshold=Threshold(row.threshold),
        schedule=Schedule(
            time=row.schedule_time, timezone=row.timezone, days=days, cron=row.schedule_cron
        ),
        paused=row.paused,
        paused_reason=row.paused_reason,
        announce_empty=row.announce_empty,
        thread_mode=row.thread_mode,
        follow_authors=row.follow_authors,
        learn_since=row.learn_since,
    )
    return Channel(
        id=row.id,
        ref=ChannelRef(Platform(row.platform), row.workspace, row.external_id),
        name=row.name,
        settings=settings,
        interests=tuple(
            Interest(InterestKind(i.kind), i.value) for i in sorted(interests, key=_interest_order)
        ),
        created_at=row.created_at,
        next_run_at=row.next_run_at,
        last_digest_at=row.last_digest_at,
        watermark=row.watermark,
        retry_at=row.retry_at,
        set_up_by=row.set_up_by,
        lease_token=row.lease_token,
    )


def _interest_order(row: InterestRow) -> tuple[int, int]:
    return (0 if row.id is None else 1, row.id or 0)


def settings_values(settings: ChannelSettings) -> dict[str, Any]:
    return {
        "size": settings.size,
        "threshold": settings.threshold.value,
        "schedule_time": settings.schedule.time,
        "timezone": settings.schedule.timezone,
        "days": ",".join(str(d) for d in settings.schedule.days),
        "schedule_cron": settings.schedule.cron,
        "paused": settings.paused,
        "paused_reason": settings.paused_reason,
        "announce_empty": settings.announce_empty,
        "thread_mode": settings.thread_mode,
        "follow_authors": settings.follow_authors,
        "learn_since": settings.learn_since,
    }


def reasons_to_json(reasons: tuple[Reason, ...]) -> list[dict[str, Any]]:
    return [
        {"kind": r.kind.value, "text": r.text, "weight": r.weight, "ref": r.ref} for r in reasons
    ]


def reasons_from_json(data: list[dict[str, Any]] | None) -> tuple[Reason, ...]:
    out = []
    for item in data or []:
        try:
            out.append(
                Reason(
                    kind=ReasonKind(item["kind"]),
                    text=str(item.get("text", "")),
                    weight=float(item.get("weight", 0.0)),
                    ref=item.get("ref"),
                )
            )
        except (KeyError, ValueError):
            continue
    return tuple(out)


def normalise_interest(value: str) -> str:
    return " ".join(value.lower().split())
