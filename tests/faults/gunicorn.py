"""A real gunicorn serving refsvc on a loopback port, for tests that need several workers or a
process to kill."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.conftest import dead_port

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


class Gunicorn:
    """``gunicorn wsgi:app`` with ``settings`` (names without REFSVC_) in its environment."""

    def __init__(self, tmp_path: Path, settings: dict[str, str], *, workers: int = 2,
                 threads: int = 4, access_format: str = '%(p)s %(s)s "%(r)s" %(u)s') -> None:
        self.port = dead_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.access_log = tmp_path / "access.log"
        self.error_log = tmp_path / "gunicorn.log"
        env = {**os.environ, "REFSVC_INSTANCE_PATH": str(tmp_path / "instance"),
               **{f"REFSVC_{k}": str(v) for k, v in settings.items()}}
        self.process = subprocess.Popen(
            # no gunicorn.conf.py (gunicorn reads ./gunicorn.conf.py by default): this access log
            # is the format given here, which the tests read
            [str(GUNICORN), "--config", "/dev/null", "--workers", str(workers), "--threads", str(threads),
             "--bind", f"127.0.0.1:{self.port}", "--timeout", "60", "--graceful-timeout", "5",
             "--access-logfile", str(self.access_log), "--access-logformat", access_format,
             "--error-logfile", str(self.error_log), "wsgi:app"],
            cwd=ROOT, env=env, start_new_session=True)
        self.wait_ready()

    def wait_ready(self, timeout: float = 60) -> None:
        """Wait until /healthz answers."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.error_log.read_text()[-2000:]}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not start: {self.error_log.read_text()[-2000:]}")

    def kill(self) -> None:
        """kill -9 the arbiter and its workers (the whole process group) at once."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(10)

    def stop(self) -> None:
        """Stop cleanly (SIGTERM), or kill when it does not stop in time."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
        try:  # workers left behind by a kill of the arbiter alone
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def access_lines(self) -> list[str]:
        """The access log's lines (gunicorn writes each after its response)."""
        return self.access_log.read_text().splitlines() if self.access_log.exists() else []

    def logged(self, text: str, count: int = 1, timeout: float = 10) -> list[str]:
        """The access log's lines once ``count`` of them hold ``text`` (each is written after its
        response, so a client may have its answer before the line is there), or when ``timeout``
        s have passed."""
        deadline = time.monotonic() + timeout
        while True:
            lines = self.access_lines()
            if sum(text in line for line in lines) >= count or time.monotonic() >= deadline:
                return lines
            time.sleep(0.05)
