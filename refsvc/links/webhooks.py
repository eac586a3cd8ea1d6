"""Webhooks: on every change of health, POST a signed JSON event to each configured URL.

Delivery happens on a background thread with its own queue, so the checker never waits on a slow or
dead receiver; a failed delivery is retried with exponential backoff. The body is signed with
HMAC-SHA256 under REFSVC_WEBHOOK_SECRET: ``X-Refsvc-Signature: sha256=<hex>``.
"""
from __future__ import annotations

import hashlib
import heapq
import hmac
import itertools
import json
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

log = logging.getLogger(__name__)

# send(url, body, headers) -> HTTP status; raises on a network failure.
Sender = Callable[[str, bytes, dict[str, str]], int]
RECEIPT_MAX_BYTES = 64 * 1024  # a receiver's answer is not read, only its status


def sign(body: bytes, secret: str) -> str:
    """The X-Refsvc-Signature value of ``body``: ``sha256=`` and the hex HMAC-SHA256."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(body: bytes, secret: str, signature: str) -> bool:
    """True when ``signature`` is the right one for ``body`` (what a receiver should do)."""
    return hmac.compare_digest(sign(body, secret), signature or "")


def guarded_sender(client: Any, timeout: float = 10.0) -> Sender:
    """A Sender through the guarded client: its address checks, User-Agent, timeouts and size cap."""
    def send(url: str, body: bytes, headers: dict[str, str]) -> int:
        # No redirects: a receiver that moved should be reconfigured, not followed with a signed body.
        result = client.fetch(url, method="POST", data=body, headers=headers, follow_redirects=False,
                              deadline=time.monotonic() + timeout, max_bytes=RECEIPT_MAX_BYTES)
        return result.status
    return send


@dataclass(order=True)
class _Delivery:
    due: float
    seq: int
    url: str = field(compare=False)
    body: bytes = field(compare=False)
    attempt: int = field(default=1, compare=False)
    event: str = field(default="resource.health_changed", compare=False)


class WebhookDispatcher:
    """Queues events and delivers them from one background thread, with retries and backoff."""

    def __init__(self, urls: Sequence[str], secret: str, send: Sender, *, attempts: int = 5,
                 backoff: float = 2.0, max_backoff: float = 300.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.urls, self.secret, self.send = list(urls), secret, send
        self.attempts, self.backoff, self.max_backoff, self.clock = attempts, backoff, max_backoff, clock
        self.delivered = 0
        self.failed = 0
        self._queue: list[_Delivery] = []
        self._seq = itertools.count()
        self._busy = 0
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closing = False

    @property
    def enabled(self) -> bool:
        """True when there is somewhere to send events."""
        return bool(self.urls)

    def headers(self, body: bytes, event: str = "resource.health_changed") -> dict[str, str]:
        """The headers of one delivery."""
        headers = {"Content-Type": "application/json", "X-Refsvc-Event": event}
        if self.secret:
            headers["X-Refsvc-Signature"] = sign(body, self.secret)
        return headers

    def notify(self, event: dict[str, Any]) -> None:
        """Queue ``event`` for every URL and return at once."""
        if not self.urls:
            return
        body = json.dumps(event, sort_keys=True, default=str).encode()
        name = str(event.get("event") or "resource.health_changed")
        with self._cond:
            for url in self.urls:
                heapq.heappush(self._queue, _Delivery(self.clock(), next(self._seq), url, body,
                                                      event=name))
            self._start()
            self._cond.notify()

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every queued delivery is done or given up; False on timeout."""
        end = time.monotonic() + timeout
        with self._cond:
            while self._queue or self._busy:
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.05))
        return True

    def close(self, timeout: float = 5.0) -> None:
        """Deliver what is due within ``timeout``, then stop the thread."""
        self.flush(timeout)
        with self._cond:
            self._closing = True
            self._cond.notify_all()

    def _start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._closing = False
            self._thread = threading.Thread(target=self._loop, name="refsvc-webhooks", daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._closing and (not self._queue or self._queue[0].due > self.clock()):
                    wait = self._queue[0].due - self.clock() if self._queue else None
                    self._cond.wait(0.5 if wait is None else min(max(wait, 0.0), 0.5))
                if self._closing:
                    return
                delivery = heapq.heappop(self._queue)
                self._busy += 1
            try:
                self._deliver(delivery)
            finally:
                with self._cond:
                    self._busy -= 1
                    self._cond.notify_all()

    def _deliver(self, delivery: _Delivery) -> None:
        try:
            status = self.send(delivery.url, delivery.body, self.headers(delivery.body, delivery.event))
            problem = None if 200 <= status < 300 else f"answered {status}"
            final = status in (400, 401, 403, 404, 410, 422)  # retrying cannot help
        except Exception as exc:  # any failure of the receiver is a retry, never a crash
            from refsvc.metadata.http import RefusedAddress

            # a refused address stays refused: retrying it only fills the log
            problem, final = f"{type(exc).__name__}: {exc}", isinstance(exc, RefusedAddress)
        if problem is None:
            self.delivered += 1
            return
        if final or delivery.attempt >= self.attempts:
            self.failed += 1
            log.warning("webhook to %s given up after %d attempt(s): %s", delivery.url,
                        delivery.attempt, problem)
            return
        delay = min(self.backoff * 2 ** (delivery.attempt - 1), self.max_backoff)
        with self._cond:
            heapq.heappush(self._queue, _Delivery(self.clock() + delay, next(self._seq),
                                                  delivery.url, delivery.body, delivery.attempt + 1,
                                                  delivery.event))
