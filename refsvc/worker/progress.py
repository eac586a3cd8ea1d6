"""Progress of a long CLI run: one updating line on a terminal, plain lines otherwise.

On a terminal (``tty=True``) the line is redrawn in place, ``\\r`` then the text then "erase to the end
of the line", and a ticker thread keeps the elapsed time moving while checks are slow:

    Checking links [########------------] 12/30  9 ok, 2 timeout, 1 client_error  0:07

Anywhere else (a log file, a pipe, systemd) each item is one plain line, as a log reader expects:

    [12/30] mind: ok (healthy) The page answers and names Mind
"""
from __future__ import annotations

import shutil
import threading
import time
from collections import Counter
from typing import Callable

BAR_WIDTH = 20


def elapsed_text(seconds: float) -> str:
    """``m:ss``, or ``h:mm:ss`` from an hour on."""
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class Progress:
    """Counts items done by outcome against a total and shows it (thread-safe)."""

    def __init__(self, write: Callable[[str], None], *, tty: bool, label: str, total: int = 0,
                 clock: Callable[[], float] = time.monotonic, tick: float | None = 1.0,
                 columns: Callable[[], int] | None = None) -> None:
        self.write, self.tty, self.label, self.clock = write, tty, label, clock
        self.total, self.done, self.pending = total, 0, 0
        self.outcomes: Counter = Counter()
        self.started = clock()
        self.columns = columns or (lambda: shutil.get_terminal_size((80, 24)).columns)
        self._lock = threading.RLock()
        self._shown = False  # a bar line is on the screen
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        if tty and tick:
            self._ticker = threading.Thread(target=self._tick, args=(tick,), daemon=True,
                                            name="refsvc-progress")
            self._ticker.start()

    def add_total(self, n: int) -> None:
        """``n`` more items to do (e.g. a batch claimed beyond the first estimate)."""
        with self._lock:
            self.total += n
            self._draw()

    def at_least(self, total: int) -> None:
        """Raise the total to ``total`` if it is below (an estimate proved low)."""
        with self._lock:
            if total > self.total:
                self.total = total
                self._draw()

    def waiting(self, n: int) -> None:
        """``n`` items finished but not counted yet (held back until their batch is judged)."""
        with self._lock:
            self.pending = n
            self._draw()

    def item(self, key: str, outcome: str, text: str = "") -> None:
        """One item done with ``outcome``; ``text`` is shown on its plain line."""
        with self._lock:
            self.done += 1
            self.outcomes[outcome] += 1
            self.total = max(self.total, self.done)
            if self.tty:
                self._draw()
            else:
                self.write(f"[{self.done}/{self.total}] {key}: {outcome}"
                           + (f" {text}" if text else "") + "\n")

    def note(self, text: str) -> None:
        """A message on its own line (the bar, if any, is redrawn below it)."""
        with self._lock:
            self.clear()
            self.write(text + "\n")
            self._draw()

    def clear(self) -> None:
        """Erase the bar line so that something else (a log line) can be written cleanly."""
        with self._lock:
            if self.tty and self._shown:
                self.write("\r\x1b[K")
                self._shown = False

    def close(self) -> None:
        """Stop the ticker and leave the last bar on the screen."""
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(2)
        with self._lock:
            if self.tty and (self._shown or self.done or self.total):
                self._draw(force=True)
                self.write("\n")
                self._shown = False

    def line(self) -> str:
        """The one-line view: label, bar, done/total, outcomes so far, elapsed."""
        total = max(self.total, self.done)
        parts = [self.label]
        if total:
            filled = BAR_WIDTH * self.done // total
            parts.append("[" + "#" * filled + "-" * (BAR_WIDTH - filled) + "]")
            parts.append(f"{self.done}/{total}")
        else:
            parts.append(f"{self.done} done")
        counted = ", ".join(f"{n} {o}" for o, n in self.outcomes.most_common())
        if counted:
            parts.append(" " + counted)
        if self.pending:
            parts.append(f" ({self.pending} unreachable, judging)")
        parts.append(" " + elapsed_text(self.clock() - self.started))
        return " ".join(parts)

    def _draw(self, force: bool = False) -> None:
        if not self.tty or (self._stop.is_set() and not force):
            return
        width = max(self.columns() - 1, 10)  # never wrap: a wrapped line cannot be redrawn in place
        self.write("\r" + self.line()[:width] + "\x1b[K")
        self._shown = True

    def _tick(self, every: float) -> None:
        while not self._stop.wait(every):
            with self._lock:
                self._draw()
