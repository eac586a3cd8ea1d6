"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from refsvc.storage import Database
from refsvc.storage.db import head_revision
from refsvc.storage.models import Base

ROOT = Path(__file__).resolve().parents[2]


def _reset_postgres(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrated.sqlite'}"
    url = request.getfixturevalue("postgres_url")
    _reset_postgres(url)
    return url


def test_migrations_build_the_schema_the_models_describe(database_url):
    database = Database(database_url)
    assert database.upgrade() is True
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    database.dispose()


def test_upgrade_is_a_no_op_on_a_database_already_at_head(database_url):
    database = Database(database_url)
    database.upgrade()
    assert database.upgrade() is False
    assert database.is_current()
    database.dispose()


def test_alembic_command_line_upgrades_a_new_database(database_url):
    done = subprocess.run([sys.executable, "-m", "alembic", "-x", f"url={database_url}", "upgrade",
                           "head"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    database = Database(database_url)
    assert database.is_current()
    assert set(inspect(database.engine).get_table_names()) >= {
        "resources", "health_states", "checks", "reports", "alembic_version"}
    database.dispose()


def test_the_app_brings_a_new_database_to_head_by_itself(app):
    from refsvc.storage import get_database

    database = get_database(app)
    with database.engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == head_revision()


def test_the_revision_the_code_names_as_its_head_is_the_newest_migration():
    # Database.prepare trusts HEAD_REVISION to skip loading Alembic on a current database: a new
    # migration must move it too, or databases would stay at the old head.
    from refsvc.storage.schema import HEAD_REVISION

    assert HEAD_REVISION == head_revision()


def test_a_process_starting_on_a_current_database_does_not_load_alembic(database_url):
    Database(database_url).upgrade()
    code = ("import sys; from refsvc.storage import Database\n"
            f"assert Database({database_url!r}).upgrade() is False\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
