"""A real gunicorn: kill -9 in the middle of a burst of reports loses nothing acknowledged and
counts nothing twice; with every worker thread waiting on a hung database, /healthz and citations
still answer; Basic credentials' user names never reach the access log."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import psycopg
import pytest
import requests
from sqlalchemy import create_engine, text

from tests.faults.gunicorn import Gunicorn
from tests.faults.proxy import TcpProxy

LINK = "https://burst.example.org/page"
CITE = {"metadata": {"type": "webpage", "title": "Still here", "url": "https://example.org/"},
        "styles": ["apa"]}
TOKEN = "gunicorn-test-token"


def _reset(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'refsvc.sqlite'}"
    url = request.getfixturevalue("postgres_url")
    _reset(url)
    return url


def _stored(database_url: str) -> tuple[int, int, int]:
    """(open groups of LINK, their count, visits recorded) read straight from the database."""
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as connection:
        groups = connection.execute(text("SELECT id, count FROM reports WHERE url = :u AND "
                                         "status = 'open'"), {"u": LINK}).fetchall()
        visits = connection.execute(text("SELECT count(*) FROM report_visits")).scalar_one()
    engine.dispose()
    return len(groups), sum(count for _, count in groups), visits


def test_kill_9_mid_burst_loses_no_acknowledged_report_and_counts_none_twice(tmp_path, database_url):
    settings = {"DATABASE_URL": database_url, "REPORT_RATE_LIMIT": "", "PROXY_COUNT": "1"}
    server = Gunicorn(tmp_path, settings, workers=2, threads=4)
    acknowledged: list[int] = []
    sent = threading.Event()
    lock = threading.Lock()

    def report(n: int) -> None:
        try:  # each visitor its own address (through the trusted proxy header)
            answer = requests.post(server.url + "/v1/reports", json={"url": LINK, "reason": "broken"},
                                   headers={"X-Forwarded-For": f"10.{n // 65536}.{n // 256 % 256}.{n % 256}"},
                                   timeout=10)
        except requests.RequestException:
            return  # cut off by the kill: never acknowledged
        if answer.status_code == 202:
            with lock:
                acknowledged.append(n)
                if len(acknowledged) >= 150:
                    sent.set()

    with ThreadPoolExecutor(16) as pool:
        futures = [pool.submit(report, n) for n in range(2000)]
        assert sent.wait(120), "the burst never got going"
        server.kill()  # kill -9 arbiter and workers, mid-burst
        for future in futures:
            future.cancel()
    groups, count, visits = _stored(database_url)
    print(f"acknowledged {len(acknowledged)}, stored and counted {count}")
    assert groups == 1
    assert count == visits  # every counted report is one visitor's one report: none twice
    assert count >= len(acknowledged)  # every acknowledged report is stored and counted
    assert count < 2000  # the kill did cut the burst short

    restarted = Gunicorn(tmp_path, settings, workers=2, threads=4)
    try:
        answer = requests.post(restarted.url + "/v1/reports", json={"url": LINK, "reason": "broken"},
                               headers={"X-Forwarded-For": "192.0.2.1"}, timeout=10)
        assert answer.status_code == 202 and answer.json()["count"] == count + 1
        assert requests.get(restarted.url + "/readyz", timeout=10).status_code == 200
    finally:
        restarted.stop()


def test_healthz_and_citations_answer_while_every_thread_waits_on_a_hung_database(tmp_path,
                                                                                  postgres_url):
    _reset(postgres_url)
    parts = urlsplit(postgres_url)
    proxy = TcpProxy((parts.hostname, parts.port or 5432))
    threads = 4
    server = Gunicorn(tmp_path, {"DATABASE_URL": parts._replace(
        netloc=f"{parts.username}@{proxy.address}").geturl(), "EDITOR_TOKENS": TOKEN},
        workers=1, threads=threads)
    editor = {"Authorization": f"Bearer {TOKEN}"}
    try:
        assert requests.get(server.url + "/v1/resources", headers=editor, timeout=10).ok
        proxy.hang()
        with ThreadPoolExecutor(threads + 2) as pool:
            def timed(call):
                start = time.monotonic()
                response = call()
                return response, time.monotonic() - start

            waiting = [pool.submit(timed, lambda: requests.get(server.url + "/v1/resources",
                                                               headers=editor, timeout=60))
                       for _ in range(threads)]
            assert proxy.wait_held(threads)  # every worker thread is now waiting on the database
            health = pool.submit(timed, lambda: requests.get(server.url + "/healthz", timeout=60))
            cited = pool.submit(timed, lambda: requests.post(server.url + "/v1/citations",
                                                             json=CITE, timeout=60))
            (health_answer, health_took), (cite_answer, cite_took) = health.result(), cited.result()
            blocked = [future.result() for future in waiting]
        print(f"healthz {health_took:.1f} s, citation {cite_took:.1f} s, database requests "
              f"{', '.join(f'{took:.1f}' for _, took in blocked)} s")
        assert health_answer.status_code == 200 and health_took < 12, health_took
        assert cite_answer.status_code == 200 and cite_took < 12, cite_took
        for answer, took in blocked:
            assert answer.status_code == 503 and answer.json()["code"] == "database_unavailable"
            assert answer.headers["Retry-After"] and took < 15, took
        proxy.forward()
        deadline = time.monotonic() + 30
        while requests.get(server.url + "/v1/resources", headers=editor, timeout=30).status_code != 200:
            assert time.monotonic() < deadline, "not recovered within 30 s"
            time.sleep(0.5)
    finally:
        server.stop()
        proxy.close()


def test_basic_auth_user_names_never_reach_the_access_log(tmp_path):
    server = Gunicorn(tmp_path, {"DATABASE_URL": f"sqlite:///{tmp_path / 'refsvc.sqlite'}"},
                      workers=1, threads=2)
    try:
        # marked: the start-up's own /healthz polls are in the log too
        path = "/healthz?from=basic-auth"
        assert requests.get(server.url + path, auth=("alice-editor", "pw"), timeout=10).ok
        lines = server.logged(path)
    finally:
        server.stop()
    assert any(path in line for line in lines), lines
    assert not any("alice-editor" in line for line in lines), lines
