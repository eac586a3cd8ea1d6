"""Rate limits (flask-limiter): memory on the embedded default, Redis when REFSVC_REDIS_URL is set.

Only the public write endpoints carry a limit by default (``REFSVC_REPORT_RATE_LIMIT``);
``REFSVC_DEFAULT_RATE_LIMIT`` adds one to everything else. Editor requests are never limited.
"""
from __future__ import annotations

import hmac

from flask import current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address


def is_editor_request() -> bool:
    """True when the request carries a valid editor bearer token (compared in constant time)."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return False
    given = header[len("Bearer "):].strip().encode()
    return any(hmac.compare_digest(given, token.encode())
               for token in current_app.config.get("EDITOR_TOKENS", []))


limiter = Limiter(key_func=get_remote_address, default_limits_exempt_when=is_editor_request,
                  strategy="moving-window", headers_enabled=True)


def init_app(app) -> None:
    """Bind the limiter with its storage and default limit taken from the settings."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"] or "memory://")
    if app.config["DEFAULT_RATE_LIMIT"]:
        app.config.setdefault("RATELIMIT_DEFAULT", app.config["DEFAULT_RATE_LIMIT"])
    limiter.init_app(app)
