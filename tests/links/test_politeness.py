"""Per-host politeness: a cap on requests at once, a spacing between them, and slowing after a 429."""
from __future__ import annotations

import threading
import time

from refsvc.links.politeness import HostPolicy, host_of


def run_threads(policy, host, n, hold=0.05):
    """n threads each take a slot on host, hold it a moment; returns the most that held one at once."""
    lock, state = threading.Lock(), {"now": 0, "max": 0}

    def work():
        with policy.slot(host):
            with lock:
                state["now"] += 1
                state["max"] = max(state["max"], state["now"])
            time.sleep(hold)
            with lock:
                state["now"] -= 1
    threads = [threading.Thread(target=work) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return state["max"]


def test_no_more_than_the_per_host_limit_run_at_once():
    most = run_threads(HostPolicy(per_host=2, spacing=0), "a.example", 8)
    assert most == 2


def test_different_hosts_do_not_wait_for_each_other():
    policy = HostPolicy(per_host=1, spacing=10)
    assert policy.acquire("a.example") and policy.acquire("b.example", deadline=time.monotonic() + 0.1)


def test_requests_to_one_host_start_at_least_the_spacing_apart():
    policy = HostPolicy(per_host=4, spacing=30)
    assert policy.acquire("a.example")
    # slots are free, but the spacing is not over: the next request cannot start before its deadline
    assert policy.acquire("a.example", deadline=time.monotonic() + 0.05) is False
    assert 29 < policy.ready_in("a.example") <= 30 and policy.active("a.example") == 1


def test_acquire_gives_up_at_the_deadline_and_holds_nothing():
    policy = HostPolicy(per_host=1, spacing=0)
    assert policy.acquire("a.example")
    with policy.slot("a.example", deadline=time.monotonic() + 0.05) as got:
        assert got is False
    assert policy.active("a.example") == 1
    policy.release("a.example")
    assert policy.active("a.example") == 0


def test_a_429_holds_the_host_back_and_widens_its_spacing_until_good_answers_relax_it():
    policy = HostPolicy(per_host=2, spacing=0.0)
    policy.slow_down("a.example", 2)
    assert 1.5 < policy.ready_in("a.example") <= 2 and policy.spacing_of("a.example") == 2
    assert policy.ready_in("b.example") == 0 and policy.spacing_of("b.example") == 0
    policy.slow_down("a.example", None)
    assert policy.spacing_of("a.example") == 4  # repeated 429s back off further
    for _ in range(20):
        policy.relax("a.example")
    assert policy.spacing_of("a.example") == 0.0


def test_the_slowdown_is_capped():
    policy = HostPolicy(spacing=1, max_spacing=5)
    policy.slow_down("a.example", 3600)
    assert policy.spacing_of("a.example") == 5 and policy.ready_in("a.example") <= 5


def test_host_of_ignores_port_and_case_and_survives_bad_urls():
    assert host_of("https://WWW.Example.org:8443/x") == "www.example.org"
    assert host_of("http://[::1") == ""
