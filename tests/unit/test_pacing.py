"""The core's pacer: per-key token buckets (GCRA), several keys at once (a channel and a global
cap), Retry-After holds per key and route; all on an injected clock."""

from __future__ import annotations

import itertools
import threading

from bot.digest.pacing import Lane, Pacer, Rate
from tests.fakes import FakeTime


def pacer(time: FakeTime, margin: float = 0.0) -> Pacer:
    return Pacer(monotonic=time.monotonic, sleep=time.sleep, margin=margin)


def test_one_key_is_paced_at_its_rate() -> None:
    time = FakeTime()
    p = pacer(time)
    channel = [Lane("C1", Rate(1.0))]
    for _ in range(3):
        p.acquire(channel)
    assert time.sleeps == [1.0, 1.0]


def test_a_burst_goes_at_once_then_the_rate_holds() -> None:
    time = FakeTime()
    p = pacer(time)
    lane = [Lane("C1", Rate(2.0, burst=3))]
    starts = [p.book(lane) for _ in range(5)]
    assert [round(s - 1000.0, 3) for s in starts] == [0.0, 0.0, 0.0, 0.5, 1.0]


def test_an_idle_bucket_refills_and_the_margin_is_added() -> None:
    time = FakeTime()
    p = pacer(time, margin=0.05)
    lane = [Lane("C1", Rate(1.0))]
    p.acquire(lane)
    time.now += 0.5
    p.acquire(lane)
    assert time.sleeps == [0.55]  # 1.05 s after the first
    time.now += 10
    assert p.delay(lane) == 0.0


def test_different_channels_do_not_wait_for_each_other() -> None:
    time = FakeTime()
    p = pacer(time)
    starts = [p.book([Lane(f"C{i}", Rate(1.0))]) for i in range(100)]
    assert set(starts) == {1000.0}


def test_a_global_cap_spaces_requests_over_all_channels() -> None:
    time = FakeTime()
    p = pacer(time)
    cap = Lane("global", Rate(50.0))
    starts = [p.book([Lane(f"C{i}", Rate(1.0)), cap]) for i in range(100)]
    gaps = [round(b - a, 6) for a, b in itertools.pairwise(starts)]
    assert min(gaps) >= 0.02 - 1e-9  # never more than 50 a second
    assert round(starts[-1] - starts[0], 6) == 99 * 0.02  # and no slower than the cap


def test_the_tighter_of_channel_and_cap_wins() -> None:
    time = FakeTime()
    p = pacer(time)
    cap = Lane("global", Rate(50.0))
    starts = [p.book([Lane(f"C{i % 10}", Rate(1.0)), cap]) for i in range(100)]
    by_channel = [s for i, s in enumerate(starts) if i % 10 == 3]
    assert all(b - a >= 1.0 - 1e-9 for a, b in itertools.pairwise(by_channel))
    assert starts[-1] - starts[0] < 9.2  # ten rounds of ten channels, not 100 one by one


def test_retry_after_holds_only_the_lanes_it_names() -> None:
    time = FakeTime()
    p = pacer(time)
    c1, c2 = Lane("slack:T:C1:post", Rate(1.0)), Lane("slack:T:C2:post", Rate(1.0))
    react = Lane("slack:T:reactions.add", Rate(1.0))
    p.hold([c1], 30.0)
    assert p.delay([c1]) == 30.0
    assert p.delay([c2]) == 0.0 and p.delay([react]) == 0.0  # other channel, other route
    p.acquire([c2])
    p.acquire([c1])
    assert time.sleeps == [30.0]


def test_a_request_booked_before_a_hold_books_again_after_it() -> None:
    time = FakeTime()
    p = pacer(time)
    lane = [Lane("C1", Rate(1.0))]
    p.acquire(lane)  # now, the next slot is a second later
    original = time.sleep

    def sleep_and_get_a_429(seconds: float) -> None:
        original(seconds)
        if len(time.sleeps) == 1:
            p.hold(lane, 5.0)  # another thread's post was answered 429, Retry-After 5

    p.sleep = sleep_and_get_a_429
    p.acquire(lane)
    assert time.sleeps == [1.0, 5.0]


def test_holds_never_shorten() -> None:
    time = FakeTime()
    p = pacer(time)
    lane = [Lane("C1", Rate(1.0))]
    p.hold(lane, 10.0)
    p.hold(lane, 2.0)
    assert p.delay(lane) == 10.0


def test_idle_keys_are_forgotten() -> None:
    time = FakeTime()
    p = pacer(time)
    for i in range(5000):
        p.book([Lane(f"C{i}", Rate(1.0))])
        time.now += 0.01
    assert len(p._next) < 1100  # swept at 4096 bookings: not all 5000


def test_threads_sharing_a_pacer_never_book_the_same_slot() -> None:
    p = Pacer(margin=0.0)
    lane = [Lane("global", Rate(1000.0))]
    booked: list[float] = []
    lock = threading.Lock()

    def book() -> None:
        for _ in range(200):
            at = p.book(lane)
            with lock:
                booked.append(at)

    threads = [threading.Thread(target=book) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    booked.sort()
    assert len(booked) == 1600
    assert all(b - a >= 0.001 - 1e-9 for a, b in itertools.pairwise(booked))


def platform_window(tat: dict[str, float], key: str, at: float, interval: float = 1.0) -> bool:
    """The platform's own count (benchmarks/fake_chat.py, Slack's 1/s per channel, no burst):
    True when a request reaching it at `at` is accepted."""
    if at < tat.get(key, at) - 1e-9:
        return False
    tat[key] = max(tat.get(key, at), at) + interval
    return True


def test_a_late_request_does_not_make_the_next_one_early() -> None:
    """The first post reaches the platform 0.3 s after its booked moment (a slow thread, the
    network), the second on time: timed from the booking it would be 0.72 s after the first
    on the platform's clock (a 429); timed from the first one's answer it is not."""
    time = FakeTime()
    p = pacer(time, margin=0.02)
    lane = [Lane("slack:T:C1:post", Rate(1.0), serial=True)]
    seen: dict[str, float] = {}
    accepted = []
    for late in (0.3, 0.0, 0.25, 0.0):
        p.acquire(lane)
        time.now += late  # booked moment -> the platform sees it
        accepted.append(platform_window(seen, "C1", time.now))
        time.now += 0.01  # -> its answer
        p.done(lane)
    assert accepted == [True, True, True, True]
    assert time.sleeps == [1.02, 1.02, 1.02]  # an interval (+2%) after each answer, no more


def test_a_post_the_sdk_retried_after_a_429_times_the_next_one_from_its_answer() -> None:
    """slack-sdk waited out a Retry-After and re-sent the post inside the call: the pacer only
    sees the call end 1.5 s after the booking; the next post waits a whole interval from then
    (booking-timed, it would go at once and be refused again, and so on down the digest)."""
    time = FakeTime()
    p = pacer(time)
    lane = [Lane("C1", Rate(1.0), serial=True)]
    p.acquire(lane)
    time.now += 1.5  # a 429, Retry-After 1, the re-sent post accepted
    p.done(lane)
    p.acquire(lane)
    assert time.sleeps == [1.0]


def test_done_only_moves_serial_lanes() -> None:
    time = FakeTime()
    p = pacer(time)
    cap = Lane("global", Rate(50.0))
    p.acquire([cap])
    time.now += 0.5
    p.done([cap])
    assert p.delay([cap]) == 0.0


def test_a_channel_waiting_for_its_pace_leaves_the_global_cap_to_others() -> None:
    """C1 must wait a second for its own pace; while it waits, C2 (ready now) gets the global
    cap's next slot at once instead of queueing behind C1's future one."""
    time = FakeTime()
    p = pacer(time)
    cap = Lane("global", Rate(50.0))
    c1, c2 = Lane("C1", Rate(1.0), serial=True), Lane("C2", Rate(1.0), serial=True)
    p.acquire([c1, cap])
    booked_meanwhile: list[float] = []
    original = time.sleep

    def other_channel_books(seconds: float) -> None:
        if not booked_meanwhile:
            booked_meanwhile.append(round(p.book([c2, cap]) - time.now, 6))
        original(seconds)

    p.sleep = other_channel_books
    p.acquire([c1, cap])
    assert booked_meanwhile == [0.02]  # right after C1's first post, not after its second
    assert time.sleeps == [1.0]  # C1's pace; the cap's slot was long free by then
