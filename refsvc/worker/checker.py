"""The checker's loop: claim due resources, check them concurrently, record results, repeat.

Runs in its own process (``flask --app wsgi check-links``). Claims are conditional UPDATEs with a
lease, so several checkers can run at once and a checker killed mid-batch only delays its resources
until the lease ends. The check function is passed in (the runner's ``check_many`` by default), so
the claim/record/health logic is tested without the network.

A batch in which no server answered at all is judged as a whole before its failures count (see
refsvc.links.offline): when the checker itself looks offline, its checks are recorded as
``checker_offline`` (health unchanged), the run says so loudly, and it stops instead of timing out
on every remaining link.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import datetime, timedelta
from typing import Any, Callable, Iterable

from refsvc import logs
from refsvc.links.tracking import Tracker
from refsvc.storage import Resource
from refsvc.storage import checks as check_store
from refsvc.links import offline
from refsvc.worker.progress import Progress
from refsvc.worker.summary import Summary

__all__ = ["Checker", "Summary"]

log = logging.getLogger(__name__)

CheckMany = Callable[..., Iterable[Any]]
PRUNE_EVERY = timedelta(hours=1)
OFFLINE_BACKOFF_MAX = 600.0  # seconds between tries while the checker stays offline


def _link_job(resource: Resource) -> Any:
    from refsvc.links.runner import LinkJob

    return LinkJob(key=resource.id, url=resource.url, name=resource.name,
                   description=resource.description or "", expect=tuple(resource.expect or ()),
                   logo_url=resource.logo_url)


def _default_check_many(*args: Any, **kwargs: Any) -> Iterable[Any]:
    from refsvc.links.runner import check_many

    return check_many(*args, **kwargs)


class Checker:
    """Claims, checks and records due resources, as a one-off run or a loop until stopped."""

    def __init__(self, tracker: Tracker, *, check_many: CheckMany | None = None,
                 make_job: Callable[[Resource], Any] = _link_job, worker_id: str | None = None,
                 batch_size: int | None = None, clock: Callable[[], datetime] | None = None,
                 progress: Progress | None = None,
                 enqueue: Callable[[str], None] | None = None,
                 connectivity: offline.Connectivity | None = None,
                 canaries: Iterable[str] | None = None) -> None:
        self.tracker, self.database, self.settings = tracker, tracker.database, tracker.settings
        self.check_many = check_many or _default_check_many
        self.make_job = make_job
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}"
        concurrency = int(self.settings["CHECK_CONCURRENCY"])
        self.batch_size = batch_size or max(concurrency * 2, 1)
        self.clock = clock or tracker.clock
        self.progress = progress
        self.enqueue = enqueue  # set: claimed resources go to Celery workers, who record them
        self._last_prune: datetime | None = None
        if connectivity is None:
            # Probes use the network, so only when the checks do (a stand-in check_many has none).
            real = self.check_many is _default_check_many
            if real and canaries is None:
                connectivity = tracker.connectivity
            else:
                connectivity = offline.Connectivity(
                    offline.client_probe(tracker.client) if real else None,
                    offline.canaries_from(self.settings) if canaries is None else list(canaries))
        self.connectivity = connectivity
        self.last_verdict: offline.Verdict | None = None

    @property
    def lease_seconds(self) -> float:
        """How long a claim holds: long enough for a whole batch, short enough to recover from a crash."""
        timeout = float(self.settings["CHECK_TIMEOUT"])
        spacing = float(self.settings["CHECK_HOST_SPACING"])
        per_host = max(int(self.settings["CHECK_PER_HOST"]), 1)
        # The worst batch: every link on one host, checked per_host at a time, each to its deadline.
        return timeout * -(-self.batch_size // per_host) + self.batch_size * spacing + 60

    def run_once(self, stop: threading.Event | None = None) -> Summary:
        """Check everything due now, batch by batch, then return."""
        summary = Summary()
        self.prune(summary)
        while not (stop and stop.is_set()):
            claimed, recorded = self.run_batch(summary)
            if not claimed or not recorded:  # nothing due, or nothing could be recorded
                break
            if self.last_verdict is not None and self.last_verdict.offline:
                break  # the rest would only time out too: it stays due for the next run
        return summary

    def run_forever(self, stop: threading.Event, poll_seconds: float = 30.0) -> Summary:
        """Check what falls due until ``stop`` is set (SIGTERM), sleeping between batches."""
        summary = Summary()
        backoff = poll_seconds
        while not stop.is_set():
            if self._last_prune is None or self.clock() - self._last_prune >= PRUNE_EVERY:
                self.prune(summary)
            claimed, recorded = self.run_batch(summary)
            if self.last_verdict is not None and self.last_verdict.offline:
                stop.wait(backoff)  # offline: try again later, less often while it lasts
                backoff = min(backoff * 2, max(OFFLINE_BACKOFF_MAX, poll_seconds))
                continue
            backoff = poll_seconds
            if claimed and recorded:
                continue  # more may be due; an all-failed batch waits below instead of spinning
            with self.database.transaction() as session:
                due = check_store.next_due_at(session)
            wait = poll_seconds if due is None else (due - self.clock()).total_seconds()
            stop.wait(min(max(wait, 0.5), poll_seconds))
        return summary

    def run_batch(self, summary: Summary) -> tuple[int, int]:
        """Claim one batch, check it, record each result as it arrives; (claimed, recorded)."""
        logs.new_request_id("batch-")  # this batch's log lines and queued tasks share one id
        now = self.clock()
        self.last_verdict = None
        with self.database.transaction() as session:
            token, resources = check_store.claim_due(session, self.worker_id, now,
                                                     limit=self.batch_size,
                                                     lease_seconds=self.lease_seconds)
            jobs = [self.make_job(r) for r in resources]
        if not jobs:
            return 0, 0
        if self.progress:
            self.progress.at_least(self.progress.done + len(jobs))
        if self.enqueue is not None:
            return len(jobs), self._queue(token, jobs, summary)
        pending = {job.key for job in jobs}
        recorded = 0
        # Network-level failures wait until some server answers (the network works: they count)
        # or the batch ends with none answering (then the batch is judged: is the checker offline?).
        held: list[Any] = []
        reached = False

        def keep(result: Any, verdict: offline.Verdict | None = None) -> None:
            nonlocal recorded
            if self._record(result, summary, verdict):
                recorded += 1
                pending.discard(result.key)
        try:
            for result in self.check_many(jobs, **self._check_options()):
                kind = offline.kind_of(getattr(result, "outcome", None))
                if kind == "unreachable" and not reached:
                    held.append(result)
                    self._waiting(len(held))
                    continue
                if kind == "reached" and not reached:
                    reached, waiting, held = True, held, []
                    self._waiting(0)
                    for earlier in waiting:
                        keep(earlier)
                keep(result)
            if held:
                verdict = self._judge(held, summary)
                self._waiting(0)
                for result in held:
                    keep(result, verdict if verdict.offline else None)
        except Exception:  # the runner itself failed: keep what was recorded, give back the rest
            log.exception("a batch of %d checks failed part-way", len(jobs))
        finally:
            self._waiting(0)
            if pending:
                with self.database.transaction() as session:
                    check_store.release(session, token, pending)
        return len(jobs), recorded

    def _waiting(self, held: int) -> None:
        if self.progress:
            self.progress.waiting(held)

    def _judge(self, held: list[Any], summary: Summary) -> offline.Verdict:
        """Is the checker offline, given a batch whose every answer was a network failure?"""
        verdict = self.tracker.judge_offline([(r.key, r.url) for r in held], self.connectivity)
        self.last_verdict = verdict
        if verdict.offline:
            summary.offline.append(verdict.message())
            if self.progress:
                self.progress.clear()  # the log line must not land in the middle of the bar
            log.warning("%s (%d check(s) recorded as %s)", verdict.message(), len(held),
                        offline.CHECKER_OFFLINE)
        return verdict

    def _queue(self, token: str, jobs: list[Any], summary: Summary) -> int:
        queued = []
        try:
            for job in jobs:
                self.enqueue(job.key)
                queued.append(job.key)
        except Exception:  # the broker is unreachable: give the rest back
            log.exception("could not queue checks; %d given back", len(jobs) - len(queued))
            with self.database.transaction() as session:
                check_store.release(session, token, [j.key for j in jobs if j.key not in queued])
        summary.queued += len(queued)
        if self.progress and queued:
            self.progress.note(f"queued {len(queued)} check(s) for the Celery workers")
        return len(queued)

    def _check_options(self) -> dict[str, Any]:
        s = self.settings
        options = {"client": self.tracker.client, "concurrency": int(s["CHECK_CONCURRENCY"]),
                   "per_host": int(s["CHECK_PER_HOST"]), "host_spacing": float(s["CHECK_HOST_SPACING"]),
                   "deadline_seconds": float(s["CHECK_TIMEOUT"]),
                   "retry_after_max": float(s["CHECK_RETRY_AFTER_MAX"])}
        if self.check_many is _default_check_many:
            # The tracker's host limits and soft-404 cache live as long as the checker: a host that
            # answered 429 stays slowed for later batches, and a probe is made once per prefix.
            options.update(hosts=self.tracker.hosts, soft404=self.tracker.soft404)
        return options

    def _record(self, result: Any, summary: Summary,
                verdict: offline.Verdict | None = None) -> int:
        try:
            with self.database.transaction() as session:
                before = check_store.get_state(session, result.key)
                before_health = before.health if before else None
            record = result.to_dict()
            if verdict is not None:  # the checker was offline: this check tells nothing
                record = offline.inconclusive(record, verdict)
            check = self.tracker.record(result.key, record)
        except Exception:  # one bad record must not lose the others
            log.exception("could not record the check of %s", result.key)
            summary.errors += 1
            return 0
        if check is None:
            return 0
        summary.checked += 1
        summary.outcomes[check.outcome] += 1
        if before_health != check.health:
            summary.changes.append((result.key, before_health or "unknown", check.health))
        if self.progress:
            self.progress.item(result.key, check.outcome, f"({check.health}) {check.reason}")
        return 1

    def count_due(self) -> int:
        """How many resources are due now (the total a progress bar starts from)."""
        with self.database.transaction() as session:
            return check_store.count_due(session, self.clock())

    def prune(self, summary: Summary) -> int:
        """Delete history older than REFSVC_HISTORY_DAYS."""
        now = self.clock()
        cutoff = now - timedelta(days=int(self.settings["HISTORY_DAYS"]))
        with self.database.transaction() as session:
            pruned = check_store.prune(session, cutoff)
        self._last_prune = now
        summary.pruned += pruned
        return pruned

