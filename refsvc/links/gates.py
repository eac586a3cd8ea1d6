"""The Redis gate of shared politeness: per-host request slots and spacing, one Lua script per try.

Each host has a sorted set of slot holders scored by when their lease ends, a key holding when the
next request may start, and one holding a wider spacing after a 429. The script reads Redis's own
clock, so checkers on several machines need not agree on the time.
"""
from __future__ import annotations

import uuid

ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  return 20
end
local spacing = tonumber(ARGV[2])
local slowed = tonumber(redis.call('GET', KEYS[3]) or '0')
if slowed > spacing then spacing = slowed end
local start = tonumber(redis.call('GET', KEYS[2]) or '0')
if now < start then return start - now end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[4])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
if spacing > 0 then redis.call('SET', KEYS[2], now + spacing, 'PX', spacing) end
return 0
"""

SLOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
local start = tonumber(redis.call('GET', KEYS[2]) or '0')
local wanted = now + tonumber(ARGV[2])
if wanted > start then redis.call('SET', KEYS[2], wanted, 'PX', ARGV[2] + 1) end
return 0
"""


class RedisGate:
    """Slots and spacing per host in Redis: ``try_acquire`` / ``release`` / ``slow``."""

    def __init__(self, url: str, prefix: str = "refsvc:polite") -> None:
        import redis

        # short timeouts: a Redis that hangs must not hold a check past its deadline
        self.redis = redis.Redis.from_url(url, socket_connect_timeout=1.0, socket_timeout=2.0)
        self.prefix = prefix
        self._acquire = self.redis.register_script(ACQUIRE)
        self._slow = self.redis.register_script(SLOW)

    def _keys(self, host: str) -> list[str]:
        tag = f"{self.prefix}:{{{host}}}"  # one hash slot per host on a Redis Cluster
        return [f"{tag}:slots", f"{tag}:next", f"{tag}:spacing"]

    def try_acquire(self, host: str, limit: int, spacing: float, lease: float) -> tuple[str | None, float]:
        """Take a slot on ``host``: (holder id, 0) or (None, seconds to wait before trying again)."""
        holder = uuid.uuid4().hex
        wait = int(self._acquire(keys=self._keys(host),
                                 args=[limit, int(spacing * 1000), int(lease * 1000), holder]))
        return (holder, 0.0) if wait <= 0 else (None, wait / 1000)

    def release(self, host: str, holder: str) -> None:
        """Give back the slot ``holder`` took."""
        self.redis.zrem(self._keys(host)[0], holder)

    def slow(self, host: str, spacing: float, not_before: float, hold_for: float = 600.0) -> None:
        """A 429: space ``host`` by ``spacing`` for a while, and start nothing for ``not_before`` s."""
        keys = self._keys(host)
        self._slow(keys=[keys[2], keys[1]],
                   args=[int(spacing * 1000), max(int(not_before * 1000), 1), int(hold_for * 1000)])

    def close(self) -> None:
        """Close the connections."""
        self.redis.close()

