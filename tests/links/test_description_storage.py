"""Description checks recorded by the Tracker on SQLite and PostgreSQL: baselines kept compact and
pruned with the history, verdicts beside health, nothing lost when judging fails."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from refsvc.links.description import page_for
from refsvc.links.tracking import Tracker
from refsvc.storage import get_database
from refsvc.storage import checks as check_store
from refsvc.storage import descriptions as store
from refsvc.storage import resources as resource_store
from refsvc.storage.models import DescriptionBaseline, DescriptionState

pytestmark = pytest.mark.both_databases

PAGE = ("<html lang='en'><head><title>Age UK</title></head><body><main><h1>Age UK</h1>"
        "<p>Age UK is the country's leading charity for older people.</p>{extra}"
        "<p>Call our free Advice Line on 0800 678 1602, open 8am to 7pm, 365 days a year.</p></main></body></html>")


class Clock:
    def __init__(self):
        self.now = datetime(2026, 3, 1, 9, tzinfo=timezone.utc)

    def __call__(self):
        return self.now


@pytest.fixture
def tracked(app, database_kind):
    clock = Clock()
    tracker = Tracker(get_database(app), app.config, clock=clock)
    with get_database(app).transaction() as session:
        resource_store.create_resource(session, {
            "id": "ageuk", "name": "Age UK", "url": "https://www.ageuk.org.uk/",
            "description": "Age UK is a charity for older people. Its free Advice Line is on 0800 678 1602."})
    yield tracker, clock
    tracker.close()


def result(extra: str = "", outcome: str = "ok") -> dict:
    body = PAGE.format(extra=extra)
    return {"url": "https://www.ageuk.org.uk/", "outcome": outcome, "reason": "", "status_code": 200,
            "elapsed_ms": 10, "description_page": page_for(outcome, "", body, final_url="https://www.ageuk.org.uk/",
                                                           content_type="text/html")}


def test_the_first_check_stores_a_compact_baseline_and_a_verdict_beside_health(app, tracked):
    tracker, _ = tracked
    check = tracker.record("ageuk", result("<p>" + "We help older people live well. " * 200 + "</p>"))
    assert check.health == "healthy"
    assert check.result["description"]["verdict"] == "supported"
    assert "description_page" not in check.result
    with get_database(app).transaction() as session:
        baseline = store.current_baseline(session, "ageuk")
        assert len(baseline.main_text) < 1000  # 6,000+ characters, compressed
        assert baseline.claims[1]["supported"] is True and baseline.confirmed is False
        assert store.get_state(session, "ageuk").verdict == "supported"


def test_replaced_baselines_go_with_the_history_and_the_current_one_stays(app, tracked):
    tracker, clock = tracked
    tracker.record("ageuk", result())
    for _ in range(2):  # two editor confirmations, a year apart
        clock.now += timedelta(days=300)
        with get_database(app).transaction() as session:
            store.get_state(session, "ageuk").rebaseline = True
        tracker.record("ageuk", result())
    clock.now += timedelta(days=200)
    tracker.record("ageuk", result())
    with get_database(app).transaction() as session:
        kept = list(session.scalars(select(DescriptionBaseline.taken_at).order_by(DescriptionBaseline.taken_at)))
    # HISTORY_DAYS is 400: the first (800 days old) went; the one replaced 500 days ago too; the current stays
    assert kept == [datetime(2026, 3, 1, 9, tzinfo=timezone.utc) + timedelta(days=600)]


def test_failures_leave_the_verdict_alone_and_blocked_pages_count_as_unknown(app, tracked):
    tracker, _ = tracked
    tracker.record("ageuk", result())
    tracker.record("ageuk", {"url": "https://www.ageuk.org.uk/", "outcome": "dns_error", "reason": "gone"})
    blocked = {"url": "https://www.ageuk.org.uk/", "outcome": "blocked", "reason": "a bot wall",
               "description_page": page_for("blocked", "a bot wall", "", final_url="", content_type="")}
    tracker.record("ageuk", dict(blocked))
    with get_database(app).transaction() as session:
        state = store.get_state(session, "ageuk")
        assert (state.verdict, state.pending, state.pending_count) == ("supported", "unknown", 1)
    tracker.record("ageuk", dict(blocked))
    with get_database(app).transaction() as session:
        state = store.get_state(session, "ageuk")
        assert state.verdict == "unknown" and "bot wall" in state.why


def test_a_strange_page_record_never_costs_the_checks_health(app, tracked):
    tracker, _ = tracked
    check = tracker.record("ageuk", {"url": "https://www.ageuk.org.uk/", "outcome": "ok", "reason": "",
                                     "description_page": {"readable": True, "headings": 5, "bogus": 1}})
    assert check is not None and check.health == "healthy"
    check = tracker.record("ageuk", {"url": "https://www.ageuk.org.uk/", "outcome": "ok", "reason": "",
                                     "description_page": {"readable": "yes", "nonsense": []}})
    assert check is not None


def test_deleting_a_resource_deletes_its_baselines_and_verdict(app, tracked):
    tracker, _ = tracked
    tracker.record("ageuk", result())
    with get_database(app).transaction() as session:
        resource_store.delete_resource(session, resource_store.get_resource(session, "ageuk"))
    with get_database(app).transaction() as session:
        assert session.scalar(select(func.count()).select_from(DescriptionBaseline)) == 0
        assert session.scalar(select(func.count()).select_from(DescriptionState)) == 0
        assert check_store.get_state(session, "ageuk") is None


def test_a_page_that_reads_the_same_is_not_read_again_until_it_or_the_description_changes(app, tracked):
    tracker, _ = tracked
    tracker.record("ageuk", result(extra="<p>Updated 3 March 2026.</p>"))
    again = tracker.record("ageuk", result(extra="<p>Updated 9 November 2026.</p>"))  # only a date
    assert again.result["description"] == {"verdict": "supported", "unchanged": True,
                                           "why": "the page supports every claim of the description"}
    figure = tracker.record("ageuk", result(extra="<p>We helped 12,000 people.</p>"))
    assert "unchanged" not in figure.result["description"]
    with get_database(app).transaction() as session:
        resource_store.update_resource(session, resource_store.get_resource(session, "ageuk"),
                                       {"description": "Age UK runs 300 charity shops."})
    edited = tracker.record("ageuk", result(extra="<p>We helped 12,000 people.</p>"))
    assert edited.result["description"]["verdict"] == "unsupported"


def test_the_page_is_read_outside_the_recording_transaction_and_only_when_it_changed(app, tracked,
                                                                                    monkeypatch):
    import threading

    from refsvc.links import description

    tracker, clock = tracked
    database = get_database(app)
    reads, writes = [], []
    real_read = description.read_text

    def read_while_another_writes(*args, **kwargs):
        # another thread records its own work while the page is parsed: it must not have to wait
        def write():
            with database.transaction() as session:
                writes.append(resource_store.count_resources(session))
        writer = threading.Thread(target=write)
        writer.start()
        writer.join(timeout=database.timeouts.statement / 2)
        reads.append(not writer.is_alive())
        writer.join()
        return real_read(*args, **kwargs)

    monkeypatch.setattr(description, "read_text", read_while_another_writes)
    first = tracker.record("ageuk", result())
    assert first.result["description"]["verdict"] == "supported"
    assert reads == [True] and writes == [1]
    clock.now += timedelta(hours=1)
    again = tracker.record("ageuk", result())  # reads as before: judged again without parsing
    assert again.result["description"].get("unchanged") and reads == [True]
    clock.now += timedelta(hours=1)
    tracker.record("ageuk", result("<p>We also run shops.</p>"))
    assert reads == [True, True]


@pytest.mark.parametrize("pages", ["new", "as before", "changed"])
def test_a_batch_of_checks_costs_the_description_check_the_same_few_queries_however_many_it_holds(
        app, tracked, pages):
    from sqlalchemy import event

    tracker, clock = tracked
    database = get_database(app)
    with database.transaction() as session:
        for n in range(8):
            resource_store.create_resource(session, {"id": f"charity{n}", "name": "Age UK",
                                                     "url": f"https://www.ageuk.org.uk/{n}",
                                                     "description": "Age UK is a charity for older people."})

    def batch(ids, extra=""):
        return [(rid, result(extra), None) for rid in ids]

    if pages != "new":
        tracker.record_many(batch([f"charity{n}" for n in range(8)]))
        clock.now += timedelta(days=1)
    counted = []

    def count(conn, cursor, statement, *args):
        # a new page's baseline is one row written, like its check; nothing else goes per check
        if "description_" in statement and not statement.startswith("INSERT INTO description_baselines"):
            counted[-1] += 1

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        for ids in (["charity0", "charity1"], [f"charity{n}" for n in range(2, 8)]):
            counted.append(0)
            recorded = tracker.record_many(batch(ids, "<p>We also run shops.</p>" if pages == "changed" else ""))
            assert all(check is not None for check in recorded.values())
    finally:
        event.remove(database.engine, "before_cursor_execute", count)
    assert counted[0] == counted[1]  # two checks or six: no query per check
