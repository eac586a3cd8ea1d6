"""GET /healthz (liveness: the process answers) and GET /readyz (readiness: its dependencies answer).

/healthz touches nothing else, so a hung database never makes the orchestrator restart a live
process; /readyz checks the database and, when REFSVC_REDIS_URL is set, Redis, each bounded by its
timeouts, and answers 503 naming what is down.
"""
from __future__ import annotations

from typing import Any

from flask import current_app
from flask_smorest import Blueprint

from refsvc import __version__
from refsvc.storage import UNAVAILABLE, get_database

blp = Blueprint("health", __name__, description="Liveness and readiness of the service.")


@blp.route("/healthz")
@blp.response(200)
def healthz():
    """Liveness: the process answers (nothing else is checked)."""
    return {"status": "ok", "version": __version__}


def _database_problem() -> str | None:
    try:
        get_database(current_app).ping()
    except UNAVAILABLE as exc:
        return f"unavailable: {str(exc).splitlines()[0][:200]}"
    return None


def _redis_problem(url: str) -> str | None:
    from refsvc.metadata.cache import redis_client

    client = redis_client(url)
    try:
        client.ping()
    except Exception as exc:  # any failure of the ping is the answer, not an error
        return f"unavailable: {exc.__class__.__name__}: {str(exc)[:200]}"
    finally:
        client.close()
    return None


@blp.route("/readyz")
@blp.response(200)
@blp.alt_response(503, description="A dependency is down; the body names it.")
def readyz():
    """Readiness: the database answers and, when configured, Redis does."""
    checks: dict[str, Any] = {"database": _database_problem() or "ok"}
    if current_app.config.get("REDIS_URL"):
        checks["redis"] = _redis_problem(current_app.config["REDIS_URL"]) or "ok"
    down = [name for name, state in checks.items() if state != "ok"]
    body = {"status": "ok" if not down else "unavailable", "version": __version__, **checks}
    if down:
        body["message"] = f"Not ready: {', '.join(down)} down."
        return body, 503, {"Retry-After": str(current_app.config.get("DATABASE_RETRY_AFTER", 10))}
    return body
