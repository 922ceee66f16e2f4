"""Many channels' digests recorded in one statement (`OutboxStore.create_digests`, PostgreSQL).

The digests, all their items and the channels' touches (last digest time, watermark) are ONE
statement of data-modifying CTEs over arrays, atomic by itself and run without BEGIN/COMMIT:
the same rows `create_digest` writes for each. It is only tried for distinct channels; a
conflict anywhere (a run key already recorded, a paper already in another digest) fails it
whole, writing nothing, and the store then records each digest alone, which tells whose it was.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, TextClause, text

from bot.models import Digest, DigestItem, DigestRequest, ItemStatus
from storage import outbox_sql as sql
from storage.mapping import reasons_to_json

CREATE_MANY: TextClause = text(
    "WITH v AS (SELECT * FROM unnest(CAST(:channels AS bigint[]), CAST(:keys AS text[]),"
    " CAST(:candidates AS integer[]), CAST(:created AS timestamptz[]),"
    " CAST(:nows AS timestamptz[]), CAST(:watermarks AS timestamptz[]))"
    " AS v(channel_id, run_key, candidates, created_at, now, watermark)),"
    " d AS (INSERT INTO digest (channel_id, run_key, candidates, status, created_at)"
    " SELECT channel_id, run_key, candidates, 'pending', created_at FROM v"
    " RETURNING id, channel_id),"
    " i AS (INSERT INTO digest_item (digest_id, channel_id, paper_id, rank, score, reasons,"
    " tldr, status, attempts) SELECT d.id, d.channel_id, it.paper, it.rank, it.score,"
    f" CAST(it.reasons AS json), it.tldr, '{ItemStatus.PENDING.value}', 0"
    " FROM unnest(CAST(:item_channels AS bigint[]), CAST(:papers AS text[]),"
    " CAST(:ranks AS integer[]), CAST(:scores AS float8[]), CAST(:reasons AS text[]),"
    " CAST(:tldrs AS text[])) AS it(channel_id, paper, rank, score, reasons, tldr)"
    " JOIN d ON d.channel_id = it.channel_id),"
    " t AS (UPDATE channel AS c SET last_digest_at = v.now,"
    " watermark = COALESCE(v.watermark, c.watermark) FROM v WHERE c.id = v.channel_id)"
    " SELECT id, channel_id FROM d"
)


def create_many(
    conn: Connection, requests: Sequence[DigestRequest], items: Sequence[list[DigestItem]]
) -> list[tuple[Digest, bool]]:
    """Record every request's digest (with `items`, one list per request) in one statement,
    on an autocommit connection; raises IntegrityError, writing nothing, on any conflict."""
    params: dict[str, Any] = {
        "channels": [r.channel_id for r in requests],
        "keys": [r.run_key for r in requests],
        "candidates": [r.candidates for r in requests],
        "created": [sql.utc(r.now) for r in requests],
        "nows": [sql.utc(r.now) for r in requests],
        "watermarks": [sql.utc(r.watermark) for r in requests],
        "item_channels": [
            r.channel_id for r, its in zip(requests, items, strict=True) for _ in its
        ],
        "papers": [i.paper.id for its in items for i in its],
        "ranks": [i.rank for its in items for i in its],
        "scores": [i.score for its in items for i in its],
        "reasons": [json.dumps(reasons_to_json(i.reasons)) for its in items for i in its],
        "tldrs": [i.tldr for its in items for i in its],
    }
    ids = {row.channel_id: row.id for row in conn.execute(CREATE_MANY, params)}
    return [
        (
            Digest(
                r.channel_id, r.run_key, tuple(its), r.candidates, ids[r.channel_id], sql.utc(r.now)
            ),
            True,
        )
        for r, its in zip(requests, items, strict=True)
    ]
