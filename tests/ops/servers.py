"""Real processes for the operating tests: gunicorn, the entrypoint's roles, a slow page server."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A clean environment for a refsvc process: its own instance folder, nothing inherited that
    would change what is under test (no PROMETHEUS_MULTIPROC_DIR, no REFSVC_* of the caller)."""
    dead = f"http://127.0.0.1:{free_port()}"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("REFSVC_", "PROMETHEUS_", "prometheus_"))}
    env.update({"PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}", "TMPDIR": str(tmp_path),
                "REFSVC_INSTANCE_PATH": str(tmp_path / "instance"),
                "REFSVC_ALLOW_PRIVATE_ADDRESSES": "1", "REFSVC_DOI_RESOLVER": dead,
                "REFSVC_CROSSREF_API": dead, "REFSVC_WAYBACK_API": dead})
    env.update(extra)
    return env


class Process:
    """A child process whose standard output and error go to files the test reads."""

    def __init__(self, args: list[str], env: dict[str, str], logs: Path, cwd: Path = ROOT,
                 new_session: bool = False) -> None:
        logs.mkdir(parents=True, exist_ok=True)
        self.out_path, self.err_path = logs / "stdout", logs / "stderr"
        self.proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=self.out_path.open("wb"),
                                     stderr=self.err_path.open("wb"), stdin=subprocess.DEVNULL,
                                     start_new_session=new_session)

    @property
    def out(self) -> str:
        return self.out_path.read_text(errors="replace")

    @property
    def err(self) -> str:
        return self.err_path.read_text(errors="replace")

    def json_lines(self, text: str) -> list[dict]:
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def wait_for(self, predicate, timeout: float = 60.0, what: str = "") -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            if self.proc.poll() is not None:
                raise AssertionError(f"exited {self.proc.returncode} before {what}:\n{self.err[-3000:]}")
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what}:\n{self.err[-3000:]}")

    def stop(self, timeout: float = 30.0) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        return self.proc.returncode


def get(url: str, timeout: float = 30.0, headers: dict[str, str] | None = None):
    """(status, headers, body) of a GET, errors included."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def answers(url: str) -> bool:
    try:
        return get(url, timeout=2)[0] == 200
    except OSError:
        return False


class SlowPages:
    """A loopback site whose pages take ``delay`` seconds; it records the most requests in flight."""

    def __init__(self, delay: float = 1.0) -> None:
        self.delay, self.in_flight, self.most = delay, 0, 0
        self.lock = threading.Lock()
        pages = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with pages.lock:
                    pages.in_flight += 1
                    pages.most = max(pages.most, pages.in_flight)
                time.sleep(pages.delay)
                # counted until the answer is written, not after: the client may send its next
                # request as soon as it has read this one, before this thread runs again
                with pages.lock:
                    pages.in_flight -= 1
                body = (f"<html><head><title>Page {self.path}</title></head>"
                        "<body><p>Slow page.</p></body></html>").encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
