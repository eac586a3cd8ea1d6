"""Check many links at once: a thread pool under a global limit, dispatching only to hosts with room.

Jobs are read lazily (a bounded look-ahead), grouped by host, and handed to the pool only when their
host is under its per-host limit and past its spacing, so a worker never sits waiting on one busy host
while others are idle. Results are yielded as they finish; nothing but the look-ahead is held, so
10,000 links cost little more memory than 100.
"""
from __future__ import annotations

import logging
import time
from collections import OrderedDict, deque
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
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


def check_many(jobs: Iterable[LinkJob], *, client: GuardedClient, concurrency: int = 32, per_host: int = 2,
               host_spacing: float = 1.0, deadline_seconds: float = 20,
               on_result: Callable[[CheckResult], None] | None = None, hosts: HostPolicy | None = None,
               soft404: Soft404Probe | bool = True, retry_after_max: float = 10.0,
               lookahead: int | None = None) -> Iterator[CheckResult]:
    """Check every job politely; yield each result (``result.key`` is its job's key) as it finishes.

    ``on_result`` is called with each result in the caller's thread, just before it is yielded.
    ``soft404``: True for a fresh sibling-probe cache, False for none, or a probe to share across runs.
    """
    hosts = hosts or HostPolicy(per_host=per_host, spacing=host_spacing)
    probe = Soft404Probe() if soft404 is True else (soft404 or None)
    lookahead = lookahead or max(concurrency * 8, 256)
    source = iter(jobs)
    exhausted = False
    pending: OrderedDict[str, deque[LinkJob]] = OrderedDict()  # host -> jobs, hosts in round-robin order
    buffered = 0
    in_flight: dict[Future[CheckResult], str] = {}
    per_host_flight: dict[str, int] = {}
    not_before: dict[str, float] = {}  # the dispatcher's own spacing, so workers never queue on a host
    pool = ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="linkcheck")
    try:
        while True:
            while not exhausted and buffered < lookahead:
                job = next(source, None)
                if job is None:
                    exhausted = True
                    break
                pending.setdefault(host_of(job.url), deque()).append(job)
                buffered += 1
            now, soonest = time.monotonic(), None
            for host in list(pending):
                if len(in_flight) >= concurrency:
                    break
                if per_host_flight.get(host, 0) >= hosts.per_host:
                    continue
                wait_for = max(not_before.get(host, 0.0) - now, hosts.ready_in(host))
                if wait_for > 0:
                    soonest = wait_for if soonest is None else min(soonest, wait_for)
                    continue
                queue = pending.pop(host)
                job = queue.popleft()
                buffered -= 1
                if queue:
                    pending[host] = queue  # to the back: hosts take turns
                future = pool.submit(_run_one, job, client, hosts, probe, deadline_seconds, retry_after_max)
                in_flight[future] = host
                per_host_flight[host] = per_host_flight.get(host, 0) + 1
                not_before[host] = now + hosts.spacing_of(host)
            if not in_flight:
                if exhausted and not pending:
                    return
                time.sleep(min(soonest or 0.01, 1.0))
                continue
            done, _ = wait(list(in_flight), timeout=soonest, return_when=FIRST_COMPLETED)
            for future in done:
                host = in_flight.pop(future)
                per_host_flight[host] -= 1
                if not per_host_flight[host]:
                    del per_host_flight[host]
                    if host not in pending and not_before.get(host, 0.0) <= time.monotonic():
                        not_before.pop(host, None)
                result = future.result()
                if on_result is not None:
                    on_result(result)
                yield result
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
