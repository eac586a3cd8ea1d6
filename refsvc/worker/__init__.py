"""Scheduling and background execution: the link checker's own process and the CLI commands.

    flask --app wsgi registry import FILE [--if-empty] [--prune]   load it (all or nothing)
    flask --app wsgi registry export [FILE]              write it back as YAML
    flask --app wsgi check-links [--once] [--canary URL] the checker (loops until SIGTERM);
                                                         --once exits 75 when it looked offline
    flask --app wsgi db upgrade                          the schema (Alembic)
"""
from __future__ import annotations

from typing import Any


def init_app(app: Any) -> None:
    """Register the CLI commands."""
    from refsvc.worker.cli import COMMANDS

    for command in COMMANDS:
        app.cli.add_command(command)
