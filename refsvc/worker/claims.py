"""The heartbeat that keeps a checker's claims alive while it (or a Celery worker) works on them.

Leases are short (REFSVC_CHECK_LEASE_SECONDS, a minute by default) so a checker that dies loses its
claims within about a minute; a live one renews them every quarter lease. A token is dropped once it
holds no claim (every result written or given back). A failed renewal (the database away) is logged
and tried again at the next beat: the claims may lapse meanwhile, and a result is then written only
if nobody took the claim over (see refsvc.storage.checks.end_claim).
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import Any, Callable

from refsvc.storage import checks as check_store

log = logging.getLogger(__name__)


class Heartbeat:
    """Renews the leases of the tokens it is given, every ``lease_seconds / 4``, in a daemon thread."""

    def __init__(self, database: Any, lease_seconds: float, clock: Callable[[], datetime]) -> None:
        self.database, self.lease_seconds, self.clock = database, lease_seconds, clock
        self.interval = max(lease_seconds / 4, 0.05)
        self._tokens: dict[str, int] = {}  # token -> claims it held at the last beat
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.failing = False

    def add(self, token: str, count: int = 1) -> None:
        """Keep ``token``'s claims alive until they end (starts the thread on first use)."""
        with self._lock:
            self._tokens[token] = count
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="claims-heartbeat", daemon=True)
                self._thread.start()

    def discard(self, token: str) -> None:
        """Stop renewing ``token`` (its claims ended or were given back)."""
        with self._lock:
            self._tokens.pop(token, None)

    def held(self) -> int:
        """Claims held at the last beat, over every token."""
        with self._lock:
            return sum(self._tokens.values())

    def tokens(self) -> list[str]:
        """The tokens being renewed."""
        with self._lock:
            return list(self._tokens)

    def beat(self) -> None:
        """Renew every token now; drop the tokens that hold nothing any more."""
        tokens = self.tokens()
        if not tokens:
            return
        try:
            with self.database.transaction() as session:
                held = check_store.renew(session, tokens, self.clock(), lease_seconds=self.lease_seconds)
        except Exception as exc:  # the database is away: the next beat tries again
            if not self.failing:
                log.warning("could not renew %d claim token(s): %s", len(tokens), exc)
            self.failing = True
            return
        self.failing = False
        with self._lock:
            for token, count in held.items():
                if token in self._tokens:
                    if count:
                        self._tokens[token] = count
                    else:
                        del self._tokens[token]

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.beat()

    def stop(self) -> None:
        """Stop the thread (claims still held then lapse within a lease)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
