"""Pages read for the description check in worker processes: the same reading as in-process, and a
worker that dies mid-read costs nothing (its batch is read here, each result recorded once)."""
from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select

from refsvc.links.description import page_for, read_record
from refsvc.links.reading import MAX_RESTARTS, PagePool
from refsvc.links.tracking import Tracker
from refsvc.storage import get_database
from refsvc.storage import resources as resource_store
from refsvc.storage.models import Check, DescriptionState
from tests.links import readers

PAGE = ("<html lang='en'><head><title>Mind {n}</title></head><body><main><h1>Mind</h1>"
        "<p>Mind gives advice and support to anyone with a mental health problem.</p>"
        "<p>Call the Mind Infoline on 0300 123 3393, page {n}.</p></main></body></html>")


def record(n: int, extra: str = "") -> dict:
    return page_for("ok", "", PAGE.format(n=n) + extra, final_url=f"https://www.mind.org.uk/{n}",
                    content_type="text/html")


@pytest.fixture
def pool():
    made: list[PagePool] = []

    def make(**kwargs) -> PagePool:
        made.append(PagePool(1, **kwargs))
        return made[-1]
    yield make
    for each in made:
        each.close()


def test_pages_are_read_in_another_process_as_they_would_be_here(pool):
    records = [record(n) for n in range(20)]
    assert pool().read_many(records) == [read_record(r) for r in records]
    pids = {page.why for page in pool(read=readers.where).read_many(records)}
    assert len(pids) == 1 and pids != {str(os.getpid())}


def test_a_worker_killed_mid_read_has_its_batch_read_here_and_the_next_batch_a_new_worker(pool):
    reader = pool(read=readers.die_in_a_worker)
    records = [record(n) for n in range(10)]
    assert reader.read_many(records) == [read_record(r) for r in records]
    assert reader.restarts == 1 and reader.alive
    assert reader.read_many(records[:3]) == [read_record(r) for r in records[:3]]
    assert reader.restarts == 2


def test_after_repeated_deaths_every_page_is_read_here(pool):
    reader = pool(read=readers.die_in_a_worker)
    for _ in range(MAX_RESTARTS):
        reader.read_many([record(1)])
    assert not reader.alive
    assert reader.read_many([record(2)]) == [read_record(record(2))]
    assert reader.restarts == MAX_RESTARTS  # no pool left to break


def test_a_page_that_breaks_the_reader_comes_back_as_its_error_and_spares_the_others(pool):
    reader = pool(read=readers.refuse_marked)
    pages = reader.read_many([record(1), record(2, "<p>BREAK</p>"), record(3)])
    assert pages[0] == read_record(record(1)) and pages[2] == read_record(record(3))
    assert isinstance(pages[1], RuntimeError) and "broke" in str(pages[1])
    assert reader.restarts == 0


def test_a_reading_process_killed_mid_batch_loses_no_check_and_records_none_twice(app):
    database = get_database(app)
    tracker = Tracker(database, app.config)
    tracker.pages = PagePool(1, read=readers.die_in_a_worker)
    with database.transaction() as session:
        for n in range(12):
            resource_store.create_resource(session, {
                "id": f"mind{n}", "name": "Mind", "url": f"https://www.mind.org.uk/{n}",
                "description": "Mind gives advice and support. Call the Mind Infoline on 0300 123 3393."})
    try:
        results = tracker.record_many([
            (f"mind{n}", {"url": f"https://www.mind.org.uk/{n}", "outcome": "ok", "reason": "",
                          "status_code": 200, "elapsed_ms": 5, "description_page": record(n)}, None)
            for n in range(12)])
    finally:
        tracker.close()
    assert all(check is not None for check in results.values())
    assert tracker.pages.restarts == 1
    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Check)) == 12
        verdicts = session.scalars(select(DescriptionState.observed)).all()
    assert len(verdicts) == 12 and set(verdicts) == {"supported"}


def test_a_checker_killed_outright_leaves_no_reading_process_behind(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    code = ("import os, sys\n"
            "from refsvc.links.reading import PagePool\n"
            "pool = PagePool(1)\n"
            "pool.start(wait=True)\n"
            "print(' '.join(str(pid) for pid in pool._executor._processes), flush=True)\n"
            "sys.stdin.read()\n")
    owner = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True)
    workers = [int(pid) for pid in owner.stdout.readline().split()]
    assert workers
    owner.send_signal(signal.SIGKILL)
    owner.wait()

    def alive(pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    for _ in range(100):  # 10 s at most (the workers look every second)
        if not any(alive(pid) for pid in workers):
            break
        time.sleep(0.1)
    assert not any(alive(pid) for pid in workers)


def test_a_pool_closed_while_it_starts_leaves_no_worker_and_reads_here(pool):
    # a checker stopped (Ctrl-C) just as it began: its start-up thread must not make workers after
    # close(), or they outlive the checker that no longer reads through them
    reader = pool(read=readers.where)
    reader.start()  # in a thread of its own
    reader.close()
    assert reader._executor is None
    assert {page.why for page in reader.read_many([record(1)])} == {str(os.getpid())}
    assert reader._executor is None  # reading after close made no pool either
