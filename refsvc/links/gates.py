"""Gates of shared politeness: per-host request slots and spacing that every process respects.

RedisGate (REFSVC_REDIS_URL set), FileGate (SQLite: a lock file beside the database) and, for
PostgreSQL without Redis, refsvc.storage.hostslots.DatabaseGate.

In Redis each host has a sorted set of slot holders scored by when their lease ends, a key holding when the
next request may start, and one holding a wider spacing after a 429. The script reads Redis's own
clock, so checkers on several machines need not agree on the time.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import struct
import threading
import time
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



class FileGate:
    """Slots and spacing per host in a lock file beside a SQLite database, for every process of the
    machine (a SQLite file is never shared across machines).

    A slot is a POSIX lock on one byte of the file: the kernel frees it when its process dies, so
    it needs no lease. A host's spacing is a record (next start, wider spacing, until when) under a
    lock of its own. Hosts hash into ``BUCKETS`` buckets; two hosts in one bucket (rare) share limits,
    which is only more polite.
    """

    BUCKETS = 1 << 20
    MAX_SLOTS = 64
    RECORD = struct.Struct("<ddd")

    def __init__(self, path: str) -> None:
        self.path = path
        self._fds: tuple[int, int] | None = None
        self._pid = 0
        self._held: set[int] = set()  # POSIX locks never conflict within a process: we keep count
        self._lock = threading.Lock()

    def _files(self) -> tuple[int, int]:
        if self._fds is None or self._pid != os.getpid():  # a forked worker opens its own
            self._fds = (os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600),
                         os.open(self.path + "-times", os.O_RDWR | os.O_CREAT, 0o600))
            self._pid, self._held = os.getpid(), set()
        return self._fds

    def _bucket(self, host: str) -> int:
        return int.from_bytes(hashlib.blake2b(host.encode("utf-8", "replace"), digest_size=4).digest(),
                              "big") % self.BUCKETS

    def _read(self, fd: int, bucket: int) -> tuple[float, float, float]:
        data = os.pread(fd, self.RECORD.size, bucket * self.RECORD.size)
        return self.RECORD.unpack(data) if len(data) == self.RECORD.size else (0.0, 0.0, 0.0)

    def try_acquire(self, host: str, limit: int, spacing: float, lease: float) -> tuple[str | None, float]:
        """Take a slot on ``host``: (holder id, 0) or (None, seconds to wait before trying again)."""
        bucket = self._bucket(host)
        with self._lock:
            slots, times = self._files()
            taken = None
            for k in range(min(limit, self.MAX_SLOTS)):
                offset = bucket * self.MAX_SLOTS + k
                if offset in self._held:
                    continue
                try:
                    fcntl.lockf(slots, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, offset)
                except OSError:
                    continue
                taken = offset
                break
            if taken is None:
                return None, 0.02
            at = bucket * self.RECORD.size
            fcntl.lockf(times, fcntl.LOCK_EX, self.RECORD.size, at)
            try:
                start, wider, until = self._read(times, bucket)
                now = time.time()
                if now < start:
                    fcntl.lockf(slots, fcntl.LOCK_UN, 1, taken)
                    return None, start - now
                gap = max(spacing, wider if until > now else 0.0)
                if gap > 0:
                    os.pwrite(times, self.RECORD.pack(now + gap, wider, until), at)
            finally:
                fcntl.lockf(times, fcntl.LOCK_UN, self.RECORD.size, at)
            self._held.add(taken)
            return str(taken), 0.0

    def release(self, host: str, holder: str) -> None:
        """Give back the slot ``holder`` took."""
        offset = int(holder)
        with self._lock:
            slots, _ = self._files()
            if offset in self._held:
                fcntl.lockf(slots, fcntl.LOCK_UN, 1, offset)
                self._held.discard(offset)

    def slow(self, host: str, spacing: float, not_before: float, hold_for: float = 600.0) -> None:
        """A 429: space ``host`` by ``spacing`` for a while, and start nothing for ``not_before`` s."""
        bucket = self._bucket(host)
        with self._lock:
            _, times = self._files()
            at = bucket * self.RECORD.size
            fcntl.lockf(times, fcntl.LOCK_EX, self.RECORD.size, at)
            try:
                start, _, _ = self._read(times, bucket)
                now = time.time()
                os.pwrite(times, self.RECORD.pack(max(start, now + not_before), spacing, now + hold_for), at)
            finally:
                fcntl.lockf(times, fcntl.LOCK_UN, self.RECORD.size, at)

    def close(self) -> None:
        """Close the files (which frees this process's slots)."""
        with self._lock:
            if self._fds is not None and self._pid == os.getpid():
                for fd in self._fds:
                    os.close(fd)
            self._fds, self._held = None, set()
