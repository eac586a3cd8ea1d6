"""Page readers for the reading-pool tests, importable by the pool's worker processes (a test
module is not: pytest imports it by path)."""
from __future__ import annotations

import multiprocessing
import os
import signal

from refsvc.links.description import PageText, read_record


def where(record: dict) -> PageText:
    """A page whose ``why`` names the process that read it."""
    return PageText(readable=False, why=str(os.getpid()))


def die_in_a_worker(record: dict) -> PageText:
    """Kill the worker process mid-read (as the kernel's OOM killer would); read normally at home."""
    if multiprocessing.parent_process() is not None:
        os.kill(os.getpid(), signal.SIGKILL)
    return read_record(record)


def refuse_marked(record: dict) -> PageText:
    """Raise on a page that says BREAK; read the others."""
    if "BREAK" in record.get("html", ""):
        raise RuntimeError("the reader broke on this page")
    return read_record(record)
