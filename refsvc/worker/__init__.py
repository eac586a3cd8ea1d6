"""Scheduling and background execution: the link checker's own process and the CLI commands.

    flask --app wsgi registry import FILE [--if-empty] [--prune]   load it (all or nothing)
    flask --app wsgi registry export [FILE]              write it back as YAML
    flask --app wsgi check-links [--once] [--batch-size N] [--canary URL]
                                                         the checker (loops until SIGTERM); with
                                                         REFSVC_CELERY_BROKER_URL, the scheduler
    flask --app wsgi check-links --id ID [--id ID] | --all   check these now, due or not
                                                         --once/--id/--all exit 75 when offline
    celery -A refsvc.worker.celery worker                runs the queued checks (optional)
    flask --app wsgi db upgrade                          the schema (Alembic)
"""
from __future__ import annotations

from typing import Any


def init_app(app: Any) -> None:
    """Register the CLI commands."""
    from refsvc.worker.cli import COMMANDS

    for command in COMMANDS:
        app.cli.add_command(command)
