"""Storage on SQLite and PostgreSQL: one transaction per unit of work, cascades, UTC times, claims."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from refsvc.storage import utcnow
from refsvc.storage import checks as check_store
from refsvc.storage import reports as report_store
from refsvc.storage import resources as store

MIND = {"id": "mind", "name": "Mind", "url": "https://www.mind.org.uk/"}


pytestmark = pytest.mark.both_databases


def test_a_failed_unit_of_work_leaves_nothing_half_written(database):
    with pytest.raises(RuntimeError):
        with database.transaction() as session:
            store.create_resource(session, MIND)
            raise RuntimeError("the request failed after the first write")
    with database.transaction() as session:
        assert store.count_resources(session) == 0


def test_a_duplicate_id_is_refused(database):
    with database.transaction() as session:
        store.create_resource(session, MIND)
    with pytest.raises(store.DuplicateResource):
        with database.transaction() as session:
            store.create_resource(session, MIND)


def test_times_come_back_as_the_same_aware_utc_instant(database):
    when = datetime(2026, 3, 29, 1, 30, tzinfo=timezone(timedelta(hours=2)))
    with database.transaction() as session:
        store.create_resource(session, MIND, now=when)
    with database.transaction() as session:
        created = store.get_resource(session, "mind").created_at
    assert created == when and created.tzinfo is not None


def test_deleting_a_resource_removes_its_checks_and_keeps_its_reports(database):
    now = utcnow()
    with database.transaction() as session:
        resource = store.create_resource(session, MIND)
        check_store.record_check(session, resource.state, {"url": MIND["url"], "outcome": "ok",
                                                           "reason": "fine"}, now,
                                 health={"health": "healthy"}, next_check_at=now)
        report_store.add_report(session, url=MIND["url"], reason="broken", resource_id="mind")
    with database.transaction() as session:
        store.delete_resource(session, store.get_resource(session, "mind"))
    with database.transaction() as session:
        assert check_store.history(session, "mind") == ([], 0)
        reports, total = report_store.list_reports(session)
        assert total == 1 and reports[0].resource_id is None and reports[0].url == MIND["url"]


def test_a_claimed_resource_cannot_be_claimed_again_until_its_lease_ends(database):
    now = utcnow()
    with database.transaction() as session:
        store.create_resource(session, MIND, now=now)
    with database.transaction() as session:
        _, first = check_store.claim_due(session, "one", now, limit=5, lease_seconds=60)
    with database.transaction() as session:
        _, second = check_store.claim_due(session, "two", now, limit=5, lease_seconds=60)
    with database.transaction() as session:
        _, later = check_store.claim_due(session, "two", now + timedelta(seconds=61), limit=5,
                                         lease_seconds=60)
    assert [r.id for r in first] == ["mind"] and second == [] and [r.id for r in later] == ["mind"]


def test_the_due_count_leaves_out_claimed_inactive_and_not_yet_due_resources(database):
    now = utcnow()
    with database.transaction() as session:
        for resource_id in ("due", "claimed", "later"):
            store.create_resource(session, {**MIND, "id": resource_id}, now=now)
        store.create_resource(session, {**MIND, "id": "inactive", "active": False}, now=now)
        store.get_resource(session, "later").state.next_check_at = now + timedelta(hours=1)
    with database.transaction() as session:
        check_store.claim_due(session, "one", now, limit=1, lease_seconds=60)
    with database.transaction() as session:
        assert check_store.count_due(session, now) == 1
        assert check_store.count_due(session, now + timedelta(hours=2)) == 3  # lease over, later due


def test_a_report_brings_the_next_check_forward_but_never_back(database):
    now = utcnow()
    with database.transaction() as session:
        store.create_resource(session, MIND, now=now)
        store.get_resource(session, "mind").state.next_check_at = now + timedelta(hours=5)
    with database.transaction() as session:
        assert check_store.make_due(session, "mind", now + timedelta(minutes=1))
        assert not check_store.make_due(session, "mind", now + timedelta(hours=2))
        assert store.get_resource(session, "mind").state.next_check_at == now + timedelta(minutes=1)
