"""KeyedLocks: one holder per key, other keys not held up, nothing kept once released."""

from __future__ import annotations

import threading
import time

from bot.content.summarize import extractive_tldr, tldr
from bot.keyed_locks import KeyedLocks
from tests.conftest import make_paper


def test_one_holder_per_key_and_nothing_kept_afterwards() -> None:
    locks = KeyedLocks()
    inside: dict[str, int] = {"a": 0, "b": 0}
    most: dict[str, int] = {"a": 0, "b": 0}
    guard = threading.Lock()

    def use(key: str) -> None:
        with locks.hold(key):
            with guard:
                inside[key] += 1
                most[key] = max(most[key], inside[key])
            time.sleep(0.002)
            with guard:
                inside[key] -= 1

    threads = [threading.Thread(target=use, args=("ab"[i % 2],)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most == {"a": 1, "b": 1}
    assert len(locks) == 0


def test_tldr_is_the_same_from_many_threads_at_once() -> None:
    paper = make_paper("p1", "X", "In this paper, we propose $\\mathcal{O}(n)$ sorting. It works.")
    expected = extractive_tldr(paper.abstract, title=paper.title)  # not through the cache
    got: list[str] = []
    threads = [threading.Thread(target=lambda: got.append(tldr(paper))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == [expected] * 8
    assert "𝒪(n)" in expected
