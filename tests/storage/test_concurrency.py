"""Counters stay exact under real concurrency (threads against one app) on SQLite and PostgreSQL:
every acknowledged report is counted once, every recorded failure extends the streak once."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from refsvc.links.tracking import Tracker
from refsvc.storage import get_database
from refsvc.storage import checks as check_store

pytestmark = pytest.mark.both_databases

REPORTS = 500
THREADS = 12  # a gunicorn worker's threads are fewer; the pool (5 + 10) serves 12 without waiting


@pytest.fixture
def settings(settings):
    return {**settings, "REPORT_RATE_LIMIT": ""}


def _run_together(count: int, work) -> list:
    start = threading.Barrier(THREADS)

    def worker(numbers):
        start.wait()
        return [work(n) for n in numbers]

    chunks = [range(i, count, THREADS) for i in range(THREADS)]
    with ThreadPoolExecutor(THREADS) as pool:
        return [item for chunk in pool.map(worker, chunks) for item in chunk]


def test_500_concurrent_reports_from_500_visitors_count_exactly_500(app, editor):
    def report(n):
        client = app.test_client()
        return client.post("/v1/reports", json={"url": "https://one.example.org/page",
                                                "reason": "broken"},
                           environ_base={"REMOTE_ADDR": f"10.0.{n // 250}.{n % 250 + 1}"}).status_code

    statuses = _run_together(REPORTS, report)
    assert statuses.count(202) == REPORTS, {s: statuses.count(s) for s in set(statuses)}
    groups = app.test_client().get("/v1/reports?status=open", headers=editor).json
    assert len(groups) == 1  # one open group, never a duplicate
    assert groups[0]["count"] == REPORTS


def test_concurrent_failed_checks_each_extend_the_failure_streak(app, client, editor):
    assert client.post("/v1/resources", json={"id": "gone", "name": "Gone",
                                              "url": "https://gone.example.org/"},
                       headers=editor).status_code == 201
    tracker = Tracker(get_database(app), app.config, client=object())
    result = {"url": "https://gone.example.org/", "outcome": "client_error", "status_code": 404,
              "reason": "HTTP 404"}
    recorded = _run_together(64, lambda _: tracker.record("gone", dict(result)))
    assert all(recorded)
    with get_database(app).transaction() as session:
        assert check_store.get_state(session, "gone").failures == 64


def test_rate_limit_counters_in_the_database_count_every_concurrent_hit_once(app):
    from refsvc.storage.ratelimits import DatabaseStorage

    storage = DatabaseStorage(database=get_database(app))
    counts = _run_together(120, lambda _: storage.incr("LIMITS/report/10.0.0.1", 60))
    assert sorted(counts) == list(range(1, 121))  # each hit saw its own count: none lost
    assert storage.get("LIMITS/report/10.0.0.1") == 120
    assert storage.incr("LIMITS/other", 0) == 1 and storage.get("LIMITS/other") == 0  # expired
    assert storage.check()
