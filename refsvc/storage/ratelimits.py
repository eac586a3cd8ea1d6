"""Rate-limit counters in the database: one client's limit holds across every gunicorn worker when
there is no Redis (a ``limits`` storage, fixed window, each hit one atomic upsert)."""
from __future__ import annotations

import itertools
import time
from typing import Any

from limits.storage import Storage
from sqlalchemy import case, delete, select
from sqlalchemy.exc import SQLAlchemyError

from refsvc.storage.db import Database, insert_or_skip
from refsvc.storage.models import RateLimit

SCHEME = "refsvc+db"
_PRUNE_EVERY = 200  # hits between deletions of expired counters (keeps the table small)


class DatabaseStorage(Storage):
    """Fixed-window counters in the ``rate_limits`` table; ``database`` is given as an option."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False,
                 database: Database | None = None, **options: Any) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        if database is None:
            raise ValueError("DatabaseStorage needs the database (storage option 'database')")
        self.database = database
        self._hits = itertools.count(1)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add ``amount`` to the counter of ``key`` (a new window when the last one has ended)."""
        now = time.time()
        with self.database.transaction() as session:
            ended = RateLimit.expires_at <= now
            statement = insert_or_skip(session, RateLimit).values(
                key=key, count=amount, expires_at=now + expiry)
            statement = statement.on_conflict_do_update(index_elements=["key"], set_={
                "count": case((ended, amount), else_=RateLimit.count + amount),
                "expires_at": case((ended, now + expiry), else_=RateLimit.expires_at),
            }).returning(RateLimit.count)
            count = int(session.execute(statement).scalar_one())
        if next(self._hits) % _PRUNE_EVERY == 0:
            self._prune(now)
        return count

    def _prune(self, now: float) -> None:
        # its own transaction, and allowed to fail: a prune racing another never costs a hit
        try:
            with self.database.transaction() as session:
                session.execute(delete(RateLimit).where(RateLimit.expires_at < now))
        except SQLAlchemyError:
            pass

    def _row(self, key: str) -> tuple[int, float] | None:
        with self.database.transaction() as session:
            row = session.execute(select(RateLimit.count, RateLimit.expires_at)
                                  .where(RateLimit.key == key)).first()
        if row is None or row.expires_at <= time.time():
            return None
        return int(row.count), float(row.expires_at)

    def get(self, key: str) -> int:
        """The count in the current window of ``key`` (0 when none)."""
        row = self._row(key)
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        """When the current window of ``key`` ends (seconds since the epoch)."""
        row = self._row(key)
        return row[1] if row else time.time()

    def check(self) -> bool:
        """True when the database answers."""
        try:
            self.database.ping()
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        """Clear every counter; how many there were."""
        with self.database.transaction() as session:
            return session.execute(delete(RateLimit)).rowcount

    def clear(self, key: str) -> None:
        """Clear the counter of ``key``."""
        with self.database.transaction() as session:
            session.execute(delete(RateLimit).where(RateLimit.key == key))
