"""Prometheus metrics: every definition in one place, and helpers for one-line calls at the call sites.

Under gunicorn, ``gunicorn.conf.py`` sets ``PROMETHEUS_MULTIPROC_DIR`` before any worker starts, so
prometheus-client keeps each worker's values in a file of that folder and ``/metrics`` sums them; a
dead worker's counters stay counted. Elsewhere (tests, ``flask run``, the checker) the values live in
the process. Label values come from bounded sets (route templates, status codes, error kinds, and at
most ``MAX_HOSTS`` host names a process), so no request can grow the number of series without bound.
"""
from __future__ import annotations

import logging
import os
import threading
from functools import lru_cache, wraps
from typing import Any, Callable, Iterable
from urllib.parse import urlsplit

from prometheus_client import (CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram,
                               disable_created_metrics, generate_latest)

disable_created_metrics()  # the *_created series double the output and no dashboard reads them

log = logging.getLogger(__name__)
MAX_HOSTS = 500  # distinct outbound host labels a process keeps; later hosts count as "other"

REQUESTS = Counter("refsvc_http_requests_total", "HTTP requests answered, by endpoint (the route "
                   "template), method and status.", ["endpoint", "method", "status"])
LATENCY = Histogram("refsvc_http_request_duration_seconds", "Time to answer an HTTP request, by "
                    "endpoint, method and status.", ["endpoint", "method", "status"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
CACHE = Counter("refsvc_cache_lookups_total", "Lookups in the render caches (replay: whole "
                "answers; render: one item in one style), by cache and result (hit or miss).",
                ["cache", "result"])
OUTBOUND = Counter("refsvc_outbound_requests_total", "Requests sent by the guarded HTTP client, by "
                   "host and outcome (a status class such as 2xx, cached, or the error kind).",
                   ["host", "outcome"])
CHECKS = Counter("refsvc_checks_total", "Link checks recorded by this process, by outcome (the "
                 "web's 'check now'; the checker's loop serves its own, see METRICS_LISTEN).",
                 ["outcome"])
REPORTS = Counter("refsvc_reports_received_total", "Visitors' reports accepted, by reason.",
                  ["reason"])

_hosts: set[str] = set()
_hosts_lock = threading.Lock()


def multiprocess_dir() -> str | None:
    """The folder of multiprocess mode, when it is on."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or os.environ.get("prometheus_multiproc_dir")


def cache_lookup(cache: str, hit: bool) -> None:
    """Count one lookup in the named cache."""
    CACHE.labels(cache, "hit" if hit else "miss").inc()


def counted_lru(cache: str, maxsize: int, function: Callable[..., Any]) -> Callable[..., Any]:
    """``lru_cache(maxsize)(function)`` that counts its hits and misses as ``cache``."""
    local = threading.local()

    def computed(*args: Any) -> Any:
        local.missed = True  # runs only on a miss, in the calling thread
        return function(*args)

    cached = lru_cache(maxsize=maxsize)(computed)

    @wraps(function)
    def lookup(*args: Any) -> Any:
        local.missed = False
        try:
            return cached(*args)
        finally:
            cache_lookup(cache, not local.missed)

    lookup.cache_info = cached.cache_info  # type: ignore[attr-defined]
    lookup.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
    return lookup


def host_label(url: str) -> str:
    """The host of ``url`` as a label, "other" once ``MAX_HOSTS`` distinct hosts were seen."""
    try:
        host = (urlsplit(url).hostname or "").lower() or "none"
    except ValueError:
        return "invalid"
    with _hosts_lock:
        if host in _hosts:
            return host
        if len(_hosts) < MAX_HOSTS:
            _hosts.add(host)
            return host
    return "other"


def _outcome(response: Any = None, error: BaseException | None = None) -> str:
    if error is not None:
        return type(error).__name__  # the transport's FetchError kinds: a small fixed set
    if getattr(response, "from_cache", False):
        return "cached"
    status = getattr(response, "status_code", 0) or 0
    return f"{status // 100}xx" if 100 <= status < 600 else "other"


def counted_send(send: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate ``GuardedClient._send(self, method, url, ...)`` to count each request it sends."""
    @wraps(send)
    def wrapper(self: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        try:
            response = send(self, method, url, *args, **kwargs)
        except BaseException as exc:
            OUTBOUND.labels(host_label(url), _outcome(error=exc)).inc()
            raise
        OUTBOUND.labels(host_label(url), _outcome(response)).inc()
        return response

    return wrapper


def check_recorded(outcome: str) -> None:
    """Count one recorded link check."""
    CHECKS.labels(outcome).inc()


def report_received(reason: str) -> None:
    """Count one accepted visitor report."""
    REPORTS.labels(reason).inc()


class _Collectors:
    """Several collectors as one, for a registry made per scrape."""

    def __init__(self, collectors: Iterable[Any]) -> None:
        self.collectors = list(collectors)

    def collect(self):
        for collector in self.collectors:
            yield from collector.collect()


def serve(listen: str) -> tuple[str, int] | None:
    """Serve this process's metrics over HTTP at ``listen`` ("host:port"; empty: not at all).

    For a process without a web server of its own: the link checker's loop. Returns the address
    bound (port 0 picks a free one).
    """
    if not listen:
        return None
    from prometheus_client import start_http_server

    host, _, port = listen.rpartition(":")
    registry = CollectorRegistry(auto_describe=False)
    if multiprocess_dir():
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_Collectors([REGISTRY]))
    server, _thread = start_http_server(int(port), addr=host.strip("[]") or "127.0.0.1",
                                        registry=registry)
    address = server.server_address[:2]
    log.info("metrics at http://%s:%d/metrics", *address)
    return address


def exposition(extra: Iterable[Any] = ()) -> tuple[bytes, str]:
    """The text a scrape gets: this process's (or every worker's) metrics and ``extra`` collectors."""
    registry = CollectorRegistry(auto_describe=False)  # no extra collect() to learn names
    if multiprocess_dir():
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_Collectors([REGISTRY]))
    for collector in extra:
        registry.register(collector)
    return generate_latest(registry), CONTENT_TYPE_LATEST
