"""The container health checks, without curl: ``python -m refsvc.healthcheck [--database | --celery]``.

    (no option)   GET /readyz of the web server on this machine (REFSVC_BIND's port): 200 is healthy
    --database    the database answers SELECT 1 (the checker's health)
    --celery      this machine's Celery worker answers a ping through the broker (the worker's health)

Exit status 0 when healthy, else 1 with one line saying why; every check gives up after --timeout.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import threading
import urllib.error
import urllib.request
from typing import Callable


def local_url(path: str = "/readyz", environ: dict[str, str] | None = None) -> str:
    """The URL of ``path`` on the web server gunicorn.conf.py binds (0.0.0.0 is asked on loopback)."""
    environ = dict(os.environ) if environ is None else environ
    bind = environ.get("REFSVC_BIND") or f"127.0.0.1:{environ.get('PORT', '8000')}"
    host, _, port = bind.rpartition(":")
    if host in {"", "0.0.0.0", "[::]", "::"}:
        host = "127.0.0.1"
    return f"http://{host}:{port}{path}"


def check_http(url: str, timeout: float) -> str | None:
    """None when ``url`` answers 200, else why not."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            if response.status == 200:
                return None
            return f"{url} answered {response.status}"
    except urllib.error.HTTPError as exc:
        return f"{url} answered {exc.code}: {_reason(exc.read())}"
    except (OSError, ValueError) as exc:
        return f"{url} did not answer: {getattr(exc, 'reason', None) or exc}"


def _reason(body: bytes) -> str:
    try:
        answer = json.loads(body)
    except ValueError:
        return body[:200].decode("utf-8", "replace")
    if isinstance(answer, dict):
        return str(answer.get("message") or answer.get("reason") or answer.get("status") or answer)[:300]
    return str(answer)[:300]


def check_database() -> str | None:
    """None when the configured database answers SELECT 1."""
    from sqlalchemy import text

    from refsvc.storage.db import Database, url_from_environment

    database = Database(url_from_environment())
    try:
        with database.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return None
    except Exception as exc:
        return f"the database {database.where()} did not answer: {type(exc).__name__}"
    finally:
        database.dispose()


def check_celery(timeout: float) -> str | None:
    """None when this machine's Celery worker answers a ping through the broker."""
    from refsvc.config import load_settings
    from refsvc.worker import celery

    broker = load_settings()["CELERY_BROKER_URL"]
    if not broker:
        return "REFSVC_CELERY_BROKER_URL is not set: there is no Celery worker to ask"
    node = f"celery@{socket.gethostname()}"
    replies = celery.configure(broker).control.ping(destination=[node], timeout=timeout)
    if any(node in reply for reply in replies or []):
        return None
    return f"the Celery worker {node} did not answer a ping within {timeout:g} s"


def within(timeout: float, check: Callable[[], str | None]) -> str | None:
    """Run ``check``, giving up after ``timeout`` seconds (a database may hang rather than refuse)."""
    outcome: list[str | None] = []

    def run() -> None:
        try:
            outcome.append(check())
        except Exception as exc:  # a health check reports, it does not raise
            outcome.append(f"{type(exc).__name__}: {exc}")
    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout)
    return outcome[0] if outcome else f"no answer within {timeout:g} s"


def main(argv: list[str] | None = None) -> int:
    """Run one check; 0 when healthy."""
    parser = argparse.ArgumentParser(prog="python -m refsvc.healthcheck", description=__doc__.split("\n")[0])
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument("--database", action="store_true", help="check the database instead")
    kind.add_argument("--celery", action="store_true", help="ping this machine's Celery worker")
    kind.add_argument("--url", help="the URL to GET (default: /readyz of the local web server)")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds (default 5)")
    args = parser.parse_args(argv)
    if args.database:
        problem = within(args.timeout, check_database)
    elif args.celery:
        problem = within(args.timeout + 1, lambda: check_celery(args.timeout))
    else:
        url = args.url or local_url()
        problem = within(args.timeout + 1, lambda: check_http(url, args.timeout))
    if problem:
        print(f"unhealthy: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
