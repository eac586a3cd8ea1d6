"""``python -m refsvc.worker``: the CLI commands in an app without the API and the pages."""
from __future__ import annotations

import subprocess
import sys

from refsvc import create_app
from tests.worker.fleet import ROOT, RecordingHost, checks_per_resource, environment, registry


def test_the_workers_app_has_the_commands_and_no_api_or_pages(settings, tmp_path, monkeypatch):
    monkeypatch.setenv("REFSVC_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(settings, web=False)
    assert {"check-links", "registry", "db"} <= set(app.cli.commands)
    client = app.test_client()
    assert client.get("/v1/styles").status_code == 404 and client.get("/dashboard").status_code == 404
    full = create_app(settings).test_client()
    assert full.get("/v1/styles").status_code == 200


def test_python_m_refsvc_worker_checks_the_due_links(tmp_path):
    site = RecordingHost("127.0.0.51", delay=0)
    try:
        database_url = f"sqlite:///{tmp_path / 'refsvc.sqlite'}"
        registry(database_url, [site.base + f"/r/{n}" for n in range(3)], tmp_path)
        done = subprocess.run([sys.executable, "-m", "refsvc.worker", "check-links", "--once"],
                              env=environment(tmp_path, database_url), cwd=ROOT, capture_output=True,
                              text=True, timeout=120)
    finally:
        site.close()
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Checked 3 resources" in done.stdout
    assert checks_per_resource(database_url) == {"r0": 1, "r1": 1, "r2": 1}
