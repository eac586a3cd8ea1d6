"""The HTTP cache of lookups (requests-cache): SQLite on the embedded default, Redis when configured.

Answers are kept for the lifetime the caller gives per request (30 days for DOIs, 1 day for pages), a
404/410 for a shorter one, and an expired answer is still served, flagged stale, when its source
fails (``stale_if_error``). The cache sits above the guarded transport, so only capped bodies get in.
"""
from __future__ import annotations

import os
import sqlite3
import time
from typing import Any, Mapping

from requests_cache import CachedSession
from requests_cache.backends import BaseCache, RedisCache, SQLiteCache

CACHEABLE_CODES = (200, 203, 300, 301, 302, 303, 307, 308, 404, 410)
NAMESPACE = "refsvc-http"


def cache_backend(settings: Mapping[str, Any]) -> BaseCache:
    """Redis at ``REDIS_URL`` when set, else the SQLite file at ``HTTP_CACHE_PATH``."""
    keep_stale = int(settings.get("DOI_CACHE_TTL", 30 * 24 * 3600))
    if settings.get("REDIS_URL"):
        # Redis drops a key ttl_offset after it expires: until then it can be served stale
        return RedisCache(namespace=NAMESPACE, connection=redis_client(settings["REDIS_URL"]),
                          ttl_offset=keep_stale)
    path = settings.get("HTTP_CACHE_PATH") or os.path.join("instance", "http_cache.sqlite")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    # gunicorn's workers make the file at their first lookups, often at once: switching a new file to
    # WAL answers "database is locked" at once, without waiting out busy_timeout; so try again
    for pause in (0.05, 0.1, 0.2, 0.4, 0.8):
        try:
            return SQLiteCache(path, wal=True, busy_timeout=5000)
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc):
                raise
            time.sleep(pause)
    return SQLiteCache(path, wal=True, busy_timeout=5000)


def redis_client(url: str) -> Any:
    """A Redis client that gives up fast: a lookup falls back to no cache rather than wait for it."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=1.0, retry=Retry(NoBackoff(), 0))


def cached_session(backend: BaseCache, default_ttl: int) -> CachedSession:
    """A session over ``backend``; the guarded client mounts its transport on it."""
    return CachedSession(backend=backend, expire_after=default_ttl, allowable_codes=CACHEABLE_CODES,
                         allowable_methods=("GET", "HEAD"), stale_if_error=True, cache_control=False,
                         match_headers=["Accept"])
