"""Optional Celery mode on a real Redis broker: check-links queues claimed resources, a worker checks
and records them."""
from __future__ import annotations

import time

import pytest
from celery.contrib.testing.worker import start_worker

from refsvc import create_app
from refsvc.storage import get_database
from refsvc.storage import checks as check_store
from refsvc.storage import resources as store
from refsvc.worker import celery as celery_mode

PAGE = "<html><head><title>Mind</title></head><body>Mind, a mental health charity.</body></html>"


@pytest.fixture
def celery_app(settings, tmp_path, monkeypatch, redis_url):
    monkeypatch.setenv("REFSVC_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({**settings, "CELERY_BROKER_URL": redis_url})
    celery_mode.bind_app(app)
    yield app
    celery_mode.bind_app(None)
    get_database(app).dispose()


def last_checked(app, resource_id):
    with get_database(app).transaction() as session:
        return check_store.get_state(session, resource_id)


def test_check_links_queues_due_resources_and_a_celery_worker_records_them(celery_app, httpserver):
    httpserver.expect_request("/mind").respond_with_data(PAGE, content_type="text/html")
    with get_database(celery_app).transaction() as session:
        store.create_resource(session, {"id": "mind", "name": "Mind",
                                        "url": httpserver.url_for("/mind")})
    result = celery_app.test_cli_runner().invoke(args=["check-links", "--once"])
    assert "Queued 1 check for" in result.output, result.output
    state = last_checked(celery_app, "mind")
    assert state.claimed_by is not None and state.last_checked_at is None  # queued, not checked
    with start_worker(celery_mode.configure(celery_app.config["CELERY_BROKER_URL"]),
                      perform_ping_check=False):
        for _ in range(400):  # 20 s at most for the worker to take and record the task
            state = last_checked(celery_app, "mind")
            if state.last_checked_at is not None:
                break
            time.sleep(0.05)
    assert state.health == "healthy" and state.claimed_by is None


def test_a_worker_makes_its_app_when_it_starts_not_in_its_first_task(tmp_path, redis_url):
    import sqlite3

    from tests.worker.fleet import celery_worker, environment, stop, wait_for

    # a new database file gets its schema when the app is made: before any task was queued here
    database = tmp_path / "refsvc.sqlite"
    env = environment(tmp_path, f"sqlite:///{database}", CELERY_BROKER_URL=redis_url)
    worker = celery_worker(env, tmp_path / "worker.log", "warm")

    def migrated() -> bool:
        if not database.exists():
            return False
        with sqlite3.connect(database, timeout=5) as conn:
            return bool(conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'alembic_version'")
                        .fetchone()[0])
    try:
        assert wait_for(migrated, 60), (tmp_path / "worker.log").read_text()[-2000:]
    finally:
        stop([worker])


def test_check_links_queues_several_resources_a_task_and_the_worker_records_each_once(celery_app, httpserver):
    import redis

    httpserver.expect_request("/mind").respond_with_data(PAGE, content_type="text/html")
    with get_database(celery_app).transaction() as session:
        for n in range(6):
            store.create_resource(session, {"id": f"mind{n}", "name": "Mind",
                                            "url": httpserver.url_for("/mind") + f"?n={n}"})
    result = celery_app.test_cli_runner().invoke(args=["check-links", "--once"])
    assert "Queued 6 checks for" in result.output, result.output
    broker = redis.Redis.from_url(celery_app.config["CELERY_BROKER_URL"])
    assert broker.llen("celery") == 2  # tasks of 4 and 2 resources, not 6 tasks
    with start_worker(celery_mode.configure(celery_app.config["CELERY_BROKER_URL"]),
                      perform_ping_check=False):
        for _ in range(400):
            states = [last_checked(celery_app, f"mind{n}") for n in range(6)]
            if all(state.last_checked_at is not None for state in states):
                break
            time.sleep(0.05)
    assert {state.health for state in states} == {"healthy"}
    assert all(state.claimed_by is None for state in states)
    with get_database(celery_app).transaction() as session:
        assert [len(check_store.history(session, f"mind{n}")[0]) for n in range(6)] == [1] * 6


def test_a_task_of_several_resources_skips_the_one_whose_claim_passed_to_another_checker(app, httpserver):
    from datetime import datetime, timezone

    from refsvc.links.tracking import Tracker

    httpserver.expect_request("/mind").respond_with_data(PAGE, content_type="text/html")
    database = get_database(app)
    with database.transaction() as session:
        for n in range(3):
            store.create_resource(session, {"id": f"mind{n}", "name": "Mind",
                                            "url": httpserver.url_for("/mind") + f"?n={n}"})
    now = datetime.now(timezone.utc)
    with database.transaction() as session:
        token, _ = check_store.claim_due(session, "scheduler", now, limit=10, lease_seconds=60)
        other, _ = check_store.claim_ids(session, "check-now", ["mind1"], now, lease_seconds=60, force=True)
    tracker = Tracker(database, app.config)
    try:
        checks = tracker.check_several(["mind0", "mind1", "mind2"], token)
    finally:
        tracker.close()
    assert checks["mind1"] is None and checks["mind0"].outcome == checks["mind2"].outcome == "ok"
    with database.transaction() as session:
        assert [len(check_store.history(session, f"mind{n}")[0]) for n in range(3)] == [1, 0, 1]
        assert check_store.get_state(session, "mind1").claimed_by == other  # still the other's
