"""The guarded transport: fetch errors, connections that vet addresses, an adapter that reads capped.

    FetchError                  every failure, with a human ``.reason``
     ├── RefusedAddress         scheme, IP spelling or resolved address not allowed (also on redirects)
     ├── FetchTimeout           connect/read timeout or the total deadline
     ├── DNSFailure             the name does not resolve
     ├── ConnectFailure         refused, reset, broken while reading
     ├── TLSFailure             handshake or certificate verification failed
     ├── TooLarge               body over the cap (only when the caller asked to fail on it)
     └── TooManyRedirects       more than ``max_redirects`` hops, or a loop

The address check sits in the urllib3 connection itself (``_new_conn``): the name is resolved once,
every address is vetted, and the socket connects to a vetted address, while SNI, certificate matching
and the Host header keep the name. There is no window between check and connect for DNS rebinding.
The body is read inside the transport adapter, capped and deadline-bound (the deadline's clock is
``deadlines``), before any caching layer (requests-cache reads bodies whole) can see it.
"""
from __future__ import annotations

import io
import logging
import socket
import threading
import time
from dataclasses import dataclass
from contextlib import nullcontext
from typing import Any, Callable, ContextManager

import requests
from requests.adapters import HTTPAdapter
from urllib3 import HTTPConnectionPool, HTTPResponse, HTTPSConnectionPool
from urllib3._collections import HTTPHeaderDict
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import (ConnectTimeoutError, DecodeError, NameResolutionError, NewConnectionError,
                                ProtocolError, ReadTimeoutError)
from urllib3.util import connection as u3connection

from refsvc.metadata.addresses import address_problem
from refsvc.metadata.deadlines import Watch
from refsvc.metadata.reasons import server_name

_CHUNK = 64 * 1024
log = logging.getLogger(__name__)


class FetchError(Exception):
    """A fetch failed; ``reason`` says why in words a user can read."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class RefusedAddress(FetchError):
    """The URL's scheme, host spelling or resolved address is not allowed."""


class FetchTimeout(FetchError):
    """A connect or read timeout, or the total deadline, passed."""


class DNSFailure(FetchError):
    """The host name does not resolve."""


class ConnectFailure(FetchError):
    """The connection was refused, reset or broken."""


class TLSFailure(FetchError):
    """The TLS handshake or the certificate check failed."""


class TooLarge(FetchError):
    """The body is over the cap and the caller asked to fail on that."""


class TooManyRedirects(FetchError):
    """Too many redirect hops, or a redirect loop."""


@dataclass
class Limits:
    """What the fetch running on this thread may read, and until when."""

    max_bytes: int
    deadline: float | None
    fail_on_large: bool = False


local = threading.local()  # the limits and watch of the fetch running on this thread


class _GuardedConnectionMixin:
    """Resolve once, vet every address, connect to a vetted one (the Host/SNI stay the name)."""

    allow_private = False
    allowed_networks: tuple = ()

    def _new_conn(self) -> socket.socket:
        host = self._dns_host  # type: ignore[attr-defined]
        try:
            infos = socket.getaddrinfo(host, self.port, type=socket.SOCK_STREAM)  # type: ignore[attr-defined]
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc  # type: ignore[attr-defined,arg-type]
        if not self.allow_private:
            for info in infos:
                problem = address_problem(info[4][0], self.allowed_networks)
                if problem:
                    # The address stays out of the message: an anonymous lookup must not learn
                    # what an internal name resolves to. The log keeps it for the operator.
                    log.info("refused %s: %s", self.host, problem)  # type: ignore[attr-defined]
                    raise RefusedAddress(f"{self.host} resolves to a refused address (private, "  # type: ignore
                                         "loopback, link-local or otherwise not public)")
        last: OSError | None = None
        for info in infos:
            try:
                return u3connection.create_connection(
                    (info[4][0], self.port), self.timeout,  # type: ignore[attr-defined]
                    source_address=self.source_address,  # type: ignore[attr-defined]
                    socket_options=self.socket_options)  # type: ignore[attr-defined]
            except socket.timeout as exc:
                raise ConnectTimeoutError(self, f"Connection to {self.host} timed out") from exc  # type: ignore
            except OSError as exc:
                last = exc
        raise NewConnectionError(self, f"Failed to establish a new connection: {last}") from last  # type: ignore

    def request(self, *args: Any, **kwargs: Any) -> Any:
        watch = getattr(local, "watch", None)
        if watch is not None:
            watch.add(self)  # type: ignore[arg-type]
        return super().request(*args, **kwargs)  # type: ignore[misc]


class _GuardedHTTPSMixin(_GuardedConnectionMixin):
    """Also records the peer certificate's validity for the link checker."""

    refsvc_tls: dict[str, Any] | None = None

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        self.refsvc_tls = _tls_info(self.sock, bool(getattr(self, "is_verified", False)))  # type: ignore


def _tls_info(sock: Any, verified: bool) -> dict[str, Any] | None:
    """{"valid", "not_after", "days_left"} of the peer certificate; valid is None when not verified."""
    try:
        der = sock.getpeercert(binary_form=True)
    except (AttributeError, ValueError, OSError):
        return None
    if not der:
        return None
    from datetime import datetime, timezone

    from cryptography import x509
    not_after = x509.load_der_x509_certificate(der).not_valid_after_utc
    days_left = int((not_after - datetime.now(timezone.utc)).total_seconds() // 86400)
    return {"valid": True if verified else None, "not_after": not_after.isoformat(), "days_left": days_left}


class GuardedAdapter(HTTPAdapter):
    """A transport adapter whose connections vet addresses and whose bodies are read capped."""

    def __init__(self, *, allow_private: bool = False, max_bytes: int = 2 * 1024 * 1024,
                 allowed_networks: tuple = (), gate: Callable[[float | None], ContextManager] | None = None,
                 **kwargs: Any):
        self.allow_private = allow_private
        self.gate = gate  # e.g. RateLimiter.slot: wraps network requests only (a cache hit never gets here)
        self.allowed_networks = allowed_networks
        self.max_bytes = max_bytes
        super().__init__(max_retries=0, **kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        attrs = {"allow_private": self.allow_private, "allowed_networks": self.allowed_networks}
        http_conn = type("GuardedHTTPConnection", (_GuardedConnectionMixin, HTTPConnection), attrs)
        https_conn = type("GuardedHTTPSConnection", (_GuardedHTTPSMixin, HTTPSConnection), attrs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": type("GuardedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn}),
            "https": type("GuardedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn}),
        }

    def send(self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None,
             verify: Any = True, cert: Any = None, proxies: Any = None) -> requests.Response:
        limits = getattr(local, "limits", None) or Limits(self.max_bytes, None)
        with self.gate(limits.deadline) if self.gate else nullcontext():
            # proxies are never used: a proxy would connect to addresses this adapter never saw
            response = super().send(request, stream=True, timeout=timeout, verify=verify, cert=cert,
                                    proxies=None)
            _read_capped(response, limits, getattr(local, "watch", None))
        return response


def _read_capped(response: requests.Response, limits: Limits, watch: Watch | None) -> None:
    """Read the body now, decoded, at most ``max_bytes`` of it, and swap in an in-memory copy."""
    raw = response.raw
    conn = getattr(raw, "connection", None)
    response.refsvc_tls = getattr(conn, "refsvc_tls", None)  # type: ignore[attr-defined]
    cap = limits.max_bytes
    declared = response.headers.get("Content-Length", "")
    if limits.fail_on_large and declared.isdigit() and int(declared) > cap:
        raw.close()
        raise TooLarge(f"the body is {int(declared)} bytes, over the cap of {cap}")
    chunks: list[bytes] = []
    total, truncated = 0, False
    try:
        while True:
            if limits.deadline is not None and time.monotonic() > limits.deadline:
                raise FetchTimeout("the total deadline passed while reading the body")
            # urllib3 bounds each read's *decoded* size, so a decompression bomb stops at the cap
            chunk = raw.read(min(_CHUNK, cap - total + 1), decode_content=True)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > cap:
                truncated = True
                break
    except ReadTimeoutError as exc:
        raw.close()
        raise FetchTimeout("the server stopped sending the body (read timeout)") from exc
    except DecodeError as exc:
        raw.close()
        raise FetchError(f"the body could not be decoded: {exc}") from exc
    except (ProtocolError, OSError) as exc:
        raw.close()
        if watch is not None and watch.fired:
            raise FetchTimeout("the total deadline passed while reading the body") from exc
        log.info("body cut short from %s: %s", response.url, exc)  # urllib3's story, for the operator
        raise ConnectFailure(f"the connection to {server_name(response.url)} closed before the whole "
                             "answer arrived; try again later") from exc
    if watch is not None and watch.fired:
        raise FetchTimeout("the total deadline passed while reading the body")
    body = b"".join(chunks)[:cap]
    if truncated:
        raw.close()  # the rest is never read: this connection cannot be reused
        if limits.fail_on_large:
            raise TooLarge(f"the body is over the cap of {cap} bytes")
    else:
        raw.release_conn()
    headers = HTTPHeaderDict(raw.headers)
    encoded = "Content-Encoding" in headers
    headers.discard("Content-Encoding")
    headers.discard("Content-Length")
    response.raw = HTTPResponse(body=io.BytesIO(body), headers=headers, status=raw.status, version=raw.version,
                                reason=raw.reason, preload_content=False, decode_content=False,
                                request_url=response.url)
    response.headers.pop("Content-Encoding", None)
    if encoded:
        response.headers.pop("Content-Length", None)
    if truncated:
        response.headers["X-Refsvc-Truncated"] = "1"


