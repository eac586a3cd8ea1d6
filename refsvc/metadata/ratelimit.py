"""One outbound budget for the DOI resolver and Crossref together: a rate, a concurrency, and pauses.

Crossref's polite pool allows 10 requests/s and 3 at once, and content negotiation at doi.org for
Crossref DOIs counts against the same budget, so every network request of a DOI lookup (cache hits
excluded: the gate sits in the transport, below the cache) passes ``RateLimiter.slot``. A 429 with
Retry-After pauses the whole budget, not only the request that got it.
"""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from datetime import timezone
from email.utils import parsedate_to_datetime
from typing import Callable, Iterator

from refsvc.metadata.transport import FetchTimeout


class RateLimiter:
    """Start at most ``rate`` requests per second, at most ``concurrency`` in flight."""

    def __init__(self, rate: float, concurrency: int, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        if rate <= 0 or concurrency < 1:
            raise ValueError("the lookup rate must be > 0 and the concurrency >= 1")
        self.interval = 1.0 / rate
        self._slots = threading.BoundedSemaphore(concurrency)
        self._lock = threading.Lock()
        self._next = 0.0  # the earliest start of the next request
        self._paused_until = 0.0
        self._clock, self._sleep = clock, sleep

    def pause(self, seconds: float) -> None:
        """Hold every request back for ``seconds`` (the upstream said Retry-After)."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)

    def _reserve(self, deadline: float | None) -> float:
        """Book a start time, spaced ``interval`` after the previous one; fail if past the deadline."""
        with self._lock:
            now = self._clock()
            start = max(now, self._next, self._paused_until)
            if deadline is not None and start > deadline:
                raise FetchTimeout("the lookup budget ran out waiting for the outbound rate limit")
            self._next = start + self.interval
            return start - now

    @contextmanager
    def slot(self, deadline: float | None = None) -> Iterator[None]:
        """Wait for a concurrency slot and a start time within the rate, then hold the slot."""
        timeout = None if deadline is None else max(0.0, deadline - self._clock())
        if not self._slots.acquire(timeout=timeout):
            raise FetchTimeout("the lookup budget ran out waiting for a free outbound slot")
        try:
            wait = self._reserve(deadline)
            if wait > 0:
                self._sleep(wait)
            yield
        finally:
            self._slots.release()


# Book the next start time atomically for every process sharing the Redis (gunicorn workers, hosts).
_BOOK = """
local now = tonumber(ARGV[1])
local start = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'),
                       tonumber(redis.call('GET', KEYS[2]) or '0'))
if tonumber(ARGV[3]) > 0 and start > tonumber(ARGV[3]) then return '-1' end
redis.call('SET', KEYS[1], tostring(start + tonumber(ARGV[2])), 'EX', 3600)
return tostring(start - now)
"""
_PAUSE = """
local until_ = tonumber(ARGV[1])
if until_ > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], tostring(until_), 'EX', 3600)
end
return 1
"""


class RedisRateLimiter(RateLimiter):
    """The same budget shared through Redis by every process: the rate and pauses are global, the
    concurrency cap stays per process (LOOKUP_CONCURRENCY each)."""

    def __init__(self, rate: float, concurrency: int, redis_url: str, key: str = "refsvc:lookup-budget"):
        super().__init__(rate, concurrency)
        import redis

        from refsvc.metadata.cache import redis_client

        self._redis = redis_client(redis_url)
        self._keys = [f"{key}:next", f"{key}:paused-until"]
        self._errors: tuple[type[Exception], ...] = (redis.exceptions.RedisError,)
        self._book = self._redis.register_script(_BOOK)
        self._pause = self._redis.register_script(_PAUSE)

    def pause(self, seconds: float) -> None:
        """Hold every process's requests back for ``seconds``."""
        super().pause(seconds)
        try:
            self._pause(keys=[self._keys[1]], args=[repr(time.time() + seconds)])
        except self._errors:
            pass  # this process still pauses

    def _reserve(self, deadline: float | None) -> float:
        now = time.time()  # wall clock: the one all processes share
        wall_deadline = 0.0 if deadline is None else now + (deadline - self._clock())
        try:
            wait = float(self._book(keys=self._keys, args=[repr(now), repr(self.interval), repr(wall_deadline)]))
        except self._errors:
            return super()._reserve(deadline)  # Redis is down: keep this process's share of the budget
        if wait < 0:
            raise FetchTimeout("the lookup budget ran out waiting for the outbound rate limit")
        return wait


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000": HTTP dates are GMT, not the machine's local time
        when = when.replace(tzinfo=timezone.utc)
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)
