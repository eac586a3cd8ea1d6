"""Check many links at once: workers under a global limit, each taking only jobs whose host has room.

Jobs are read lazily in the caller's thread (a bounded look-ahead) and queued by host. A worker takes
the next job whose host is under its per-host limit and past its spacing, so no worker sits waiting on
one busy host while others are idle, and takes it itself, with no hand-off between two checks. Results
are yielded as they finish; nothing but the look-ahead is held, so 10,000 links cost about what 100 do.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from refsvc.links.check import CheckResult, check_link
from refsvc.links.politeness import HostPolicy, host_of
from refsvc.links.soft404 import Soft404Probe
from refsvc.metadata.http import GuardedClient

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LinkJob:
    """One link to check; ``key`` comes back on its result (e.g. the resource id)."""

    key: str
    url: str
    name: str
    description: str = ""
    expect: tuple[str, ...] = ()
    logo_url: str | None = None


def _run_one(job: LinkJob, client: GuardedClient, hosts: HostPolicy, soft404: Soft404Probe | None,
             deadline_seconds: float, retry_after_max: float) -> CheckResult:
    try:
        result = check_link(job.url, client=client, name=job.name, description=job.description,
                            expect=job.expect, logo_url=job.logo_url, deadline_seconds=deadline_seconds,
                            hosts=hosts, soft404=soft404, retry_after_max=retry_after_max)
    except Exception as exc:  # check_link never raises; this guards the run against a bug in it
        log.exception("check of %s crashed", job.url)
        result = CheckResult(url=job.url, outcome="server_error",
                             reason=f"The check crashed ({type(exc).__name__}: {exc})",
                             details={"crash": f"{type(exc).__name__}: {exc}"})
    result.key = job.key
    return result


class _Scheduler:
    """Jobs queued by host; a worker takes the next job whose host is under its limit and spacing."""

    def __init__(self, hosts: HostPolicy) -> None:
        self.hosts = hosts
        self.cond = threading.Condition()
        self.pending: OrderedDict[str, deque[LinkJob]] = OrderedDict()  # hosts in round-robin order
        self.buffered = 0
        self.in_flight: dict[str, int] = {}
        self.not_before: dict[str, float] = {}  # our own spacing, so workers never queue inside a host slot
        self.closed = self.stopped = False

    def add(self, job: LinkJob) -> None:
        with self.cond:
            self.pending.setdefault(host_of(job.url), deque()).append(job)
            self.buffered += 1
            self.cond.notify()

    def close(self, stop: bool = False) -> None:
        """No more jobs will come (``stop``: and drop those not started)."""
        with self.cond:
            self.closed, self.stopped = True, self.stopped or stop
            self.cond.notify_all()

    def take(self) -> tuple[str, LinkJob] | None:
        """Block until a job may start; None when there is no more work."""
        with self.cond:
            while not self.stopped:
                now, soonest = time.monotonic(), None
                for host in self.pending:
                    if self.in_flight.get(host, 0) >= self.hosts.per_host:
                        continue
                    wait_for = max(self.not_before.get(host, 0.0) - now, self.hosts.ready_in(host))
                    if wait_for > 0:
                        soonest = wait_for if soonest is None else min(soonest, wait_for)
                        continue
                    queue = self.pending.pop(host)
                    job = queue.popleft()
                    if queue:
                        self.pending[host] = queue  # to the back: hosts take turns
                    self.buffered -= 1
                    self.in_flight[host] = self.in_flight.get(host, 0) + 1
                    self.not_before[host] = now + self.hosts.spacing_of(host)
                    return host, job
                if self.closed and not self.pending:
                    return None
                self.cond.wait(soonest)
            return None

    def done(self, host: str) -> None:
        with self.cond:
            self.in_flight[host] -= 1
            if not self.in_flight[host]:
                del self.in_flight[host]
                if host not in self.pending and self.not_before.get(host, 0.0) <= time.monotonic():
                    self.not_before.pop(host, None)  # keeps the table as small as the hosts in play
            self.cond.notify()


def check_many(jobs: Iterable[LinkJob], *, client: GuardedClient, concurrency: int = 32, per_host: int = 2,
               host_spacing: float = 1.0, deadline_seconds: float = 20,
               on_result: Callable[[CheckResult], None] | None = None, hosts: HostPolicy | None = None,
               soft404: Soft404Probe | bool = True, retry_after_max: float = 10.0,
               lookahead: int | None = None) -> Iterator[CheckResult]:
    """Check every job politely; yield each result (``result.key`` is its job's key) as it finishes.

    Jobs are read in the caller's thread (a database cursor stays in its thread); ``on_result`` is
    called there too, just before each result is yielded. ``soft404``: True for a fresh sibling-probe
    cache, False for none, or a probe to share across runs.
    """
    hosts = hosts or HostPolicy(per_host=per_host, spacing=host_spacing)
    probe = Soft404Probe() if soft404 is True else (soft404 or None)
    lookahead = lookahead or max(concurrency * 8, 256)
    scheduler = _Scheduler(hosts)
    results: queue.SimpleQueue[CheckResult] = queue.SimpleQueue()

    def work() -> None:
        # each worker takes its next job itself: no hand-off through this thread between two checks
        while (taken := scheduler.take()) is not None:
            host, job = taken
            try:
                result = _run_one(job, client, hosts, probe, deadline_seconds, retry_after_max)
            finally:
                scheduler.done(host)
            results.put(result)

    source = iter(jobs)
    added = received = 0
    exhausted = False
    workers = [threading.Thread(target=work, name=f"linkcheck-{n}", daemon=True)
               for n in range(max(1, concurrency))]
    try:
        for worker in workers:
            worker.start()
        while True:
            while not exhausted and scheduler.buffered < lookahead:
                job = next(source, None)
                if job is None:
                    exhausted = True
                    scheduler.close()
                    break
                scheduler.add(job)
                added += 1
            if exhausted and received == added:
                return
            result = results.get()
            received += 1
            if on_result is not None:
                on_result(result)
            yield result
    finally:
        scheduler.close(stop=True)  # workers finish the check in hand and leave
