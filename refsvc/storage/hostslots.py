"""Per-host politeness shared through the database, for checkers without Redis.

A host has ``limit`` slot rows and one spacing row. Taking a slot is two conditional UPDATEs in one
transaction: a free (or lapsed) slot, then the host's spacing (``next_start`` not in the future);
when the second fails the first is rolled back. Times are epoch seconds from the database server's
clock on PostgreSQL (so checkers on several machines agree) and this machine's on SQLite.
"""
from __future__ import annotations

import threading
import time
import uuid
from typing import Any

from sqlalchemy import event, func, literal, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from refsvc.storage.db import make_engine, normalize_url
from refsvc.storage.models import PolitenessHost, PolitenessSlot

KNOWN_MAX = 10_000  # hosts whose rows this process knows exist (past that it checks again)


class _Busy(Exception):
    def __init__(self, wait: float) -> None:
        super().__init__(wait)
        self.wait = wait


class DatabaseGate:
    """Slots and spacing per host in the database: ``try_acquire`` / ``release`` / ``slow``."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(normalize_url(url))  # its own: a gate never waits for the app's pool
        if self.engine.dialect.name == "sqlite":
            @event.listens_for(self.engine, "connect")
            def _fast_commits(dbapi_connection, _record) -> None:
                # These rows matter only while checkers run: a commit need not wait for the disk
                # (WAL with synchronous=NORMAL cannot corrupt the file, only forget the last rows).
                dbapi_connection.execute("PRAGMA synchronous=NORMAL")
        self.sessions = sessionmaker(self.engine)
        self.postgres = self.engine.dialect.name == "postgresql"
        self._insert = pg_insert if self.postgres else sqlite_insert
        self._known: dict[str, int] = {}
        self._lock = threading.Lock()  # one transaction at a time from this process (SQLite waits)

    def _now(self, session: Session) -> float:
        if self.postgres:
            return float(session.scalar(text("SELECT extract(epoch FROM clock_timestamp())")))
        return time.time()

    def _ensure(self, session: Session, host: str, limit: int) -> None:
        if self._known.get(host, 0) >= limit:
            return
        session.execute(self._insert(PolitenessHost).values(host=host, next_start=0.0, spacing=0.0,
                                                            spacing_until=0.0)
                        .on_conflict_do_nothing())
        session.execute(self._insert(PolitenessSlot).values(
            [{"host": host, "slot": n, "holder": None, "expires_at": 0.0} for n in range(limit)])
            .on_conflict_do_nothing())
        if len(self._known) >= KNOWN_MAX:
            self._known.clear()
        self._known[host] = limit

    def try_acquire(self, host: str, limit: int, spacing: float, lease: float) -> tuple[str | None, float]:
        """Take a slot on ``host``: (holder id, 0) or (None, seconds to wait before trying again)."""
        holder = uuid.uuid4().hex
        try:
            with self._lock, self.sessions() as session, session.begin():
                self._ensure(session, host, limit)
                now = self._now(session)
                for n in range(limit):
                    taken = session.execute(
                        update(PolitenessSlot)
                        .where(PolitenessSlot.host == host, PolitenessSlot.slot == n,
                               (PolitenessSlot.holder.is_(None)) | (PolitenessSlot.expires_at < now))
                        .values(holder=holder, expires_at=now + lease)).rowcount
                    if taken:
                        break
                else:
                    raise _Busy(0.02)
                current = PolitenessHost.spacing_until > now
                gap = func.max if not self.postgres else func.greatest
                spaced = session.execute(
                    update(PolitenessHost)
                    .where(PolitenessHost.host == host, PolitenessHost.next_start <= now)
                    .values(next_start=literal(now) + gap(
                        literal(spacing), _case(current, PolitenessHost.spacing)))).rowcount
                if not spaced:
                    start = session.scalar(select(PolitenessHost.next_start)
                                           .where(PolitenessHost.host == host)) or now
                    raise _Busy(max(start - now, 0.005))
        except _Busy as busy:
            return None, busy.wait
        return holder, 0.0

    def release(self, host: str, holder: str) -> None:
        """Give back the slot ``holder`` took."""
        with self._lock, self.sessions() as session, session.begin():
            session.execute(update(PolitenessSlot)
                            .where(PolitenessSlot.host == host, PolitenessSlot.holder == holder)
                            .values(holder=None, expires_at=0.0))

    def slow(self, host: str, spacing: float, not_before: float, hold_for: float = 600.0) -> None:
        """A 429: space ``host`` by ``spacing`` for a while, and start nothing for ``not_before`` s."""
        with self._lock, self.sessions() as session, session.begin():
            self._ensure(session, host, 1)
            now = self._now(session)
            gap = func.max if not self.postgres else func.greatest
            session.execute(update(PolitenessHost).where(PolitenessHost.host == host)
                            .values(spacing=spacing, spacing_until=now + hold_for,
                                    next_start=gap(PolitenessHost.next_start, now + not_before)))

    def close(self) -> None:
        """Close the gate's connections."""
        self.engine.dispose()


def _case(condition: Any, value: Any) -> Any:
    from sqlalchemy import case

    return case((condition, value), else_=literal(0.0))
