"""Fixtures of the storage tests: a Database on an empty SQLite or PostgreSQL database, migrated."""
from __future__ import annotations

import pytest

from refsvc.storage import Database


@pytest.fixture
def database(database_url):
    """The storage layer alone (no app), upgraded to the newest schema; its pool closed after."""
    database = Database(database_url)
    database.upgrade()
    yield database
    database.dispose()
