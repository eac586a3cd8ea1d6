"""Optional: run checks on Celery workers instead of in the checker process.

Used only when REFSVC_CELERY_BROKER_URL is set (the embedded default needs no broker). Then
``flask --app wsgi check-links`` is the one scheduler (there is no Celery beat): it claims due
resources and queues ``refsvc.check_resources`` tasks of up to ``TASK_RESOURCES`` resources each,
carrying the claim's token, and ``celery -A refsvc.worker.celery worker`` runs them: a task checks
its resources one after another (a worker's --concurrency stays its checks in flight) and records
them in one transaction, so the claims, broker round trips and commits are paid once a task.
The scheduler keeps no more than two batches of tasks queued and its heartbeat renews their
leases until the workers record them, so a long queue never outlives its claims. A task starts by
renewing its claims (one that passed to another checker is skipped), and writing a result ends its
claim (compare-and-set): each due check is written once.
A task lost with its worker leaves the claim to lapse, and the resource is claimed again.
Politeness limits hold across every worker and checker (refsvc.links.politeness: Redis or the database).
"""
from __future__ import annotations

import gc
import logging
import threading
from typing import Any

from celery import Celery
from celery import signals as celery_signals

from refsvc.worker import signals
from refsvc.config import load_settings

_settings = load_settings()
celery = Celery("refsvc", broker=_settings["CELERY_BROKER_URL"] or "memory://")
celery.conf.update(task_acks_late=True, task_reject_on_worker_lost=True,
                   worker_prefetch_multiplier=1, broker_connection_retry_on_startup=True)
signals.connect()  # JSON logs with the request id, metrics; before prometheus_client is imported

TASK_RESOURCES = 4  # resources a task carries: a quarter of the per-task cost each, 4 x 200 ms a task
_app: Any = None
_lock = threading.Lock()
log = logging.getLogger(__name__)


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

            _app = create_app(web=False)  # a worker serves no pages
            fast_commits(get_database(_app))  # a worker commits a check per task, like the checker
        return _app


@celery_signals.worker_init.connect(weak=False)
def _warm_thread_pool(sender: Any = None, **_: Any) -> None:
    # A thread pool's tasks run in this process; a prefork pool's children warm themselves (an
    # engine made here, before the fork, would share its connections with them).
    from celery.concurrency import get_implementation

    if sender is not None and get_implementation(sender.pool_cls).__module__ == "celery.concurrency.thread":
        warm()
        try:  # its threads share one GIL: pages are read in processes of their own, ready
            from refsvc.links.tracking import tracker_for  # before the worker takes a task

            tracker_for(_flask_app()).read_in_processes(wait=True)
        except Exception:
            log.warning("could not start the page-reading processes; pages are read in the tasks",
                        exc_info=True)


@celery_signals.worker_process_init.connect(weak=False)
def warm(**_: Any) -> None:
    """Make the app and its tracker when a worker starts, not in its first task: otherwise every
    thread of the pool waits out the start-up (about a second of CPU) on its first check."""
    try:
        from refsvc.links.check import check_link  # noqa: F401  (the checks' own imports)
        from refsvc.links.tracking import tracker_for

        tracker = tracker_for(_flask_app())
        tracker.hosts  # noqa: B018  (the shared politeness gate's connection)
    except Exception:  # e.g. the database is down: the first task tries again
        log.warning("could not prepare the worker's app at start; its first task will", exc_info=True)
    gc.freeze()  # start-up's objects live as long as the worker: no full collection walks them again


@celery.task(name="refsvc.check_resource", ignore_result=True)
def check_resource(resource_id: str, token: str | None = None) -> str | None:
    """Check one resource under the claim ``token`` and record the result; its outcome (None if
    the resource is gone or its claim passed to another checker). Queued by earlier releases."""
    from refsvc.links.tracking import tracker_for

    check = tracker_for(_flask_app()).check_now(resource_id, token)
    return None if check is None else check.outcome


@celery.task(name="refsvc.check_resources", ignore_result=True)
def check_resources(resource_ids: list[str], token: str | None = None) -> dict[str, str | None]:
    """Check several resources under the claim ``token`` and record them together; each one's
    outcome (None for one gone or whose claim passed to another checker)."""
    from refsvc.links.tracking import tracker_for

    checks = tracker_for(_flask_app()).check_several(list(resource_ids), token)
    return {rid: None if check is None else check.outcome for rid, check in checks.items()}


def configure(broker_url: str) -> Celery:
    """Point the Celery app at ``broker_url`` (the app's setting may differ from the environment)."""
    if celery.conf.broker_url != broker_url:
        celery.conf.broker_url = broker_url
    return celery


def enqueue(resource_ids: str | list[str], token: str | None = None) -> None:
    """Queue the check of one resource, or of several in one task, under the claim ``token``."""
    if isinstance(resource_ids, str):
        check_resource.delay(resource_ids, token)
    else:
        check_resources.delay(list(resource_ids), token)
