"""What planning one channel's digest reads, in one statement: the candidate window's signature,
the channel's posted papers and its opinions come back as the rows of one query (one round trip
on a plain connection per channel); the window itself is read only when its signature moved."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Integer,
    Row,
    Select,
    bindparam,
    literal,
    null,
    select,
    true,
    union_all,
)

from bot.models import Feedback, Paper, PlanInputs
from storage.paper_cache import PaperRowCache, Window
from storage.paper_store import PaperStore
from storage.paper_upsert import PAPERS
from storage.reaction_store import latest_opinions
from storage.tables import DigestItemRow, ReactionRow

_ITEMS = DigestItemRow.__table__  # type: ignore[attr-defined]
_REACTIONS = ReactionRow.__table__  # type: ignore[attr-defined]
_POSTED, _OPINION = 0, 1  # the `kind` of a row of `_channel_rows`


class PlanInputStore(PaperStore):
    """`plan_inputs`: the candidate window, the channel's posted papers and its opinions."""

    def plan_inputs(self, channel_id: int, since: datetime, limit: int = 5000) -> PlanInputs:
        since = since if since.tzinfo is not None else since.replace(tzinfo=UTC)
        cache = self._paper_cache()
        kept = cache.windows.covering(since, limit)
        floor = kept.floor if kept is not None else since
        with self.autocommit() as conn:  # the statement is its own snapshot
            generation = cache.generation  # before the read, as `_signature` takes it
            query = self._plan_query()
            rows = list(conn.execute(query, {"plan_channel": channel_id, "plan_floor": floor}))
            first = rows[0]  # the signature row is always there (an outer join)
            signature = (first.sig_count, first.sig_latest, first.sig_total, generation)
            if kept is not None and signature == kept.signature:
                papers = kept.after(since, limit)
            else:
                papers = self._fresh_window(conn, since, limit, cache, None if kept else signature)
        return PlanInputs(
            papers=papers,
            posted=frozenset(r.paper_id for r in rows if r.kind == _POSTED),
            feedback=tuple(_opinions(channel_id, rows)),
        )

    def _fresh_window(
        self,
        conn: Connection,
        since: datetime,
        limit: int,
        cache: PaperRowCache,
        signature: tuple[object, ...] | None,
    ) -> list[Paper]:
        """The window read anew; `signature` is its own when it was read for `since` (else the
        kept window's moved: `window_papers` takes the signature again for `since`)."""
        if signature is None:
            return self.window_papers(conn, since, limit)
        rows = self._read_window(conn, since, limit, cache)
        cache.windows.keep(Window(since, limit, signature, tuple(rows)))
        return [paper for _, paper in rows]

    def _plan_query(self) -> Select[Any]:
        """One row per posted paper and per active reaction of the channel `plan_channel`, each
        carrying the signature of the papers first seen after `plan_floor` (`_signature`); a
        channel with neither still gets one row (the signature, the rest null). Built once per
        store: building the statement costs more than running it."""
        built: Select[Any] | None = self.__dict__.get("_plan_statement")
        if built is not None:
            return built
        channel_id = bindparam("plan_channel", type_=Integer())
        opinions = select(
            literal(_OPINION).label("kind"),
            _REACTIONS.c.paper_id,
            _REACTIONS.c.user_id,
            _REACTIONS.c.value,
            _REACTIONS.c.event_at,
            _REACTIONS.c.emoji,
        ).where(_REACTIONS.c.channel_id == channel_id, _REACTIONS.c.active.is_(True))
        posted = select(literal(_POSTED), _ITEMS.c.paper_id, null(), null(), null(), null()).where(
            _ITEMS.c.channel_id == channel_id
        )
        # opinions first: a union's column types (and their result processing) are the first's
        channel = union_all(opinions, posted).subquery("channel_rows")
        floor = bindparam("plan_floor", type_=PAPERS.c.first_seen_at.type)
        signature = self.signature_query(floor).subquery("window_signature")
        built = select(signature, channel).select_from(signature.outerjoin(channel, true()))
        self.__dict__["_plan_statement"] = built
        return built


def _opinions(channel_id: int, rows: Sequence[Row[Any]]) -> list[Feedback]:
    return latest_opinions(channel_id, (r for r in rows if r.kind == _OPINION))
