"""Telling "the checker is offline" from "the link is dead".

When the checker's own machine loses its network, every check fails at the network level (the name
does not resolve, no route, no answer) and, taken one by one, every link would look dead. So a batch
in which no server answered at all is judged as a whole before its failures count, however few its
checks (a round of one link, a visitor's report, an editor's "check now"):

1. a canary is configured (``--canary URL``, or the CHECK_CANARY_URLS setting, which by default
   names a few large, always-up sites on different networks): probe them; none answers -> the
   checker is offline; one answers -> the failures count;
2. else (CHECK_CANARY_URLS set empty) resources last seen working on other hosts serve as canaries;
3. else (nothing known to work) several distinct hosts (``min_hosts``) all unreachable -> offline.

Checks of an offline run are recorded with the outcome ``checker_offline``, which health ignores
(like ``blocked``): failure streaks do not advance, and nothing becomes failing or broken.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from refsvc.links.health import CHECKER_OFFLINE
from refsvc.links.politeness import host_of

# Failures that a checker without network produces for every link.
NETWORK_FAILURES = frozenset({"dns_error", "connection_error", "timeout"})
# Says nothing about the network either way (decided before or without any packet).
NEUTRAL = frozenset({"refused_address"})
MIN_HOSTS = 3
MAX_WITNESSES = 3
BASES = {"links": "links' own hosts", "canary": "canary either",
         "known-good sites": "sites last seen working either"}

# probe(url) -> True: a server answered; False: unreachable (network level); None: cannot tell.
Probe = Callable[[str], "bool | None"]


class _NoSlot(Exception):
    """No polite moment to probe the host came before the probe's deadline."""


def canaries_from(settings: Any) -> list[str]:
    """The CHECK_CANARY_URLS setting as a list (given as a list or comma-separated; absent: none)."""
    value = settings.get("CHECK_CANARY_URLS") if hasattr(settings, "get") else None
    if not value:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return [str(v) for v in value]


def _host(url: str) -> str:
    """The host of ``url`` (lower case), or the URL itself when it has none: still one "host"."""
    return host_of(url) or url


def kind_of(outcome: str | None) -> str:
    """'unreachable' (a network-level failure), 'reached' (some server answered) or 'neutral'."""
    if outcome in NETWORK_FAILURES:
        return "unreachable"
    if outcome in NEUTRAL or outcome is None:
        return "neutral"
    return "reached"  # any HTTP answer, even a 404 or a bot wall, or a TLS handshake, needs a network


def client_probe(client: Any, timeout: float = 5.0, hosts: Any = None) -> Probe:
    """A Probe through the guarded client: one HEAD, no redirects, a short deadline, under the
    same per-host limits as the checks (``hosts``, a HostPolicy) when given."""
    from refsvc.metadata.http import (ConnectFailure, DNSFailure, FetchError, FetchTimeout,
                                      RefusedAddress)

    def fetch(url: str, deadline: float) -> None:
        if hosts is None:
            client.fetch(url, method="HEAD", follow_redirects=False, max_bytes=1024, deadline=deadline)
            return
        with hosts.slot(host_of(url), deadline) as got:
            if not got:
                raise _NoSlot()
            client.fetch(url, method="HEAD", follow_redirects=False, max_bytes=1024, deadline=deadline)

    def probe(url: str) -> bool | None:
        try:
            fetch(url, time.monotonic() + timeout)
        except _NoSlot:  # the host is busy with our own checks: it tells nothing either way
            return None
        except (DNSFailure, ConnectFailure, FetchTimeout):
            return False
        except RefusedAddress:
            return None
        except FetchError:  # TLS and the like: something answered
            return True
        return True
    return probe


@dataclass(frozen=True)
class Verdict:
    """Whether the checker looked offline, and the hosts that showed it."""

    offline: bool
    unreachable: int  # hosts that could not be reached (the links' and the canaries')
    hosts: int  # hosts tried
    basis: str  # how it was told: "links", "canary" or "known-good sites"

    def message(self) -> str:
        """The line for the log and the summary."""
        if not self.offline:
            return "no sign that the checker is offline; the failures count"
        return (f"the checker looks offline: {self.unreachable} of {self.hosts} hosts unreachable; "
                f"health unchanged (no answer from the {BASES[self.basis]})")


class Connectivity:
    """Judges a batch whose every finished check failed at the network level."""

    def __init__(self, probe: Probe | None = None, canaries: Sequence[str] = (),
                 min_hosts: int = MIN_HOSTS) -> None:
        self.probe, self.canaries, self.min_hosts = probe, list(canaries), max(min_hosts, 1)

    def judge(self, failed_urls: Sequence[str], witnesses: Sequence[str] = ()) -> Verdict:
        """The verdict on a batch whose checks of ``failed_urls`` all failed at the network level.

        ``witnesses``: URLs of resources last seen working (used when no canary is configured).
        """
        failed = {_host(u) for u in failed_urls}
        if self.probe is not None and self.canaries:
            return self._probe(failed, self.canaries, "canary")
        others = _distinct_hosts(witnesses, exclude=failed)[:MAX_WITNESSES]
        if self.probe is not None and others:
            return self._probe(failed, others, "known-good sites")
        return Verdict(len(failed) >= self.min_hosts, len(failed), len(failed), "links")

    def _probe(self, failed: set[str], urls: Sequence[str], basis: str) -> Verdict:
        silent = 0  # canaries that could not be reached either
        for url in urls:
            answer = self.probe(url) if self.probe else None
            if answer is None:
                continue
            if answer:  # one answer is proof enough that the network works
                return Verdict(False, len(failed), len(failed) + silent + 1, basis)
            silent += 1
        if not silent:  # no canary could tell: fall back on the hosts alone
            return Verdict(len(failed) >= self.min_hosts, len(failed), len(failed), "links")
        return Verdict(True, len(failed) + silent, len(failed) + silent, basis)


def _distinct_hosts(urls: Sequence[str], exclude: set[str]) -> list[str]:
    seen, picked = set(exclude), []
    for url in urls:
        host = _host(url)
        if host not in seen:
            seen.add(host)
            picked.append(url)
    return picked


def inconclusive(result: dict[str, Any], verdict: Verdict) -> dict[str, Any]:
    """``result`` (a CheckResult dict) recorded as ``checker_offline``, keeping what the check said."""
    # what the check saw, without its guess about the site after the dash ("the domain may have
    # lapsed"): an offline checker's failure says nothing about the site
    said = (result.get("reason") or result.get("outcome") or "").split(" — ", 1)[0]
    details = dict(result.get("details") or {})
    details["checker_offline"] = {"outcome": result.get("outcome"), "reason": said,
                                  "unreachable_hosts": verdict.unreachable, "hosts": verdict.hosts,
                                  "basis": verdict.basis}
    return {**result, "outcome": CHECKER_OFFLINE, "details": details,
            "reason": (f"Inconclusive: the checker looked offline ({verdict.unreachable} of "
                       f"{verdict.hosts} hosts unreachable), so this says nothing about the link; "
                       f"the check itself said: {said}")}
