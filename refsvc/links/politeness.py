"""Politeness per host: at most N requests at once, a minimum spacing, and slowing down after a 429.

``HostPolicy`` keeps the limits within one process. ``SharedHostPolicy`` (what ``policy_for`` gives a
checker, a Celery worker or the API's "check now") also holds them across every process sharing a
Redis (REFSVC_REDIS_URL) or, without one, the database: each request takes a slot in a gate
(refsvc.links.gates) after its local one. A slot is leased, so a process that dies frees its slots
within the lease. When the gate itself cannot be reached, the local limits still hold and the log
says so once.
"""
from __future__ import annotations

import logging
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator
from urllib.parse import urlsplit

log = logging.getLogger(__name__)
GATE_RETRY_SECONDS = 30.0  # after the gate failed, requests go by the local limits this long


def host_of(url: str) -> str:
    """The politeness key of a URL: its host name, lowercased (ports share one server)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


@dataclass
class _Host:
    active: int = 0
    next_start: float = 0.0
    spacing: float = 0.0  # this host's current spacing: the base, or more after a 429
    slowed: int = 0


class HostPolicy:
    """Per-host limits shared by every check of a run: ``with policy.slot(host): fetch(...)``."""

    def __init__(self, *, per_host: int = 2, spacing: float = 1.0, max_spacing: float = 60.0) -> None:
        self.per_host = max(1, per_host)
        self.spacing = max(0.0, spacing)
        self.max_spacing = max_spacing
        self._hosts: dict[str, _Host] = {}
        self._cond = threading.Condition()

    def _host(self, host: str) -> _Host:
        state = self._hosts.get(host)
        if state is None:
            state = self._hosts[host] = _Host(spacing=self.spacing)
        return state

    def acquire(self, host: str, deadline: float | None = None) -> bool:
        """Wait for a free slot on ``host`` and its spacing; False if ``deadline`` (monotonic) passes first."""
        with self._cond:
            state = self._host(host)
            while True:
                now = time.monotonic()
                if state.active < self.per_host and now >= state.next_start:
                    state.active += 1
                    state.next_start = now + state.spacing
                    return True
                if deadline is not None and now >= deadline:
                    return False
                wait = state.next_start - now if state.active < self.per_host else None
                if deadline is not None:
                    wait = min(wait if wait is not None else deadline - now, deadline - now)
                self._cond.wait(wait)

    def release(self, host: str) -> None:
        """Give back a slot taken by ``acquire``."""
        with self._cond:
            self._host(host).active -= 1
            self._cond.notify_all()

    @contextmanager
    def slot(self, host: str, deadline: float | None = None) -> Iterator[bool]:
        """Hold a slot on ``host`` for the block; yields False (and holds nothing) if the deadline passed."""
        got = self.acquire(host, deadline)
        try:
            yield got
        finally:
            if got:
                self.release(host)

    def slow_down(self, host: str, retry_after: float | None = None) -> None:
        """A 429 from ``host``: no new request before ``retry_after`` and a wider spacing from now on."""
        with self._cond:
            state = self._host(host)
            wait = max(retry_after or 0.0, 0.0)
            state.next_start = max(state.next_start, time.monotonic() + min(wait, self.max_spacing))
            state.spacing = min(max(state.spacing * 2, wait, 0.5), self.max_spacing)
            state.slowed += 1
            self._cond.notify_all()

    def relax(self, host: str) -> None:
        """A good answer from ``host``: halve any extra spacing a 429 added, back towards the base."""
        with self._cond:
            state = self._hosts.get(host)
            if state is not None and state.spacing > self.spacing:
                half = state.spacing / 2
                state.spacing = half if half > max(self.spacing, 0.25) else self.spacing

    def close(self) -> None:
        """Nothing to close here (a shared policy closes its gate)."""

    def ready_in(self, host: str) -> float:
        """Seconds until ``host`` may take a new request by its spacing (0 when it may now)."""
        with self._cond:
            state = self._hosts.get(host)
            return max(0.0, state.next_start - time.monotonic()) if state else 0.0

    def spacing_of(self, host: str) -> float:
        """The spacing now applied to ``host`` (the base, or more after a 429)."""
        with self._cond:
            state = self._hosts.get(host)
            return state.spacing if state else self.spacing

    def active(self, host: str) -> int:
        """How many requests to ``host`` are running now."""
        with self._cond:
            state = self._hosts.get(host)
            return state.active if state else 0


class SharedHostPolicy(HostPolicy):
    """A HostPolicy whose limits also hold across processes, through a ``gate`` (Redis or the database)."""

    def __init__(self, gate: Any, *, per_host: int = 2, spacing: float = 1.0, max_spacing: float = 60.0,
                 lease: float = 60.0) -> None:
        super().__init__(per_host=per_host, spacing=spacing, max_spacing=max_spacing)
        self.gate, self.lease = gate, lease
        self._holders: dict[str, list[str]] = {}
        self._gate_down = False
        self._retry_gate_at = 0.0

    def acquire(self, host: str, deadline: float | None = None) -> bool:
        """A local slot, then a shared one; False (holding neither) if ``deadline`` passes first."""
        if not super().acquire(host, deadline):
            return False
        if self._gate_down and time.monotonic() < self._retry_gate_at:
            return True  # the gate failed a moment ago: do not wait on its timeout for every request
        while True:
            try:
                holder, wait = self.gate.try_acquire(host, self.per_host, self.spacing_of(host), self.lease)
            except Exception as exc:  # the gate is away: the local limits are all there is
                self._down(exc)
                return True
            if self._gate_down:
                log.warning("shared politeness is back")
            self._gate_down = False
            if holder is not None:
                with self._cond:
                    self._holders.setdefault(host, []).append(holder)
                return True
            now = time.monotonic()
            if deadline is not None and now + wait > deadline:
                super().release(host)
                return False
            time.sleep(min(wait, 0.05))

    def release(self, host: str) -> None:
        """Give back the shared slot, then the local one."""
        with self._cond:
            holders = self._holders.get(host)
            holder = holders.pop() if holders else None
            if holders == []:
                del self._holders[host]
        if holder is not None:
            try:
                self.gate.release(host, holder)
            except Exception as exc:  # it lapses with its lease
                self._down(exc)
        super().release(host)

    def slow_down(self, host: str, retry_after: float | None = None) -> None:
        """A 429: slow ``host`` here and for every other process."""
        super().slow_down(host, retry_after)
        try:
            self.gate.slow(host, self.spacing_of(host), min(max(retry_after or 0.0, 0.0), self.max_spacing))
        except Exception as exc:
            self._down(exc)

    def _down(self, exc: BaseException) -> None:
        if not self._gate_down:
            log.warning("shared politeness unavailable (%s); per-host limits hold in this process only "
                        "until it answers again", str(exc).splitlines()[0][:200] if str(exc) else
                        type(exc).__name__)
        self._gate_down = True
        self._retry_gate_at = time.monotonic() + GATE_RETRY_SECONDS

    def close(self) -> None:
        """Close the gate's connections."""
        self.gate.close()


def policy_for(settings: Any, database: Any = None) -> HostPolicy:
    """The host policy of a checker process: shared through Redis when REFSVC_REDIS_URL is set, else
    through ``database`` (a refsvc Database: a lock file beside a SQLite file, tables on
    PostgreSQL) when given, else this process's own."""
    per_host, spacing = int(settings["CHECK_PER_HOST"]), float(settings["CHECK_HOST_SPACING"])
    # a slot outlives no request: a check's deadline and a margin
    lease = float(settings["CHECK_TIMEOUT"]) + 30.0
    gate: Any = None
    if settings.get("REDIS_URL"):
        from refsvc.links.gates import RedisGate

        gate = RedisGate(settings["REDIS_URL"])
    elif database is not None and sqlite_file(database.url):
        from refsvc.links.gates import FileGate

        gate = FileGate(sqlite_file(database.url) + ".politeness")
    elif database is not None:
        from refsvc.storage.hostslots import DatabaseGate

        gate = DatabaseGate(database.url)
    if gate is None:
        return HostPolicy(per_host=per_host, spacing=spacing)
    return SharedHostPolicy(gate, per_host=per_host, spacing=spacing, lease=lease)


def sqlite_file(url: str) -> str | None:
    """The path of a SQLite database file URL (None for another database or an in-memory one)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return parsed.database
