"""`flask check-links` for real: loopback sites, the real checker, the database, a signed webhook
and a Wayback suggestion, and a checker process that stops cleanly on SIGTERM."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from werkzeug import Response

from refsvc import create_app
from refsvc.links.webhooks import verify
from refsvc.storage import get_database
from refsvc.storage import checks as check_store
from refsvc.storage import resources as store

ROOT = Path(__file__).resolve().parents[2]
PAGE = ("<html><head><title>Mind, the mental health charity</title>"
        "<meta name='description' content='Mind is a mental health charity.'></head>"
        "<body><h1>Mind</h1><p>Support for people with mental health problems.</p></body></html>")


def add(app, resource_id, url, name="Mind"):
    with get_database(app).transaction() as session:
        store.create_resource(session, {"id": resource_id, "name": name, "url": url,
                                        "description": "Mind is a mental health charity."})


def health(app, resource_id):
    with get_database(app).transaction() as session:
        return check_store.get_state(session, resource_id)


@pytest.fixture
def site(httpserver):
    httpserver.expect_request("/mind").respond_with_data(PAGE, content_type="text/html")
    httpserver.expect_request("/gone").respond_with_data("<title>Not here</title>", status=404,
                                                         content_type="text/html")
    return httpserver


def test_check_links_once_checks_due_resources_and_records_their_health(app, runner, site):
    add(app, "mind", site.url_for("/mind"))
    add(app, "gone", site.url_for("/gone"), name="Gone")
    result = runner.invoke(args=["check-links", "--once"])
    assert result.exit_code == 0, result.output
    assert "Checked 2 resources" in result.output
    assert health(app, "mind").health == "healthy"
    assert health(app, "gone").health == "failing"
    again = runner.invoke(args=["check-links", "--once"])
    assert "Nothing was due." in again.output


def test_the_api_check_now_answers_with_the_check_itself(app, client, editor, site):
    add(app, "gone", site.url_for("/gone"), name="Gone")
    response = client.post("/v1/resources/gone/check", headers=editor)
    assert response.status_code == 200
    assert response.json["outcome"] == "client_error" and "404" in response.json["reason"]
    assert response.json["status_code"] == 404
    assert client.get("/v1/resources/gone").json["health"] == "failing"


@pytest.fixture
def hooked_app(settings, tmp_path, monkeypatch, httpserver):
    monkeypatch.setenv("REFSVC_INSTANCE_PATH", str(tmp_path / "instance"))
    return create_app({**settings, "WEBHOOK_URLS": httpserver.url_for("/hook"),
                       "WEBHOOK_SECRET": "s3cret", "BROKEN_AFTER_FAILURES": "1",
                       "BROKEN_AFTER_HOURS": "0",
                       "WAYBACK_API": httpserver.url_for("/wayback/available")})


def test_a_link_found_broken_fires_a_signed_webhook_and_gets_a_wayback_suggestion(hooked_app,
                                                                                 httpserver):
    events = []

    def hook(request):
        events.append((request.get_data(), request.headers["X-Refsvc-Signature"]))
        return Response("", 204)
    httpserver.expect_request("/gone").respond_with_data("no", status=404)
    httpserver.expect_request("/hook", method="POST").respond_with_handler(hook)
    snapshot = "https://web.archive.org/web/20250101000000/" + httpserver.url_for("/gone")
    httpserver.expect_request("/wayback/available").respond_with_json({"archived_snapshots": {
        "closest": {"available": True, "status": "200", "timestamp": "20250101000000",
                    "url": snapshot}}})
    add(hooked_app, "gone", httpserver.url_for("/gone"), name="Gone")
    result = hooked_app.test_cli_runner().invoke(args=["check-links", "--once"])
    assert "gone unknown -> broken" in result.output
    body, signature = events[0]  # check-links sends queued webhooks before it exits
    assert verify(body, "s3cret", signature)
    event = json.loads(body)
    assert (event["resource"]["id"], event["previous"], event["health"]) == ("gone", "unknown",
                                                                              "broken")
    assert event["suggested_replacement"]["url"] == snapshot
    assert health(hooked_app, "gone").wayback_url == snapshot


def test_the_checker_process_loops_until_sigterm_then_stops_cleanly(tmp_path, site):
    env = {**os.environ, "REFSVC_DATABASE_URL": f"sqlite:///{tmp_path / 'loop.sqlite'}",
           "REFSVC_INSTANCE_PATH": str(tmp_path / "instance"), "REFSVC_ALLOW_PRIVATE_ADDRESSES": "1",
           "PYTHONUNBUFFERED": "1"}
    app = create_app({"DATABASE_URL": env["REFSVC_DATABASE_URL"]})
    add(app, "mind", site.url_for("/mind"))
    checker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "check-links"],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        assert "Checking links as" in checker.stdout.readline()
        for _ in range(600):  # wait (30 s at most) for its first batch to land
            if health(app, "mind").last_checked_at is not None:
                break
            assert checker.poll() is None, checker.stderr.read()
            time.sleep(0.05)
        checker.send_signal(signal.SIGTERM)
        output, errors = checker.communicate(timeout=60)
    finally:
        if checker.poll() is None:
            checker.kill()
    assert checker.returncode == 0, errors
    assert "Checked 1 resource: 1 ok." in output


def test_check_links_id_and_all_force_checks_and_name_an_unknown_id(app, runner, site):
    add(app, "mind", site.url_for("/mind"))
    add(app, "gone", site.url_for("/gone"), name="Gone")
    assert "Checked 2 resources" in runner.invoke(args=["check-links", "--once"]).output
    assert "Nothing was due." in runner.invoke(args=["check-links", "--once"]).output
    one = runner.invoke(args=["check-links", "--id", "gone"])
    assert one.exit_code == 0 and "Checked 1 resource: 1 client_error" in one.output
    every = runner.invoke(args=["check-links", "--all"])
    assert every.exit_code == 0 and "Checked 2 resources" in every.output
    unknown = runner.invoke(args=["check-links", "--id", "nope"])
    assert unknown.exit_code == 1 and "No resource with id nope" in unknown.output
    both = runner.invoke(args=["check-links", "--id", "gone", "--all"])
    assert both.exit_code == 2 and "not both" in both.output
