"""Many deliveries' outbox marks in one transaction (`OutboxStore.apply_marks_many`).

The requests are cut into rounds in which no two marks touch the same row, so the order of
the marks inside a round does not matter and each request reads as if it had been applied
alone, in the batch's order. On PostgreSQL a round is one UPDATE per kind of mark, over
arrays (`unnest`): the same conditions and the same lease fence as the single write
(storage/outbox_sql.py), per row, with RETURNING telling which rows changed. A request that
touches a row twice, and every request on SQLite (one in-process writer: a statement costs
little there, the commit is what the batch saves), is applied mark by mark as `apply_marks`
applies it.

A lost lease refuses all of a request's marks: the fence of its first mark share-locks the
channel row while the lease holds (PostgreSQL; SQLite's writer holds the database), so it
cannot be lost between two of its marks in the transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, TextClause, text

from bot.errors import LeaseLost
from bot.models import ItemStatus, Lease, MarkKind, MarkRequest, OutboxMark
from storage import outbox_sql as sql

log = logging.getLogger(__name__)

Key = tuple[int, str]  # the row a mark writes: (digest id, paper id), "" for the digest row
Single = Callable[[Connection, MarkRequest], bool]  # apply_marks in a given transaction

_FENCE = (
    "(v.lc IS NULL OR (t.channel_id = v.lc AND EXISTS (SELECT 1 FROM channel AS c"
    " WHERE c.id = v.lc AND c.claimed_by = v.lw AND c.lease_token = v.lt FOR SHARE)))"
)
_LEASE_ARRAYS = "CAST(:lc AS bigint[]), CAST(:lw AS text[]), CAST(:lt AS text[])"
_WAITING = f"('{ItemStatus.PENDING.value}', '{ItemStatus.FAILED.value}')"


def _digest_update(assign: str, arrays: str, columns: str) -> TextClause:
    return text(
        f"UPDATE digest AS t SET {assign} FROM unnest(CAST(:ids AS bigint[]), {arrays},"
        f" {_LEASE_ARRAYS}) AS v(id, {columns}, lc, lw, lt)"
        f" WHERE t.id = v.id AND {_FENCE} RETURNING t.id, ''"
    )


def _item_update(assign: str, arrays: str, columns: str, where: str = "") -> TextClause:
    return text(
        f"UPDATE digest_item AS t SET {assign} FROM unnest(CAST(:ids AS bigint[]),"
        f" CAST(:papers AS text[]), {arrays}{_LEASE_ARRAYS}) AS v(id, paper, {columns}lc, lw, lt)"
        f" WHERE t.digest_id = v.id AND t.paper_id = v.paper{where} AND {_FENCE}"
        " RETURNING t.digest_id, t.paper_id"
    )


# One statement per kind of mark; the values each takes beside the row's key and the lease.
_PG: dict[MarkKind, TextClause] = {
    MarkKind.HEADER: _digest_update("header_message_id = v.msg", "CAST(:msgs AS text[])", "msg"),
    MarkKind.COMPLETE: _digest_update(
        "status = 'done', completed_at = v.at", "CAST(:ats AS timestamptz[])", "at"
    ),
    MarkKind.SENDING: _item_update(
        f"status = '{ItemStatus.SENDING.value}'", "", "", f" AND t.status IN {_WAITING}"
    ),
    MarkKind.POSTED: _item_update(
        f"status = '{ItemStatus.POSTED.value}', message_id = v.msg, posted_at = v.at",
        "CAST(:msgs AS text[]), CAST(:ats AS timestamptz[]), ",
        "msg, at, ",
    ),
}


def apply_many(
    conn: Connection, requests: Sequence[MarkRequest], single: Single
) -> list[bool | LeaseLost]:
    """Every request's outcome, in order, all written in `conn`'s transaction."""
    outcomes: list[bool | LeaseLost] = [False] * len(requests)
    batched = conn.dialect.name == "postgresql"
    for together, indices in rounds(requests):
        if together and batched:
            _apply_round(conn, requests, indices, outcomes)
            continue
        for i in indices:
            try:
                outcomes[i] = single(conn, requests[i])
            except LeaseLost as exc:
                outcomes[i] = exc
    return outcomes


def rounds(requests: Sequence[MarkRequest]) -> list[tuple[bool, list[int]]]:
    """The requests' indices cut into rounds, in order: (True, indices) where no two marks
    touch the same row; (False, [i]) for a request that touches a row twice itself."""
    out: list[tuple[bool, list[int]]] = []
    current: list[int] = []
    taken: set[Key] = set()
    for i, request in enumerate(requests):
        own = [key(request.digest_id, m) for m in request.marks]
        alone = len(set(own)) < len(own)
        if current and (alone or not taken.isdisjoint(own)):
            out.append((True, current))
            current, taken = [], set()
        if alone:
            out.append((False, [i]))
        else:
            current.append(i)
            taken.update(own)
    if current:
        out.append((True, current))
    return out


def key(digest_id: int, mark: OutboxMark) -> Key:
    if mark.kind in (MarkKind.HEADER, MarkKind.COMPLETE):
        return digest_id, ""
    return digest_id, mark.paper_id


def _apply_round(
    conn: Connection,
    requests: Sequence[MarkRequest],
    indices: list[int],
    outcomes: list[bool | LeaseLost],
) -> None:
    """One UPDATE per kind of mark present; then each request's outcome from what changed."""
    changed: set[Key] = set()
    for kind, stmt in _PG.items():
        rows = [(requests[i], m) for i in indices for m in requests[i].marks if m.kind is kind]
        if rows:
            changed.update((r[0], r[1]) for r in conn.execute(stmt, _params(kind, rows)))
    for i in indices:
        request = requests[i]
        done = [key(request.digest_id, m) in changed for m in request.marks]
        if request.lease is not None and not all(done) and not _held(conn, request.lease):
            outcomes[i] = _lost(request.lease)
        else:
            outcomes[i] = bool(done) and done[-1]


def _params(kind: MarkKind, rows: list[tuple[MarkRequest, OutboxMark]]) -> dict[str, Any]:
    leases = [r.lease for r, _ in rows]
    params: dict[str, Any] = {
        "ids": [r.digest_id for r, _ in rows],
        "lc": [x.channel_id if x else None for x in leases],
        "lw": [x.worker if x else None for x in leases],
        "lt": [x.token if x else None for x in leases],
    }
    if kind in (MarkKind.SENDING, MarkKind.POSTED):
        params["papers"] = [m.paper_id for _, m in rows]
    if kind in (MarkKind.HEADER, MarkKind.POSTED):
        params["msgs"] = [m.message_id for _, m in rows]
    if kind in (MarkKind.COMPLETE, MarkKind.POSTED):
        params["ats"] = [sql.utc(m.at) for _, m in rows]
    return params


def _held(conn: Connection, lease: Lease) -> bool:
    params = {
        "p_lease_channel": lease.channel_id,
        "p_lease_worker": lease.worker,
        "p_lease_token": lease.token,
    }
    return conn.execute(sql.OWNER, params).first() is not None


def _lost(lease: Lease) -> LeaseLost:
    log.warning(
        "refused outbox writes by %s on channel %d: its claim was lost",
        lease.worker,
        lease.channel_id,
    )
    return LeaseLost(
        f"{lease.worker} lost its claim on channel {lease.channel_id}; write abandoned"
    )
