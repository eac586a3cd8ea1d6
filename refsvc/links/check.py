"""One check of one URL: fetch it politely (retrying blips), judge the page, check the logo; never raise."""
from __future__ import annotations

import logging
import time
import warnings
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from typing import Any, Sequence

from refsvc.links.classify import Verdict, classify
from refsvc.links.description import page_for
from refsvc.links.page import PageInfo, read_page
from refsvc.links.politeness import HostPolicy, host_of
from refsvc.links.soft404 import Soft404Probe
from refsvc.metadata.http import (ConnectFailure, DNSFailure, FetchError, FetchResult, FetchTimeout,
                                  GuardedClient, RefusedAddress, TLSFailure, TooManyRedirects)
from refsvc.metadata.ratelimit import retry_after_seconds

log = logging.getLogger(__name__)

PAGE_MAX_BYTES = 1024 * 1024  # the title, meta tags and opening text sit in the first megabyte
PROBE_MAX_BYTES = 256 * 1024
LOGO_MAX_BYTES = 64 * 1024  # a logo GET only needs its status and type, not the whole image
MAX_ATTEMPTS = 3
MAX_429_WAITS = 2


@dataclass
class CheckResult:
    """The record of one check; ``to_dict()`` is what storage and the API keep."""

    url: str
    outcome: str
    reason: str
    status_code: int | None = None
    final_url: str | None = None
    redirects: list[dict[str, Any]] = field(default_factory=list)
    elapsed_ms: int = 0
    tls_valid: bool | None = None
    cert_days_left: int | None = None
    title: str = ""
    site_name: str = ""
    logo_ok: bool | None = None
    logo_status: int | None = None
    retry_after: float | None = None
    checked_at: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    description_page: dict[str, Any] | None = None  # for the description check; the recorder pops it
    key: str = field(default="", compare=False)  # the runner's job key; not part of the stored record

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready record (without the runner's ``key``); its lists and dicts are its own.

        Copied one level deep, not with ``asdict``: that walks and copies the whole page carried
        for the description check, once per check, for values nobody changes below the first level.
        """
        record = {}
        for name in _FIELDS:
            value = getattr(self, name)
            record[name] = value.copy() if isinstance(value, (list, dict)) else value
        return record


_FIELDS = tuple(f.name for f in fields(CheckResult) if f.name != "key")


class _Fetcher:
    """Fetches for one check: host slots, a per-check deadline, retries with backoff, 429 waits."""

    def __init__(self, client: GuardedClient, deadline: float, hosts: HostPolicy | None,
                 retry_after_max: float) -> None:
        self.client, self.deadline, self.hosts = client, deadline, hosts
        self.retry_after_max = retry_after_max
        self.attempts: list[dict[str, Any]] = []
        self.retry_after: float | None = None

    def once(self, url: str, *, method: str = "GET", max_bytes: int = PAGE_MAX_BYTES,
             deadline: float | None = None, verify: bool = True) -> FetchResult:
        """One request under the host's politeness slot."""
        deadline = min(deadline or self.deadline, self.deadline)
        if self.hosts is None:
            return self.client.fetch(url, method=method, deadline=deadline, max_bytes=max_bytes, verify=verify)
        host = host_of(url)
        with self.hosts.slot(host, deadline) as got:
            if not got:
                raise FetchTimeout(f"no polite moment to ask {host} came before the deadline")
            return self.client.fetch(url, method=method, deadline=deadline, max_bytes=max_bytes, verify=verify)

    def _sleep(self, seconds: float) -> bool:
        """Sleep if the deadline leaves room for another attempt afterwards (at least a second)."""
        if time.monotonic() + seconds + 1.0 > self.deadline:
            return False
        time.sleep(seconds)
        return True

    def page(self, url: str) -> FetchResult:
        """GET with retries: timeouts, broken connections and 5xx back off; short 429s are waited out."""
        backoff, waits = 0.5, 0
        while True:
            first = not self.attempts
            # the first try keeps some budget back so a server that hangs once can be retried
            cap = time.monotonic() + (self.deadline - time.monotonic()) * (0.6 if first else 1.0)
            try:
                result = self.once(url, deadline=cap)
            except (FetchTimeout, ConnectFailure) as exc:
                self.attempts.append({"error": type(exc).__name__, "reason": exc.reason})
                if len(self.attempts) < MAX_ATTEMPTS and self._sleep(backoff):
                    backoff *= 2
                    continue
                raise
            self.attempts.append({"status": result.status})
            host = host_of(result.final_url)
            if result.status == 429:
                wait = retry_after_seconds(result.headers.get("Retry-After"))
                self.retry_after = wait
                pause = backoff if wait is None else wait
                if self.hosts is not None:  # later checks of this host go slower too
                    self.hosts.slow_down(host, pause)
                if waits < MAX_429_WAITS and pause <= self.retry_after_max and self._sleep(pause):
                    waits += 1
                    continue
                return result
            if self.hosts is not None:
                self.hosts.relax(host)
            if 500 <= result.status < 600 and result.status != 501 and len(self.attempts) < MAX_ATTEMPTS \
                    and self._sleep(backoff):
                backoff *= 2
                continue
            return result


def _is_html(result: FetchResult) -> bool:
    kind = result.content_type.lower()
    if kind:
        return "html" in kind
    return result.body[:512].lstrip().lower().startswith((b"<!doctype html", b"<html", b"<"))


def _check_logo(fetcher: _Fetcher, logo_url: str) -> tuple[bool | None, int | None, str]:
    """HEAD the logo, falling back to GET when HEAD is refused or does not answer with an image."""
    def image(result: FetchResult) -> bool:
        kind = result.content_type.lower()
        return 200 <= result.status < 300 and (not kind or kind.startswith(("image/", "application/octet")))

    head_note = ""
    try:
        head = fetcher.once(logo_url, method="HEAD", max_bytes=LOGO_MAX_BYTES)
        if image(head):
            return True, head.status, "the logo answers"
        head_note = f"HEAD answered {head.status}; "
    except RefusedAddress as exc:
        return False, None, f"the logo address is refused ({exc.reason})"
    except FetchError as exc:
        head_note = f"HEAD failed ({exc.reason}); "
    try:
        got = fetcher.once(logo_url, max_bytes=LOGO_MAX_BYTES)
    except FetchError as exc:
        return False, None, f"{head_note}GET failed too ({exc.reason})"
    if image(got):
        return True, got.status, f"{head_note}GET answers with the image"
    return False, got.status, f"{head_note}GET answered {got.status} {got.content_type or ''}".strip()


_ERRORS: Sequence[tuple[type[FetchError], str, str]] = (
    (RefusedAddress, "refused_address", "The link leads to an address the checker must not visit ({})"),
    (FetchTimeout, "timeout", "No answer in time ({})"),
    (DNSFailure, "dns_error", "DNS lookup failed: {} — the domain may have lapsed"),
    (TLSFailure, "tls_error", "The secure connection failed ({}) — visitors will see a certificate warning"),
    (TooManyRedirects, "server_error", "The site sends the checker round in circles ({})"),
    (ConnectFailure, "connection_error", "Could not connect ({})"),
    (FetchError, "connection_error", "The request failed ({})"),
)


def _plain(reason: str) -> str:
    """The client's reason without urllib3's pool and retry wording, for an editor to read."""
    lowered = reason.lower()
    for marker, plain in (("connection refused", "the server refused the connection: nothing listens there"),
                          ("connection reset", "the server reset the connection"),
                          ("remotedisconnected", "the server closed the connection without answering"),
                          ("badstatusline", "the server's answer is not HTTP")):
        if marker in lowered:
            return plain
    return reason if len(reason) <= 240 else reason[:237] + "..."


def _tls_details(record: CheckResult, fetcher: _Fetcher, url: str) -> None:
    """After a TLS failure, read the certificate without verifying it: its days left tell expiry apart."""
    try:
        with warnings.catch_warnings():  # the unverified request is deliberate: it only reads the certificate
            warnings.simplefilter("ignore")
            peek = fetcher.once(url, method="HEAD", max_bytes=LOGO_MAX_BYTES, verify=False)
    except FetchError:
        return
    if peek.tls:
        record.cert_days_left = peek.tls.get("days_left")
        if record.cert_days_left is not None and record.cert_days_left < 0:
            record.reason += f"; the certificate expired {-record.cert_days_left} days ago"


def check_link(url: str, *, client: GuardedClient, name: str, description: str = "",
               expect: Sequence[str] = (), logo_url: str | None = None, deadline_seconds: float = 20,
               hosts: HostPolicy | None = None, soft404: Soft404Probe | None = None,
               retry_after_max: float = 10.0) -> CheckResult:
    """Check one URL end to end; every failure, even a crash on a strange answer, becomes an outcome."""
    start = time.monotonic()
    checked_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    fetcher = _Fetcher(client, start + deadline_seconds, hosts, retry_after_max)
    record = CheckResult(url=url, outcome="server_error", reason="", checked_at=checked_at)
    try:
        _run(record, fetcher, url, name=name, description=description, expect=list(expect), soft404=soft404)
    except FetchError as exc:
        for kind, outcome, template in _ERRORS:
            if isinstance(exc, kind):
                record.outcome, record.reason = outcome, template.format(_plain(exc.reason))
                break
        if isinstance(exc, FetchTimeout):
            tries = len(fetcher.attempts)
            record.reason += f" after {tries} attempt{'s' if tries != 1 else ''} within {deadline_seconds:g} s"
        if isinstance(exc, TLSFailure):
            record.tls_valid = False
            _tls_details(record, fetcher, url)
    except Exception as exc:  # a crash on a strange answer must not take the checker (or the run) down
        log.exception("check of %s crashed", url)
        record.outcome = "server_error"
        record.reason = f"The answer could not be read ({type(exc).__name__}: {exc})"
        record.details["crash"] = f"{type(exc).__name__}: {exc}"
    if logo_url:
        try:
            record.logo_ok, record.logo_status, note = _check_logo(fetcher, logo_url)
        except Exception as exc:  # the logo's own crash must not spoil the page's verdict
            log.exception("logo check of %s crashed", logo_url)
            note = f"the logo check crashed ({type(exc).__name__}: {exc})"
        record.details["logo"] = note
        if record.logo_ok is False and record.outcome == "ok":
            record.reason += f"; but the logo is gone ({note})"
    if not record.elapsed_ms:
        record.elapsed_ms = round((time.monotonic() - start) * 1000)
    record.retry_after = fetcher.retry_after
    record.details["attempts"] = fetcher.attempts
    record.details["check_ms"] = round((time.monotonic() - start) * 1000)
    return record


def _run(record: CheckResult, fetcher: _Fetcher, url: str, *, name: str, description: str,
         expect: list[str], soft404: Soft404Probe | None) -> None:
    result = fetcher.page(url)
    record.status_code, record.final_url = result.status, result.final_url
    record.redirects, record.elapsed_ms = list(result.redirects), round(result.elapsed * 1000)
    if result.tls:
        record.tls_valid = result.tls.get("valid")
        record.cert_days_left = result.tls.get("days_left")
    if result.truncated:
        record.details["truncated"] = True
    page = read_page(result.text, is_html=_is_html(result)) if 200 <= result.status < 300 or \
        result.status in (403, 429, 503) else read_page("", is_html=False)
    record.title, record.site_name = page.title, page.site_name
    judge: dict[str, Any] = dict(url=url, final_url=result.final_url, status=result.status, redirects=result.redirects,
                 headers=result.headers, page=page, name=name, description=description, expect=expect)
    verdict: Verdict = classify(**judge)
    # the sibling probe costs a request (once per prefix): only when nothing more specific was found
    if soft404 is not None and page.html and verdict.outcome in ("ok", "redirected", "moved", "content_mismatch"):
        def fetch_probe(probe_url: str) -> tuple[int, str, PageInfo]:
            got = fetcher.once(probe_url, max_bytes=PROBE_MAX_BYTES)
            return got.status, got.final_url, read_page(got.text, is_html=_is_html(got))

        finding = soft404.judge(url, result.final_url, page, fetch_probe)
        if finding is not None:
            verdict = classify(**judge, probe=finding)
    record.outcome, record.reason = verdict.outcome, verdict.reason
    if result.status == 429 and (fetcher.retry_after or 0) > fetcher.retry_after_max:
        record.reason = (f"The site asked the checker to come back in {fetcher.retry_after:g} s (429 Too Many "
                         "Requests) — inconclusive, not a dead link; the host is now checked more slowly")
    record.details.update(verdict.details)
    record.description_page = page_for(
        record.outcome, record.reason, result.text, final_url=result.final_url,
        content_type=result.content_type, description=description,
        visible=f"{page.title}\n{page.description}\n{' '.join(page.headings)}\n{page.text}")
