"""Settings from ``REFSVC_*`` environment variables; the defaults are the embedded setup.

Every setting has a type and a default. ``load_settings`` reads the environment, then applies
``overrides`` (the names without the prefix, as ``create_app`` takes them). A value may be given typed
or as the string the environment would hold: ``"1"`` for True, ``"a,b"`` for a list, ``"2.5"`` for a float.
"""
from __future__ import annotations

import os
from typing import Any, Mapping

# name: (type, default). Types: bool, int, float, str, list (comma-separated strings).
SETTINGS: dict[str, tuple[type, Any]] = {
    # core
    "DATABASE_URL": (str, ""),  # empty: sqlite file under the Flask instance folder
    "REDIS_URL": (str, ""),  # empty: no Redis; caches and limits stay in-process/SQLite
    # database timeouts, seconds: a hung or lost database is a JSON 503 in seconds, never a hang
    "DATABASE_CONNECT_TIMEOUT": (float, 3.0),  # opening a connection (PostgreSQL)
    "DATABASE_STATEMENT_TIMEOUT": (float, 5.0),  # one statement; SQLite: waiting for its write lock
    "DATABASE_POOL_TIMEOUT": (float, 2.0),  # waiting for a free pooled connection
    "DATABASE_RETRY_AFTER": (int, 10),  # the Retry-After of a 503 while the database is down
    "CORS_ORIGINS": (list, []),
    "CONTACT_EMAIL": (str, "refsvc@example.org"),
    "MAX_BODY_BYTES": (int, 256 * 1024),
    "RENDER_CACHE_SIZE": (int, 4096),
    # compiled CSL styles kept per process, and as many (style, locale) engines (LRU); read by
    # refsvc.citation from the environment, so it also holds outside the app
    "STYLE_CACHE_SIZE": (int, 64),
    "CACHE_MAX_AGE": (int, 3600),  # seconds, Cache-Control for GET responses
    "EDITOR_TOKENS": (list, []),
    "TESTING": (bool, False),
    "PROXY_COUNT": (int, 0),  # reverse proxies in front whose X-Forwarded-* headers are trusted
    # operating
    "METRICS_TOKEN": (str, ""),  # empty: /metrics is open; set: it needs 'Authorization: Bearer <token>'
    "METRICS_LISTEN": (str, ""),  # e.g. 127.0.0.1:9101: the check-links loop serves its metrics there
    "LOG_LEVEL": (str, "INFO"),
    "LOG_FORMAT": (str, "auto"),  # json: one JSON object a line; text: plain lines; auto: text on a terminal
    # outbound HTTP (the one guarded client)
    "ALLOW_PRIVATE_ADDRESSES": (bool, False),
    # ports outbound requests may use; "*" any. Empty: 80 and 443, or any port when
    # ALLOW_PRIVATE_ADDRESSES is on (a private deployment's own services, the tests' loopback servers)
    "OUTBOUND_PORTS": (list, []),
    "HTTP_CONNECT_TIMEOUT": (float, 3.05),
    "HTTP_READ_TIMEOUT": (float, 10.0),
    "HTTP_MAX_BYTES": (int, 2 * 1024 * 1024),
    "HTTP_MAX_REDIRECTS": (int, 5),
    # DOIs and URLs
    "DOI_RESOLVER": (str, "https://doi.org"),
    "CROSSREF_API": (str, "https://api.crossref.org"),
    "LOOKUP_TIMEOUT": (float, 10.0),  # total budget of one lookup, seconds
    "LOOKUP_RATE": (float, 10.0),  # outbound requests/s to resolver + Crossref together
    "LOOKUP_CONCURRENCY": (int, 3),
    "DOI_CACHE_TTL": (int, 30 * 24 * 3600),
    "PAGE_CACHE_TTL": (int, 24 * 3600),
    "NEGATIVE_CACHE_TTL": (int, 3600),
    "HTTP_CACHE_PATH": (str, ""),  # empty: instance/http_cache.sqlite
    # link checking
    "CHECK_CONCURRENCY": (int, 32),
    "CHECK_PER_HOST": (int, 2),
    "CHECK_HOST_SPACING": (float, 1.0),
    "CHECK_TIMEOUT": (float, 20.0),
    # a claim's lease, renewed by a heartbeat every quarter of it: a dead checker's claims lapse this soon
    "CHECK_LEASE_SECONDS": (float, 60.0),
    "CHECK_INTERVAL": (float, 24 * 3600.0),
    "CHECK_JITTER": (float, 0.1),  # fraction of the interval
    "CHECK_RETRY_INTERVALS": (list, ["3600", "21600"]),  # failing resources: 1 h, then 6 h
    "CHECK_RETRY_AFTER_MAX": (float, 10.0),
    "CHECK_SLOW_SECONDS": (float, 5.0),
    # processes that read fetched pages for the description check in the checker and Celery
    # workers, off the checking threads' GIL (refsvc.links.reading); 0: read in the recording thread
    "CHECK_READ_PROCESSES": (int, 1),
    "CERT_WARNING_DAYS": (int, 14),
    # sites that answer whenever the checker's machine is online: when a failed check's host and all
    # of these are unreachable, the checker is offline and health stays (empty: sites last seen working)
    "CHECK_CANARY_URLS": (list, ["https://www.google.com/generate_204",
                                 "https://www.cloudflare.com/cdn-cgi/trace",
                                 "https://www.wikipedia.org/"]),
    "BROKEN_AFTER_FAILURES": (int, 3),
    "BROKEN_AFTER_HOURS": (float, 24.0),
    "HEALTHY_AFTER_SUCCESSES": (int, 2),
    "REPORT_DUE_SECONDS": (float, 60.0),
    "HISTORY_DAYS": (int, 400),
    # description checks: share (0-1) of a page's main text changed since its baseline that makes its
    # description "changed"; tuned on the labelled set (tests/links/data/descriptions)
    "DESCRIPTION_CHANGED_AT": (float, 0.35),
    "WEBHOOK_URLS": (list, []),
    "WEBHOOK_SECRET": (str, ""),
    "WAYBACK_API": (str, "https://archive.org/wayback/available"),
    "CELERY_BROKER_URL": (str, ""),  # empty: checks run in the checker process, no broker
    # rate limits (flask-limiter); empty means no limit
    "REPORT_RATE_LIMIT": (str, "10 per minute;100 per day"),
    "DEFAULT_RATE_LIMIT": (str, ""),
    "BATCH_RATE_LIMIT": (str, "20 per minute;500 per day"),  # POST /v1/citations/batch per client
    # GET /v1/citations, /v1/citations/block and /cite per client: each may fetch a page or a DOI
    "LOOKUP_RATE_LIMIT": (str, "60 per minute;1000 per day"),
    # batches: each has this many seconds in all (under gunicorn's 30 s worker timeout), and only
    # BATCH_SLOTS run at once per process, so that other requests always find a free thread
    "BATCH_TIMEOUT": (float, 20.0),
    "BATCH_SLOTS": (int, 2),
    "REGISTRY_FILE": (str, "registry.yaml"),
}


class SettingError(ValueError):
    """A setting could not be read as its type."""


def _convert(name: str, kind: type, value: Any) -> Any:
    if kind is list:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return list(value)
    if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
        return value
    if kind is bool:
        text = str(value).strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off", ""}:
            return False
        raise SettingError(f"REFSVC_{name} must be 1/0, true/false, yes/no or on/off, not {value!r}")
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise SettingError(f"REFSVC_{name} must be a {kind.__name__}, not {value!r}") from None


def load_settings(overrides: Mapping[str, Any] | None = None,
                  environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return every setting, typed: defaults < ``REFSVC_*`` environment < ``overrides``."""
    environ = os.environ if environ is None else environ
    overrides = dict(overrides or {})
    unknown = sorted(set(overrides) - set(SETTINGS) - _FLASK_KEYS)
    if unknown:
        raise SettingError(f"unknown {'setting' if len(unknown) == 1 else 'settings'}: {', '.join(unknown)}; see refsvc/config.py")
    settings: dict[str, Any] = {}
    for name, (kind, default) in SETTINGS.items():
        value = overrides.get(name, environ.get(f"REFSVC_{name}", default))
        settings[name] = _convert(name, kind, value)
    settings.update({k: v for k, v in overrides.items() if k in _FLASK_KEYS})
    return settings


# Flask's own keys that tests and deployments may pass straight through.
_FLASK_KEYS = {"SECRET_KEY", "SERVER_NAME", "PREFERRED_URL_SCHEME"}
