"""The outbox's statements, built once as SQLAlchemy Core with bound parameters (each compiles
once per dialect and is then served from the engine's compiled cache), and its row mapping.

A fenced write is one UPDATE: the outbox row's own conditions, and `EXISTS` the channel row
still claimed under the writer's lease (worker and token). On PostgreSQL that sub-select takes
a share lock on the channel row (`FOR SHARE`, dropped on SQLite, which has one writer anyway):
a concurrent claim (`FOR UPDATE SKIP LOCKED`) skips the channel until the write commits, and a
write that meets an uncommitted claim waits for it and then sees its new token, so it is
refused. The same guarantee as a share-locking SELECT followed by the UPDATE, in one statement.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Insert,
    Select,
    Table,
    TextClause,
    Update,
    bindparam,
    insert,
    literal,
    select,
    text,
    update,
)

from bot.models import DigestItem, ItemStatus, Paper
from storage.mapping import paper_from_row, reasons_from_json
from storage.tables import ChannelRow, DigestItemRow, DigestRow, PaperRow

DIGEST: Table = DigestRow.__table__  # type: ignore[attr-defined]
ITEM: Table = DigestItemRow.__table__  # type: ignore[attr-defined]
CHANNEL: Table = ChannelRow.__table__  # type: ignore[attr-defined]
PAPER: Table = PaperRow.__table__  # type: ignore[attr-defined]

# Bound parameter names carry a `p_` prefix: a name equal to a column of an UPDATE's SET
# clause is reserved by SQLAlchemy.
_HELD_WHERE = (
    CHANNEL.c.id == bindparam("p_lease_channel"),
    CHANNEL.c.claimed_by == bindparam("p_lease_worker"),
    CHANNEL.c.lease_token == bindparam("p_lease_token"),
)
HELD = select(literal(1)).where(*_HELD_WHERE).with_for_update(read=True).exists()
OWNER = select(CHANNEL.c.claimed_by).where(*_HELD_WHERE)

_THE_ITEM = (ITEM.c.digest_id == bindparam("p_digest"), ITEM.c.paper_id == bindparam("p_paper"))
_THE_DIGEST = (DIGEST.c.id == bindparam("p_digest"),)
_WAITING = ITEM.c.status.in_([ItemStatus.PENDING.value, ItemStatus.FAILED.value])
_ERROR = bindparam("p_error", type_=ITEM.c.last_error.type)
_WRITES: dict[str, tuple[Table, tuple[ColumnElement[bool], ...], dict[str, Any]]] = {
    "header": (DIGEST, _THE_DIGEST, {"header_message_id": bindparam("p_message")}),
    "complete": (
        DIGEST,
        _THE_DIGEST,
        {"status": "done", "completed_at": bindparam("p_now", type_=DIGEST.c.completed_at.type)},
    ),
    "sending": (ITEM, (*_THE_ITEM, _WAITING), {"status": ItemStatus.SENDING.value}),
    "posted": (
        ITEM,
        _THE_ITEM,
        {
            "status": ItemStatus.POSTED.value,
            "message_id": bindparam("p_message"),
            "posted_at": bindparam("p_now", type_=ITEM.c.posted_at.type),
        },
    ),
    "failed": (
        ITEM,
        _THE_ITEM,
        {
            "status": ItemStatus.FAILED.value,
            "last_error": _ERROR,
            "attempts": ITEM.c.attempts + bindparam("p_count"),
        },
    ),
    "uncertain": (
        ITEM,
        _THE_ITEM,
        {"status": ItemStatus.SENDING.value, "last_error": _ERROR, "attempts": ITEM.c.attempts + 1},
    ),
}


@cache
def write(name: str, leased: bool) -> Update:
    """The UPDATE of one outbox write; `leased`: fenced by the channel's lease (see above)."""
    table, where, values = _WRITES[name]
    stmt = update(table).where(*where)
    if leased:
        stmt = stmt.where(table.c.channel_id == bindparam("p_lease_channel"), HELD)
    return stmt.values(**values)


INSERT_DIGEST: Insert = insert(DIGEST).returning(DIGEST.c.id)
INSERT_ITEM: Insert = insert(ITEM)
_THE_CHANNEL = CHANNEL.c.id == bindparam("p_channel")
_AT = bindparam("p_now", type_=CHANNEL.c.last_digest_at.type)
TOUCH_CHANNEL: Update = update(CHANNEL).where(_THE_CHANNEL).values(last_digest_at=_AT)
TOUCH_CHANNEL_WATERMARK: Update = TOUCH_CHANNEL.values(
    watermark=bindparam("p_watermark", type_=CHANNEL.c.watermark.type)
)


def create_digest_pg(watermark: bool) -> TextClause:
    """PostgreSQL: the digest, its items and the channel's touch as ONE statement (data-
    modifying CTEs, the items from arrays): atomic by itself, so it runs without BEGIN/COMMIT
    round trips. The same rows as INSERT_DIGEST, INSERT_ITEM and TOUCH_CHANNEL[_WATERMARK]."""
    pending = ItemStatus.PENDING.value
    touch = ", watermark = :p_watermark" if watermark else ""
    return text(
        "WITH d AS (INSERT INTO digest (channel_id, run_key, candidates, status, created_at)"
        " VALUES (:channel_id, :run_key, :candidates, 'pending', :created_at) RETURNING id),"
        " i AS (INSERT INTO digest_item (digest_id, channel_id, paper_id, rank, score, reasons,"
        f" tldr, status, attempts) SELECT d.id, :channel_id, v.paper, v.rank, v.score,"
        f" CAST(v.reasons AS json), v.tldr, '{pending}', 0 FROM d, unnest(CAST(:papers AS"
        " text[]), CAST(:ranks AS integer[]), CAST(:scores AS float8[]), CAST(:reasons AS"
        " text[]), CAST(:tldrs AS text[])) AS v(paper, rank, score, reasons, tldr)),"
        f" t AS (UPDATE channel SET last_digest_at = :p_now{touch} WHERE id = :channel_id)"
        " SELECT id FROM d"
    )


CREATE_DIGEST_PG = {w: create_digest_pg(w) for w in (False, True)}

_DIGEST_COLUMNS = (
    DIGEST.c.id,
    DIGEST.c.channel_id,
    DIGEST.c.run_key,
    DIGEST.c.candidates,
    DIGEST.c.created_at,
    DIGEST.c.header_message_id,
)
_OF_CHANNEL = DIGEST.c.channel_id == bindparam("p_channel")
FIND_DIGEST: Select[Any] = select(*_DIGEST_COLUMNS).where(
    _OF_CHANNEL, DIGEST.c.run_key == bindparam("p_run_key")
)
GET_DIGEST: Select[Any] = select(*_DIGEST_COLUMNS).where(*_THE_DIGEST)
_OPEN = select(*_DIGEST_COLUMNS).where(DIGEST.c.status != "done").order_by(DIGEST.c.id)
UNFINISHED: Select[Any] = _OPEN
UNFINISHED_OF_CHANNEL: Select[Any] = _OPEN.where(_OF_CHANNEL)
WITH_UNFINISHED: Select[Any] = (
    select(DIGEST.c.channel_id)
    .where(DIGEST.c.status != "done", DIGEST.c.channel_id.in_(bindparam("p_ids", expanding=True)))
    .distinct()
)
ANY_UNFINISHED_OF_CHANNEL: Select[Any] = (
    select(DIGEST.c.id).where(DIGEST.c.status != "done", _OF_CHANNEL).limit(1)
)
RECENT: Select[Any] = (
    select(*_DIGEST_COLUMNS)
    .where(_OF_CHANNEL)
    .order_by(DIGEST.c.id.desc())
    .limit(bindparam("p_limit"))
)
ITEMS: Select[Any] = (
    select(
        ITEM.c.digest_id,
        ITEM.c.paper_id,
        ITEM.c.rank,
        ITEM.c.score,
        ITEM.c.reasons,
        ITEM.c.tldr,
        ITEM.c.status,
        ITEM.c.message_id,
        ITEM.c.attempts,
    )
    .where(ITEM.c.digest_id.in_(bindparam("p_ids", expanding=True)))
    .order_by(ITEM.c.digest_id, ITEM.c.rank)
)
PAPERS: Select[Any] = select(PAPER).where(PAPER.c.id.in_(bindparam("p_ids", expanding=True)))


def utc(at: datetime | None) -> datetime | None:
    """An aware UTC datetime (naive ones taken as UTC), as UTCDateTime binds it on PostgreSQL:
    for the textual statements, which bind plain values."""
    if at is None:
        return None
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def paper_of(row: Any) -> Paper:
    """A paper from a Core row of the paper table (its columns are the ORM row's attributes)."""
    return paper_from_row(cast(PaperRow, row))


def item_from_row(row: Any, paper: Paper) -> DigestItem:
    """A digest item from an ORM or Core row of `digest_item` and its paper."""
    return DigestItem(
        paper=paper,
        rank=row.rank,
        score=row.score,
        reasons=reasons_from_json(row.reasons),
        tldr=row.tldr,
        status=ItemStatus(row.status),
        message_id=row.message_id,
        attempts=row.attempts,
    )
