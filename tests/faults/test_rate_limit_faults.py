"""Rate limits when their store fails or is shared: Redis refused or hung never blocks a report
(limits move to memory, with a warning), and without Redis one client's limit holds across the
workers of a real gunicorn (the counters are in the database)."""
from __future__ import annotations

import logging
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from refsvc import create_app
from tests.conftest import dead_port
from tests.faults.gunicorn import Gunicorn

REPORT = {"url": "https://a.example.org/", "reason": "broken"}
CITE = {"metadata": {"type": "webpage", "title": "Still here", "url": "https://example.org/"},
        "styles": ["apa"]}


@pytest.fixture
def hung_redis():
    """A port that completes TCP handshakes (the kernel's backlog) and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        yield f"redis://127.0.0.1:{sock.getsockname()[1]}/0"


def _app(settings, tmp_path, monkeypatch, redis_url):
    monkeypatch.setenv("REFSVC_INSTANCE_PATH", str(tmp_path / "instance"))
    return create_app({**settings, "REDIS_URL": redis_url, "REPORT_RATE_LIMIT": "2 per minute"})


@pytest.mark.parametrize("failure, budget", [("refused", 3.0), ("hung", 5.0)])
def test_reports_go_through_with_redis_down_and_limits_move_to_memory(
        failure, budget, settings, tmp_path, monkeypatch, caplog, request):
    url = (f"redis://127.0.0.1:{dead_port()}/0" if failure == "refused"
           else request.getfixturevalue("hung_redis"))
    client = _app(settings, tmp_path, monkeypatch, url).test_client()
    caplog.set_level(logging.WARNING)
    statuses, took = [], []
    for _ in range(3):
        start = time.monotonic()
        statuses.append(client.post("/v1/reports", json=REPORT).status_code)
        took.append(time.monotonic() - start)
    print(f"Redis {failure}: reports answered in {', '.join(f'{t:.2f}' for t in took)} s")
    assert max(took) < budget
    assert statuses == [202, 202, 429]  # the limit still holds, in this worker's memory
    assert any("falling back to in-memory" in r.getMessage() for r in caplog.records)
    start = time.monotonic()
    assert client.post("/v1/citations", json=CITE).status_code == 200
    assert time.monotonic() - start < 2


def test_one_clients_limit_holds_across_two_gunicorn_workers_without_redis(tmp_path):
    # single-threaded workers and concurrent clients: both workers take requests
    server = Gunicorn(tmp_path, {"DATABASE_URL": f"sqlite:///{tmp_path / 'refsvc.sqlite'}",
                                 "REPORT_RATE_LIMIT": "10 per minute", "REDIS_URL": ""},
                      workers=2, threads=1)
    try:
        with ThreadPoolExecutor(6) as pool:
            statuses = list(pool.map(lambda _: requests.post(
                server.url + "/v1/reports", json=REPORT, timeout=10).status_code, range(30)))
        pids = {line.split()[0] for line in server.logged("/v1/reports", 30) if "/v1/reports" in line}
    finally:
        server.stop()
    assert statuses.count(202) == 10 and statuses.count(429) == 20, statuses
    assert len(pids) == 2, "both workers should have served reports for the test to mean anything"
