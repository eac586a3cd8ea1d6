"""The shared outbound budget: spacing, concurrency, pauses for Retry-After, and the deadline."""
from __future__ import annotations

import threading

import pytest

from refsvc.metadata.http import FetchTimeout
from refsvc.metadata.ratelimit import RateLimiter, retry_after_seconds


class FakeClock:
    """A clock that only moves when the limiter sleeps."""

    def __init__(self) -> None:
        self.now = 100.0
        self.starts: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_requests_start_no_faster_than_the_rate():
    clock = FakeClock()
    limiter = RateLimiter(10, 3, clock=clock, sleep=clock.sleep)
    for _ in range(5):
        with limiter.slot():
            clock.starts.append(clock.now)
    gaps = [round(b - a, 6) for a, b in zip(clock.starts, clock.starts[1:])]
    assert gaps == [0.1, 0.1, 0.1, 0.1]


def test_a_pause_holds_every_request_back():
    clock = FakeClock()
    limiter = RateLimiter(10, 3, clock=clock, sleep=clock.sleep)
    limiter.pause(2.0)
    with limiter.slot():
        assert clock.now == pytest.approx(102.0)


def test_a_start_past_the_deadline_is_a_timeout_not_a_wait():
    clock = FakeClock()
    limiter = RateLimiter(1, 3, clock=clock, sleep=clock.sleep)
    limiter.pause(30)
    with pytest.raises(FetchTimeout, match="rate limit"):
        with limiter.slot(deadline=clock.now + 5):
            pass


def test_no_more_than_the_concurrency_are_in_flight_at_once():
    limiter = RateLimiter(1000, 2)
    inside, most, lock = 0, 0, threading.Lock()
    release = threading.Event()

    def work() -> None:
        nonlocal inside, most
        with limiter.slot():
            with lock:
                inside += 1
                most = max(most, inside)
            release.wait(0.2)
            with lock:
                inside -= 1

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most == 2


def test_waiting_for_a_slot_stops_at_the_deadline():
    import time

    limiter = RateLimiter(1000, 1)
    with limiter.slot():
        with pytest.raises(FetchTimeout, match="free outbound slot"):
            with limiter.slot(deadline=time.monotonic() + 0.05):
                pass


@pytest.mark.parametrize("header, seconds", [("3", 3.0), ("0", 0.0), (None, None), ("soon", None),
                                             ("Wed, 21 Oct 2015 07:28:10 GMT", 0.0)])
def test_retry_after_is_read_as_seconds_or_a_date(header, seconds):
    assert retry_after_seconds(header) == seconds


def test_retry_after_as_a_future_date():
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == pytest.approx(10.0)


def test_limiters_on_one_redis_share_the_budget(redis_url):
    from refsvc.metadata.ratelimit import RedisRateLimiter

    first, second = RedisRateLimiter(10, 3, redis_url), RedisRateLimiter(10, 3, redis_url)
    waits = [limiter._reserve(None) for limiter in (first, second, first, second)]
    # four starts booked back to back by two processes are spaced 0.1 s apart, not two at a time
    assert [round(w, 1) for w in waits] == [0.0, 0.1, 0.2, 0.3]


def test_a_pause_on_redis_holds_back_the_other_process(redis_url):
    from refsvc.metadata.ratelimit import RedisRateLimiter

    first, second = RedisRateLimiter(10, 3, redis_url), RedisRateLimiter(10, 3, redis_url)
    first.pause(2.0)
    assert 1.8 < second._reserve(None) <= 2.0
    with pytest.raises(FetchTimeout):
        import time
        second._reserve(time.monotonic() + 0.5)
