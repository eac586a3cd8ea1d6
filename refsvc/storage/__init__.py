"""Database models and the only code that touches a session (SQLAlchemy 2, schema by Alembic).

    Database (db.py)        engine + sessions of one app; ``transaction()`` is the unit of work
    models.py               Resource, HealthState, Check, Report
    resources.py            registry reads and writes
    checks.py               claims (token + lease), recording checks under them, history, pruning
    hostslots.py            shared per-host politeness in the database (PostgreSQL without Redis)
    reports.py              visitors' reports, grouped
"""
from __future__ import annotations

from typing import Any

from refsvc.storage.db import Database
from refsvc.storage.models import Check, HealthState, Report, Resource, utcnow

__all__ = ["Database", "Check", "HealthState", "Report", "Resource", "utcnow", "init_app",
           "get_database"]

_KEY = "refsvc.storage"


def init_app(app: Any) -> None:
    """Give the app its Database and bring a new or old database up to the current schema."""
    database = Database(app.config["DATABASE_URL"])
    database.upgrade()
    app.extensions[_KEY] = database


def get_database(app: Any) -> Database:
    """The Database bound to ``app`` by ``init_app``."""
    return app.extensions[_KEY]
