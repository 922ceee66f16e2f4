"""A delivery's outbox marks, written with as few transactions as exactly-once allows."""

from __future__ import annotations

from collections.abc import Callable

from bot.models import Lease, MarkRequest, OutboxMark

MarkWriter = Callable[[MarkRequest], bool]  # `OutboxStore.apply_marks`, maybe group-committed


class Marks:
    """The outbox writes of one digest delivery.

    The record of a message that is out (the header's id, an item's `posted` mark) waits for
    the delivery's next write, which follows within moments (the next item's `sending` mark
    or the digest's completion), and goes in the same transaction: one commit instead of two,
    and still before the next post. Before anything else (a lookup, a failure record, the
    end of the delivery, an error) it is written alone by `flush`. A crash before it is
    written leaves the item `sending`, as a crash between a post and its record always did:
    the next run looks for the message before posting again.

    Each write goes through `write`: in a worker, a group commit (bot/digest/group_commit.py)
    that applies many channels' writes in one transaction and returns once this one is in.
    """

    def __init__(self, write: MarkWriter, digest_id: int, lease: Lease | None) -> None:
        self._write = write
        self.digest_id = digest_id
        self.lease = lease
        self._waiting: OutboxMark | None = None

    def after_post(self, mark: OutboxMark) -> None:
        """Hold the record of a posted message for the next write (one at a time)."""
        self.flush()
        self._waiting = mark

    def write(self, mark: OutboxMark) -> bool:
        """Write `mark` now, with the held record first if there is one; True when `mark`
        changed its row (for a `sending` mark: the item is ours to post)."""
        marks = [mark] if self._waiting is None else [self._waiting, mark]
        self._waiting = None  # written or failed: never written twice
        return self._write(MarkRequest(self.digest_id, tuple(marks), self.lease))

    def flush(self) -> None:
        """Write the held record alone, if there is one."""
        if self._waiting is not None:
            waiting, self._waiting = self._waiting, None
            self._write(MarkRequest(self.digest_id, (waiting,), self.lease))
