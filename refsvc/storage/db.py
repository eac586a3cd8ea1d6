"""The engine and sessions of one app, and bringing its database up to the Alembic head.

Every database call is bounded (``Timeouts``): a hung or lost database makes a call fail in seconds
with an ``UNAVAILABLE`` error, which the API answers with a 503, instead of holding a thread.

The migrations policy, the same on SQLite and PostgreSQL: the app migrates at start. An empty database
gets the whole schema, an older one is upgraded (one process at a time), a database with our tables but
no ``alembic_version`` is adopted when its tables are exactly this version's schema and refused
otherwise, and a database newer than the code is refused. A refusal is a ``SchemaError`` whose message
is one line saying what to do.
"""
from __future__ import annotations

import contextlib
import os
import threading
from dataclasses import dataclass
from typing import Any, Iterator, Mapping

from sqlalchemy import Engine, create_engine, event, exc, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

# The migrations policy's schema side lives in schema.py; the names others import from here stay.
from refsvc.storage.schema import (MIGRATIONS, PG_LOCK_KEY, SchemaError, adopt, at_head,  # noqa: F401
                                   alembic_config, current_heads, current_revision, head_revision,
                                   known_revision, migration_lock, run_alembic_upgrade, user_tables)

MAX_ROW = 2**63 - 1  # the largest integer id or OFFSET SQLite and PostgreSQL take (64-bit signed)


def row_offset(offset: int) -> int:
    """An OFFSET every database takes: a page far past the end is just past it, never an overflow."""
    return min(max(offset, 0), MAX_ROW)


def row_id(value: int) -> bool:
    """True if ``value`` can be an integer primary key (a bigger one would overflow the driver)."""
    return 0 < value <= MAX_ROW


def text_key(value: str) -> bool:
    """True if ``value`` can be a text key: PostgreSQL refuses NUL, UTF-8 has no lone surrogates."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def insert_or_skip(session: Session, model: Any) -> Any:
    """An INSERT of ``model`` that takes ON CONFLICT clauses (do nothing, do update) on either
    database: the atomic way to create a row once however many try at the same time."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model)


def normalize_url(url: str) -> str:
    """Use psycopg 3 for ``postgresql://`` URLs (SQLAlchemy would pick the absent psycopg2)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def default_url(instance_path: str) -> str:
    """The embedded default: a SQLite file in the instance folder."""
    return "sqlite:///" + os.path.join(instance_path, "refsvc.sqlite")


@dataclass(frozen=True)
class Timeouts:
    """How long the database may take, in seconds (REFSVC_DATABASE_*_TIMEOUT)."""

    connect: float = 3.0  # opening a connection (PostgreSQL's connect_timeout)
    statement: float = 5.0  # one statement (PostgreSQL statement_timeout; SQLite busy wait)
    pool: float = 2.0  # waiting for a free pooled connection: requests fail fast, threads don't pile up

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> "Timeouts":
        """The timeouts given by the DATABASE_*_TIMEOUT settings."""
        return cls(connect=float(settings["DATABASE_CONNECT_TIMEOUT"]),
                   statement=float(settings["DATABASE_STATEMENT_TIMEOUT"]),
                   pool=float(settings["DATABASE_POOL_TIMEOUT"]))


_WRITER_LOCKS: dict[str, Any] = {}  # SQLite file -> the lock this process's writers queue on
_WRITER_LOCKS_GUARD = threading.Lock()


def _writer_lock(url: str) -> Any:
    # one per file, shared by every Database on it (the app's, the rate limiter's)
    with _WRITER_LOCKS_GUARD:
        return _WRITER_LOCKS.setdefault(url, threading.RLock())


_NO_WATCH = threading.local()  # set while migrating: a long ALTER must not be cut off


def _bounded_connection_class() -> type:
    """The psycopg connection class that bounds every wait (made on first use: psycopg costs a
    tenth of a second to import, which a process on SQLite, the checker's default, need not pay)."""
    global _BOUNDED
    if _BOUNDED is not None:
        return _BOUNDED
    import psycopg

    # psycopg's own (internal) exception for an expired wait
    wait_timeout: type[Exception] = getattr(psycopg.errors, "_WaitTimeout", psycopg.errors.OperationalError)

    class _BoundedConnection(psycopg.Connection):
        """A psycopg connection that gives up waiting for the server after ``wait_limit`` seconds.

        PostgreSQL's statement_timeout is enforced by the server; a server (or network path) that has
        stopped answering altogether never sends it, and libpq would wait for ever. Every exchange
        (query, commit, the pool's ping) goes through ``wait``, so bounding it bounds them all. The
        connection is closed on expiry: its protocol state is unknown, and a closed connection is what
        SQLAlchemy's pool recognises as one to throw away.
        """

        wait_limit: float | None = None

        def wait(self, gen: Any, interval: float = 0.1, timeout: float | None = None) -> Any:  # type: ignore[override]
            if timeout is None and not getattr(_NO_WATCH, "on", False):
                timeout = self.wait_limit
            try:
                return super().wait(gen, interval=interval, timeout=timeout)
            except wait_timeout:
                self.pgconn.finish()
                raise psycopg.OperationalError(
                    f"the database did not answer within {timeout:g} s") from None

    _BOUNDED = _BoundedConnection
    return _BOUNDED


_BOUNDED: type | None = None


def make_engine(url: str, timeouts: Timeouts = Timeouts(), pool_size: int = 5) -> Engine:
    """An engine with the settings each backend needs: timeouts everywhere; on SQLite WAL, foreign
    keys and write transactions begun at once (BEGIN IMMEDIATE)."""
    url = normalize_url(url)
    if make_url(url).get_backend_name() != "sqlite":
        return _postgresql_engine(url, timeouts, pool_size)
    engine = create_engine(url, connect_args={"timeout": timeouts.statement},
                           pool_timeout=timeouts.pool, pool_size=pool_size, max_overflow=2 * pool_size)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record) -> None:
        # SQLAlchemy (below) issues BEGIN itself; pysqlite's own deferred BEGIN would take the
        # write lock only at the first write, after reads that a concurrent writer makes stale
        # (a read-modify-write that loses updates, and a lock upgrade that fails at once).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        # WAL lets the web server read while the checker writes.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(timeouts.statement * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin_immediate(connection) -> None:
        # One writer at a time, decided when the transaction starts: a transaction that reads a
        # counter then writes it cannot interleave with another doing the same.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _postgresql_engine(url: str, timeouts: Timeouts, pool_size: int) -> Engine:
    engine = create_engine(url, pool_pre_ping=True, pool_timeout=timeouts.pool, pool_size=pool_size,
                           max_overflow=2 * pool_size, connect_args={
        "connect_timeout": max(2, int(round(timeouts.connect))),  # libpq takes whole seconds, >= 2
        "options": f"-c statement_timeout={int(timeouts.statement * 1000)}"
                   f" -c lock_timeout={int(timeouts.statement * 1000)}"})
    # The client-side bound is a little longer than the server's, so a slow statement on a live
    # server ends with the server's own (clearer) error.
    wait_limit = timeouts.statement + 1.0
    bounded = _bounded_connection_class()

    @event.listens_for(engine, "do_connect")
    def _bounded_connect(_dialect, _record, cargs, cparams):
        connection = bounded.connect(*cargs, **cparams)
        connection.wait_limit = wait_limit
        return connection

    return engine


# What a database that is down, hung, locked or restarting raises (the API answers 503).
UNAVAILABLE: tuple[type[BaseException], ...] = (exc.OperationalError, exc.InterfaceError,
                                                exc.TimeoutError, exc.DisconnectionError)


class Database:
    """One app's engine and session factory; ``transaction()`` is the unit of work."""

    def __init__(self, url: str, timeouts: Timeouts = Timeouts(), pool_size: int = 5) -> None:
        self.url = normalize_url(url)
        self.timeouts = timeouts
        self.upgrade_pending = False  # set when the database was down at start
        self.engine = make_engine(self.url, timeouts, pool_size)
        sqlite = make_url(self.url).get_backend_name() == "sqlite"
        self._lock = _writer_lock(self.url) if sqlite else None
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        self._catch_up()
        with self._turn(), self.sessions() as session, session.begin():
            yield session

    def _catch_up(self) -> None:
        # The database was down when the app started: migrate before first use (raises the
        # database's error, a 503, while it is still down).
        if self.upgrade_pending:
            self.upgrade(bounded=True)
            self.upgrade_pending = False

    @contextlib.contextmanager
    def _turn(self) -> Iterator[None]:
        # SQLite takes one writer at a time (BEGIN IMMEDIATE); its busy handler lets waiting
        # connections poll with growing sleeps, so under contention one may starve past its
        # timeout while later ones get in. Queueing this process's threads on a lock first makes
        # the wait fair; other processes still meet the busy timeout.
        if self._lock is None:
            yield
            return
        if not self._lock.acquire(timeout=self.timeouts.statement):
            raise exc.TimeoutError(f"the database stayed busy for {self.timeouts.statement:g} s")
        try:
            yield
        finally:
            self._lock.release()

    def upgrade(self, *, bounded: bool = False) -> bool:
        """Bring the schema to the Alembic head; True when it changed (see ``prepare``)."""
        return self.prepare(bounded=bounded) != "current"

    def prepare(self, *, bounded: bool = False) -> str:
        """Apply the migrations policy: "created", "upgraded", "adopted" or "current".

        Raises SchemaError (one line saying what to do) for a database this code must not touch.
        At start a migration may take as long as it needs; ``bounded`` (inside a request) keeps
        the usual timeouts, so a database that hangs meanwhile is a 503, not a stuck thread.
        """
        unbounded = contextlib.nullcontext() if bounded else _unwatched()
        wait = self.timeouts.statement if bounded else None  # None: MIGRATION_LOCK_WAIT at start
        with migration_lock(self.url, wait), unbounded, self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                if not bounded:  # a migration (or waiting for another worker's) may take long
                    connection.execute(text("SET LOCAL statement_timeout = 0"))
                    connection.execute(text("SET LOCAL lock_timeout = 0"))
                connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_LOCK_KEY})
            if at_head(connection):
                return "current"  # the usual start: no need to load Alembic
            head = head_revision()
            current = current_heads(connection)
            if current == ((head,) if head else ()):
                return "current"
            unknown = [rev for rev in current if not known_revision(rev)]
            if unknown:
                raise SchemaError(
                    f"The database {self.where()} is at schema revision {', '.join(unknown)}, newer "
                    f"than this refsvc knows (its newest is {head}): run the refsvc version that "
                    f"migrated it, or downgrade the database with that version's "
                    f"`alembic downgrade {head}` first.")
            if not current and user_tables(connection):
                return adopt(connection, self.where())
            run_alembic_upgrade(connection)
            return "upgraded" if current else "created"

    def where(self) -> str:
        """The database URL without its password, for messages."""
        return make_url(self.url).render_as_string(hide_password=True)

    def ping(self) -> None:
        """Run one trivial query; raises the database's error when it cannot."""
        self._catch_up()
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def is_current(self) -> bool:
        """True when the database is at the Alembic head."""
        with self.engine.connect() as connection:
            return current_revision(connection) == head_revision()

    def dispose(self) -> None:
        """Close the pooled connections."""
        self.engine.dispose()


def url_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """The database ``create_app()`` uses: REFSVC_DATABASE_URL, else SQLite in the instance folder."""
    environ = os.environ if environ is None else environ
    instance = environ.get("REFSVC_INSTANCE_PATH") or os.path.join(os.getcwd(), "instance")
    return environ.get("REFSVC_DATABASE_URL") or default_url(instance)


@contextlib.contextmanager
def _unwatched() -> Iterator[None]:
    _NO_WATCH.on = True
    try:
        yield
    finally:
        _NO_WATCH.on = False
