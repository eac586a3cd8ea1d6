"""Why a fetch failed, in words a person reads: the server's name, the OS's or OpenSSL's reason,
without urllib3's pool, retry and exception wording (which the log keeps). Pure."""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit


def server_name(url: str) -> str:
    """The host of ``url``, with its port when it names one ('example.org', '127.0.0.1:8009')."""
    parts = urlsplit(url)  # a URL check_url passed: its port, if any, is a number in range
    where = parts.hostname or "the server"
    return f"{where}:{parts.port}" if parts.port else where


# "[^(\]]" so that each "] " scans only to the next one: linear however many a message holds
_SSL_REASON = re.compile(r"certificate verify failed: ([^(]+)|\] ([^(\]]+?) \(_ssl", re.IGNORECASE)


def tls_reason(exc: Exception) -> str:
    """A TLS failure's reason as OpenSSL gave it, without the library's codes and line numbers."""
    found = _SSL_REASON.search(str(exc))
    detail = next((g for g in found.groups() if g), "").strip() if found else ""
    return f"TLS failed: {detail}" if detail else f"TLS failed: {exc}"


def cause_chain(exc: BaseException) -> list[BaseException]:
    """Every exception wrapped inside ``exc`` (requests and urllib3 nest them in args and .reason)."""
    found: list[BaseException] = []
    pending: list[Any] = [exc]
    while pending:
        item = pending.pop()
        if not isinstance(item, BaseException) or any(item is seen for seen in found):
            continue
        found.append(item)
        pending.extend([*item.args, getattr(item, "reason", None), item.__cause__, item.__context__])
    return found


def connect_reason(exc: BaseException, url: str) -> str:
    """Why a connection failed, in a clause a person reads: the OS's reason, without urllib3's
    pool, retry and exception wording (which the log keeps)."""
    where = server_name(url)
    for cause in cause_chain(exc):
        if isinstance(cause, ConnectionRefusedError):
            return f"connection refused by {where} (nothing listens there)"
        if isinstance(cause, ConnectionResetError):
            return f"connection reset by {where}"
        if isinstance(cause, OSError) and cause.strerror:
            return f"could not connect to {where} ({cause.strerror[:1].lower()}{cause.strerror[1:]})"
    return f"could not connect to {where}"
