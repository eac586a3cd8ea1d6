"""What every request leaves behind: its request id (logs and X-Request-ID), its metrics; GET /metrics.

``/metrics`` is open unless REFSVC_METRICS_TOKEN is set; then it needs ``Authorization: Bearer <token>``.
Besides the counters of refsvc.metrics it reports, read from the database at scrape time (so they hold
across every checker process and Celery worker): claims held, the due backlog and recent checks by
outcome.
"""
from __future__ import annotations

import hmac
import logging
import time

from flask import Flask, Response, current_app, g, request
from prometheus_client.core import GaugeMetricFamily

from refsvc import logs, metrics
from refsvc.limits import limiter
from refsvc.errors import error_response

log = logging.getLogger(__name__)
_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def init_app(app: Flask) -> None:
    """Set the request id and time every request; serve /metrics."""
    app.before_request(_start)
    app.after_request(_finish)
    app.teardown_request(_clear)
    app.add_url_rule("/metrics", "metrics", limiter.exempt(_metrics_view), methods=["GET"])


def _start() -> None:
    g.request_id = logs.accept_request_id(request.headers.get("X-Request-ID"))
    g.request_started = time.perf_counter()
    logs.request_id.set(g.request_id)


def _finish(response: Response) -> Response:
    if "request_id" not in g:  # a request that failed before _start (it is the first hook)
        _start()
    response.headers["X-Request-ID"] = g.request_id
    endpoint = request.url_rule.rule if request.url_rule is not None else "unmatched"
    method = request.method if request.method in _METHODS else "other"
    status = str(response.status_code)
    metrics.REQUESTS.labels(endpoint, method, status).inc()
    metrics.LATENCY.labels(endpoint, method, status).observe(time.perf_counter() - g.request_started)
    return response


def _clear(_exc: BaseException | None = None) -> None:
    logs.request_id.set(None)  # a worker thread's next log line belongs to no request


def _metrics_view() -> Response:
    token = current_app.config.get("METRICS_TOKEN") or ""
    if token:
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            failed = error_response(401, "unauthorized", "Metrics need the token of "
                                    "REFSVC_METRICS_TOKEN: send 'Authorization: Bearer <token>'.")
            failed.headers["WWW-Authenticate"] = 'Bearer realm="refsvc metrics"'
            return failed
    body, content_type = metrics.exposition([DatabaseCollector(current_app)])
    response = Response(body, content_type=content_type)
    response.headers["Cache-Control"] = "no-store"
    return response


class DatabaseCollector:
    """Gauges read from the database at scrape time; ``refsvc_metrics_database_up`` 0 when it fails."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self):
        from refsvc.storage import get_database, stats, utcnow

        up = GaugeMetricFamily("refsvc_metrics_database_up", "1 when the database answered this "
                               "scrape's queries, else 0 (and the gauges below are left out).")
        try:
            now = utcnow()
            with get_database(self.app).transaction() as session:
                held = stats.claims_held(session, now)
                due = stats.due_backlog(session, now)
                recent = stats.recent_outcomes(session, now)
        except Exception as exc:  # a scrape reports the failure, it does not fail
            log.warning("metrics: database unavailable (%s)", type(exc).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield GaugeMetricFamily("refsvc_check_claims_held", "Resources claimed by a checker or "
                                "queued for a Celery worker, claim not expired.", value=held)
        yield GaugeMetricFamily("refsvc_checks_due", "Resources due for a check that nobody "
                                "holds: the backlog.", value=due)
        checks = GaugeMetricFamily("refsvc_checks_last_24h", "Checks recorded in the last 24 "
                                   "hours, by outcome (all checkers and workers).", labels=["outcome"])
        for outcome, count in sorted(recent.items()):
            checks.add_metric([outcome], count)
        yield checks
