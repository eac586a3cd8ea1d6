"""The checker's loop: claim due resources, check them concurrently, record results, repeat.

Runs in its own process (``flask --app wsgi check-links``), as many of them as wanted, on one machine
or several. Claims carry a token and a short lease that a heartbeat renews (refsvc.worker.claims);
a result is written only under its claim, and writing it ends the claim, so each due check is
written once, and a checker killed mid-round loses its claims within a lease. The check function is
passed in (the runner's ``check_many`` by default), so the claim/record logic is tested without the
network; refsvc.worker.rounds runs one round.

The database may go away under a running loop: results that could not be written are kept (in
memory, bounded) and written when it returns, as long as their claim was not taken over meanwhile;
claims not checked are given back, or lapse within a lease when even that fails.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections import OrderedDict
from datetime import datetime, timedelta
from typing import Any, Callable, Iterable

from sqlalchemy import exc as sa_exc

from refsvc import logs
from refsvc.links import offline
from refsvc.links.tracking import Tracker
from refsvc.storage import Resource
from refsvc.storage import checks as check_store
from refsvc.storage import probes as probe_store
from refsvc.worker.claims import Heartbeat
from refsvc.worker.progress import Progress
from refsvc.worker.rounds import Round, Writer
from refsvc.worker.summary import Summary

__all__ = ["Checker", "Summary"]

log = logging.getLogger(__name__)

CheckMany = Callable[..., Iterable[Any]]
PRUNE_EVERY = timedelta(hours=1)
OFFLINE_BACKOFF_MAX = 600.0  # seconds between tries while the checker stays offline
OUTAGE_BACKOFF_MAX = 30.0  # seconds between tries while the database is away
UNWRITTEN_MAX = 10_000  # results kept through an outage; past that the oldest go (they stay due)
WRITE_BATCH = 64  # results written in one transaction at most
PROBES_KEPT = 2 * 24 * 3600  # seconds: probe answers are used for a day (refsvc.links.soft404)


def _link_job(resource: Resource) -> Any:
    from refsvc.links.runner import LinkJob

    return LinkJob(key=resource.id, url=resource.url, name=resource.name,
                   description=resource.description or "", expect=tuple(resource.expect or ()),
                   logo_url=resource.logo_url)


def _default_check_many(*args: Any, **kwargs: Any) -> Iterable[Any]:
    from refsvc.links.runner import check_many

    return check_many(*args, **kwargs)


class Unwritten:
    """Results the database refused (it was away), by resource id, oldest first, bounded."""

    def __init__(self, limit: int = UNWRITTEN_MAX) -> None:
        self.items: OrderedDict[str, tuple[str, Any, dict[str, Any], str | None]] = OrderedDict()
        self.limit = limit

    def add(self, token: str, result: Any, record: dict[str, Any], before: str | None) -> None:
        self.items[result.key] = (token, result, record, before)
        while len(self.items) > self.limit:
            key, _ = self.items.popitem(last=False)
            log.warning("dropped the unwritten check of %s (over %d kept); it stays due", key, self.limit)

    def holds(self, token: str) -> bool:
        return any(item[0] == token for item in self.items.values())

    def __len__(self) -> int:
        return len(self.items)


class Checker:
    """Claims, checks and records due resources, as a one-off run or a loop until stopped."""

    def __init__(self, tracker: Tracker, *, check_many: CheckMany | None = None,
                 make_job: Callable[[Resource], Any] = _link_job, worker_id: str | None = None,
                 batch_size: int | None = None, clock: Callable[[], datetime] | None = None,
                 progress: Progress | None = None,
                 enqueue: Callable[[str, str], None] | None = None,
                 connectivity: offline.Connectivity | None = None,
                 canaries: Iterable[str] | None = None, lease_seconds: float | None = None,
                 task_size: int = 1) -> None:
        self.tracker, self.database, self.settings = tracker, tracker.database, tracker.settings
        self.check_many = check_many or _default_check_many
        self.make_job = make_job
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}"
        concurrency = int(self.settings["CHECK_CONCURRENCY"])
        self.batch_size = batch_size or max(concurrency * 2, 1)
        self.clock = clock or tracker.clock
        self.progress = progress
        self.enqueue = enqueue  # set: claimed resources go to Celery workers, who record them
        # resources queued in one task: 1, enqueue(id, token); more, enqueue([ids], token)
        self.task_size = max(1, task_size)
        self.lease_seconds = float(lease_seconds or self.settings["CHECK_LEASE_SECONDS"])
        self.heartbeat = Heartbeat(self.database, self.lease_seconds, self.clock)
        self.unwritten = Unwritten()
        self.writer = Writer(self)
        self.written = 0  # results written by this checker (its writer thread counts them)
        self._last_prune: datetime | None = None
        self._down_since: float | None = None
        if connectivity is None:
            # Probes use the network, so only when the checks do (a stand-in check_many has none).
            real = self.check_many is _default_check_many
            if real and canaries is None:
                connectivity = tracker.connectivity
            else:
                connectivity = offline.Connectivity(
                    offline.client_probe(tracker.client, hosts=tracker.hosts) if real else None,
                    offline.canaries_from(self.settings) if canaries is None else list(canaries))
        self.connectivity = connectivity
        self.last_verdict: offline.Verdict | None = None

    # -- the runs ---------------------------------------------------------------------------------

    def run_once(self, stop: threading.Event | None = None) -> Summary:
        """Check everything due now, then return; waits out the leases of a checker that died."""
        summary = Summary()
        self._guarded(self.prune, summary)
        watched: dict[str, tuple[str, datetime]] | None = None
        give_up = time.monotonic() + self.lease_seconds * 1.5  # a dead holder's lease ends sooner
        while not (stop and stop.is_set()):
            claimed, recorded = self.run_round(summary, stop, capped=False)
            if self.last_verdict is not None and self.last_verdict.offline:
                break
            if claimed and recorded:
                continue
            if self.enqueue is not None:
                break  # queued: the workers record them
            if claimed or not self._flush(summary, deadline=time.monotonic() + self.lease_seconds):
                break  # nothing could be recorded: it stays due for the next run
            # Nothing claimable: due resources under other claims are waited for while those
            # claims are not renewed (their holder died); a renewed one is a live checker's.
            current = self._guarded(self._claimed_elsewhere, summary) or {}
            if time.monotonic() > give_up:
                break
            if not current and self._guarded(self._count_due, summary):
                continue  # the claims lapsed after this round looked for work: take them now
            watched = current if watched is None else \
                {rid: claim for rid, claim in current.items() if watched.get(rid) == claim}
            if not watched:
                break
            lapse = min(expires for _, expires in watched.values())
            # look again each heartbeat: a live holder shows itself by renewing within one
            wait = min((lapse - self.clock()).total_seconds() + 0.1, self.heartbeat.interval + 0.1)
            if stop is not None:
                stop.wait(min(max(wait, 0.05), self.lease_seconds))
            else:
                time.sleep(min(max(wait, 0.05), self.lease_seconds))
        self._flush(summary, deadline=time.monotonic() + self.lease_seconds)
        self.heartbeat.stop()
        return summary

    def run_forever(self, stop: threading.Event, poll_seconds: float = 30.0) -> Summary:
        """Check what falls due until ``stop`` is set (SIGTERM), sleeping between rounds."""
        summary = Summary()
        backoff, outage = poll_seconds, 1.0
        while not stop.is_set():
            if not self._flush(summary):
                stop.wait(outage)  # the database is away: keep the results, try again later
                outage = min(outage * 2, OUTAGE_BACKOFF_MAX)
                continue
            if self._last_prune is None or self.clock() - self._last_prune >= PRUNE_EVERY:
                self._guarded(self.prune, summary)
            claimed, recorded = self.run_round(summary, stop)
            if self._down_since is not None:
                stop.wait(outage)
                outage = min(outage * 2, OUTAGE_BACKOFF_MAX)
                continue
            outage = 1.0
            if self.last_verdict is not None and self.last_verdict.offline:
                stop.wait(backoff)  # offline: try again later, less often while it lasts
                backoff = min(backoff * 2, max(OFFLINE_BACKOFF_MAX, poll_seconds))
                continue
            backoff = poll_seconds
            if claimed and recorded:
                continue  # more may be due; an all-failed round waits below instead of spinning
            due = self._guarded(self._next_due, summary)
            wait = poll_seconds if due is None else (due - self.clock()).total_seconds()
            if self.enqueue is not None and self.heartbeat.held():
                wait = min(wait, 0.5)  # top the queue up as the workers finish what it holds
            stop.wait(min(max(wait, 0.5), poll_seconds))
        self._flush(summary)
        self.heartbeat.stop()
        return summary

    def run_round(self, summary: Summary, stop: threading.Event | None = None, *,
                  capped: bool = True) -> tuple[int, int]:
        """Claim and check what is due now, recording as results come; (claimed, recorded).

        With Celery, ``capped`` queues no more than two batches of tasks beyond what is still queued
        (a task carries ``task_size`` resources, and the workers take tasks, not resources).
        """
        logs.new_request_id("round-")  # this round's log lines and queued tasks share one id
        self.last_verdict = None
        if self.enqueue is not None:
            return self._queue_round(summary, stop, capped=capped)

        def claim(session: Any, limit: int) -> tuple[str, list[Resource]]:
            return check_store.claim_due(session, self.worker_id, self.clock(), limit=limit,
                                         lease_seconds=self.lease_seconds)
        return Round(self, claim, stop=stop).run(summary)

    run_batch = run_round  # the name of earlier releases

    def run_ids(self, ids: list[str] | None, summary: Summary) -> tuple[int, int, int]:
        """Check ``ids`` (None: every active resource) now, due or not; (asked, claimed, recorded).

        One already being checked by another checker is left to it.
        """
        self.last_verdict = None
        asked = len(ids) if ids is not None else None

        def claim(session: Any, limit: int) -> tuple[str, list[Resource]]:
            return check_store.claim_ids(session, self.worker_id, ids, self.clock(),
                                         lease_seconds=self.lease_seconds)
        claimed, recorded = Round(self, claim, one_shot=True).run(summary)
        self._flush(summary, deadline=time.monotonic() + self.lease_seconds)
        self.heartbeat.stop()
        return (claimed if asked is None else asked), claimed, recorded

    def _queue_round(self, summary: Summary, stop: threading.Event | None, *,
                     capped: bool) -> tuple[int, int]:
        """Claim due resources and queue them for the Celery workers, no more than they can start
        soon (the heartbeat keeps the queued claims alive until the workers record them).

        Uncapped (``--once``): everything due is queued and the run ends; a queued task whose
        lease lapsed still runs if nobody took its claim over, and is skipped if somebody did.
        """
        queued_total = 0
        while not (stop and stop.is_set()):
            room = self.batch_size
            if capped:
                self.heartbeat.beat()  # fresh counts of what is still queued or running
                room = self.batch_size * 2 * self.task_size - self.heartbeat.held()
                if room <= 0:
                    break
            try:
                with self.database.transaction() as session:
                    token, resources = check_store.claim_due(
                        session, self.worker_id, self.clock(), limit=min(room, self.batch_size),
                        lease_seconds=self.lease_seconds)
                    keys = [r.id for r in resources]
            except Exception as exc:
                if not self.is_outage(exc):
                    raise
                self.outage(exc, "claim due resources")
                break
            if not keys:
                break
            self.heartbeat.add(token, len(keys))
            queued = self._queue(token, keys, summary)
            queued_total += queued
            if queued < len(keys):
                break  # the broker refused some: the rest waits for the next round, not a spin
        return queued_total, queued_total

    def _queue(self, token: str, keys: list[str], summary: Summary) -> int:
        queued: list[str] = []
        try:
            for n in range(0, len(keys), self.task_size):
                task = keys[n:n + self.task_size]
                self.enqueue(task[0] if self.task_size == 1 else task, token)
                queued += task
        except Exception:  # the broker is unreachable: give the rest back
            log.exception("could not queue checks; %d given back", len(keys) - len(queued))
            rest = [key for key in keys if key not in queued]
            self._guarded(lambda _s: self._release(token, rest), summary)
        summary.queued += len(queued)
        if self.progress and queued:
            self.progress.note(f"queued {len(queued)} check(s) for the Celery workers")
        return len(queued)

    # -- recording ------------------------------------------------------------------------------

    def record(self, token: str, result: Any, summary: Summary,
               verdict: offline.Verdict | None = None, before: str | None = None) -> str:
        """Hand one result to the writer: "queued", or "error" when the result itself is bad."""
        try:
            record = result.to_dict()
            if verdict is not None:  # the checker was offline: this check tells nothing
                record = offline.inconclusive(record, verdict)
        except Exception:  # one bad result must not lose the others
            log.exception("could not record the check of %s", result.key)
            summary.errors += 1
            return "error"
        self.writer.put((token, result, record, before), summary)
        return "queued"

    def write_batch(self, items: list[tuple[str, Any, dict[str, Any], str | None]],
                    summary: Summary) -> None:
        """Write results (token, result, record, health before) in one transaction, each under its
        claim; kept for later when the database is away."""
        try:
            checks = self.tracker.record_many([(result.key, record, token)
                                               for token, result, record, _ in items])
        except Exception as exc:
            if self.is_outage(exc):
                self.outage(exc, "write checks")
                for token, result, record, before in items:
                    self.unwritten.add(token, result, record, before)
                return
            if len(items) > 1:  # find the one that fails, and write the others
                for item in items:
                    self.write_batch([item], summary)
                return
            token, result, _, _ = items[0]
            log.exception("could not record the check of %s", result.key)
            summary.errors += 1
            self._guarded(lambda _s: self._release(token, [result.key]), summary)  # due again
            return
        self._recovered()
        for token, result, _, before in items:
            check = checks.get(result.key)
            if check is None:
                summary.lost += 1
                continue
            self.written += 1
            summary.checked += 1
            summary.outcomes[check.outcome] += 1
            if before != check.health:
                summary.changes.append((result.key, before or "unknown", check.health))
            if self.progress:
                self.progress.item(result.key, check.outcome, f"({check.health}) {check.reason}")

    def _flush(self, summary: Summary, deadline: float | None = None) -> bool:
        """Write the results kept through an outage; True when none is left (trying until ``deadline``)."""
        while self.unwritten:
            items = list(self.unwritten.items.values())
            self.unwritten.items.clear()
            for n in range(0, len(items), WRITE_BATCH):
                self.write_batch(items[n:n + WRITE_BATCH], summary)
            if len(self.unwritten) < len(items):
                log.warning("wrote %d result(s) kept through the database outage",
                            len(items) - len(self.unwritten))
            for token, _, _, _ in items:
                if not self.unwritten.holds(token):
                    self.heartbeat.discard(token)
            if not self.unwritten or deadline is None or time.monotonic() >= deadline:
                break
            time.sleep(min(1.0, max(deadline - time.monotonic(), 0)))
        return not self.unwritten

    # -- the database going away --------------------------------------------------------------

    @staticmethod
    def is_outage(exc: BaseException) -> bool:
        """True for a database that cannot be reached or did not answer in time (not a bad query)."""
        return isinstance(exc, (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError))

    def outage(self, exc: BaseException, doing: str) -> None:
        """Note a database failure (logged once per outage)."""
        if self._down_since is None:
            self._down_since = time.monotonic()
            log.warning("the database is unavailable (could not %s: %s); results are kept and "
                        "written when it returns", doing, str(exc).splitlines()[0][:200])

    def _recovered(self) -> None:
        if self._down_since is not None:
            log.warning("the database is back after %.1f s", time.monotonic() - self._down_since)
            self._down_since = None

    def _guarded(self, action: Callable[[Summary], Any], summary: Summary) -> Any:
        """Run a database action; on an outage, note it and return None."""
        try:
            found = action(summary)
        except Exception as exc:
            if not self.is_outage(exc):
                raise
            self.outage(exc, getattr(action, "__name__", "reach it"))
            return None
        return found

    # -- helpers --------------------------------------------------------------------------------

    def waiting(self, held: int) -> None:
        """Show how many failures wait for the offline judgement."""
        if self.progress:
            self.progress.waiting(held)

    def judge(self, held: list[Any], summary: Summary) -> offline.Verdict:
        """Is the checker offline, given results whose every answer was a network failure?"""
        verdict = self.tracker.judge_offline([(r.key, r.url) for r in held], self.connectivity)
        self.last_verdict = verdict
        if verdict.offline:
            summary.offline.append(verdict.message())
            if self.progress:
                self.progress.clear()  # the log line must not land in the middle of the bar
            log.warning("%s (%d check(s) recorded as %s)", verdict.message(), len(held),
                        offline.CHECKER_OFFLINE)
        return verdict

    def check_options(self) -> dict[str, Any]:
        """The runner's options from the settings (and this checker's shared host limits)."""
        s = self.settings
        options = {"client": self.tracker.client, "concurrency": int(s["CHECK_CONCURRENCY"]),
                   "per_host": int(s["CHECK_PER_HOST"]), "host_spacing": float(s["CHECK_HOST_SPACING"]),
                   "deadline_seconds": float(s["CHECK_TIMEOUT"]),
                   "retry_after_max": float(s["CHECK_RETRY_AFTER_MAX"])}
        if self.check_many is _default_check_many:
            # The tracker's host limits and soft-404 cache live as long as the checker: a host that
            # answered 429 stays slowed for later rounds, and a probe is made once per prefix.
            options.update(hosts=self.tracker.hosts, soft404=self.tracker.soft404,
                           # claim the next batch only when this one is nearly taken: a checker
                           # holds no more than it can start soon, and others share the rest
                           lookahead=self.batch_size)
        return options

    def _release(self, token: str, keys: list[str]) -> None:
        with self.database.transaction() as session:
            check_store.release(session, token, keys)

    def _claimed_elsewhere(self, _summary: Summary) -> dict[str, tuple[str, datetime]]:
        with self.database.transaction() as session:
            return check_store.claimed_elsewhere(session, self.clock())

    def _next_due(self, _summary: Summary) -> datetime | None:
        with self.database.transaction() as session:
            return check_store.next_due_at(session)

    def _count_due(self, _summary: Summary) -> int:
        return self.count_due()

    def count_due(self) -> int:
        """How many resources are due now (the total a progress bar starts from)."""
        with self.database.transaction() as session:
            return check_store.count_due(session, self.clock())

    def prune(self, summary: Summary) -> int:
        """Delete history older than REFSVC_HISTORY_DAYS, and probe answers too old to use."""
        now = self.clock()
        cutoff = now - timedelta(days=int(self.settings["HISTORY_DAYS"]))
        with self.database.transaction() as session:
            pruned = check_store.prune(session, cutoff)
            probe_store.prune(session, now.timestamp() - PROBES_KEPT)
        self._last_prune = now
        summary.pruned += pruned
        return pruned
