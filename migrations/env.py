"""Alembic environment: runs on the connection the app hands in, or on the configured database."""
from __future__ import annotations

import os

from alembic import context

from refsvc.storage.db import default_url, make_engine, normalize_url
from refsvc.storage.models import Base

config = context.config
target_metadata = Base.metadata


def _database_url() -> str:
    """``-x url=...``, else REFSVC_DATABASE_URL, else the app's default SQLite file."""
    url = context.get_x_argument(as_dictionary=True).get("url") or os.environ.get(
        "REFSVC_DATABASE_URL", "")
    if not url:
        instance = os.environ.get("REFSVC_INSTANCE_PATH", os.path.join(os.getcwd(), "instance"))
        os.makedirs(instance, exist_ok=True)
        url = default_url(instance)
    return normalize_url(url)


def _configure(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    """Write the SQL instead of running it (`alembic upgrade head --sql`)."""
    context.configure(url=_database_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run on the app's connection when given, else open one."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    engine = make_engine(_database_url())
    with engine.begin() as connection:
        _configure(connection)
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
