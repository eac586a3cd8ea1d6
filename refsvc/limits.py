"""Rate limits (flask-limiter), per client address, fixed windows; the API's and the web pages' both.

Where the counters live: Redis when REFSVC_REDIS_URL is set, else the database (so a limit holds
across every gunicorn worker). When that store fails (Redis refused or hung, the database down),
the limits are kept in the worker's memory instead, with a warning in the log, and the store is
tried again with a growing back-off; a failing store never blocks a request. The store's calls are
bounded: Redis gives up after ``REDIS_TIMEOUT`` seconds, the database after its own short timeouts.

The public write endpoints carry a limit by default (``REFSVC_REPORT_RATE_LIMIT``), and so do the GET
citation endpoints that look a DOI or a page up (``REFSVC_LOOKUP_RATE_LIMIT``);
``REFSVC_DEFAULT_RATE_LIMIT`` adds one to everything else. Editor requests are never limited.
"""
from __future__ import annotations

from flask import current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from refsvc.editors import is_editor_request  # noqa: F401  (the endpoints' limits exempt editors)

REDIS_TIMEOUT = 0.5  # seconds a rate-limit read or write may wait for Redis


limiter = Limiter(key_func=get_remote_address, default_limits_exempt_when=is_editor_request,
                  strategy="fixed-window", headers_enabled=True,
                  in_memory_fallback_enabled=True, swallow_errors=True)


def lookup_limit() -> str:
    """The limit of the GET citation endpoints that fetch a page or resolve a DOI per request
    (REFSVC_LOOKUP_RATE_LIMIT): each one may cost an outbound request, so a client cannot make the
    service fetch without end."""
    return current_app.config["LOOKUP_RATE_LIMIT"]


def _database_store(app) -> tuple[str, dict]:
    from refsvc.storage import Database, Timeouts, get_database
    from refsvc.storage.ratelimits import SCHEME

    main = get_database(app)
    # Its own small pool with short timeouts: a hung database costs a limited request about a
    # second or two before the limits move to memory, never the request's whole budget.
    quick = Timeouts(connect=min(2.0, main.timeouts.connect),
                     statement=min(1.0, main.timeouts.statement), pool=min(0.5, main.timeouts.pool))
    return f"{SCHEME}://", {"database": Database(main.url, quick, pool_size=2)}  # one short UPSERT each


def _redis_store(url: str) -> tuple[str, dict]:
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return url, {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT,
                 "retry": Retry(NoBackoff(), 0)}


def init_app(app) -> None:
    """Bind the limiter with its store and default limit taken from the settings."""
    if "RATELIMIT_STORAGE_URI" not in app.config:
        uri, options = (_redis_store(app.config["REDIS_URL"]) if app.config["REDIS_URL"]
                        else _database_store(app))
        app.config["RATELIMIT_STORAGE_URI"] = uri
        app.config["RATELIMIT_STORAGE_OPTIONS"] = options
    if app.config["DEFAULT_RATE_LIMIT"]:
        app.config.setdefault("RATELIMIT_DEFAULT", app.config["DEFAULT_RATE_LIMIT"])
    # One limiter serves every app a process builds (tests build many): flask-limiter would merge
    # this app's storage options into the last app's and keep its dead-storage flag.
    limiter._storage_options = {}
    # ... and it keeps the first app's default limit for every later one: this app's setting rules.
    limiter.limit_manager.set_default_limits([])
    from refsvc.errors import keep_retry_after

    app.after_request(keep_retry_after)  # registered first, so it runs after the limiter's hook
    limiter.init_app(app)
    limiter._storage_dead = False
