"""Batches share the workers: a few at once per process, each under a total deadline.

A batch of 100 URLs on a hanging site would otherwise hold a request thread (and a pool of lookup
threads) for as long as its lookups take in turn; eight of them held every thread and ``/healthz``.
"""
from __future__ import annotations

import math
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any, Callable

from flask import current_app

from refsvc.errors import APIError, GatewayTimeout


class _Slots:
    """A process's batch slots; a slot is given back when the batch's last lookup thread is done,
    so that lookups left running after a deadline still count against the bound."""

    def __init__(self, size: int) -> None:
        self._free = threading.BoundedSemaphore(max(1, size))

    def take(self) -> bool:
        return self._free.acquire(blocking=False)

    def give_back(self) -> None:
        self._free.release()


_slots_lock = threading.Lock()


def _slots() -> _Slots:
    ext = current_app.extensions
    if "refsvc.batch_slots" not in ext:
        with _slots_lock:
            if "refsvc.batch_slots" not in ext:
                ext["refsvc.batch_slots"] = _Slots(int(current_app.config["BATCH_SLOTS"]))
    return ext["refsvc.batch_slots"]


def busy() -> APIError:
    """The 503 a batch gets while every batch slot of this process is taken."""
    retry = max(1, math.ceil(float(current_app.config["LOOKUP_TIMEOUT"])))
    return APIError("Too many batches are running at once; send this one again in a few seconds.",
                    status=503, code="batches_busy", headers={"Retry-After": str(retry)})


def run_batch(entries: list[dict[str, Any]], one: Callable[[dict[str, Any]], Any]) -> list[Any]:
    """``one(entry)`` for each entry, concurrently, in order, within ``BATCH_TIMEOUT`` seconds.

    Each result is what ``one`` returned, or the APIError it raised; an entry the deadline cut off is
    a 504 ``batch_deadline`` error. Raises the 503 of ``busy()`` when no batch slot is free.
    """
    slots = _slots()
    if not slots.take():
        raise busy()
    app = current_app._get_current_object()
    deadline = float(app.config["BATCH_TIMEOUT"])

    def guarded(entry: dict[str, Any]) -> Any:
        with app.app_context():
            try:
                return one(entry)
            except APIError as exc:
                return exc

    workers = max(1, min(len(entries), 4 * int(app.config["LOOKUP_CONCURRENCY"])))
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="batch")
    futures: list[Future] = []
    try:
        futures = [pool.submit(guarded, entry) for entry in entries]
        wait(futures, timeout=deadline)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        _give_back_when_done(futures, slots)
    late = GatewayTimeout(f"The batch ran out of its {deadline:g} s before this entry was looked up; "
                          "send it again (alone or in a smaller batch).", code="batch_deadline")
    return [f.result() if f.done() and not f.cancelled() else late for f in futures]


def _give_back_when_done(futures: list[Future], slots: _Slots) -> None:
    """Give the slot back once no lookup of the batch is running any more."""
    remaining = [f for f in futures if not f.done()]
    if not remaining:
        slots.give_back()
        return
    count = [len(remaining)]
    lock = threading.Lock()

    def one_done(_: Future) -> None:
        with lock:
            count[0] -= 1
            last = count[0] == 0
        if last:
            slots.give_back()

    for future in remaining:
        future.add_done_callback(one_done)  # runs at once for a future already done (or cancelled)
