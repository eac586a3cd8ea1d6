"""A bounded cache of whole answers to repeated identical POSTs of pure endpoints.

A website asks for the same "cite this page" block over and over; the answer depends only on the
request body and on today's date (``accessed`` defaults to today). Replaying the stored bytes skips
parsing, validation and serialisation, which cost more than the render itself once that is cached.
Only successful answers are kept, so a bad request is validated every time.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from datetime import datetime, timezone
from functools import wraps
from typing import Callable

from flask import Response, current_app, request

_KEPT_HEADERS = ("Content-Type", "Content-Disposition")


class ReplayCache:
    """A thread-safe LRU of (key -> (body, headers))."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[bytes, tuple[bytes, list[tuple[str, str]]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: bytes):
        with self._lock:
            found = self._items.get(key)
            if found is not None:
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


def replayed(view: Callable) -> Callable:
    """Serve a repeated identical request body from the cache; store successful answers."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        today = datetime.now(timezone.utc).strftime("%Y-%m-%d")
        key = hashlib.sha256(request.path.encode() + b"\0" + today.encode() + b"\0"
                             + request.get_data(cache=True)).digest()
        cache = _cache()
        found = cache.get(key)
        if found is not None:
            body, headers = found
            response = Response(body, status=200, headers=headers)
            response.headers["X-Cache"] = "hit"
            return response
        response = current_app.make_response(view(*args, **kwargs))
        if response.status_code == 200 and not response.direct_passthrough:
            cache.put(key, (response.get_data(), [(name, response.headers[name])
                                                  for name in _KEPT_HEADERS if name in response.headers]))
        return response

    return wrapper
