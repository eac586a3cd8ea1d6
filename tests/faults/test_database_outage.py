"""A database that hangs, refuses or is locked: requests that need it get a JSON 503 with
Retry-After in bounded time, citations and /healthz keep answering, /readyz says what is down, and
the service recovers by itself when the database is back. PostgreSQL sits behind a loopback proxy
of the test's own (the shared server is never touched); SQLite is locked by another connection."""
from __future__ import annotations

import sqlite3
import time
from urllib.parse import urlsplit

import psycopg
import pytest

from refsvc import create_app
from refsvc.storage import get_database
from tests.faults.proxy import TcpProxy

CITE = {"metadata": {"type": "webpage", "title": "Still here", "url": "https://example.org/"},
        "styles": ["apa"]}


def timed(call):
    start = time.monotonic()
    response = call()
    return response, time.monotonic() - start


def assert_database_503(response):
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.json["code"] == "database_unavailable"
    assert response.headers["Retry-After"] == "10"  # the setting's, not a rate-limit window's


def assert_still_serving(client):
    healthz, took = timed(lambda: client.get("/healthz"))
    assert healthz.status_code == 200 and took < 2
    cited, took = timed(lambda: client.post("/v1/citations", json=CITE))
    assert cited.status_code == 200 and took < 5, cited.json


@pytest.fixture
def proxy(postgres_url):
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    parts = urlsplit(postgres_url)
    proxy = TcpProxy((parts.hostname, parts.port or 5432))
    yield proxy
    proxy.close()


@pytest.fixture
def pg_app(settings, proxy, postgres_url, tmp_path, monkeypatch):
    monkeypatch.setenv("REFSVC_INSTANCE_PATH", str(tmp_path / "instance"))
    parts = urlsplit(postgres_url)
    url = parts._replace(netloc=f"{parts.username}@{proxy.address}").geturl()
    app = create_app({**settings, "DATABASE_URL": url})
    yield app
    get_database(app).dispose()


def test_a_hung_postgresql_is_a_503_within_15_s_and_the_service_recovers(pg_app, proxy, editor):
    client = pg_app.test_client()
    assert client.get("/v1/resources", headers=editor).status_code == 200
    proxy.hang()
    response, took = timed(lambda: client.get("/v1/resources", headers=editor))
    print(f"hung PostgreSQL: 503 after {took:.1f} s")
    assert_database_503(response)
    assert took < 15
    assert_still_serving(client)
    ready, took = timed(lambda: client.get("/readyz"))
    assert ready.status_code == 503 and ready.json["database"].startswith("unavailable") and took < 15
    proxy.forward()
    back = time.monotonic()
    deadline = back + 30
    while client.get("/v1/resources", headers=editor).status_code != 200:
        assert time.monotonic() < deadline, "not recovered within 30 s of the database's return"
        time.sleep(0.5)
    print(f"recovered {time.monotonic() - back:.1f} s after the database's return")
    assert client.get("/readyz").json["database"] == "ok"


def test_a_refused_postgresql_is_a_503_within_5_s_and_the_service_recovers(pg_app, proxy, editor):
    client = pg_app.test_client()
    assert client.get("/v1/resources", headers=editor).status_code == 200
    proxy.refuse()
    response, took = timed(lambda: client.get("/v1/resources", headers=editor))
    print(f"refused PostgreSQL: 503 after {took:.2f} s")
    assert_database_503(response)
    assert took < 5
    report, took = timed(lambda: client.post("/v1/reports", json={"url": "https://a.example.org/",
                                                                  "reason": "broken"}))
    assert_database_503(report)
    assert took < 5
    assert_still_serving(client)
    proxy.forward()
    deadline = time.monotonic() + 30
    while client.get("/v1/resources", headers=editor).status_code != 200:
        assert time.monotonic() < deadline
        time.sleep(0.5)


def test_a_locked_sqlite_file_is_a_503_and_the_lock_s_end_is_recovery(app, client, editor):
    path = app.config["DATABASE_URL"].removeprefix("sqlite:///")
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")  # another process holding the write lock, say
    try:
        response, took = timed(lambda: client.post("/v1/reports", json={
            "url": "https://a.example.org/", "reason": "broken"}))
        print(f"locked SQLite: 503 after {took:.1f} s")
        assert_database_503(response)
        assert took < 15
        assert_still_serving(client)
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert client.post("/v1/reports", json={"url": "https://a.example.org/",
                                            "reason": "broken"}).status_code == 202


def test_healthz_is_liveness_and_readyz_names_a_redis_that_is_down(settings, tmp_path,
                                                                   monkeypatch):
    from tests.conftest import dead_port

    monkeypatch.setenv("REFSVC_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({**settings, "REDIS_URL": f"redis://127.0.0.1:{dead_port()}/0"})
    client = app.test_client()
    assert client.get("/healthz").json == {"status": "ok", "version": client.get("/healthz")
                                           .json["version"]}
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.json["database"] == "ok"
    assert ready.json["redis"].startswith("unavailable") and "redis" in ready.json["message"]
    assert "Retry-After" in ready.headers


def test_readyz_is_ok_when_everything_answers(client):
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["database"] == "ok" and "redis" not in ready.json


def test_an_app_started_while_postgresql_is_down_serves_citations_and_catches_up(
        settings, proxy, postgres_url, tmp_path, monkeypatch, editor):
    monkeypatch.setenv("REFSVC_INSTANCE_PATH", str(tmp_path / "instance"))
    parts = urlsplit(postgres_url)
    proxy.refuse()
    app = create_app({**settings, "DATABASE_URL": parts._replace(
        netloc=f"{parts.username}@{proxy.address}").geturl()})  # a worker booting mid-outage
    try:
        client = app.test_client()
        assert_still_serving(client)
        assert_database_503(client.get("/v1/resources", headers=editor))
        assert client.get("/readyz").status_code == 503
        proxy.forward()
        deadline = time.monotonic() + 30
        while client.get("/v1/resources", headers=editor).status_code != 200:
            assert time.monotonic() < deadline, "the schema was not brought up within 30 s"
            time.sleep(0.5)
        assert client.get("/readyz").status_code == 200
    finally:
        get_database(app).dispose()
