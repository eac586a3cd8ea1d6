"""The one place URLs are parsed and normalised (pure): what every endpoint, the registry, the audit
and the guarded client take as a URL, and what counts as the same link.

    parse_url(text)       -> URL, or URLProblem naming what to fix (never another exception)
    url_problem(text)     -> that sentence, or None
    normalize_url(text)   -> the stored form: lowercase scheme and host, IPv6 kept in brackets,
                             no default port, no fragment, no trailing slash (except the root)
    link_key(text)        -> "the same link": the stored form without scheme and a leading www.
                             (http/https and www. or not are one link); None when unparsable

Hosts are read the way browsers read them (UTS #46): ``例え.jp`` becomes ``xn--r8jz45g.jp`` and
full-width digits become ASCII ones, so ``１２７.0.0.1`` is 127.0.0.1 and is judged as such. A port
must be ASCII digits, a host may not be percent-encoded (``exa%09mple.org``), an IPv6 literal may
not carry a zone (``[fe80::1%25eth0]``), and a URL may not carry a user name or password.
"""
from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import idna

MAX_URL = 2048
SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}
_HOST_LABELS = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}"
                          r"[a-z0-9_])?)*\.?$")


class URLProblem(ValueError):
    """A URL that cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class URL:
    """A parsed http(s) URL: ``host`` is ASCII and lowercase, an IPv6 address without brackets."""

    scheme: str
    host: str
    port: int | None
    path: str
    query: str
    fragment: str

    @property
    def is_ipv6(self) -> bool:
        return ":" in self.host

    @property
    def netloc(self) -> str:
        """host[:port] as a URL writes it (IPv6 in brackets; the default port left out)."""
        host = f"[{self.host}]" if self.is_ipv6 else self.host
        if self.port is None or self.port == DEFAULT_PORTS[self.scheme]:
            return host
        return f"{host}:{self.port}"

    def geturl(self) -> str:
        """The URL with its host in canonical ASCII form, everything else as given."""
        return urlunsplit((self.scheme, self.netloc, self.path, self.query, self.fragment))


def _host(raw: str) -> str:
    if raw.startswith("["):
        if not raw.endswith("]"):
            raise URLProblem("The IPv6 address in the URL is missing its closing ']'.")
        inner = raw[1:-1]
        if "%" in inner:
            raise URLProblem("An IPv6 address with a zone (%...) is not a link anyone else can follow.")
        try:
            return ipaddress.IPv6Address(inner).compressed
        except ValueError:
            raise URLProblem(f"'{inner}' is not an IPv6 address.") from None
    if not raw:
        raise URLProblem("The URL has no host; write it in full, e.g. https://www.example.org/page.")
    if "%" in raw:
        raise URLProblem("The URL's host is percent-encoded (%..); write the host name plainly.")
    if raw.isascii():
        host = raw.lower()
    else:
        try:  # as browsers do (UTS #46): full-width forms mapped, international names to xn--
            host = idna.encode(raw, uts46=True, transitional=False).decode("ascii")
        except (idna.IDNAError, UnicodeError, ValueError):
            raise URLProblem(f"The host '{raw}' is not a valid domain name.") from None
    if not _HOST_LABELS.match(host):
        raise URLProblem(f"The host '{raw}' is not a valid domain name (letters, digits, '-' and "
                         "'.' only).")
    return host


def _port(netloc: str, host_part: str) -> int | None:
    rest = netloc[len(host_part):]
    if not rest:
        return None
    if not rest.startswith(":"):
        raise URLProblem("The URL's host is followed by something that is not a port.")
    digits = rest[1:]
    if digits == "":
        return None
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 5:
        raise URLProblem(f"The port '{digits}' must be a number written in ASCII digits.")
    port = int(digits)
    if not 0 < port <= 65535:
        raise URLProblem(f"The port {port} is out of range (1-65535).")
    return port


def parse_url(value: object) -> URL:
    """Parse an absolute http(s) URL; URLProblem (saying what to fix) for anything else."""
    if not isinstance(value, str) or not value.strip():
        raise URLProblem("Give a URL starting with https:// or http://.")
    text = value.strip()
    if len(text) > MAX_URL:
        raise URLProblem(f"The URL is {len(text)} characters long; at most {MAX_URL} are allowed.")
    if any(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cs") for ch in text):
        raise URLProblem("The URL contains spaces or control characters; percent-encode them (%20).")
    try:
        parts = urlsplit(text)
    except ValueError as exc:
        raise URLProblem(f"The URL cannot be parsed ({exc}).") from None
    scheme = parts.scheme.lower()
    if scheme == "javascript":
        raise URLProblem("javascript: URLs are not links; give the page's https:// address.")
    if not scheme:  # "www.mind.org.uk/anxiety": the address without its https://
        example = f"https://{text}" if "." in text.split("/", 1)[0] else "https://www.example.org/page"
        raise URLProblem(f"The URL needs its https:// (or http://) at the start; write it in "
                         f"full, e.g. {example}.")
    if scheme not in SCHEMES:
        raise URLProblem(f"Only http and https URLs can be used (https://...), not '{scheme}'.")
    netloc = parts.netloc
    if "@" in netloc:
        raise URLProblem("The URL holds a user name or password (user@host); give it without them.")
    if netloc.startswith("["):
        host_part = netloc[:netloc.find("]") + 1] if "]" in netloc else netloc
    else:
        host_part = netloc.split(":", 1)[0]
    return URL(scheme=scheme, host=_host(host_part), port=_port(netloc, host_part),
               path=parts.path, query=parts.query, fragment=parts.fragment)


def url_problem(value: object) -> str | None:
    """Why ``value`` is not a usable http(s) URL, or None."""
    try:
        parse_url(value)
    except URLProblem as exc:
        return str(exc)
    return None


def normalize_url(value: str) -> str:
    """The stored form of a URL (see the module); URLProblem when it cannot be parsed."""
    url = parse_url(value)
    return urlunsplit((url.scheme, url.netloc, url.path.rstrip("/") or "/", url.query, ""))


def host_key(value: str) -> str | None:
    """The host a link is matched on: ASCII, lowercase, without a leading ``www.``; None when the
    URL cannot be parsed."""
    try:
        host = parse_url(value).host
    except URLProblem:
        return None
    return host[4:] if host.startswith("www.") else host


def link_key(value: str) -> str | None:
    """What makes two URLs the same link: host (no ``www.``), port, path and query; the scheme,
    a default port, a trailing slash and the fragment do not count. None when unparsable."""
    try:
        url = parse_url(value)
    except URLProblem:
        return None
    host = url.host[4:] if url.host.startswith("www.") else url.host
    netloc = f"[{host}]" if url.is_ipv6 else host
    port = url.port if url.port not in (None, DEFAULT_PORTS[url.scheme]) else None
    return netloc + (f":{port}" if port else "") + (url.path.rstrip("/") or "/") + \
        (f"?{url.query}" if url.query else "")
