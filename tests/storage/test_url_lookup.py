"""Finding a resource by a visitor's spelling of its URL is one indexed lookup (resources.url_key),
kept in step with every way a URL is written, and filled in for resources older than the column."""
from __future__ import annotations

import pytest
from sqlalchemy import event, text

from refsvc.metadata.urls import link_key
from refsvc.storage import Database
from refsvc.storage import resources as store
from refsvc.storage.schema import run_alembic_upgrade


MIND = {"id": "mind", "name": "Mind", "url": "https://www.mind.org.uk/information-support/"}
SPELLINGS = ["http://mind.org.uk/information-support", "HTTPS://WWW.MIND.ORG.UK:443/information-support/#top"]


@pytest.mark.both_databases
@pytest.mark.parametrize("spelling", SPELLINGS)
def test_a_resource_is_found_by_any_spelling_of_its_url(database, spelling):
    with database.transaction() as session:
        store.create_resource(session, MIND)
        store.create_resource(session, {"id": "nhs", "name": "NHS", "url": "https://www.nhs.uk/"})
    with database.transaction() as session:
        assert store.find_by_url(session, spelling).id == "mind"
        assert store.find_by_url(session, "https://www.mind.org.uk/other") is None
        assert store.find_by_url(session, "not a url") is None


@pytest.mark.both_databases
def test_a_changed_url_is_found_by_its_new_spelling_only(database):
    with database.transaction() as session:
        store.create_resource(session, MIND)
    with database.transaction() as session:
        store.update_resource(session, store.get_resource(session, "mind"), {"url": "https://mind.org.uk/new"})
    with database.transaction() as session:
        assert store.find_by_url(session, "http://www.mind.org.uk/new/").id == "mind"
        assert store.find_by_url(session, SPELLINGS[0]) is None


@pytest.mark.both_databases
def test_imported_entries_are_found_too(database):
    with database.transaction() as session:
        store.import_entries(session, [MIND])
    with database.transaction() as session:
        assert store.find_by_url(session, SPELLINGS[1]).id == "mind"


@pytest.mark.both_databases
def test_the_lookup_asks_the_database_for_the_key_and_reads_no_other_resource(database):
    with database.transaction() as session:
        for n in range(30):
            store.create_resource(session, {"id": f"r{n}", "name": f"R{n}", "url": f"https://e{n}.example.org/"})
    statements = []
    event.listen(database.engine, "before_cursor_execute",
                 lambda _c, _k, statement, *_: statements.append(statement))
    with database.transaction() as session:
        found = store.find_by_url(session, "http://www.e7.example.org")
        loaded = len(session.identity_map)
    assert found.id == "r7"
    assert loaded <= 2  # the resource (and its health state), not all thirty
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1 and "url_key" in selects[0]


@pytest.mark.both_databases
def test_the_migration_fills_the_key_of_resources_stored_before_it(database_url):
    database = Database(database_url)
    with database.engine.begin() as connection:
        run_alembic_upgrade(connection, "0005")
        connection.execute(text("INSERT INTO resources (id, name, url, description, tags, expect, active, "
                                "created_at, updated_at) VALUES ('mind', 'Mind', :url, '', '[]', '[]', "
                                ":yes, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
                           {"url": MIND["url"], "yes": True})
    database.upgrade()
    with database.transaction() as session:
        assert store.find_by_url(session, SPELLINGS[0]).id == "mind"
    database.dispose()


def test_sqlite_answers_the_lookup_from_the_index(tmp_path):
    """(On PostgreSQL the planner scans a table this small whatever the index: its plan proves nothing.)"""
    database = Database(f"sqlite:///{tmp_path / 'plan.sqlite'}")
    database.upgrade()
    with database.engine.connect() as connection:
        plan = " ".join(str(row[-1]) for row in connection.execute(text(
            "EXPLAIN QUERY PLAN SELECT id FROM resources WHERE url_key = :k"), {"k": link_key(MIND["url"])}))
    database.dispose()
    assert "ix_resources_url_key" in plan
