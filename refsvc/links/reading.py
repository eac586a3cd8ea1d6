"""Read fetched pages for the description check in a small pool of processes, off the checker's GIL.

Reading a page (lxml and trafilatura, description.read_record) is pure CPU work. In the checker's
own interpreter it holds the GIL that the 32 checking threads need each time a response arrives,
so every page read slows every check in flight. A ``PagePool`` hands the page records to worker
processes and gets back the small ``PageText``; the checker's recording thread waits for its batch
meanwhile (one batch at a time: the memory held is one write batch's pages, already capped).

The workers are forked from a fork server (multiprocessing's "forkserver"), which has imported the
reader once: a worker is cheap to start, and safe to start from a process that already runs
threads. A worker that dies (killed, out of memory, a crash in C) breaks the pool: the batch is then
read in this process, as if there were no pool, and a fresh pool serves the next batch; after
``MAX_RESTARTS`` such failures every page is read here. Reading is a pure function of the record,
so reading a page twice is harmless, and the result is recorded by the caller once either way.
"""
from __future__ import annotations

import functools
import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import CancelledError, ProcessPoolExecutor
from typing import Any, Callable

from refsvc.links.description import PageText, read_record

log = logging.getLogger(__name__)

MAX_RESTARTS = 3  # pools broken by a dead worker before reading goes back in-process for good
CHUNK = 8  # pages sent to a worker at a time (fewer round trips; a batch is 64 at most)

Reader = Callable[[dict[str, Any]], PageText]


def read_safely(read: Reader, record: dict[str, Any]) -> PageText | Exception:
    """``read(record)``, or the exception it raised (one bad page must not cost the batch)."""
    try:
        return read(record)
    except Exception as exc:  # sent back to be logged where the resource is known
        try:
            import pickle

            pickle.dumps(exc)
            return exc
        except Exception:  # an exception that cannot travel back: its text does
            return RuntimeError(f"{type(exc).__name__}: {exc}")


def _exit_with(owner: int) -> None:
    """In a worker: exit once the process that made the pool is gone. A worker is the fork
    server's child and keeps it alive, so a checker killed outright (SIGKILL, out of memory) would
    otherwise leave both behind for good, waiting on a queue nobody writes to."""
    def watch() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(owner, 0)
            except ProcessLookupError:
                os._exit(0)
            except PermissionError:  # alive, under another user
                pass
    threading.Thread(target=watch, name="owner-watch", daemon=True).start()


def _warm() -> None:
    """Nothing: a task that returns once a worker is up (the fork server imported the reader)."""


class PagePool:
    """``read_many(records)``: each page record read by ``read`` in a worker process (or here)."""

    def __init__(self, processes: int = 1, read: Reader = read_record) -> None:
        self.processes = max(1, processes)
        self.read = read  # a module-level function (it is pickled by name for the workers)
        self.restarts = 0
        self._context = multiprocessing.get_context("forkserver")
        # trafilatura is imported on first use (description._main_text): the fork server imports
        # it once, not each worker at its first read
        self._context.set_forkserver_preload(["refsvc.links.description", "refsvc.links.reading",
                                              "trafilatura"])
        self._executor: ProcessPoolExecutor | None = None
        self._closed = False
        self._lock = threading.Lock()

    def start(self, wait: bool = False) -> None:
        """Start the fork server and the workers now, not at the first batch (in a thread of its
        own unless ``wait``: the fork server takes a moment to import the reader); never raises."""
        if not wait:
            threading.Thread(target=self.start, args=(True,), name="page-readers", daemon=True).start()
            return
        try:
            executor = self._pool()
            if executor is not None:
                executor.submit(_warm).result()
        except CancelledError:  # closed while starting (a run that ended first): nothing to say
            return
        except Exception:  # e.g. no /dev/shm: pages are read in-process, as before the pool
            log.warning("the page-reading processes did not start; pages are read in-process",
                        exc_info=True)
            self._give_up()

    def read_many(self, records: list[dict[str, Any]]) -> list[PageText | Exception]:
        """The pages of ``records`` (description.page_for records), in order; in place of a page,
        the exception its reader raised."""
        if not records:
            return []
        read = functools.partial(read_safely, self.read)
        executor = self._pool()
        if executor is not None:
            try:
                return list(executor.map(read, records, chunksize=CHUNK))
            except Exception as exc:  # the pool broke (a worker died), not a page: read_safely
                self.restarts += 1
                log.warning("page reading in a worker process failed (%s; %d of %d allowed); this "
                            "batch of %d page(s) is read in-process", type(exc).__name__,
                            self.restarts, MAX_RESTARTS, len(records))
                self._drop()
                if self.restarts >= MAX_RESTARTS:
                    self._give_up()
        return [read(record) for record in records]

    def close(self) -> None:
        """Stop the workers (the fork server goes with this process); none start after this, even
        from a start() still under way (a checker stopped as it began would leave them behind)."""
        with self._lock:
            self._closed = True
        self._drop()

    @property
    def alive(self) -> bool:
        """True while pages go to worker processes (False once it fell back for good)."""
        return self.restarts < MAX_RESTARTS

    def _pool(self) -> ProcessPoolExecutor | None:
        with self._lock:
            if not self.alive or self._closed:
                return None
            if self._executor is None:
                self._executor = ProcessPoolExecutor(self.processes, mp_context=self._context,
                                                     initializer=_exit_with, initargs=(os.getpid(),))
            return self._executor

    def _drop(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)

    def _give_up(self) -> None:
        self.restarts = MAX_RESTARTS
        self._drop()
