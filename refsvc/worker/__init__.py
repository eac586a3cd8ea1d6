"""Scheduling and background execution: the link checker's own process and the CLI commands.

They run as ``python -m refsvc.worker ...`` (an app without the API and pages: __main__.py) or as
``flask --app wsgi ...`` (the whole app):

    python -m refsvc.worker registry import FILE [--if-empty] [--prune]   load it (all or nothing)
    python -m refsvc.worker registry export [FILE]       write it back as YAML
    python -m refsvc.worker check-links [--once] [--batch-size N] [--canary URL]
                                                         the checker (loops until SIGTERM); with
                                                         REFSVC_CELERY_BROKER_URL, the scheduler
    python -m refsvc.worker check-links --id ID [--id ID] | --all   check these now, due or not
                                                         --once/--id/--all exit 75 when offline
    celery -A refsvc.worker.celery worker                runs the queued checks (optional)
    python -m refsvc.worker db upgrade                   the schema (Alembic)
"""
from __future__ import annotations

from typing import Any


def init_app(app: Any) -> None:
    """Register the CLI commands."""
    from refsvc.worker.cli import COMMANDS

    for command in COMMANDS:
        app.cli.add_command(command)
