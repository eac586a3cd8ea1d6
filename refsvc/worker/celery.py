"""Optional: run checks on Celery workers instead of in the checker process.

Used only when REFSVC_CELERY_BROKER_URL is set (the embedded default needs no broker). Then
``flask --app wsgi check-links`` is the one scheduler (there is no Celery beat): it claims due
resources and queues one ``refsvc.check_resource`` task per resource, carrying the claim's token,
and ``celery -A refsvc.worker.celery worker`` runs them. The scheduler keeps no more than two batches
queued and its heartbeat renews their leases until the workers record them, so a long queue never
outlives its claims. A task starts by renewing its claim (skipped when the claim passed to another
checker), and writing its result ends the claim (compare-and-set): each due check is written once.
A task lost with its worker leaves the claim to lapse, and the resource is claimed again.
Politeness limits hold across every worker and checker (refsvc.links.politeness: Redis or the database).
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
            from refsvc.storage import get_database
            from refsvc.worker.cli import fast_commits

            _app = create_app()
            fast_commits(get_database(_app))  # a worker commits a check per task, like the checker
        return _app


@celery.task(name="refsvc.check_resource", ignore_result=True)
def check_resource(resource_id: str, token: str | None = None) -> str | None:
    """Check one resource under the claim ``token`` and record the result; its outcome (None if
    the resource is gone or its claim passed to another checker)."""
    from refsvc.links.tracking import tracker_for

    check = tracker_for(_flask_app()).check_now(resource_id, token)
    return None if check is None else check.outcome


def configure(broker_url: str) -> Celery:
    """Point the Celery app at ``broker_url`` (the app's setting may differ from the environment)."""
    if celery.conf.broker_url != broker_url:
        celery.conf.broker_url = broker_url
    return celery


def enqueue(resource_id: str, token: str | None = None) -> None:
    """Queue the check of one resource under the claim ``token``."""
    check_resource.delay(resource_id, token)
