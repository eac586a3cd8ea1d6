"""Scheduling and background execution: the link checker's own process and CLI commands."""
from flask import Flask


def init_app(app: Flask) -> None:
    """Register the CLI commands."""
