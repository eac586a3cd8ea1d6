"""Optional: run checks on Celery workers instead of in the checker process.

Used only when REFSVC_CELERY_BROKER_URL is set (the embedded default needs no broker). Then
``flask --app wsgi check-links`` still claims due resources (so two schedulers never take the same
one), but queues one ``refsvc.check_resource`` task per resource instead of checking it itself, and
``celery -A refsvc.worker.celery worker`` runs them. A task records its result, which ends the claim;
a task lost with its worker leaves the claim to expire, and the resource is claimed again.
Politeness limits then hold per worker process, not across workers.
"""
from __future__ import annotations

import threading
from typing import Any

from celery import Celery

from refsvc.worker import signals
from refsvc.config import load_settings

_settings = load_settings()
celery = Celery("refsvc", broker=_settings["CELERY_BROKER_URL"] or "memory://")
celery.conf.update(task_acks_late=True, task_reject_on_worker_lost=True,
                   worker_prefetch_multiplier=1, broker_connection_retry_on_startup=True)
signals.connect()  # JSON logs with the request id, metrics; before prometheus_client is imported

_app: Any = None
_lock = threading.Lock()


def bind_app(flask_app: Any) -> None:
    """Use ``flask_app`` (its database and settings) in this process's tasks."""
    global _app
    _app = flask_app


def _flask_app() -> Any:
    global _app
    with _lock:
        if _app is None:
            from refsvc import create_app

            _app = create_app()
        return _app


@celery.task(name="refsvc.check_resource", ignore_result=True)
def check_resource(resource_id: str) -> str | None:
    """Check one resource and record the result; its outcome (None if the resource is gone)."""
    from refsvc.links.tracking import tracker_for

    check = tracker_for(_flask_app()).check_now(resource_id)
    return None if check is None else check.outcome


def configure(broker_url: str) -> Celery:
    """Point the Celery app at ``broker_url`` (the app's setting may differ from the environment)."""
    if celery.conf.broker_url != broker_url:
        celery.conf.broker_url = broker_url
    return celery


def enqueue(resource_id: str) -> None:
    """Queue the check of one resource."""
    check_resource.delay(resource_id)
