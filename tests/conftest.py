"""Shared fixtures: an app on a fresh temporary database, its client and CLI runner, and the real
PostgreSQL and Redis servers the tests talk to (started by .ci/run when they are not running)."""
from __future__ import annotations

import os
import socket
import uuid

import pytest

from refsvc import create_app
from refsvc.storage import get_database

EDITOR_TOKEN = "test-editor-token"

# The checker's default canaries are public sites: no test (nor a process a test starts) may ask
# them. Empty means "no canary; sites last seen working serve"; tests that need one serve it on loopback.
os.environ.setdefault("REFSVC_CHECK_CANARY_URLS", "")


def pytest_generate_tests(metafunc):
    # Tests marked both_databases run once on SQLite and once on PostgreSQL.
    if metafunc.definition.get_closest_marker("both_databases"):
        metafunc.parametrize("database_kind", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def database_kind(request):
    return getattr(request, "param", "sqlite")


@pytest.fixture
def database_url(database_kind, tmp_path, request):
    """An empty database: a new SQLite file, or the session's PostgreSQL database emptied."""
    if database_kind == "sqlite":
        return f"sqlite:///{tmp_path / 'refsvc.sqlite'}"
    import psycopg

    url = request.getfixturevalue("postgres_url")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    return url


def dead_port() -> int:
    """A loopback port with nothing listening (bound, never listened on, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def settings(tmp_path, database_url):
    """Overrides for a test app: an empty database, loopback servers allowed, one editor token.

    The outside services default to real sites (doi.org, Crossref, the Wayback Machine); here they
    are a dead loopback port, so no test reaches the internet unless it serves them itself.
    """
    dead = f"http://127.0.0.1:{dead_port()}"
    return {
        "DATABASE_URL": database_url,
        "HTTP_CACHE_PATH": str(tmp_path / "http_cache.sqlite"),
        "ALLOW_PRIVATE_ADDRESSES": "1",
        "EDITOR_TOKENS": EDITOR_TOKEN,
        "TESTING": True,
        "DOI_RESOLVER": dead,
        "CROSSREF_API": dead,
        "WAYBACK_API": f"{dead}/wayback/available",
        "CHECK_CANARY_URLS": "",
        "LOG_FORMAT": "json",  # the tests read JSON lines, even when pytest runs on a terminal (-s)
    }


@pytest.fixture
def app(settings, tmp_path, monkeypatch):
    monkeypatch.setenv("REFSVC_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(settings)
    yield app
    get_database(app).dispose()  # PostgreSQL keeps no connection open between tests


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def editor():
    """Headers of an editor request."""
    return {"Authorization": f"Bearer {EDITOR_TOKEN}"}


# Real servers a test needed but could not reach: named in the summary, and a failure when CI is set.
ABSENT: dict[str, str] = {}
ABSENT_MARK = "real server absent: "


def absent(server: str, where: str, error: Exception) -> None:
    """Skip the test, loudly: the terminal summary lists every real server that was missing."""
    ABSENT.setdefault(server, f"{where} ({type(error).__name__}: {' '.join(str(error).split())[:120]})")
    pytest.skip(f"{ABSENT_MARK}{server} at {where}")


def pytest_terminal_summary(terminalreporter):
    if not ABSENT:
        return
    skipped = [str(getattr(r, "longrepr", "")) for r in terminalreporter.stats.get("skipped", [])]
    terminalreporter.section("REAL SERVERS ABSENT: these tests did NOT run", sep="!", red=True)
    for server, why in ABSENT.items():
        count = sum(f"{ABSENT_MARK}{server} " in text for text in skipped)
        terminalreporter.write_line(f"SKIPPED {count} test(s) needing {server}: not reachable at "
                                    f"{why}. Start it with `make services`.", red=True, bold=True)
    if os.environ.get("CI"):
        terminalreporter.write_line("CI is set, so a missing server fails the run.", red=True)


def pytest_sessionfinish(session):
    if ABSENT and os.environ.get("CI") and session.exitstatus == 0:
        session.exitstatus = 1  # in CI a skipped server must not look like a pass


@pytest.fixture(scope="session")
def postgres_url():
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    import psycopg

    base = (os.environ.get("REFSVC_TEST_DATABASE_URL") or os.environ.get("REFSVC_TEST_POSTGRES")
            or "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"refsvc_test_{uuid.uuid4().hex[:8]}"
    try:
        with psycopg.connect(base, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        absent("PostgreSQL", base.rsplit("@", 1)[-1], exc)
    yield base.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def redis_url():
    """Redis database 15 (or REFSVC_TEST_REDIS_URL / REFSVC_TEST_REDIS), emptied before and after."""
    import redis

    url = (os.environ.get("REFSVC_TEST_REDIS_URL") or os.environ.get("REFSVC_TEST_REDIS")
           or "redis://127.0.0.1:6379/15")
    server = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
    try:
        server.flushdb()
    except redis.ConnectionError as exc:
        absent("Redis", url.rsplit("@", 1)[-1], exc)
    yield url
    server.flushdb()
