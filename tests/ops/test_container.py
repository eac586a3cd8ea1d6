"""The Dockerfile, its entrypoint and compose.yaml, run outside Docker (there is no engine here): each
role and health check command the files name is started for real, and compose.yaml is checked
against the Compose Specification's schema."""
from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jsonschema
import pytest
import yaml

from refsvc.storage.db import head_revision
from tests.ops.servers import ROOT, Process, answers, base_env, free_port, get

DOCKERFILE = (ROOT / "Dockerfile").read_text()
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())


def instruction(name: str) -> list[str]:
    """The arguments of every ``name`` instruction, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    return [line.split(None, 1)[1] for line in text.splitlines()
            if line.strip() and line.split(None, 1)[0] == name]


def local(command: list[str]) -> list[str]:
    """A command as the image runs it, pointed at this checkout (/app is the image's WORKDIR)."""
    return [str(ROOT / part[len("/app/"):]) if part.startswith("/app/") else part for part in command]


def healthcheck_command() -> list[str]:
    spec = instruction("HEALTHCHECK")[0]
    return json.loads(spec[spec.index("CMD") + 3:].strip())


def compose_test(service: str) -> list[str]:
    test = COMPOSE["services"][service]["healthcheck"]["test"]
    assert test[0] == "CMD"
    return local(test[1:])


def entrypoint(*args: str) -> list[str]:
    return local(json.loads(instruction("ENTRYPOINT")[0])) + list(args)


def role(service: str) -> list[str]:
    return entrypoint(*COMPOSE["services"][service]["command"])


def test_the_image_is_multi_stage_slim_non_root_and_pinned():
    stages = instruction("FROM")
    assert len(stages) >= 2 and all("slim" in stage for stage in stages)
    user = instruction("USER")[-1].split(":")[0]
    assert user not in {"root", "0"} and user.isdigit()  # numeric: runAsNonRoot can verify it
    assert "--from=build" in " ".join(instruction("COPY"))
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[0-9][0-9A-Za-z.\-]*", line.strip()), line
    for copy in instruction("COPY"):
        if "--from" not in copy:
            for source in copy.split()[:-1]:
                assert (ROOT / source).exists(), source
    assert json.loads(instruction("CMD")[-1]) == ["web"]
    assert healthcheck_command() == ["python", "-m", "refsvc.healthcheck"]


def test_compose_yaml_follows_the_compose_specification():
    schema = json.loads((ROOT / "tests" / "data" / "compose-spec.json").read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in jsonschema.Draft7Validator(schema).iter_errors(COMPOSE)]
    assert errors == []
    services = COMPOSE["services"]
    assert set(services) == {"web", "checker", "worker", "postgres", "redis"}
    assert all("healthcheck" in service for service in services.values())
    assert {"pgdata", "redisdata"} <= set(COMPOSE["volumes"])
    for name in ("web", "checker", "worker"):
        assert services[name]["build"] == "." and services[name]["command"][0] == name
        assert services[name]["environment"]["REFSVC_DATABASE_URL"].startswith("postgresql://")
        assert services[name]["environment"]["REFSVC_CELERY_BROKER_URL"].startswith("redis://")
    for name in ("checker", "worker"):  # no web server of their own: they serve their metrics
        assert services[name]["environment"]["REFSVC_METRICS_LISTEN"].endswith(":9101")


def test_the_compose_file_schema_catches_a_mistake():
    schema = json.loads((ROOT / "tests" / "data" / "compose-spec.json").read_text())
    broken = yaml.safe_load((ROOT / "compose.yaml").read_text())
    broken["services"]["web"]["healthcheck"]["interval"] = ["30s"]
    broken["services"]["worker"]["depends_on"] = {"web": {"condition": "when_ready"}}
    assert len(list(jsonschema.Draft7Validator(schema).iter_errors(broken))) == 2


def _status_server(status: int, body: bytes):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.mark.parametrize("status, body, healthy", [
    (200, b'{"status": "ready"}', True),
    (503, b'{"status": "unready", "reason": "database: OperationalError"}', False),
])
def test_the_health_check_command_reads_the_readiness_answer(tmp_path, status, body, healthy):
    server = _status_server(status, body)
    env = base_env(tmp_path, REFSVC_BIND=f"0.0.0.0:{server.server_address[1]}")
    done = subprocess.run(healthcheck_command(), cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)
    server.shutdown()
    server.server_close()
    assert (done.returncode == 0) is healthy, done.stderr
    if not healthy:
        assert done.stderr.count("\n") == 1 and "503" in done.stderr
        assert "database: OperationalError" in done.stderr


def test_the_health_check_command_fails_when_nothing_listens(tmp_path):
    env = base_env(tmp_path, REFSVC_BIND=f"0.0.0.0:{free_port()}")
    done = subprocess.run(healthcheck_command(), cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 1 and done.stderr.startswith("unhealthy:") and "readyz" in done.stderr


def test_the_web_role_imports_the_registry_serves_and_passes_its_health_check(tmp_path):
    port = free_port()
    env = base_env(tmp_path, REFSVC_BIND=f"0.0.0.0:{port}", REFSVC_WORKERS="2")
    web = Process(role("web"), env, tmp_path / "web")
    try:
        web.wait_for(lambda: answers(f"http://127.0.0.1:{port}/healthz"), what="the web role")
        with sqlite3.connect(tmp_path / "instance" / "refsvc.sqlite") as db:
            assert db.execute("SELECT count(*) FROM resources").fetchone()[0] > 0
        from refsvc import create_app

        has_readyz = any(rule.rule == "/readyz" for rule in create_app({
            "DATABASE_URL": f"sqlite:///{tmp_path / 'routes.sqlite'}"}).url_map.iter_rules())
        for command in (healthcheck_command(), compose_test("web")):
            done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                                  timeout=60)
            if has_readyz:
                assert done.returncode == 0, done.stderr
            else:  # before /readyz exists the check must fail, naming it, not pass on something else
                assert done.returncode == 1 and "/readyz answered 404" in done.stderr
    finally:
        assert web.stop() == 0  # SIGTERM reaches gunicorn itself (exec), which stops cleanly


def test_the_checker_role_checks_serves_its_metrics_and_passes_its_health_check(tmp_path):
    site = _status_server(200, b"<html><title>Mind</title><body>Mind, the charity</body></html>")
    registry = tmp_path / "registry.yaml"
    registry.write_text(f"resources:\n- id: mind\n  name: Mind\n  url: http://127.0.0.1:"
                        f"{site.server_address[1]}/mind\n  description: A charity.\n")
    metrics_port = free_port()
    env = base_env(tmp_path, REFSVC_METRICS_LISTEN=f"127.0.0.1:{metrics_port}")
    subprocess.run(entrypoint("flask", "--app", "wsgi", "registry", "import", str(registry)),
                   cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
    checker = Process(role("checker"), env, tmp_path / "checker")
    try:
        checker.wait_for(lambda: "Checking links as" in checker.out, what="the checker loop")
        done = subprocess.run(compose_test("checker"), cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        url = f"http://127.0.0.1:{metrics_port}/metrics"
        checker.wait_for(lambda: answers(url) and 'refsvc_checks_total{outcome="ok"} 1.0' in
                         get(url)[2].decode(), what="the checker's metrics to show its check")
        assert f'host="127.0.0.1",outcome="2xx"' in get(url)[2].decode()
    finally:
        assert checker.stop() == 0
        site.shutdown()
        site.server_close()
    broken = dict(env, REFSVC_DATABASE_URL=f"postgresql://nobody@127.0.0.1:{free_port()}/none")
    done = subprocess.run(compose_test("checker"), cwd=ROOT, env=broken, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 1 and "did not answer" in done.stderr and "nobody" in done.stderr


def test_the_worker_role_answers_its_health_check_carries_the_request_id_and_sums_its_metrics(
        tmp_path, redis_url):
    site = _status_server(200, b"<html><title>Mind</title><body>Mind, the charity</body></html>")
    registry = tmp_path / "registry.yaml"
    registry.write_text(f"resources:\n- id: mind\n  name: Mind\n  url: http://127.0.0.1:"
                        f"{site.server_address[1]}/mind\n  description: A charity.\n")
    metrics_port = free_port()
    env = base_env(tmp_path, REFSVC_CELERY_BROKER_URL=redis_url,
                   REFSVC_METRICS_LISTEN=f"127.0.0.1:{metrics_port}")
    subprocess.run(entrypoint("flask", "--app", "wsgi", "registry", "import", str(registry)),
                   cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
    worker = Process(role("worker") + ["--concurrency", "2"], env, tmp_path / "worker")
    try:
        worker.wait_for(lambda: subprocess.run(compose_test("worker"), cwd=ROOT, env=env,
                                               capture_output=True, timeout=60).returncode == 0,
                        timeout=90, what="the worker to answer a ping")
        queue = ("from refsvc import logs; from refsvc.worker import celery; "
                 f"celery.configure({redis_url!r}); logs.request_id.set('trace-to-celery-42'); "
                 "celery.enqueue('mind')")
        subprocess.run([sys.executable, "-c", queue], cwd=ROOT, env=env, check=True, timeout=60)
        worker.wait_for(lambda: "trace-to-celery-42" in worker.err, timeout=60,
                        what="a task log line with the request id")
        # The task ran in a pool process; the worker's main process serves the sum.
        url = f"http://127.0.0.1:{metrics_port}/metrics"
        worker.wait_for(lambda: 'refsvc_checks_total{outcome="ok"} 1.0' in get(url)[2].decode(),
                        timeout=60, what="the pool's check in the worker's metrics")
    finally:
        assert worker.stop() == 0
        site.shutdown()
        site.server_close()
    lines = worker.json_lines(worker.err)  # every line JSON, Celery's own included
    traced = [line for line in lines if line.get("request_id") == "trace-to-celery-42"]
    assert any("succeeded" in line["message"] for line in traced), traced


def test_the_migrate_role_and_any_other_command(tmp_path):
    env = base_env(tmp_path)
    done = subprocess.run(entrypoint("migrate"), cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"revision {head_revision()}" in done.stdout
    with sqlite3.connect(tmp_path / "instance" / "refsvc.sqlite") as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [(head_revision(),)]
    other = subprocess.run(entrypoint("flask", "--app", "wsgi", "registry", "export"), cwd=ROOT,
                           env=env, capture_output=True, text=True, timeout=120)
    assert other.returncode == 0 and yaml.safe_load(other.stdout) in (None, [], {"resources": []})
