"""The migrations policy, on SQLite and PostgreSQL: the app migrates at start; it adopts tables that are
exactly the schema, and refuses in one line a database newer than the code or tables that differ."""
from __future__ import annotations

import shutil

import pytest
from sqlalchemy import inspect, text

from refsvc.storage import schema as storage_schema  # where the migrations folder is read
from refsvc.storage.db import Database, SchemaError, current_heads, head_revision
from tests.ops.servers import BIN, Process, base_env, free_port

pytestmark = pytest.mark.both_databases

PROBE = '''"""A revision newer than the code under test."""
import sqlalchemy as sa
from alembic import op

revision = "9001"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("ops_probe", sa.Column("id", sa.Integer, primary_key=True))


def downgrade():
    op.drop_table("ops_probe")
'''


@pytest.fixture
def newer_code(tmp_path, monkeypatch):
    """The migrations of a later refsvc: today's plus revision 9001 (used while the fixture's
    function runs)."""
    folder = tmp_path / "migrations"
    shutil.copytree(storage_schema.MIGRATIONS, folder, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "versions" / "9001_probe.py").write_text(PROBE.format(head=head_revision()))

    def run(action):
        with monkeypatch.context() as patch:
            patch.setattr(storage_schema, "MIGRATIONS", folder)
            return action()
    return run


def heads(database: Database) -> tuple[str, ...]:
    with database.engine.connect() as connection:
        return current_heads(connection)


def tables(database: Database) -> set[str]:
    return set(inspect(database.engine).get_table_names())


def test_an_empty_database_is_set_up_at_start(database_url):
    database = Database(database_url)
    assert database.prepare() == "created"
    assert heads(database) == (head_revision(),)
    assert {"resources", "health_states", "checks", "reports"} <= tables(database)
    assert database.prepare() == "current"
    database.dispose()


def test_an_older_database_is_migrated_at_start(database_url, newer_code):
    Database(database_url).prepare()  # made by today's code
    database = Database(database_url)
    assert newer_code(database.prepare) == "upgraded"  # started by the later refsvc
    assert heads(database) == ("9001",) and "ops_probe" in tables(database)
    database.dispose()


def test_a_database_newer_than_the_code_is_refused_in_one_line(database_url, newer_code):
    database = Database(database_url)
    newer_code(database.prepare)
    with pytest.raises(SchemaError) as refused:
        database.prepare()
    message = str(refused.value)
    assert "\n" not in message
    assert "9001" in message and f"alembic downgrade {head_revision()}" in message
    assert heads(database) == ("9001",)  # untouched
    database.dispose()


def test_tables_that_are_exactly_the_schema_but_unversioned_are_adopted(database_url):
    database = Database(database_url)
    database.prepare()
    with database.engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))
    assert database.prepare() == "adopted"
    assert heads(database) == (head_revision(),)
    database.dispose()


@pytest.mark.parametrize("change", ["DROP TABLE report_visits", "CREATE TABLE other_app (id INTEGER)"])
def test_unversioned_tables_that_differ_from_the_schema_are_refused(database_url, change):
    database = Database(database_url)
    database.prepare()
    with database.engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))
        connection.execute(text(change))
    before = tables(database)
    with pytest.raises(SchemaError) as refused:
        database.prepare()
    message = str(refused.value)
    assert "\n" not in message and "no alembic_version" in message
    assert "alembic stamp head" in message and "REFSVC_DATABASE_URL" in message
    assert tables(database) == before  # nothing created, nothing stamped
    database.dispose()


def test_the_commands_say_a_newer_database_in_one_line_without_a_traceback(
        database_url, newer_code, tmp_path):
    Database(database_url).prepare()
    newer_code(Database(database_url).prepare)
    env = base_env(tmp_path, REFSVC_DATABASE_URL=database_url)
    for name, command in (("flask", [str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"]),
                          ("worker", [str(BIN / "python"), "-m", "refsvc.worker", "check-links", "--once"])):
        process = Process(command, env, tmp_path / name)
        assert process.proc.wait(120) == 1
        assert "Traceback" not in process.err
        refusal = [line for line in process.err.splitlines() if "newer than this refsvc" in line]
        assert len(refusal) == 1 and refusal[0].startswith("refsvc: The database"), process.err
    gunicorn = Process([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
                       dict(env, REFSVC_BIND=f"127.0.0.1:{free_port()}"), tmp_path / "gunicorn")
    assert gunicorn.proc.wait(120) == 1
    assert "Traceback" not in gunicorn.err
    lines = gunicorn.json_lines(gunicorn.err)
    refusal = [line for line in lines if "newer than this refsvc" in line["message"]]
    assert len(refusal) == 1 and refusal[0]["level"] == "ERROR"
    assert not any("Booting worker" in line["message"] for line in lines)  # stopped before forking
