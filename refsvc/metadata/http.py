"""The one guarded outbound HTTP client: SSRF checks at connection time, timeouts, a deadline, byte caps.

Every outbound request of refsvc goes through ``GuardedClient.fetch``. It follows redirects itself, one
hop at a time (each hop's URL and resolved address are checked), reads at most ``max_bytes`` of decoded
body, and raises one of the ``FetchError`` types of ``transport`` (re-exported here) on failure. A non-2xx
status is not an exception: callers read ``result.status``.

Beside it: ``outbound`` judges a URL before any request (``check_url``), ``transport`` vets each
connection's address and reads the body capped, and ``reasons`` puts a failure in plain words.
"""
from __future__ import annotations

import logging
import sqlite3
import sys
import time
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, Collection, ContextManager, Mapping, Sequence
from urllib.parse import urljoin, urlsplit

import requests
from requests.structures import CaseInsensitiveDict
from urllib3.exceptions import NameResolutionError

from refsvc.metrics import counted_send
from refsvc.metadata.addresses import parse_networks
from refsvc.metadata.outbound import check_url, outbound_ports
from refsvc.metadata.reasons import cause_chain, connect_reason, tls_reason
from refsvc.metadata.text import decode_body
from refsvc.metadata.deadlines import Watch
from refsvc.metadata.transport import (ConnectFailure, DNSFailure, FetchError, FetchTimeout, GuardedAdapter,
                                       Limits, RefusedAddress, TLSFailure, TooLarge, TooManyRedirects, local)

__all__ = ["GuardedClient", "FetchResult", "FetchError", "RefusedAddress", "FetchTimeout", "DNSFailure",
           "ConnectFailure", "TLSFailure", "TooLarge", "TooManyRedirects", "user_agent",
           "client_from_settings"]

REDIRECT_CODES = (301, 302, 303, 307, 308)
log = logging.getLogger(__name__)


def _cache_errors() -> tuple[type[BaseException], ...]:
    # Redis's errors only once something imported redis (a Redis cache did): importing it here
    # would cost every process, the checker's too, a tenth of a second at start.
    redis = sys.modules.get("redis")
    return (sqlite3.Error, redis.exceptions.RedisError) if redis is not None else (sqlite3.Error,)


def user_agent(contact_email: str) -> str:
    """The User-Agent of every outbound request: the service and a contact (Crossref's polite pool)."""
    return f"refsvc/0.1 (+https://github.com/refsvc; mailto:{contact_email})"


def client_from_settings(settings: Mapping[str, Any], **options: Any) -> "GuardedClient":
    """A GuardedClient with the outbound HTTP settings (HTTP_*, ALLOW_PRIVATE_ADDRESSES, CONTACT_EMAIL);
    ``options`` add to them or override them (e.g. a cached ``session``, ``pool_maxsize``)."""
    configured: dict[str, Any] = dict(allow_private=bool(settings["ALLOW_PRIVATE_ADDRESSES"]),
                                      connect_timeout=float(settings["HTTP_CONNECT_TIMEOUT"]),
                                      read_timeout=float(settings["HTTP_READ_TIMEOUT"]),
                                      max_bytes=int(settings["HTTP_MAX_BYTES"]),
                                      max_redirects=int(settings["HTTP_MAX_REDIRECTS"]),
                                      allowed_ports=outbound_ports(settings))
    return GuardedClient(user_agent(settings["CONTACT_EMAIL"]), **{**configured, **options})


@dataclass
class FetchResult:
    """One fetched URL after redirects: status, headers, the (capped, decoded) body and what it took."""

    url: str
    final_url: str
    status: int
    headers: CaseInsensitiveDict
    body: bytes
    content_type: str
    redirects: list[dict[str, Any]] = field(default_factory=list)
    elapsed: float = 0.0
    truncated: bool = False
    from_cache: bool = False
    stale: bool = False  # served from cache after its expiry because the source failed
    tls: dict[str, Any] | None = None

    @cached_property
    def text(self) -> str:
        """The body as text: charset from the header, then the page's meta tag, then detection."""
        return decode_body(self.body, self.headers.get("Content-Type", ""))


def _cache_key_for(policy: str) -> Callable[..., str]:
    """A requests-cache key that includes the address policy: an answer fetched while private
    addresses were allowed is never served to a client that refuses them (a shared cache file or
    Redis, a setting changed)."""
    from requests_cache.cache_keys import create_key

    def key(request: Any, **kwargs: Any) -> str:
        return f"{policy}:{create_key(request, **kwargs)}"

    return key


class GuardedClient:
    """Fetch http(s) URLs safely; one instance may be shared by threads."""

    def __init__(self, user_agent: str, *, allow_private: bool = False, connect_timeout: float = 3.05,
                 read_timeout: float = 10.0, max_bytes: int = 2 * 1024 * 1024, max_redirects: int = 5,
                 session: requests.Session | None = None, total_timeout: float = 30.0,
                 pool_maxsize: int = 32, allowed_networks: Sequence[str] = (),
                 gate: Callable[[float | None], ContextManager] | None = None,
                 allowed_ports: Collection[int] | None = None):
        self.user_agent = user_agent
        self.allow_private = allow_private
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.total_timeout = total_timeout
        # exceptions to the refusal for a private deployment's own services (and for tests)
        self.allowed_networks = parse_networks(allowed_networks)
        self.allowed_ports = None if allowed_ports is None else frozenset(allowed_ports)  # None: any
        self.session = session or requests.Session()
        self.session.trust_env = False  # no environment proxies: they would connect where we never looked
        adapter = GuardedAdapter(allow_private=allow_private, max_bytes=max_bytes,
                                 allowed_networks=self.allowed_networks, gate=gate,
                                 pool_connections=pool_maxsize, pool_maxsize=pool_maxsize)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self._cached = hasattr(self.session, "cache")  # a requests_cache.CachedSession
        if self._cached:
            policy = "private" if allow_private else "public"
            if self.allowed_networks:
                policy += "+" + ",".join(sorted(map(str, self.allowed_networks)))
            self.session.settings.key_fn = _cache_key_for(policy)  # type: ignore[attr-defined]
        # the same transport without the cache, for when the cache's store (Redis, SQLite) fails
        self._uncached = requests.Session()
        self._uncached.trust_env = False
        self._uncached.mount("http://", adapter)
        self._uncached.mount("https://", adapter)

    def close(self) -> None:
        """Close pooled connections."""
        self.session.close()
        self._uncached.close()

    def fetch(self, url: str, *, method: str = "GET", headers: dict[str, str] | None = None,
              follow_redirects: bool = True, deadline: float | None = None, max_bytes: int | None = None,
              verify: bool = True, fail_on_large: bool = False, expire_after: Any = None,
              negative_expire_after: int | None = None, data: bytes | None = None) -> FetchResult:
        """Fetch ``url``; ``deadline`` is a ``time.monotonic()`` value bounding the whole fetch.

        ``data`` is the request body (e.g. a webhook's POST); a redirect that turns the method into
        GET (303, or 301/302 after a POST) drops it, as browsers do, while 307/308 send it again.
        With a requests-cache session, ``expire_after`` (seconds) is the cache lifetime of the answer
        and ``negative_expire_after`` that of a fresh 404/410 (a shorter one: pages come back).
        """
        start = time.monotonic()
        deadline = deadline if deadline is not None else start + self.total_timeout
        limits = Limits(max_bytes or self.max_bytes, deadline, fail_on_large)
        current, redirects, seen = url, [], {url}
        while True:
            current = check_url(current, self.allow_private, self.allowed_networks, self.allowed_ports)
            response = self._send(method, current, headers, limits, verify, expire_after, data)
            location = response.headers.get("Location")
            if not (follow_redirects and response.status_code in REDIRECT_CODES and location):
                break
            try:
                target = urljoin(current, location.strip())
            except ValueError:
                raise RefusedAddress(f"the redirect's Location {location[:200]!r} is not a URL") from None
            redirects.append({"status": response.status_code, "url": current, "location": target})
            if target in seen:
                raise TooManyRedirects(f"redirect loop: {current} leads back to {target}")
            if len(redirects) > self.max_redirects:
                raise TooManyRedirects(f"more than {self.max_redirects} redirects (last to {target})")
            seen.add(target)
            if response.status_code == 303 or (response.status_code in (301, 302) and method == "POST"):
                method, data = "GET", None
            current = target
        from_cache = bool(getattr(response, "from_cache", False))
        if (self._cached and negative_expire_after is not None and not from_cache
                and response.status_code in (404, 410) and getattr(response, "cache_key", None)):
            from requests_cache.policy.expiration import get_expiration_datetime
            self.session.cache.save_response(response, response.cache_key,  # type: ignore[attr-defined]
                                             get_expiration_datetime(negative_expire_after))
        return FetchResult(
            url=url, final_url=current, status=response.status_code, headers=response.headers,
            body=response.content or b"", content_type=response.headers.get("Content-Type", ""),
            redirects=redirects, elapsed=time.monotonic() - start,
            truncated=response.headers.get("X-Refsvc-Truncated") == "1", from_cache=from_cache,
            stale=from_cache and bool(getattr(response, "is_expired", False)),
            tls=getattr(response, "refsvc_tls", None))

    @counted_send  # outbound requests by host and outcome
    def _send(self, method: str, url: str, headers: dict[str, str] | None, limits: Limits, verify: bool,
              expire_after: Any, data: bytes | None = None) -> requests.Response:
        remaining = limits.deadline - time.monotonic() if limits.deadline is not None else self.read_timeout
        if remaining <= 0:
            raise FetchTimeout("the total deadline passed before the request")
        request = requests.Request(method, url, headers={"User-Agent": self.user_agent, **(headers or {})},
                                   data=data)
        try:
            prepared = self.session.prepare_request(request)
        except (requests.exceptions.RequestException, ValueError) as exc:
            raise RefusedAddress(f"the URL cannot be sent as a request ({type(exc).__name__})") from exc
        watch = Watch(time.monotonic() + remaining)
        kwargs: dict[str, Any] = {"stream": True, "verify": verify, "allow_redirects": False,
                                  "timeout": (min(self.connect_timeout, remaining),
                                              min(self.read_timeout, remaining))}
        if self._cached and expire_after is not None:
            kwargs["expire_after"] = expire_after
        local.limits, local.watch = limits, watch
        try:
            try:
                return self.session.send(prepared, **kwargs)
            except _cache_errors() as exc:  # a lookup must not fail because its cache did
                log.warning("HTTP cache unavailable (%s: %s); fetching %s uncached", type(exc).__name__, exc, url)
                kwargs.pop("expire_after", None)
                return self._uncached.send(prepared, **kwargs)
        except FetchError:
            raise
        except requests.exceptions.ConnectTimeout as exc:
            raise FetchTimeout(f"connecting to {urlsplit(url).hostname} timed out") from exc
        except requests.exceptions.ReadTimeout as exc:
            raise FetchTimeout(f"{urlsplit(url).hostname} did not answer in time") from exc
        except requests.exceptions.SSLError as exc:
            raise TLSFailure(tls_reason(exc)) from exc
        except requests.exceptions.ConnectionError as exc:
            if watch.fired:
                raise FetchTimeout("the total deadline passed") from exc
            if any(isinstance(e, NameResolutionError) for e in cause_chain(exc)):
                raise DNSFailure(f"the name {urlsplit(url).hostname} does not resolve") from exc
            log.info("could not connect for %s: %s", url, exc)  # urllib3's full story, for the operator
            raise ConnectFailure(connect_reason(exc, url)) from exc
        except requests.exceptions.RequestException as exc:
            raise FetchError(f"the request failed: {exc}") from exc
        finally:
            watch.cancel()
            local.limits = local.watch = None
