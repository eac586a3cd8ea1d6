"""A bounded cache of whole answers to repeated identical requests of the citation endpoints.

A website asks for the same "cite this page" block over and over; the answer depends only on the
request (body, or URL for a lookup) and on today's date (``accessed`` defaults to today). Replaying the
stored bytes skips parsing, validation, the HTTP cache lookup and serialisation, which cost more than
the render itself once that is cached. Only fresh successful answers are kept, so a bad request is
validated every time; a lookup's answer is kept no longer than its Cache-Control tells clients to.
"""
from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from datetime import datetime, timezone
from functools import wraps
from typing import Callable

from flask import Response, current_app, request

from refsvc import metrics

_KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Cache-Control")


class ReplayCache:
    """A thread-safe LRU of (key -> (expires, body, headers)); ``expires`` is a monotonic time."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[bytes, tuple[float, bytes, list[tuple[str, str]]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: bytes):
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            if found[0] < time.monotonic():
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return found

    def put(self, key: bytes, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def _cache() -> ReplayCache:
    ext = current_app.extensions
    if "refsvc.replay" not in ext:
        ext["refsvc.replay"] = ReplayCache(current_app.config["RENDER_CACHE_SIZE"])
    return ext["refsvc.replay"]


def replayed(view: Callable | None = None, *, max_age: tuple[str, ...] = ()) -> Callable:
    """Serve a repeated identical request from the cache; store fresh successful answers.

    ``max_age`` names the settings (seconds) whose smallest bounds how long an answer is kept, for
    answers that come from outside sources; without it an answer depends on the request alone and
    is kept until evicted.
    """
    if view is None:
        return lambda inner: replayed(inner, max_age=max_age)

    @wraps(view)
    def wrapper(*args, **kwargs):
        today = datetime.now(timezone.utc).strftime("%Y-%m-%d")
        key = hashlib.sha256(request.full_path.encode() + b"\0" + today.encode() + b"\0"
                             + request.get_data(cache=True)).digest()
        cache = _cache()
        found = cache.get(key)
        metrics.cache_lookup("replay", found is not None)
        if found is not None:
            response = Response(found[1], status=200, headers=found[2])
            response.headers["X-Cache"] = "hit"
            return response
        response = current_app.make_response(view(*args, **kwargs))
        if (response.status_code == 200 and not response.direct_passthrough
                and "X-Cache" not in response.headers):  # a stale copy is not kept
            keep = min((float(current_app.config[name]) for name in max_age), default=float("inf"))
            cache.put(key, (time.monotonic() + keep, response.get_data(),
                            [(name, response.headers[name])
                             for name in _KEPT_HEADERS if name in response.headers]))
        return response

    return wrapper
