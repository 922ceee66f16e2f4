"""Group commit: threads' requests applied together, each waiter handed its own outcome."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor

import pytest

from bot.digest.group_commit import GroupCommit
from bot.errors import LeaseLost, StorageError


class Flushes:
    """apply_many that records its batches; the first flush waits for `release` so that the
    other threads queue up behind it; a request < 0 is refused (its own LeaseLost)."""

    def __init__(self, fail: bool = False) -> None:
        self.batches: list[list[int]] = []
        self.entered = threading.Event()
        self.release = threading.Event()
        self.fail = fail

    def __call__(self, requests: Sequence[int]) -> list[int | BaseException]:
        self.batches.append(list(requests))
        if len(self.batches) == 1:
            self.entered.set()
            assert self.release.wait(5)
        if self.fail and len(self.batches) == 2:
            raise StorageError("database unavailable")
        return [LeaseLost(f"lost {r}") if r < 0 else r * 10 for r in requests]


def _queued(
    commit: GroupCommit[int, int], pool: ThreadPoolExecutor, requests: list[int]
) -> list[Future[int]]:
    return [pool.submit(commit.submit, r) for r in requests]


def test_alone_a_request_is_its_own_batch() -> None:
    flushes = Flushes()
    flushes.release.set()
    commit: GroupCommit[int, int] = GroupCommit(flushes)
    assert [commit.submit(1), commit.submit(2)] == [10, 20]
    assert flushes.batches == [[1], [2]] and commit.batches == 2


def test_requests_queued_during_a_flush_go_in_the_next_one_each_with_its_own_outcome() -> None:
    flushes = Flushes()
    commit: GroupCommit[int, int] = GroupCommit(flushes)
    with ThreadPoolExecutor(8) as pool:
        first = pool.submit(commit.submit, 1)
        assert flushes.entered.wait(5)
        rest = _queued(commit, pool, [2, -3, 4, 5])
        while len(commit._queue) < 4:  # the four wait behind the running flush
            threading.Event().wait(0.001)
        flushes.release.set()
        assert first.result(5) == 10
        assert [rest[i].result(5) for i in (0, 2, 3)] == [20, 40, 50]
        with pytest.raises(LeaseLost, match="lost -3"):  # only its own waiter sees it
            rest[1].result(5)
    assert flushes.batches[0] == [1]
    assert sorted(flushes.batches[1]) == [-3, 2, 4, 5] and len(flushes.batches) == 2
    assert commit.requests == 5 and not commit._flushing


def test_a_failed_flush_fails_its_batch_only() -> None:
    flushes = Flushes(fail=True)
    commit: GroupCommit[int, int] = GroupCommit(flushes)
    with ThreadPoolExecutor(8) as pool:
        first = pool.submit(commit.submit, 1)
        assert flushes.entered.wait(5)
        rest = _queued(commit, pool, [2, 3])
        while len(commit._queue) < 2:
            threading.Event().wait(0.001)
        flushes.release.set()
        assert first.result(5) == 10
        for future in rest:
            with pytest.raises(StorageError):
                future.result(5)
    assert commit.submit(7) == 70  # the next flush runs as usual


def test_a_batch_is_capped_and_the_rest_follow_in_the_next_flush() -> None:
    flushes = Flushes()
    commit: GroupCommit[int, int] = GroupCommit(flushes, max_batch=2)
    with ThreadPoolExecutor(8) as pool:
        first = pool.submit(commit.submit, 1)
        assert flushes.entered.wait(5)
        rest = _queued(commit, pool, [2, 3, 4, 5, 6])
        while len(commit._queue) < 5:
            threading.Event().wait(0.001)
        flushes.release.set()
        assert [f.result(5) for f in [first, *rest]] == [10, 20, 30, 40, 50, 60]
    assert [len(b) for b in flushes.batches] == [1, 2, 2, 1]


def test_many_threads_all_get_their_outcomes() -> None:
    flushes = Flushes()
    flushes.release.set()
    commit: GroupCommit[int, int] = GroupCommit(flushes)
    with ThreadPoolExecutor(32) as pool:
        got = list(pool.map(commit.submit, range(1, 2001)))
    assert got == [r * 10 for r in range(1, 2001)]
    assert sorted(r for b in flushes.batches for r in b) == list(range(1, 2001))
    assert commit.requests == 2000 and not commit._flushing
