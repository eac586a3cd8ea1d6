"""Helpers for tests that run the checker as real processes: a loopback host that records every
request's arrival and how many were in flight, a registry on a database file, and the processes."""
from __future__ import annotations

import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from sqlalchemy import func, select, update

from refsvc import create_app
from refsvc.storage import Check, HealthState, get_database
from refsvc.storage import resources as store

ROOT = Path(__file__).resolve().parents[2]
PAGE = ("<html><head><title>Example charity {0}</title></head><body><h1>Example charity</h1>"
        "<p>Resource {0} of an example charity.</p></body></html>")


SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)  # Linux's number; Python names it from 3.13 only


def received_at(connection: socket.socket) -> float | None:
    """When the kernel received the bytes waiting on ``connection`` (epoch seconds), waiting for them
    if none are there yet; None when the peer closed it. The bytes stay for the handler to read."""
    data, ancillary, _, _ = connection.recvmsg(1, socket.CMSG_SPACE(16), socket.MSG_PEEK)
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
            seconds, nanoseconds = struct.unpack("qq", payload)
            return seconds + nanoseconds / 1e9
    return None if not data else time.time()


class RecordingHost:
    """A loopback HTTP server answering every path after ``delay`` s, recording arrivals and the
    most requests it held at once.

    A request's arrival is when the kernel received it (a receive timestamp), not when a thread of
    this server got round to reading it: a loaded machine that keeps the server off the CPU would
    otherwise bunch arrivals up. A request counts as in flight from then until just before its answer
    is sent: within the time its client held a slot (taken before sending, given back after reading
    the answer), however long the server's threads wait afterwards."""

    def __init__(self, host: str = "127.0.0.1", delay: float = 0.1) -> None:
        self.delay, self.lock = delay, threading.Lock()
        self.arrivals: list[float] = []
        self.paths: Counter = Counter()
        self.in_flight = self.most = 0
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            arrived = 0.0

            def log_message(self, *args) -> None:
                pass

            def handle_one_request(self) -> None:
                # A client sends its next request only after reading the answer to the last, so the
                # bytes waiting on the connection are one request's, and their timestamp its own.
                self.arrived = received_at(self.connection) or time.time()
                super().handle_one_request()

            def do_GET(self) -> None:
                with recorder.lock:
                    recorder.arrivals.append(self.arrived)
                    recorder.paths[self.path] += 1
                    recorder.in_flight += 1
                    recorder.most = max(recorder.most, recorder.in_flight)
                try:
                    time.sleep(recorder.delay)
                finally:
                    with recorder.lock:
                        recorder.in_flight -= 1
                body = PAGE.format(self.path).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_HEAD = do_GET

        self.server = ThreadingHTTPServer((host, 0), Handler)
        # accepted connections inherit it: the kernel stamps every segment they receive
        self.server.socket.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        self.server.daemon_threads = True
        self.base = f"http://{host}:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def gaps(self) -> list[float]:
        """Seconds between consecutive arrivals."""
        times = sorted(self.arrivals)
        return [b - a for a, b in zip(times, times[1:])]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def environment(tmp_path: Path, database_url: str, **settings: str) -> dict[str, str]:
    """The environment of a checker process: the database, loopback allowed, nothing outside."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "REFSVC_INSTANCE_PATH": str(tmp_path / "instance"),
           "REFSVC_DATABASE_URL": database_url, "REFSVC_ALLOW_PRIVATE_ADDRESSES": "1",
           "REFSVC_CHECK_CANARY_URLS": "", "REFSVC_WAYBACK_API": "http://127.0.0.1:9/wayback",
           "REFSVC_DOI_RESOLVER": "http://127.0.0.1:9", "REFSVC_CROSSREF_API": "http://127.0.0.1:9",
           "REFSVC_REDIS_URL": "", "REFSVC_CELERY_BROKER_URL": ""}
    env.update({f"REFSVC_{k}": str(v) for k, v in settings.items()})
    return env


def registry(database_url: str, urls: list[str], tmp_path: Path) -> None:
    """Create one due resource per URL (ids r0, r1, ...)."""
    os.environ.setdefault("REFSVC_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"DATABASE_URL": database_url, "CHECK_CANARY_URLS": ""})
    with get_database(app).transaction() as session:
        for n, url in enumerate(urls):
            store.create_resource(session, {"id": f"r{n}", "name": "Example charity", "url": url})
    get_database(app).dispose()


def fall_due(database_url: str, when: datetime) -> None:
    """Make every resource due at ``when`` (a checker with nothing due sleeps until the next one is)."""
    from refsvc.storage.db import Database

    database = Database(database_url)
    try:
        with database.transaction() as session:
            session.execute(update(HealthState).values(next_check_at=when))
    finally:
        database.dispose()


def started(log: Path, line: str) -> bool:
    """Whether a process has written ``line`` (its readiness signal) to its log yet."""
    return log.exists() and line in log.read_text(errors="replace")


def checks_per_resource(database_url: str) -> Counter:
    """How many checks each resource has."""
    from refsvc.storage.db import Database

    database = Database(database_url)
    try:
        with database.transaction() as session:
            rows = session.execute(select(Check.resource_id, func.count()).group_by(Check.resource_id))
            return Counter(dict(rows.all()))
    finally:
        database.dispose()


def claims_left(database_url: str) -> int:
    """How many resources are still claimed."""
    from refsvc.storage.db import Database

    database = Database(database_url)
    try:
        with database.transaction() as session:
            return session.scalar(select(func.count()).select_from(HealthState)
                                  .where(HealthState.claimed_by.is_not(None))) or 0
    finally:
        database.dispose()


def broker_idle(redis_url: str) -> bool:
    """Whether the Celery broker (Redis) holds no task: none queued, none taken by a worker and
    not yet acknowledged (a worker acknowledges a task once it has run: task_acks_late)."""
    import redis

    server = redis.Redis.from_url(redis_url, socket_timeout=5)
    try:
        queues = [key for key in server.scan_iter("celery*") if server.type(key) == b"list"]
        return sum(server.llen(key) for key in queues) == 0 and server.hlen("unacked") == 0
    finally:
        server.close()


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """Start ``python -m ...args`` in the repository with its output going to ``log``."""
    handle = open(log, "w")
    return subprocess.Popen([sys.executable, "-m", *args], env=env, cwd=ROOT, stdout=handle,
                            stderr=subprocess.STDOUT)


def check_links(env: dict[str, str], log: Path, *options: str) -> subprocess.Popen:
    """A ``flask check-links`` process."""
    return start(["flask", "--app", "wsgi", "check-links", *options], env, log)


def celery_worker(env: dict[str, str], log: Path, name: str, concurrency: int = 2) -> subprocess.Popen:
    """A real ``celery -A refsvc.worker.celery worker`` process (thread pool)."""
    return start(["celery", "-A", "refsvc.worker.celery", "worker", "--pool", "threads",
                  "--concurrency", str(concurrency), "-n", f"{name}@%h", "--without-gossip",
                  "--without-mingle", "--loglevel", "INFO"], env, log)


def wait_for(condition, timeout: float, every: float = 0.25) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` s pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return condition()


def stop(processes: list[subprocess.Popen], timeout: float = 30) -> list[int | None]:
    """SIGTERM each process, then wait; kill what does not stop. Their exit codes."""
    for proc in processes:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    codes = []
    for proc in processes:
        try:
            codes.append(proc.wait(timeout))
        except subprocess.TimeoutExpired:
            proc.kill()
            codes.append(None)
    return codes
