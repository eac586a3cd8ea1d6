"""Health over time, with a controlled clock: blips never break a link, confirmed failures do."""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest

from refsvc.config import load_settings
from refsvc.links.health import Policy, State, advance, changed, next_check_at

T0 = datetime(2026, 1, 1, 9, 0, tzinfo=timezone.utc)
POLICY = Policy()
OK = {"outcome": "ok", "elapsed_ms": 300}
DOWN = {"outcome": "server_error"}


def run(results, *, start=T0, every=timedelta(hours=1), state=State(), policy=POLICY):
    """Feed results one per ``every`` and return the final state."""
    now = start
    for result in results:
        state = advance(state, result, now, policy)
        now += every
    return state


def test_a_first_good_check_makes_an_unknown_resource_healthy():
    assert run([OK]).health == "healthy"


def test_one_failure_makes_a_healthy_resource_failing_not_broken():
    assert run([OK, DOWN]).health == "failing"


def test_three_failures_within_a_day_are_still_only_failing():
    assert run([OK, DOWN, DOWN, DOWN], every=timedelta(hours=6)).health == "failing"


def test_three_failures_spread_over_24_hours_make_it_broken():
    state = run([OK, DOWN, DOWN, DOWN], every=timedelta(hours=12))
    assert state.health == "broken"
    assert state.since == T0 + timedelta(hours=36)


def test_a_good_check_between_failures_starts_the_count_again():
    state = run([DOWN, DOWN, OK, DOWN], every=timedelta(hours=12))
    assert state.health == "failing" and state.failures == 1


@pytest.mark.parametrize("outcome", ["blocked", "checker_offline"])
def test_a_bot_wall_or_an_offline_checker_changes_nothing(outcome):
    healthy = run([OK])
    assert advance(healthy, {"outcome": outcome, "status_code": 403}, T0, POLICY) == healthy
    assert run([{"outcome": outcome}]).health == "unknown"


def test_a_broken_link_needs_two_good_checks_in_a_row_to_be_healthy_again():
    broken = run([DOWN, DOWN, DOWN], every=timedelta(hours=12))
    once = advance(broken, OK, T0 + timedelta(days=3), POLICY)
    assert once.health == "broken"
    twice = advance(once, OK, T0 + timedelta(days=3, hours=1), POLICY)
    assert twice.health == "healthy"


def test_a_failing_link_also_needs_two_good_checks():
    assert run([OK, DOWN, OK]).health == "failing"
    assert run([OK, DOWN, OK, OK]).health == "healthy"


@pytest.mark.parametrize("result, warning", [
    ({"outcome": "redirected"}, "redirected"),
    ({"outcome": "moved"}, "moved"),
    ({"outcome": "content_mismatch"}, "content_drifting"),
    ({"outcome": "ok", "elapsed_ms": 6000}, "slow"),
    ({"outcome": "ok", "cert_days_left": 5}, "certificate_expiring"),
    ({"outcome": "ok", "logo_ok": False}, "logo_missing"),
])
def test_a_working_link_with_a_flaw_is_a_warning_that_names_it(result, warning):
    state = run([result])
    assert state.health == "warning"
    assert warning in state.warnings


@pytest.mark.parametrize("outcome", ["soft_404", "parked", "client_error", "timeout", "dns_error",
                                     "tls_error", "connection_error", "refused_address"])
def test_dead_ends_count_as_failures(outcome):
    assert run([OK, {"outcome": outcome}]).health == "failing"


def test_every_threshold_is_a_setting():
    policy = Policy.from_settings(load_settings({"BROKEN_AFTER_FAILURES": "2",
                                                 "BROKEN_AFTER_HOURS": "1",
                                                 "HEALTHY_AFTER_SUCCESSES": "3"}, environ={}))
    broken = run([DOWN, DOWN], every=timedelta(hours=1), policy=policy)
    assert broken.health == "broken"
    assert run([OK, OK], state=broken, policy=policy).health == "broken"
    assert run([OK, OK, OK], state=broken, policy=policy).health == "healthy"


def test_only_a_change_of_health_counts_as_a_change():
    healthy = run([OK])
    assert not changed(healthy, advance(healthy, OK, T0, POLICY))
    assert changed(healthy, advance(healthy, DOWN, T0, POLICY))


def due_in(state, seed=1):
    return next_check_at(state, T0, POLICY, random.Random(seed)) - T0


def test_a_healthy_resource_is_due_again_in_about_24_hours_with_jitter():
    delays = {due_in(run([OK]), seed) for seed in range(5)}
    assert all(timedelta(hours=21.6) <= d <= timedelta(hours=26.4) for d in delays)
    assert len(delays) > 1  # jitter spreads the checks


def test_a_failing_resource_is_checked_after_1_hour_then_6_hours():
    first = run([OK, DOWN])
    second = advance(first, DOWN, T0, POLICY)
    assert timedelta(minutes=54) <= due_in(first) <= timedelta(minutes=66)
    assert timedelta(hours=5.4) <= due_in(second) <= timedelta(hours=6.6)


def test_a_recovering_resource_is_confirmed_within_the_hour():
    recovering = run([DOWN, DOWN, DOWN, OK], every=timedelta(hours=12))
    assert recovering.health == "broken"
    assert due_in(recovering) <= timedelta(minutes=66)


def test_after_a_check_that_told_nothing_because_the_checker_was_offline_the_next_is_soon():
    healthy = run([OK])
    soon = next_check_at(healthy, T0, POLICY, random.Random(1), soon=True) - T0
    assert timedelta(minutes=54) <= soon <= timedelta(minutes=66)
