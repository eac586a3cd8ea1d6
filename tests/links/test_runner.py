"""Checking many links: global and per-host limits, spacing, results as they finish, nothing lost."""
from __future__ import annotations

import itertools
import threading
import time

import pytest

from refsvc.links.runner import LinkJob, check_many
from refsvc.metadata.http import GuardedClient
from tests.links.servers import html, reply, serve  # noqa: F401

PAGE = html("Mind", "Mind helps.")


@pytest.fixture
def client():
    c = GuardedClient("refsvc-test", allow_private=True, connect_timeout=1, read_timeout=3)
    yield c
    c.close()


class Gauge:
    """Counts requests running at once, overall and per site.

    A request stops counting before its answer is written: a client takes its next request only
    after reading the answer, so counting until the handler thread returns would overlap the next
    request whenever that thread is slow to be scheduled again, and count one the client never ran."""

    def __init__(self):
        self.lock, self.now, self.most, self.site_now, self.site_most = threading.Lock(), 0, 0, {}, {}

    def route(self, name, delay):
        def handle(handler):
            with self.lock:
                self.now += 1
                self.site_now[name] = self.site_now.get(name, 0) + 1
                self.most = max(self.most, self.now)
                self.site_most[name] = max(self.site_most.get(name, 0), self.site_now[name])
            try:
                time.sleep(delay)
            finally:
                with self.lock:
                    self.now -= 1
                    self.site_now[name] -= 1
            reply(200, PAGE)(handler)
        return handle


def jobs_for(sites, per_site):
    return [LinkJob(f"{i}-{n}", site.url(f"/p/{n}"), "Mind") for i, site in enumerate(sites)
            for n in range(per_site)]


def test_every_link_comes_back_once_under_the_global_and_per_host_limits(serve, client):
    gauge = Gauge()
    sites = [serve({"*": gauge.route(i, 0.05)}, host=f"127.0.1.{i + 1}") for i in range(6)]
    jobs = jobs_for(sites, 5)
    seen = []
    results = list(check_many(jobs, client=client, concurrency=4, per_host=2, host_spacing=0,
                              soft404=False, on_result=seen.append))
    assert sorted(r.key for r in results) == sorted(j.key for j in jobs) and seen == results
    assert {r.outcome for r in results} == {"ok"}
    assert gauge.most <= 4 and max(gauge.site_most.values()) <= 2


def test_a_busy_host_does_not_hold_up_workers_meant_for_other_hosts(serve, client):
    gauge = Gauge()
    a, b = (serve({"*": gauge.route(name, 0.2)}, host=f"127.0.2.{n}") for n, name in ((1, "a"), (2, "b")))
    # all of a's links first: a naive pool would give every worker one of a's links and wait on a
    jobs = jobs_for([a], 4) + jobs_for([b], 4)
    list(check_many(jobs, client=client, concurrency=4, per_host=1, host_spacing=0, soft404=False))
    assert gauge.site_most == {"a": 1, "b": 1} and gauge.most == 2


def test_requests_to_one_host_keep_the_spacing(serve, client):
    site = serve({"*": reply(200, PAGE)}, host="127.0.3.1")
    list(check_many(jobs_for([site], 3), client=client, concurrency=8, per_host=2, host_spacing=0.3,
                    soft404=False))
    starts = [t for _, _, t in site.hits]
    # seen from the server, so a new connection's set-up may eat a little of the gap; without the
    # spacing the three would arrive together
    assert len(starts) == 3 and min(b - a for a, b in zip(starts, starts[1:])) >= 0.2


def test_results_come_back_as_they_finish(serve, client):
    slow = serve({"*": reply(200, PAGE, delay=0.5)}, host="127.0.4.1")
    fast = serve({"*": reply(200, PAGE)}, host="127.0.4.2")
    jobs = [LinkJob("slow", slow.url("/x"), "Mind"), LinkJob("fast", fast.url("/x"), "Mind")]
    assert [r.key for r in check_many(jobs, client=client, host_spacing=0, soft404=False)] == ["fast", "slow"]


def test_bad_links_become_outcomes_and_never_lose_the_others(serve, client):
    site = serve({"/ok": reply(200, PAGE)}, host="127.0.5.1")
    jobs = [LinkJob("js", "javascript:alert(1)", "x"), LinkJob("broken", "http://[::1", "x"),
            LinkJob("none", "", "x"), LinkJob("ok", site.url("/ok"), "Mind")]
    outcomes = {r.key: r.outcome for r in check_many(jobs, client=client, host_spacing=0, deadline_seconds=3)}
    assert outcomes == {"js": "refused_address", "broken": "refused_address", "none": "refused_address",
                        "ok": "ok"}


def test_jobs_are_read_lazily_so_a_huge_list_is_never_held_whole(serve, client):
    site = serve({"*": reply(200, PAGE)}, host="127.0.6.1")
    counter = itertools.count()

    def endless():
        while True:
            n = next(counter)
            yield LinkJob(str(n), site.url(f"/p/{n}"), "Mind")
    results = check_many(endless(), client=client, concurrency=2, host_spacing=0, soft404=False, lookahead=50)
    first = [next(results) for _ in range(3)]
    results.close()
    assert len(first) == 3 and next(counter) <= 60


def test_the_sibling_probe_is_shared_by_the_whole_run(serve, client):
    site = serve({"*": reply(200, html("Welcome", "Everything answers with this same long page. " * 20))},
                 host="127.0.7.1")
    results = list(check_many(jobs_for([site], 4), client=client, host_spacing=0))
    assert {r.outcome for r in results} == {"soft_404"}
    assert len(site.hits) == 5  # four links and one probe for their common prefix
