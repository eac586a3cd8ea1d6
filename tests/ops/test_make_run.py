"""`make run` (scripts/run) for real: gunicorn from gunicorn.conf.py and the checker beside it; Ctrl-C
stops both."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.ops.servers import ROOT, Process, answers, base_env, free_port

NEEDED = ["refsvc", "migrations", "styles", "scripts", "alembic.ini", "wsgi.py", "gunicorn.conf.py",
          "registry.yaml"]


def test_make_run_serves_with_gunicorn_conf_and_stops_on_ctrl_c(tmp_path):
    # A checkout whose .venv is this interpreter's (scripts/run uses .venv/bin/...).
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    for name in NEEDED:
        (checkout / name).symlink_to(ROOT / name)
    (checkout / ".venv").symlink_to(Path(sys.executable).parent.parent)
    port = free_port()
    env = base_env(tmp_path, PORT=str(port), REFSVC_WORKERS="2")
    run = Process(["bash", "scripts/run"], env, tmp_path / "logs", cwd=checkout, new_session=True)
    try:
        run.wait_for(lambda: answers(f"http://127.0.0.1:{port}/healthz"), what="make run to serve")
        run.wait_for(lambda: "Checking links as" in run.out, what="the checker to start")
        lines = run.json_lines("\n".join(line for line in run.err.splitlines()
                                         if line.startswith("{")))
        assert any(line["message"] == "Using worker: gthread" for line in lines)
        assert sum("Booting worker" in line["message"] for line in lines) == 2
    finally:
        os.killpg(run.proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole foreground group
        status = run.proc.wait(60)
    assert status in (0, 130)
    assert not answers(f"http://127.0.0.1:{port}/healthz")
    # gunicorn, its workers, the checker and its page readers have all gone (a process on its way
    # out is given two seconds: the fork server leaves when it sees its checker has)
    deadline, left = time.monotonic() + 2, ["?"]
    while left and time.monotonic() < deadline:
        left = subprocess.run(["ps", "-o", "pid=,args=", "-s", str(run.proc.pid)], capture_output=True,
                              text=True).stdout.splitlines()
        time.sleep(0.1)
    assert left == []


def test_make_run_on_a_port_in_use_says_so_in_one_line_and_starts_nothing(tmp_path):
    import socket

    checkout = tmp_path / "checkout"
    checkout.mkdir()
    for name in NEEDED:
        (checkout / name).symlink_to(ROOT / name)
    (checkout / ".venv").symlink_to(Path(sys.executable).parent.parent)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = base_env(tmp_path, PORT=str(port), REFSVC_EDITOR_TOKENS="t")
        done = subprocess.run(["bash", "scripts/run"], cwd=checkout, env=env, capture_output=True,
                              text=True, timeout=60)
    assert done.returncode != 0
    assert f"port {port} is in use; choose another with PORT=" in done.stderr
    assert "Connection in use" not in done.stdout + done.stderr
    assert "refsvc on http" not in done.stdout and "created" not in done.stdout  # checked first
