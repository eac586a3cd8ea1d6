"""The total deadline of a fetch: one clock thread that shuts a fetch's sockets when its time is up.

A slow drip of bytes never trips a read timeout, so a fetch's total deadline needs a clock of its
own. ``transport`` hands each connection a fetch touches to that fetch's ``Watch``; the process's one
``CLOCK`` thread fires the watch when its deadline passes, and the reader then sees a broken socket
and says the deadline passed.
"""
from __future__ import annotations

import heapq
import itertools
import os
import socket
import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from urllib3.connection import HTTPConnection


class Watch:
    """Shuts the sockets of the current fetch down when its deadline passes (a slow drip of bytes
    never trips a read timeout, so the total deadline needs its own clock).

    The clock is the process's one deadline thread (``CLOCK``), told when the fetch first touches a
    connection: an answer from the cache never does, so it costs nothing there.
    """

    def __init__(self, deadline: float) -> None:
        self.fired = False
        self.done = False
        self.deadline = deadline
        self._conns: list[HTTPConnection] = []
        self._lock = threading.Lock()
        self._timed = False

    def add(self, conn: HTTPConnection) -> None:
        with self._lock:
            self._conns.append(conn)
            timed, self._timed = self._timed, True
            if self.fired:
                self._shut(conn)
        if not timed:
            CLOCK.watch(self)

    def cancel(self) -> None:
        """Stop the clock: the fetch is over (the clock drops it when its deadline comes)."""
        self.done = True

    def fire(self) -> None:
        with self._lock:
            self.fired = True
            for conn in self._conns:
                self._shut(conn)

    @staticmethod
    def _shut(conn: HTTPConnection) -> None:
        sock = getattr(conn, "sock", None)
        if sock is not None:
            try:  # the plain socket's shutdown: SSLSocket.shutdown would drop its state under a reader
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except OSError:
                pass


class Clock:
    """One daemon thread that fires each watch whose deadline has passed. A timer thread per fetch
    (its start, its stop) was about a seventh of a link check's CPU. Watches wait in a heap ordered by
    deadline; a finished fetch's watch is dropped when its deadline comes, so the heap holds at most
    the fetches of one deadline's span."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Watch]] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def watch(self, watch: Watch) -> None:
        with self._wake:
            heapq.heappush(self._heap, (watch.deadline, next(self._order), watch))
            if self._thread is None or not self._thread.is_alive():  # first use, or a forked child
                self._thread = threading.Thread(target=self._run, name="refsvc-fetch-deadlines",
                                                daemon=True)
                self._thread.start()
            elif self._heap[0][2] is watch:
                self._wake.notify()  # an earlier deadline than the one the thread sleeps towards

    def _run(self) -> None:
        while True:
            due = []
            with self._wake:
                now = time.monotonic()
                while self._heap and self._heap[0][0] <= now:
                    due.append(heapq.heappop(self._heap)[2])
                if not due:
                    self._wake.wait(self._heap[0][0] - now if self._heap else None)
                    continue
            for watch in due:  # fired outside the clock's lock: a watch's own lock is taken inside
                if not watch.done:
                    watch.fire()

    def _after_fork(self) -> None:
        """A forked child has no clock thread and must not share its parent's lock or heap."""
        self.__init__()


CLOCK = Clock()
os.register_at_fork(after_in_child=CLOCK._after_fork)
