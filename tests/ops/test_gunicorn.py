"""`gunicorn -c gunicorn.conf.py wsgi:app` for real: worker counts, metrics summed over workers,
JSON access logs without credentials, graceful shutdown."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from urllib.parse import quote

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.ops.servers import ROOT, BIN, Process, SlowPages, answers, base_env, free_port, get

GUNICORN = [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"]


def start_gunicorn(tmp_path, **env) -> tuple[Process, str]:
    port = free_port()
    proc = Process(GUNICORN, base_env(tmp_path, REFSVC_BIND=f"127.0.0.1:{port}", **env),
                   tmp_path / "logs")
    url = f"http://127.0.0.1:{port}"
    proc.wait_for(lambda: answers(url + "/healthz"), what="gunicorn to answer")
    return proc, url


def samples(url: str) -> dict:
    status, _, body = get(url + "/metrics")
    assert status == 200
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(body.decode()) for s in family.samples}


def ready_workers(proc: Process) -> int:
    """How many workers said they had loaded the app (gunicorn.conf.py's post_worker_init)."""
    return sum(re.fullmatch(r"worker \d+ ready", line["message"]) is not None
               for line in proc.json_lines(proc.err))


def workers_of(master: int) -> list[int]:
    found = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True,
                           text=True).stdout.split()
    return sorted(int(pid) for pid in found)


@pytest.mark.parametrize("env, expected", [
    ({}, None),  # 2 x cores + 1, 4 threads
    ({"REFSVC_WORKERS": "3", "REFSVC_THREADS": "1"}, (3, 1, "sync")),
])
def test_workers_and_threads_come_from_the_core_count_or_the_environment(tmp_path, env, expected):
    code = ("import runpy; c = runpy.run_path('gunicorn.conf.py'); "
            "print(c['workers'], c['threads'], c['worker_class'], c['timeout'], c['graceful_timeout'])")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=base_env(tmp_path, **env),
                          capture_output=True, text=True, check=True)
    workers, threads, kind, timeout, graceful = done.stdout.split()
    if expected is None:
        expected = (2 * len(os.sched_getaffinity(0)) + 1, 4, "gthread")
    assert (int(workers), int(threads), kind) == expected
    assert int(timeout) > 0 and int(graceful) > 0


def test_a_bad_worker_count_stops_gunicorn_with_one_line(tmp_path):
    done = subprocess.run(GUNICORN, cwd=ROOT, env=base_env(tmp_path, REFSVC_WORKERS="lots"),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip() == "refsvc: REFSVC_WORKERS must be a whole number, not 'lots'"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Two sync workers (one request each at a time) and a slow loopback site to look up."""
    tmp_path = tmp_path_factory.mktemp("gunicorn")
    pages = SlowPages(delay=1.5)
    proc, url = start_gunicorn(tmp_path, REFSVC_WORKERS="2", REFSVC_THREADS="1")
    proc.wait_for(lambda: ready_workers(proc) >= 2, what="both workers")
    yield proc, url, pages
    proc.stop()
    pages.close()


def test_metrics_are_summed_over_the_workers(served):
    proc, url, pages = served
    results = []

    def cite(n: int) -> None:
        page = quote(f"{pages.url}/page-{n}", safe="")
        results.append(get(f"{url}/v1/citations?url={page}&style=apa")[0])

    threads = [threading.Thread(target=cite, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert results == [200, 200]
    # Each sync worker serves one request at a time: both in flight at once means both workers
    # served one, so a scrape answered by either worker sees the other's count only if summed.
    assert pages.most == 2
    first = samples(url)
    key = ("refsvc_http_requests_total",
           (("endpoint", "/v1/citations"), ("method", "GET"), ("status", "200")))
    assert first[key] == 2
    assert first[("refsvc_outbound_requests_total", (("host", "127.0.0.1"), ("outcome", "2xx")))] == 2
    # A worker that dies takes nothing with it: its counters stay counted, a new worker replaces it.
    before = workers_of(proc.proc.pid)
    assert len(before) == 2
    os.kill(before[0], signal.SIGKILL)
    proc.wait_for(lambda: len(workers_of(proc.proc.pid)) == 2
                  and before[0] not in workers_of(proc.proc.pid), what="a new worker")
    proc.wait_for(lambda: answers(url + "/healthz"), what="the new worker")
    assert samples(url)[key] == 2


def test_the_request_id_is_echoed_and_the_access_log_is_json_without_credentials(served):
    proc, url, _ = served
    status, headers, _ = get(f"{url}/v1/styles?token=query-secret-123&key=other-secret-456",
                             headers={"Authorization": "Bearer bearer-secret-789",
                                      "X-Request-ID": "trace-abc.123"})
    assert status == 200 and headers["X-Request-ID"] == "trace-abc.123"
    status, headers, _ = get(f"{url}/v1/styles", headers={
        "Authorization": "Basic dXNlcm5hbWUtc2VjcmV0OnBhc3N3b3JkLXNlY3JldA==",  # username-secret
        "X-Request-ID": "bad id\twith spaces"})
    made = headers["X-Request-ID"]
    assert made != "bad id\twith spaces" and len(made) == 32
    proc.wait_for(lambda: made in proc.out, timeout=10, what="the access log line")
    lines = proc.json_lines(proc.out)  # every line is one JSON object
    mine = [line for line in lines if line.get("request_id") in {"trace-abc.123", made}]
    assert len(mine) == 2
    for line in mine:
        assert line["logger"] == "gunicorn.access" and line["path"] == "/v1/styles"
        assert line["status"] == 200 and line["duration_ms"] > 0
    everything = proc.out + proc.err
    for secret in ("query-secret-123", "other-secret-456", "bearer-secret-789", "username-secret",
                   "dXNlcm5hbWUtc2VjcmV0", "password-secret"):
        assert secret not in everything
    proc.json_lines(proc.err)  # gunicorn's and the app's own lines are JSON too


def test_sigterm_lets_a_request_in_flight_finish_then_stops(tmp_path):
    pages = SlowPages(delay=2.0)
    proc, url = start_gunicorn(tmp_path, REFSVC_WORKERS="2")
    folder = [p for p in tmp_path.iterdir() if p.name.startswith("refsvc-metrics-")]
    assert len(folder) == 1  # made by gunicorn.conf.py itself, under TMPDIR
    result = []
    page = quote(f"{pages.url}/slow", safe="")
    thread = threading.Thread(target=lambda: result.append(get(f"{url}/v1/citations?url={page}")))
    thread.start()
    proc.wait_for(lambda: pages.in_flight == 1, timeout=20, what="the request to be in flight")
    started = time.monotonic()
    proc.proc.send_signal(signal.SIGTERM)
    thread.join(30)
    assert proc.proc.wait(30) == 0
    assert result and result[0][0] == 200, result
    assert time.monotonic() - started < 30
    assert not folder[0].exists()  # and removed at exit
    pages.close()
    messages = [line["message"] for line in proc.json_lines(proc.err)]
    assert "Shutting down: Master" in messages


def test_gunicorn_starts_while_the_database_is_down_and_says_it_is_not_ready(tmp_path):
    dead = f"postgresql://refsvc@127.0.0.1:{free_port()}/refsvc"
    proc, url = start_gunicorn(tmp_path, REFSVC_DATABASE_URL=dead, REFSVC_WORKERS="1",
                               REFSVC_THREADS="1", REFSVC_DATABASE_CONNECT_TIMEOUT="2")
    try:
        status, _, body = get(url + "/readyz")
        assert status == 503 and b"database" in body
    finally:
        proc.stop()
    assert any("database unavailable at start" in line["message"] for line in proc.json_lines(proc.err))


def test_a_url_of_a_few_kilobytes_gets_the_apps_json_answer_not_gunicorns_html_414(served):
    _, url, _ = served
    long_url = "https://www.example.org/" + "a" * 5000  # over gunicorn's default 4094-byte line
    status, headers, body = get(f"{url}/v1/citations?url={quote(long_url)}")
    assert status == 422 and headers["Content-Type"].startswith("application/json")
    assert b"2048" in body  # the app's own limit on a URL, said in words
