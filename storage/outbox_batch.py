"""Many deliveries' outbox marks written together (`OutboxStore.apply_marks_many`).

The requests are cut into rounds in which no two marks touch the same row, so the order of
the marks inside a round does not matter and each request reads as if it had been applied
alone, in the batch's order. On PostgreSQL a round is ONE statement without BEGIN/COMMIT
(autocommit; atomic by itself, one snapshot): an UPDATE per kind of mark over arrays
(`unnest`) in data-modifying CTEs, with the same conditions and the same lease fence as the
single write (storage/outbox_sql.py), per row, and RETURNING telling which rows changed. A
request that touches a row twice is applied mark by mark in a transaction of its own, as
`apply_marks` applies it. On SQLite (one in-process writer: a statement costs little there,
the commit is what the batch saves) the whole batch is one transaction, mark by mark.

A request's marks are applied together or not at all, and a lost lease refuses all of them
(PostgreSQL: one statement, one snapshot; SQLite: its writer holds the database); it fails
that request only (its LeaseLost), never the others.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, TextClause, text
from sqlalchemy.exc import SQLAlchemyError

from bot.errors import LeaseLost, StorageError
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


def _digest_update(kind: str, assign: str, arrays: str, columns: str) -> str:
    return (
        f"UPDATE digest AS t SET {assign} FROM unnest(CAST(:{kind}_ids AS bigint[]), {arrays},"
        f" {_lease_arrays(kind)}) AS v(id, {columns}, lc, lw, lt)"
        f" WHERE t.id = v.id AND {_FENCE} RETURNING t.id, CAST('' AS text)"
    )


def _item_update(kind: str, assign: str, arrays: str, columns: str, where: str = "") -> str:
    return (
        f"UPDATE digest_item AS t SET {assign} FROM unnest(CAST(:{kind}_ids AS bigint[]),"
        f" CAST(:{kind}_papers AS text[]), {arrays}{_lease_arrays(kind)})"
        f" AS v(id, paper, {columns}lc, lw, lt)"
        f" WHERE t.digest_id = v.id AND t.paper_id = v.paper{where} AND {_FENCE}"
        " RETURNING t.digest_id, CAST(t.paper_id AS text)"
    )


def _lease_arrays(kind: str) -> str:
    return f"CAST(:{kind}_lc AS bigint[]), CAST(:{kind}_lw AS text[]), CAST(:{kind}_lt AS text[])"


# One UPDATE per kind of mark (the values each takes beside the row's key and the lease), all
# in ONE statement: data-modifying CTEs, atomic by themselves (no BEGIN/COMMIT round trips),
# one snapshot. A round never has two marks on one row, so the CTEs never meet.
_UPDATES = {
    MarkKind.HEADER: _digest_update(
        "header", "header_message_id = v.msg", "CAST(:header_msgs AS text[])", "msg"
    ),
    MarkKind.COMPLETE: _digest_update(
        "complete",
        "status = 'done', completed_at = v.at",
        "CAST(:complete_ats AS timestamptz[])",
        "at",
    ),
    MarkKind.SENDING: _item_update(
        "sending", f"status = '{ItemStatus.SENDING.value}'", "", "", f" AND t.status IN {_WAITING}"
    ),
    MarkKind.POSTED: _item_update(
        "posted",
        f"status = '{ItemStatus.POSTED.value}', message_id = v.msg, posted_at = v.at",
        "CAST(:posted_msgs AS text[]), CAST(:posted_ats AS timestamptz[]), ",
        "msg, at, ",
    ),
}
_ROUND: TextClause = text(
    "WITH "
    + ", ".join(f"{kind.value} AS ({update})" for kind, update in _UPDATES.items())
    + " "
    + " UNION ALL ".join(f"SELECT * FROM {kind.value}" for kind in _UPDATES)
)


def apply_many(
    conn: Connection, requests: Sequence[MarkRequest], single: Single
) -> list[bool | LeaseLost | StorageError]:
    """Every request's outcome, in order. On PostgreSQL `conn` is in autocommit: each round
    is one statement, a request applied alone is its own transaction. Elsewhere `conn` is in
    a transaction and each request goes mark by mark."""
    outcomes: list[bool | LeaseLost | StorageError] = [False] * len(requests)
    if conn.dialect.name != "postgresql":
        for i, request in enumerate(requests):
            outcomes[i] = _own(single, conn, request)
        return outcomes
    cut = rounds(requests)
    for n, (together, indices) in enumerate(cut):
        try:
            if together:
                _apply_round(conn, requests, indices, outcomes)
            else:
                _apply_alone(conn, requests, indices[0], single, outcomes)
        except SQLAlchemyError as exc:  # this round's and later ones' (earlier ones are in)
            if n == 0:
                raise
            failed = StorageError(f"database error: {type(exc).__name__}")
            for _, later in cut[n:]:
                for i in later:
                    outcomes[i] = failed
            break
    return outcomes


def _apply_alone(
    conn: Connection,
    requests: Sequence[MarkRequest],
    i: int,
    single: Single,
    outcomes: list[bool | LeaseLost | StorageError],
) -> None:
    """A request that touches a row twice: mark by mark in its own transaction."""
    conn.exec_driver_sql("BEGIN")
    try:
        outcomes[i] = _own(single, conn, requests[i])
    except BaseException:
        conn.exec_driver_sql("ROLLBACK")
        raise
    conn.exec_driver_sql("ROLLBACK" if isinstance(outcomes[i], LeaseLost) else "COMMIT")


def _own(single: Single, conn: Connection, request: MarkRequest) -> bool | LeaseLost:
    try:
        return single(conn, request)
    except LeaseLost as exc:
        return exc


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
    outcomes: list[bool | LeaseLost | StorageError],
) -> None:
    """One statement for the round; then each request's outcome from what changed (a
    refused request under a lease is told apart: lost lease, or a row not in that state)."""
    params: dict[str, Any] = {}
    for kind in _UPDATES:
        rows = [(requests[i], m) for i in indices for m in requests[i].marks if m.kind is kind]
        params |= _params(kind, rows)
    changed: set[Key] = {(r[0], r[1]) for r in conn.execute(_ROUND, params)}
    for i in indices:
        request = requests[i]
        done = [key(request.digest_id, m) in changed for m in request.marks]
        if request.lease is not None and not all(done) and not _held(conn, request.lease):
            outcomes[i] = _lost(request.lease)
        else:
            outcomes[i] = bool(done) and done[-1]


def _params(kind: MarkKind, rows: list[tuple[MarkRequest, OutboxMark]]) -> dict[str, Any]:
    leases = [r.lease for r, _ in rows]
    k = kind.value
    params: dict[str, Any] = {
        f"{k}_ids": [r.digest_id for r, _ in rows],
        f"{k}_lc": [x.channel_id if x else None for x in leases],
        f"{k}_lw": [x.worker if x else None for x in leases],
        f"{k}_lt": [x.token if x else None for x in leases],
    }
    if kind in (MarkKind.SENDING, MarkKind.POSTED):
        params[f"{k}_papers"] = [m.paper_id for _, m in rows]
    if kind in (MarkKind.HEADER, MarkKind.POSTED):
        params[f"{k}_msgs"] = [m.message_id for _, m in rows]
    if kind in (MarkKind.COMPLETE, MarkKind.POSTED):
        params[f"{k}_ats"] = [sql.utc(m.at) for _, m in rows]
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
