"""Structured logs: one JSON object a line, each carrying the request id of the work it belongs to;
plain lines instead when standard error is a terminal (a person reading, not a log collector).

The id lives in a context variable: the web sets it per request (from a valid ``X-Request-ID`` or a new
one), the checker per batch, and a Celery task takes the id of whoever queued it (a message header),
so one id follows a piece of work through every process. A logging filter copies it onto each record.
"""
from __future__ import annotations

import logging
import re
import sys
import uuid
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter

request_id: ContextVar[str | None] = ContextVar("refsvc_request_id", default=None)

# What a client may send as X-Request-ID: short, and nothing a log reader could misread.
_VALID_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
HEADER = "refsvc_request_id"  # the Celery message header carrying it
# Alembic says "Context impl SQLiteImpl." and the like at INFO on every command that opens the database.
_NOISY = ("alembic",)


def accept_request_id(value: str | None) -> str:
    """``value`` when it is a usable id (1-128 of A-Z a-z 0-9 . _ : -), else a new random one."""
    if value and _VALID_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


def new_request_id(prefix: str = "") -> str:
    """Start a new id for the work this thread does next (the checker calls it once per batch)."""
    value = prefix + uuid.uuid4().hex
    request_id.set(value)
    return value


class RequestIdFilter(logging.Filter):
    """Put the current request id on every record (None outside any request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


def json_formatter() -> logging.Formatter:
    """The one line format: time, level, logger, message, request_id and any ``extra`` fields."""
    return JsonFormatter("{asctime}{levelname}{name}{message}{request_id}", style="{",
                         rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                         datefmt="%Y-%m-%dT%H:%M:%S%z", json_ensure_ascii=False)


class _StderrHandler(logging.StreamHandler):
    """Writes to the process's standard error itself, not to a ``sys.stderr`` swapped in later: a
    command's output captured by a runner (click's CliRunner) stays free of log lines."""

    def __init__(self) -> None:
        super().__init__(sys.__stderr__ or sys.stderr)


def resolve_format(fmt: str, stream=None) -> str:
    """``json`` or ``text``: ``auto`` is text when ``stream`` (standard error) is a terminal, else JSON."""
    if fmt != "auto":
        return "json" if fmt == "json" else "text"
    stream = stream if stream is not None else (sys.__stderr__ or sys.stderr)
    try:
        return "text" if stream.isatty() else "json"
    except (AttributeError, ValueError):  # no stream, or a closed one
        return "json"


def configure(level: str = "INFO", fmt: str = "auto") -> None:
    """Send this process's logs to standard error: one JSON object a line, or plain lines (``text``,
    or ``auto`` on a terminal).

    Done once a process; a later call only changes the level and format.
    """
    root = logging.getLogger()
    handler = next((h for h in root.handlers if isinstance(h, _StderrHandler)), None)
    if handler is None:
        handler = _StderrHandler()
        handler.addFilter(RequestIdFilter())
        root.addHandler(handler)
    handler.setFormatter(json_formatter() if resolve_format(fmt, handler.stream) == "json" else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    root.setLevel(level.upper())
    logging.captureWarnings(True)  # warnings become log lines like any other, not bare stderr text
    for noisy in _NOISY:  # a line per plugin at every start tells an operator nothing
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
