"""GET /healthz: the service answers and its database is reachable."""
from __future__ import annotations

from flask import current_app
from flask_smorest import Blueprint

from refsvc import __version__

blp = Blueprint("health", __name__, description="Liveness of the service.")


@blp.route("/healthz")
@blp.response(200)
def healthz():
    """Report liveness, the version and whether the database answers."""
    check = current_app.extensions.get("refsvc.database_check")
    database = "ok"
    if check is not None:
        try:
            check()
        except Exception as exc:  # a health check reports, it does not raise
            database = f"unavailable: {exc.__class__.__name__}"
    return {"status": "ok" if database == "ok" else "degraded", "version": __version__,
            "database": database}
