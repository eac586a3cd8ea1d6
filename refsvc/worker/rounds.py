"""One round of the checker: claim due resources as the runner asks for work, record results as they come.

Claims are made batch by batch inside the job stream the runner reads (refsvc.links.runner reads
jobs lazily, with a bounded look-ahead), so checking never stops to wait for a batch's slowest link
before the next batch is claimed. Each claim's token goes to the heartbeat until its claims end.

Network-level failures wait until some server answers (then the network works and they count) or
until a batch's worth of them came with none answering: then the round is judged as a whole (is the
checker offline? see refsvc.links.offline), and when it is, it records them as ``checker_offline``
and stops claiming.
"""
from __future__ import annotations

import logging
import queue
import threading
from typing import Any, Callable, Iterator

from refsvc.links import offline
from refsvc.storage import checks as check_store

log = logging.getLogger(__name__)

# claim(session, limit) -> (token, resources); None from a one-shot claim after its first call
Claim = Callable[[Any, int], "tuple[str, list[Any]]"]


class Round:
    """Claims, checks and records until nothing more is claimable (or the checker looks offline)."""

    def __init__(self, checker: Any, claim: Claim, *, one_shot: bool = False,
                 stop: Any = None) -> None:
        self.checker, self.claim, self.one_shot, self.stop = checker, claim, one_shot, stop
        self.pending: dict[str, str] = {}  # resource id -> token, claimed and not yet written
        self.before: dict[str, str] = {}  # resource id -> its health when claimed
        self.tokens: list[str] = []
        self.claimed = self.recorded = 0
        self.held: list[Any] = []
        self.reached = False
        self.verdict: offline.Verdict | None = None
        self.database_down = False
        self._closed = False

    def jobs(self) -> Iterator[Any]:
        """The job stream: claims the next batch whenever the runner has taken the last one."""
        checker = self.checker
        while not self._closed and not (self.stop is not None and self.stop.is_set()):
            try:
                with checker.database.transaction() as session:
                    token, resources = self.claim(session, checker.batch_size)
                    jobs = [checker.make_job(r) for r in resources]
                    self.before.update((r.id, r.health) for r in resources)
            except Exception as exc:
                if not checker.is_outage(exc):
                    raise
                checker.outage(exc, "claim due resources")
                self.database_down = True
                return
            if jobs:
                self.tokens.append(token)
                checker.heartbeat.add(token, len(jobs))
                self.pending.update((job.key, token) for job in jobs)
                self.claimed += len(jobs)
                if checker.progress:
                    checker.progress.at_least(checker.progress.done + len(self.pending))
            for job in jobs:
                yield job
            if not jobs or self.one_shot:
                return

    def run(self, summary: Any) -> tuple[int, int]:
        """Run the round; (claimed, recorded)."""
        checker = self.checker
        written = checker.written
        results = checker.check_many(self.jobs(), **checker.check_options())
        try:
            for result in results:
                self.take(result, summary)
                if self.verdict is not None and self.verdict.offline:
                    break  # the rest would only time out too: it stays due for the next run
                if self.stop is not None and self.stop.is_set():
                    break  # stopping: what is not recorded yet is given back, still due
            if self.held:
                self.judge(summary)
        except Exception:  # the runner itself failed: keep what was recorded, give back the rest
            log.exception("a round of %d checks failed part-way", self.claimed)
        finally:
            self._closed = True
            close = getattr(results, "close", None)
            if close is not None:
                close()  # the runner's workers finish the check in hand and leave
            checker.waiting(0)
            checker.writer.drain()
            self.recorded = checker.written - written
            self.give_back()
        return self.claimed, self.recorded

    def take(self, result: Any, summary: Any) -> None:
        """One result from the runner: hold it, or record it (with those held, once one answered)."""
        kind = offline.kind_of(getattr(result, "outcome", None))
        if self.verdict is not None and self.verdict.offline and kind == "unreachable":
            self.keep(result, summary, self.verdict)
            return
        if kind == "unreachable" and not self.reached:
            self.held.append(result)
            self.checker.waiting(len(self.held))
            if len(self.held) >= self.checker.batch_size:
                self.judge(summary)
            return
        if kind == "reached" and not self.reached:
            self.reached, waiting, self.held = True, self.held, []
            self.checker.waiting(0)
            for earlier in waiting:
                self.keep(earlier, summary)
        self.keep(result, summary)

    def judge(self, summary: Any) -> None:
        """Judge the held results: the checker offline (inconclusive) or not (they count)."""
        held, self.held = self.held, []
        self.verdict = self.checker.judge(held, summary)
        if not self.verdict.offline:
            self.reached = True  # the network works: later failures count as they come
        self.checker.waiting(0)
        for result in held:
            self.keep(result, summary, self.verdict if self.verdict.offline else None)
        if self.verdict.offline:
            self._closed = True

    def keep(self, result: Any, summary: Any, verdict: offline.Verdict | None = None) -> None:
        """Record one result under its claim; kept for later when the database is away."""
        token = self.pending.get(result.key)
        if token is None:
            return
        done = self.checker.record(token, result, summary, verdict, self.before.get(result.key))
        if done != "error":  # a result that could not be made into a record is given back below
            del self.pending[result.key]

    def give_back(self) -> None:
        """Release the claims of what was not checked (or could not be recorded for a bad result)."""
        checker = self.checker
        if self.pending:
            by_token: dict[str, list[str]] = {}
            for key, token in self.pending.items():
                by_token.setdefault(token, []).append(key)
            try:
                with checker.database.transaction() as session:
                    for token, keys in by_token.items():
                        check_store.release(session, token, keys)
            except Exception as exc:
                if not checker.is_outage(exc):
                    raise
                checker.outage(exc, "give back unchecked claims")  # they lapse within a lease
        for token in self.tokens:
            if not checker.unwritten.holds(token):
                checker.heartbeat.discard(token)


class Writer:
    """Writes results in a thread of its own, as many at a time as came while it wrote the last
    ones (group commit): the checks never wait for the database, and one transaction carries many."""

    def __init__(self, checker: Any) -> None:
        self.checker = checker
        self.queue: queue.Queue[tuple[Any, Any]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def put(self, item: Any, summary: Any) -> None:
        """Queue one (token, result, record, health before) for writing."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="check-writer", daemon=True)
                self._thread.start()
        self.queue.put((item, summary))

    def drain(self) -> None:
        """Wait until everything queued is written (or kept for later)."""
        self.queue.join()

    def _run(self) -> None:
        from refsvc.worker.checker import WRITE_BATCH

        while True:
            taken = [self.queue.get()]
            while len(taken) < WRITE_BATCH:
                try:
                    taken.append(self.queue.get_nowait())
                except queue.Empty:
                    break
            try:
                batch: list[Any] = []
                for item, summary in taken:
                    if any(other[1].key == item[1].key for other in batch):
                        self.checker.write_batch(batch, summary)  # one resource twice: in turn
                        batch = []
                    batch.append(item)
                if batch:
                    self.checker.write_batch(batch, taken[-1][1])
            except Exception:  # never let the writer die with results queued
                log.exception("the check writer failed on %d result(s)", len(taken))
            finally:
                for _ in taken:
                    self.queue.task_done()
