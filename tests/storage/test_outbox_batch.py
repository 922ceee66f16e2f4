"""How grouped outbox marks are cut into rounds: no two marks of a round touch one row."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.models import MarkRequest, OutboxMark
from storage.outbox_batch import rounds

T0 = datetime(2026, 6, 30, 9, 0, tzinfo=UTC)


def test_requests_on_distinct_rows_share_one_round() -> None:
    requests = [
        MarkRequest(1, (OutboxMark.header("h"), OutboxMark.sending("a"))),
        MarkRequest(2, (OutboxMark.posted("b", "m", T0), OutboxMark.sending("c"))),
        MarkRequest(1, (OutboxMark.posted("x", "m", T0), OutboxMark.sending("d"))),  # other rows
    ]
    assert rounds(requests) == [(True, [0, 1, 2])]


def test_a_row_met_again_starts_a_new_round_in_order() -> None:
    requests = [
        MarkRequest(1, (OutboxMark.sending("a"),)),
        MarkRequest(2, (OutboxMark.sending("b"),)),
        MarkRequest(1, (OutboxMark.sending("a"),)),  # the same item: after the first
        MarkRequest(1, (OutboxMark.complete(T0),)),
        MarkRequest(1, (OutboxMark.header("h"),)),  # the digest row again
    ]
    assert rounds(requests) == [(True, [0, 1]), (True, [2, 3]), (True, [4])]


def test_a_request_touching_one_row_twice_is_applied_alone() -> None:
    requests = [
        MarkRequest(1, (OutboxMark.sending("a"),)),
        MarkRequest(2, (OutboxMark.posted("b", "m", T0), OutboxMark.sending("b"))),
        MarkRequest(3, (OutboxMark.header("h"), OutboxMark.complete(T0))),
        MarkRequest(4, ()),
    ]
    assert rounds(requests) == [(True, [0]), (False, [1]), (False, [2]), (True, [3])]
