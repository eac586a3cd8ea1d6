"""What a Celery worker does besides its tasks: JSON log lines carrying the request id of whoever queued
each task, and, when REFSVC_METRICS_LISTEN is set, its metrics summed over its pool's processes.

``connect()`` must run before anything imports prometheus_client (refsvc.worker.celery calls it first):
the prefork pool's processes inherit multiprocess mode only if it is chosen before that import.
"""
from __future__ import annotations

import os
import sys
import tempfile
from typing import Any

from celery import signals

from refsvc import logs
from refsvc.config import load_settings


def connect() -> None:
    """Connect the worker's logging, request id and metrics hooks (once a process)."""
    settings = load_settings()
    if (settings["METRICS_LISTEN"] and not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
            and "prometheus_client" not in sys.modules):  # too late for a process that has it
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="refsvc-worker-metrics-")
    _configure_logs()  # now: the worker warns (e.g. about running as root) before its own setup
    signals.setup_logging.connect(_configure_logs, weak=False)  # connected: Celery leaves logs to us
    signals.before_task_publish.connect(_publish, weak=False)
    signals.task_prerun.connect(_prerun, weak=False)
    signals.task_postrun.connect(_postrun, weak=False)
    signals.worker_init.connect(_serve_metrics, weak=False)
    signals.worker_process_shutdown.connect(_process_gone, weak=False)


def _configure_logs(**_: Any) -> None:
    settings = load_settings()
    logs.configure(settings["LOG_LEVEL"], settings["LOG_FORMAT"])


def _publish(headers: dict | None = None, **_: Any) -> None:
    if headers is not None and logs.request_id.get():
        headers[logs.HEADER] = logs.request_id.get()


def _prerun(task: Any = None, **_: Any) -> None:
    request = getattr(task, "request", None)
    sent = getattr(request, logs.HEADER, None)
    if sent is None and request is not None:
        sent = (getattr(request, "headers", None) or {}).get(logs.HEADER)
    logs.request_id.set(logs.accept_request_id(sent))


def _postrun(**_: Any) -> None:
    logs.request_id.set(None)


def _serve_metrics(**_: Any) -> None:
    from refsvc import metrics

    metrics.serve(load_settings()["METRICS_LISTEN"])


def _process_gone(pid: int | None = None, **_: Any) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid or os.getpid())
