"""Database models and the only code that touches a session (SQLAlchemy 2, schema by Alembic).

    Database (db.py)        engine + sessions of one app; ``transaction()`` is the unit of work
    models.py               Resource, HealthState, Check, Report
    resources.py            registry reads and writes
    checks.py               claims (token + lease), recording checks under them, history, pruning
    hostslots.py            shared per-host politeness in the database (PostgreSQL without Redis)
    reports.py              visitors' reports, grouped; one visitor counted once a day
    ratelimits.py           rate-limit counters shared by every worker when there is no Redis
    probes.py               soft-404 probe answers, one per site prefix, shared by every checker
"""
from __future__ import annotations

import logging
from typing import Any

from refsvc.storage.db import UNAVAILABLE, Database, Timeouts
from refsvc.storage.models import Check, HealthState, Report, Resource, utcnow

__all__ = ["Database", "Timeouts", "UNAVAILABLE", "Check", "HealthState", "Report", "Resource", "utcnow", "init_app",
           "get_database"]

_KEY = "refsvc.storage"
log = logging.getLogger(__name__)


def init_app(app: Any) -> None:
    """Give the app its Database and bring a new or old database up to the current schema.

    A database that is down at start does not stop the app (a worker that fails to boot takes
    gunicorn down with it): citations are served, requests that need the database answer 503, and
    the first one after the database returns brings the schema up to date.
    """
    database = Database(app.config["DATABASE_URL"], Timeouts.from_settings(app.config))
    app.extensions[_KEY] = database
    try:
        database.upgrade()
    except UNAVAILABLE as exc:
        log.warning("database unavailable at start (%s); the schema is checked again on first use",
                    str(exc).splitlines()[0][:200])
        database.upgrade_pending = True


def get_database(app: Any) -> Database:
    """The Database bound to ``app`` by ``init_app``."""
    return app.extensions[_KEY]
