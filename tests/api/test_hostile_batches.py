"""Batches cannot starve the service: each has a total deadline, a client has a rate limit, a process
runs only a few at once (the rest get a JSON 503 with Retry-After), and /healthz always answers, also
under a real gunicorn while eight batches of 100 URLs on a hanging site are in flight."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from refsvc import create_app
from tests.conftest import dead_port
from tests.links.servers import SilentServer

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def hanging():
    """A loopback site that accepts connections and never answers."""
    server = SilentServer("127.0.0.1")
    server.sock.listen(1024)
    yield server
    server.close()


def batch_of(server: SilentServer, count: int = 100) -> dict:
    return {"entries": [{"url": server.url(f"/page/{n}")} for n in range(count)], "styles": ["apa"]}


def make_app(settings, tmp_path, monkeypatch, **more):
    monkeypatch.setenv("REFSVC_INSTANCE_PATH", str(tmp_path / "instance"))
    return create_app({**settings, **more})


def test_entries_the_deadline_cuts_off_are_504_batch_deadline_and_the_rest_are_answered(
        settings, tmp_path, monkeypatch, hanging):
    app = make_app(settings, tmp_path, monkeypatch, BATCH_TIMEOUT="1")
    body = batch_of(hanging, 20)
    body["entries"][:0] = [{"csl": {"id": "a", "type": "book", "title": "Attachment"}}]
    response = app.test_client().post("/v1/citations/batch", json=body)
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert results[0]["status"] == 200 and results[0]["citations"]["apa"]
    # without the deadline each would wait out its own 10 s lookup and say upstream_timeout
    assert {r["error"]["code"] for r in results[1:]} == {"batch_deadline"}
    assert {r["status"] for r in results[1:]} == {504}


def test_a_batch_over_the_process_slots_is_a_503_with_retry_after(settings, tmp_path, monkeypatch,
                                                                  hanging):
    app = make_app(settings, tmp_path, monkeypatch, BATCH_TIMEOUT="3", BATCH_SLOTS="1",
                   LOOKUP_TIMEOUT="3")
    first = threading.Thread(target=app.test_client().post, args=("/v1/citations/batch",),
                             kwargs={"json": batch_of(hanging, 5)})
    first.start()
    try:
        for _ in range(100):  # until the first batch holds the slot (its lookups are connected)
            if hanging.held:
                break
            time.sleep(0.05)
        response = app.test_client().post("/v1/citations/batch", json=batch_of(hanging, 1))
        assert response.status_code == 503
        assert response.get_json()["code"] == "batches_busy"
        assert int(response.headers["Retry-After"]) >= 1
        assert app.test_client().get("/healthz").status_code == 200
    finally:
        first.join()
    for _ in range(100):  # the slot comes back once the first batch's lookups have all ended
        small = {"entries": [{"csl": {"id": "a", "type": "book", "title": "T"}}]}
        response = app.test_client().post("/v1/citations/batch", json=small)
        if response.status_code == 200:
            break
        time.sleep(0.1)
    assert response.status_code == 200


def test_a_client_over_the_batch_rate_limit_gets_a_429_and_editors_do_not(settings, tmp_path,
                                                                          monkeypatch, editor):
    app = make_app(settings, tmp_path, monkeypatch, BATCH_RATE_LIMIT="2 per minute")
    client = app.test_client()
    small = {"entries": [{"csl": {"id": "a", "type": "book", "title": "T"}}]}
    assert [client.post("/v1/citations/batch", json=small).status_code for _ in range(2)] == [200, 200]
    refused = client.post("/v1/citations/batch", json=small)
    assert refused.status_code == 429 and refused.get_json()["status"] == 429
    assert refused.headers["Retry-After"]
    assert client.post("/v1/citations/batch", json=small, headers=editor).status_code == 200
    assert client.post("/v1/citations", json=small["entries"][0]).status_code == 200


def test_healthz_answers_under_gunicorn_while_eight_hostile_batches_are_in_flight(tmp_path, hanging):
    port = dead_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT), REFSVC_INSTANCE_PATH=str(tmp_path / "instance"),
               REFSVC_DATABASE_URL=f"sqlite:///{tmp_path / 'refsvc.sqlite'}",
               REFSVC_HTTP_CACHE_PATH=str(tmp_path / "cache.sqlite"),
               REFSVC_ALLOW_PRIVATE_ADDRESSES="1", REFSVC_BATCH_TIMEOUT="6",
               REFSVC_DOI_RESOLVER=f"http://127.0.0.1:{dead_port()}")
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "--workers", "2",
                               "--threads", "4", "--timeout", "30", "--bind", f"127.0.0.1:{port}",
                               "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                requests.get(f"{base}/healthz", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.2)
        with ThreadPoolExecutor(8) as pool:
            batches = [pool.submit(requests.post, f"{base}/v1/citations/batch",
                                   json=batch_of(hanging), timeout=60) for _ in range(8)]
            time.sleep(1.0)  # the batches are in: their lookups hang on the silent site
            waits = []
            while not all(b.done() for b in batches):
                started = time.monotonic()
                health = requests.get(f"{base}/healthz", timeout=30)
                waits.append(time.monotonic() - started)
                assert health.status_code == 200
                time.sleep(0.2)
            answers = [b.result() for b in batches]
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert waits, "the batches ended before /healthz was asked"
    # before the bound, /healthz waited 85 s behind eight batches; now it finds a free thread
    assert max(waits) < 5.0, waits
    statuses = sorted(a.status_code for a in answers)
    assert set(statuses) <= {200, 503} and statuses.count(200) <= 4, statuses  # 2 slots x 2 workers
    for answer in answers:
        assert answer.headers["Content-Type"].startswith("application/json")
        if answer.status_code == 503:
            assert answer.json()["code"] == "batches_busy" and answer.headers["Retry-After"]
        else:
            assert {r["status"] for r in answer.json()["results"]} <= {504}
