"""gunicorn settings of refsvc: ``gunicorn -c gunicorn.conf.py wsgi:app`` (make run, the Docker image).

Each value can be changed by the environment variable beside it; nothing else needs setting. Before any
worker starts, the master brings the database to the current schema (the migrations policy, see
refsvc/storage/db.py) and sets up the folder in which the workers keep their Prometheus metrics.
"""
import os
import shutil
import sys
import tempfile

from gunicorn.glogging import Logger

from refsvc.logs import json_formatter, resolve_format


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this process may use (a container's share)
    except AttributeError:
        return os.cpu_count() or 1


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise SystemExit(f"refsvc: {name} must be a whole number, not {value!r}") from None


# Serving. Rendering is CPU-bound Python (one core a process), lookups mostly wait on the network
# (threads): gunicorn's 2 x cores + 1 processes, each with a few threads.
bind = os.environ.get("REFSVC_BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = _int("REFSVC_WORKERS", 2 * _cores() + 1)
threads = _int("REFSVC_THREADS", 4)
worker_class = "gthread" if threads > 1 else "sync"
timeout = _int("REFSVC_WORKER_TIMEOUT", 60)  # a worker silent this long is killed and replaced
graceful_timeout = _int("REFSVC_GRACEFUL_TIMEOUT", 30)  # on SIGTERM: finish requests, then stop
keepalive = 5
max_requests = _int("REFSVC_MAX_REQUESTS", 0)  # >0: recycle a worker after that many requests
max_requests_jitter = max_requests // 10
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # heartbeat off a slow disk
proc_name = "refsvc"
# A request line up to 8 KiB (gunicorn's most; its default is 4 KiB), so a long ?url= reaches the app
# and gets its JSON answer (a URL is at most 2,048 characters); a longer line is still gunicorn's own
# HTML 414.
limit_request_line = 8190
control_socket_disable = True  # unused, and one fixed path per user would clash between instances

# Logs: one JSON object a line on standard error (gunicorn's own) and standard output (access).
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("REFSVC_LOG_LEVEL", "info").lower()

# Prometheus multiprocess mode needs its folder before a worker imports prometheus_client.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="refsvc-metrics-")
    os.environ["REFSVC_OWN_METRICS_DIR"] = os.environ["PROMETHEUS_MULTIPROC_DIR"]


class JsonLogger(Logger):
    """gunicorn's logs as JSON lines; access lines without credentials or query strings."""

    def setup(self, cfg):
        super().setup(cfg)
        if resolve_format(os.environ.get("REFSVC_LOG_FORMAT", "auto")) != "json":
            return  # plain lines (on a terminal, or asked for), as the app's own (refsvc/logs.py)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(json_formatter())

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        headers = dict((name.lower(), value) for name, value in resp.headers)
        # No Authorization, no Basic-auth user name, no query string (it may carry a token),
        # no Referer (its query may too): the path, the status and the timing are what tell.
        self.access_log.info("%s %s %s", environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"),
                             status, extra={
                                 "method": environ.get("REQUEST_METHOD"),
                                 "path": environ.get("PATH_INFO"),
                                 "status": int(status) if str(status).isdigit() else status,
                                 "bytes": getattr(resp, "sent", None),
                                 "duration_ms": round(request_time.total_seconds() * 1000, 3),
                                 "remote_addr": environ.get("REMOTE_ADDR"),
                                 "user_agent": environ.get("HTTP_USER_AGENT"),
                                 "request_id": headers.get("x-request-id")})


logger_class = JsonLogger


def on_starting(server):
    """In the master, before any worker: empty the metrics folder, bring the database up to date."""
    folder = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    os.makedirs(folder, exist_ok=True)
    for name in os.listdir(folder):  # values of an earlier run would add to this one's
        if name.endswith(".db"):
            os.remove(os.path.join(folder, name))
    from refsvc.storage.db import UNAVAILABLE, Database, SchemaError, url_from_environment

    database = Database(url_from_environment())
    try:
        done = database.prepare()
    except SchemaError as exc:
        server.log.error("refsvc: %s", exc)
        sys.exit(1)
    except UNAVAILABLE as exc:  # as create_app does: serve 503s, migrate when the database is back
        server.log.warning("database unavailable at start (%s); the schema is checked again on "
                           "first use", str(exc).splitlines()[0][:200])
        return
    finally:
        database.dispose()  # no connection may be shared with the forked workers
    server.log.info("database schema %s", done)


def post_worker_init(worker):
    """Say when a worker has loaded the app and takes requests (startup checks wait for it)."""
    worker.log.info("worker %s ready", worker.pid)


def child_exit(server, worker):
    """A worker has gone: drop its live gauges (its counters still count)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    """Remove the metrics folder this configuration made."""
    own = os.environ.get("REFSVC_OWN_METRICS_DIR")
    if own and own == os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        shutil.rmtree(own, ignore_errors=True)
