"""The list endpoints and pages ask the database a fixed number of questions, however many
resources they list (no query per row: each row's resource, health, last check and description
check come with the page)."""
from __future__ import annotations

import pytest
from sqlalchemy import event

from refsvc.storage import checks as check_store
from refsvc.storage import descriptions as description_store
from refsvc.storage import get_database, utcnow
from refsvc.storage import reports as report_store
from refsvc.storage import resources as store

pytestmark = pytest.mark.both_databases

LISTS = ["/v1/resources", "/v1/resources?format=csv", "/v1/resources?tag=t", "/v1/resources?verdict=supported",
         "/v1/reports", "/v1/resources/block?tag=t", "/dashboard", "/dashboard/reports"]


def add_resources(app, first: int, count: int) -> None:
    """Resources with everything a list shows: a check, a description verdict and a report."""
    with get_database(app).transaction() as session:
        for n in range(first, first + count):
            url = f"https://e{n}.example.org/"
            store.create_resource(session, {"id": f"r{n}", "name": f"R{n}", "url": url, "tags": ["t"]})
            check_store.record_check(session, check_store.get_state(session, f"r{n}"),
                                     {"url": url, "outcome": "ok", "status_code": 200}, utcnow(),
                                     health={"health": "healthy"}, next_check_at=utcnow())
            state = description_store.get_state(session, f"r{n}", create=True)
            state.verdict = "supported"
            report_store.add_report(session, url=url, reason="broken", resource_id=f"r{n}")


def queries(app, path: str, headers: dict[str, str]) -> int:
    count = 0

    def counted(*_):
        nonlocal count
        count += 1

    engine = get_database(app).engine
    event.listen(engine, "before_cursor_execute", counted)
    try:
        assert app.test_client().get(path, headers=headers).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    return count


def test_listing_ten_times_as_many_resources_asks_no_more_queries(app, editor):
    add_resources(app, 0, 2)
    few = {path: queries(app, path, editor) for path in LISTS}
    add_resources(app, 2, 18)
    many = {path: queries(app, path, editor) for path in LISTS}
    assert many == few
