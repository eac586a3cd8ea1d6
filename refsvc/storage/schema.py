"""The schema side of the migrations policy: Alembic's configuration, the revisions a database and
the code are at, adopting an unversioned database and the lock that lets one process migrate at a
time (``Database.prepare`` in db.py applies the policy)."""
from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import time
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import exc
from sqlalchemy.engine import Connection, make_url

from refsvc.words import plural

MIGRATIONS = Path(__file__).resolve().parent.parent.parent / "migrations"
ALEMBIC_INI = MIGRATIONS.parent / "alembic.ini"
PG_LOCK_KEY = 0x72656673  # "refs": one upgrade at a time across processes
# The newest revision of migrations/, named here so that a process starting on a current database
# (every start but the first after an upgrade) need not load Alembic and its scripts (a tenth of a
# second of every checker's and worker's start). A test holds it equal to Alembic's own head, and
# it is trusted only while the newest file of migrations/versions is its own (``at_head``).
HEAD_REVISION = "0007"


class SchemaError(RuntimeError):
    """The database's schema is one this code must not use; the message is one line saying why."""


def adopt(connection: Connection, where: str) -> str:
    """Stamp a database whose tables are exactly this version's schema; refuse any other."""
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from refsvc.storage.models import Base

    context = MigrationContext.configure(connection, opts={"compare_type": True})
    differences = compare_metadata(context, Base.metadata)
    if differences:
        raise SchemaError(
            f"The database {where} has tables but no alembic_version, and they differ "
            f"from this refsvc's schema ({plural(len(differences), 'difference')}, first: "
            f"{_describe(differences[0])}): point REFSVC_DATABASE_URL at an empty database, or "
            f"bring these tables to the current schema by hand and run `alembic stamp head`.")
    command.stamp(alembic_config(connection), "head")
    return "adopted"


def alembic_config(connection: Connection | None = None):
    """The Alembic configuration of the project, optionally bound to an open connection."""
    from alembic.config import Config

    config = Config(str(ALEMBIC_INI)) if ALEMBIC_INI.exists() else Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    """The newest revision of migrations/."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def stored_revisions(connection: Connection) -> tuple[str, ...] | None:
    """The revisions in alembic_version read with plain SQL; None when there is no such table."""
    from sqlalchemy import text

    if not connection.dialect.has_table(connection, "alembic_version"):
        return None
    return tuple(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())


def at_head(connection: Connection) -> bool:
    """True when the database is at HEAD_REVISION and the newest file of migrations/versions is
    HEAD_REVISION's (False only means: ask Alembic)."""
    versions = sorted(p.name for p in (MIGRATIONS / "versions").glob("*.py"))
    if not versions or not versions[-1].startswith(HEAD_REVISION + "_"):
        return False
    return stored_revisions(connection) == (HEAD_REVISION,)


def current_heads(connection: Connection) -> tuple[str, ...]:
    """The revisions in the database's alembic_version table (empty for a new database)."""
    from alembic.runtime.migration import MigrationContext

    return tuple(MigrationContext.configure(connection).get_current_heads())


def known_revision(revision: str) -> bool:
    """True if ``revision`` is one of migrations/ (a database at another is newer than this code)."""
    from alembic.script import ScriptDirectory

    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except Exception:  # alembic raises its CommandError/ResolutionError for an unknown revision
        return False


def user_tables(connection: Connection) -> list[str]:
    """The database's tables other than Alembic's own."""
    from sqlalchemy import inspect

    return [name for name in inspect(connection).get_table_names() if name != "alembic_version"]


def _describe(difference: Any) -> str:
    """One of alembic's compare_metadata entries, short: "add_column resources.logo_url"."""
    first = difference[0] if isinstance(difference, list) else difference
    op = first[0]
    names = [getattr(part, "name", None) or (part if isinstance(part, str) else None)
             for part in first[1:]]
    return f"{op} {'.'.join(str(n) for n in names if n)}".strip()


def current_revision(connection: Connection) -> str | None:
    """The revision the database is at (None for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def run_alembic_upgrade(connection: Connection, revision: str = "head") -> None:
    """Run the migrations up to ``revision`` on ``connection``."""
    from alembic import command

    command.upgrade(alembic_config(connection), revision)


MIGRATION_LOCK_WAIT = 120.0  # seconds a process waits for another's migration before giving up


class MigrationLockTimeout(exc.TimeoutError):
    """Another process held the migration lock for longer than the wait (a database error: the
    app serves meanwhile and migrates on first use; a request that needs it answers 503)."""


@contextlib.contextmanager
def migration_lock(url: str, wait: float | None = None) -> Iterator[None]:
    """Hold the SQLite file's migration lock: several gunicorn workers may start on a new file at
    once; one migrates, the others wait for it, at most ``wait`` seconds (MIGRATION_LOCK_WAIT)."""
    database = make_url(url).database
    if make_url(url).get_backend_name() != "sqlite" or not database or database == ":memory:":
        yield
        return
    path = os.path.abspath(database) + ".migrate-lock"
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "a+", encoding="utf-8") as handle:
        _take(handle, path, MIGRATION_LOCK_WAIT if wait is None else wait)
        try:
            # who holds it, for the message of a process that gives up waiting
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()} on {socket.gethostname()}, since {time.strftime('%H:%M:%S')}")
            handle.flush()
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _take(handle: Any, path: str, wait: float) -> None:
    # flock has no timeout of its own: try without blocking, with growing pauses, until the deadline
    deadline, pause = time.monotonic() + wait, 0.01
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                handle.seek(0)
                holder = handle.read(200).strip() or "another process"
                raise MigrationLockTimeout(
                    f"{holder} has been migrating this database for more than {wait:g} s (it holds "
                    f"{path}); wait for it to finish, or stop it and start again") from None
            time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
            pause = min(pause * 2, 0.5)
