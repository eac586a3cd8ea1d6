"""Health over time: a pure state machine from one check result to a resource's health and schedule.

    unknown ──good──> healthy <──────── N good in a row ────────┐
       │                 │  ↑ (warning: redirected, moved, slow,  │
       │                 │  │  certificate expiring, logo gone,   │
       │                 │  │  content drifting)                  │
       └──failure──> failing ──(F failures in a row over >= H hours)──> broken

A ``blocked`` answer (401/403/429, a bot wall) is inconclusive: it changes nothing; so is
``checker_offline`` (the checker itself had no network: see refsvc.links.offline). Every threshold is
a setting (BROKEN_AFTER_FAILURES, BROKEN_AFTER_HOURS, HEALTHY_AFTER_SUCCESSES, ...). The clock and the
random source are passed in, so tests control both.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Mapping

HEALTHS = ("unknown", "healthy", "warning", "failing", "broken")
FAILURES = frozenset({"soft_404", "parked", "client_error", "server_error", "timeout",
                      "connection_error", "dns_error", "tls_error", "refused_address"})
WARNINGS = {"redirected": "redirected", "moved": "moved", "content_mismatch": "content_drifting"}
CHECKER_OFFLINE = "checker_offline"  # the checker's own network was down: says nothing of the link
INCONCLUSIVE = frozenset({"blocked", CHECKER_OFFLINE})


@dataclass(frozen=True)
class Policy:
    """The thresholds and schedule, from the settings."""

    broken_after_failures: int = 3
    broken_after_hours: float = 24.0
    healthy_after_successes: int = 2
    slow_seconds: float = 5.0
    cert_warning_days: int = 14
    interval: float = 24 * 3600.0
    jitter: float = 0.1
    retry_intervals: tuple[float, ...] = (3600.0, 21600.0)

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> Policy:
        """The policy the REFSVC_* settings describe."""
        return cls(
            broken_after_failures=int(settings["BROKEN_AFTER_FAILURES"]),
            broken_after_hours=float(settings["BROKEN_AFTER_HOURS"]),
            healthy_after_successes=int(settings["HEALTHY_AFTER_SUCCESSES"]),
            slow_seconds=float(settings["CHECK_SLOW_SECONDS"]),
            cert_warning_days=int(settings["CERT_WARNING_DAYS"]),
            interval=float(settings["CHECK_INTERVAL"]),
            jitter=float(settings["CHECK_JITTER"]),
            retry_intervals=tuple(float(v) for v in settings["CHECK_RETRY_INTERVALS"]) or (3600.0,),
        )


@dataclass(frozen=True)
class State:
    """Where a resource stands between checks."""

    health: str = "unknown"
    since: datetime | None = None
    failures: int = 0  # failing checks in a row
    successes: int = 0  # good (or merely warning) checks in a row
    first_failure_at: datetime | None = None  # first failure of the current streak
    warnings: tuple[str, ...] = field(default_factory=tuple)


def warnings_of(result: Mapping[str, Any], policy: Policy) -> list[str]:
    """What is wrong with a working link: redirected, moved, slow, certificate_expiring, ..."""
    found = [WARNINGS[result["outcome"]]] if result.get("outcome") in WARNINGS else []
    elapsed = result.get("elapsed_ms")
    if elapsed is not None and elapsed > policy.slow_seconds * 1000:
        found.append("slow")
    days = result.get("cert_days_left")
    if days is not None and days < policy.cert_warning_days:
        found.append("certificate_expiring")
    if result.get("logo_ok") is False:
        found.append("logo_missing")
    return found


def verdict(result: Mapping[str, Any]) -> str:
    """How one check counts: 'failure', 'inconclusive' or 'working'."""
    outcome = result.get("outcome")
    if outcome in FAILURES:
        return "failure"
    if outcome in INCONCLUSIVE:
        return "inconclusive"
    return "working"


def advance(state: State, result: Mapping[str, Any], now: datetime, policy: Policy) -> State:
    """The state after one check result (``CheckResult.to_dict()``) at ``now``."""
    kind = verdict(result)
    if kind == "inconclusive":
        return state
    if kind == "failure":
        first = state.first_failure_at if state.failures else now
        failures = state.failures + 1
        confirmed = (failures >= policy.broken_after_failures
                     and now - first >= timedelta(hours=policy.broken_after_hours))
        health = "broken" if confirmed or state.health == "broken" else "failing"
        return _moved_to(state, health, now, failures=failures, successes=0,
                         first_failure_at=first, warnings=())
    warnings = tuple(warnings_of(result, policy))
    successes = state.successes + 1
    if state.health in ("failing", "broken") and successes < policy.healthy_after_successes:
        # One good answer after failures may be a blip the other way: wait for a second.
        return replace(state, failures=0, successes=successes, first_failure_at=None,
                       warnings=warnings)
    health = "warning" if warnings else "healthy"
    return _moved_to(state, health, now, failures=0, successes=successes, first_failure_at=None,
                     warnings=warnings)


def _moved_to(state: State, health: str, now: datetime, **changes: Any) -> State:
    since = state.since if health == state.health and state.since else now
    return replace(state, health=health, since=since, **changes)


def next_check_at(state: State, now: datetime, policy: Policy,
                  rng: random.Random | None = None, *, soon: bool = False) -> datetime:
    """When to check next: the interval with jitter; failing ones sooner (1 h, then 6 h).

    ``soon``: after a check that told nothing because of the checker (it was offline), try again
    at the first retry interval rather than a whole interval later.
    """
    rng = rng or random.Random()
    if soon or (state.health in ("failing", "broken") and state.successes):
        delay = policy.retry_intervals[0]  # confirm a recovery soon
    elif state.health == "failing":
        steps = policy.retry_intervals
        delay = steps[min(max(state.failures, 1), len(steps)) - 1]
    else:
        delay = policy.interval
    delay *= 1 + rng.uniform(-policy.jitter, policy.jitter)
    return now + timedelta(seconds=max(delay, 1.0))


def changed(before: State, after: State) -> bool:
    """True when the health word changed (what webhooks announce)."""
    return before.health != after.health
