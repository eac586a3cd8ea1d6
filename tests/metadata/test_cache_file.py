"""The embedded HTTP cache file, made by several gunicorn workers at once (their first lookups)."""
from __future__ import annotations

import multiprocessing

from refsvc.metadata.cache import cache_backend


def _make(path: str, barrier) -> str:
    barrier.wait()  # every process opens the new file at the same moment
    try:
        cache_backend({"HTTP_CACHE_PATH": path}).responses.get("key")
        return "ok"
    except Exception as exc:  # noqa: BLE001 - the test reports what each process met
        return f"{type(exc).__name__}: {exc}"


def test_workers_making_the_cache_file_at_once_all_get_it(tmp_path):
    # switching a new SQLite file to WAL answers "database is locked" at once to all but one
    # process, and that was a 500 on a worker's first lookup
    context = multiprocessing.get_context("fork")
    with context.Manager() as manager:
        results = []
        for round_ in range(30):
            barrier = manager.Barrier(6)
            with context.Pool(6) as pool:
                results += pool.starmap(_make, [(str(tmp_path / f"{round_}" / "c.sqlite"), barrier)] * 6)
    assert [r for r in results if r != "ok"] == []
