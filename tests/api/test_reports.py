"""/v1/reports on SQLite and PostgreSQL: visitors report links, editors resolve; rate limits on
memory and on real Redis."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from refsvc.storage import get_database, utcnow
from refsvc.storage import resources as store

MIND = {"id": "mind", "name": "Mind", "url": "https://www.mind.org.uk/", "description": "A charity."}


pytestmark = pytest.mark.both_databases


@pytest.fixture
def settings(settings):
    return {**settings, "REPORT_RATE_LIMIT": ""}  # limits are tested on their own


@pytest.fixture
def mind(app, client, editor):
    assert client.post("/v1/resources", json=MIND, headers=editor).status_code == 201
    with get_database(app).transaction() as session:  # checked a moment ago: next check far off
        store.get_resource(session, "mind").state.next_check_at = utcnow() + timedelta(days=1)
    return "mind"


def next_check(app, resource_id) -> datetime:
    with get_database(app).transaction() as session:
        return store.get_resource(session, resource_id).state.next_check_at


def test_a_visitor_reports_a_link_and_gets_202(client, mind):
    response = client.post("/v1/reports", json={"resource_id": mind, "reason": "inaccurate",
                                                "comment": "They moved", "page": "/dit"})
    assert response.status_code == 202
    assert response.json["status"] == "open" and response.json["count"] == 1
    assert "comment" not in response.json  # visitors never see each other's comments


def test_a_broken_report_makes_the_resource_due_within_a_minute(app, client, mind):
    client.post("/v1/reports", json={"resource_id": mind, "reason": "broken"})
    assert next_check(app, mind) <= utcnow() + timedelta(seconds=60)


def test_an_inaccurate_report_asks_for_a_check_at_once_too(app, client, mind):
    # the check reads the page again for the description check (issue 12)
    client.post("/v1/reports", json={"resource_id": mind, "reason": "inaccurate"})
    assert next_check(app, mind) <= utcnow() + timedelta(seconds=60)


def test_an_other_report_leaves_the_schedule_alone(app, client, mind):
    client.post("/v1/reports", json={"resource_id": mind, "reason": "other"})
    assert next_check(app, mind) > utcnow() + timedelta(hours=23)


def test_a_report_by_url_finds_the_resource_despite_spelling(client, mind):
    response = client.post("/v1/reports", json={"url": "HTTPS://www.Mind.org.uk", "reason": "broken"})
    assert response.json["resource_id"] == mind


def test_a_report_of_an_unregistered_url_is_kept_for_editors(client, editor):
    response = client.post("/v1/reports", json={"url": "https://gone.example.org/x", "reason": "other"})
    assert response.status_code == 202 and response.json["resource_id"] is None
    listed = client.get("/v1/reports", headers=editor).json
    assert listed[0]["url"] == "https://gone.example.org/x"


def test_repeated_reports_are_grouped_with_their_comments(client, editor, mind):
    for address, comment in (("192.0.2.1", "404 for me"), ("192.0.2.2", "still down")):
        client.post("/v1/reports", json={"resource_id": mind, "reason": "broken", "comment": comment},
                    environ_base={"REMOTE_ADDR": address})
    client.post("/v1/reports", json={"resource_id": mind, "reason": "inaccurate"})
    reports = client.get("/v1/reports?reason=broken", headers=editor).json
    assert len(reports) == 1
    assert reports[0]["count"] == 2
    assert [c["comment"] for c in reports[0]["comments"]] == ["404 for me", "still down"]


def test_one_visitors_repeated_reports_of_a_link_count_once_a_day(app, client, editor, mind):
    answers = [client.post("/v1/reports", json={"resource_id": mind, "reason": "broken"},
                           environ_base={"REMOTE_ADDR": "192.0.2.7"}) for _ in range(3)]
    assert [a.status_code for a in answers] == [202, 202, 202]  # acknowledged, counted once
    assert [a.json["count"] for a in answers] == [1, 1, 1]
    other = client.post("/v1/reports", json={"resource_id": mind, "reason": "broken"},
                        environ_base={"REMOTE_ADDR": "192.0.2.8"})
    assert other.json["count"] == 2
    from refsvc.storage import reports as report_store
    with get_database(app).transaction() as session:  # the same visitor on the next day counts
        report, grouped = report_store.add_report(
            session, url="https://www.mind.org.uk/", reason="broken", resource_id=mind,
            visitor=report_store.visitor_key("192.0.2.7"), now=utcnow() + timedelta(days=1))
    assert grouped and report.count == 3


@pytest.mark.parametrize("body, field", [
    ({"reason": "broken"}, "resource_id"),
    ({"resource_id": "mind", "reason": "angry"}, "reason"),
    ({"resource_id": "mind", "reason": "broken", "comment": "x" * 1001}, "comment"),
    ({"resource_id": "nope", "reason": "broken"}, "resource_id"),
    ({"url": "javascript:alert(1)", "reason": "broken"}, "url"),
])
def test_bad_reports_are_a_422_naming_the_field_and_nothing_is_stored(client, editor, mind, body,
                                                                      field):
    response = client.post("/v1/reports", json=body)
    assert response.status_code == 422
    assert field in response.json["errors"]
    assert client.get("/v1/reports", headers=editor).json == []


def test_editors_resolve_a_report_and_a_new_one_opens_a_new_group(client, editor, mind):
    first = client.post("/v1/reports", json={"resource_id": mind, "reason": "broken"}).json["id"]
    response = client.patch(f"/v1/reports/{first}", json={"status": "resolved", "note": "fixed"},
                            headers=editor)
    assert response.status_code == 200
    assert response.json["status"] == "resolved" and response.json["resolved_at"]
    second = client.post("/v1/reports", json={"resource_id": mind, "reason": "broken"}).json["id"]
    assert second != first
    assert [r["id"] for r in client.get("/v1/reports?status=open", headers=editor).json] == [second]


def test_report_listing_and_resolving_are_for_editors_only(client, mind):
    assert client.get("/v1/reports").status_code == 401
    assert client.patch("/v1/reports/1", json={"status": "resolved"},
                        headers={"Authorization": "Bearer wrong"}).status_code == 403


def test_resolving_an_unknown_report_is_a_404(client, editor):
    assert client.patch("/v1/reports/999", json={"status": "resolved"}, headers=editor).status_code == 404


def test_a_plain_form_post_gets_a_thank_you_page(client, mind):
    response = client.post("/v1/reports", data={"resource_id": "mind", "reason": "broken",
                                                "page": "http://localhost/depression.htm"})
    assert response.status_code == 202
    assert response.mimetype == "text/html"
    assert b"Thank you" in response.data
    assert b'href="http://localhost/depression.htm"' in response.data


def test_a_form_post_never_links_back_to_a_script_url(client, mind):
    response = client.post("/v1/reports", data={"resource_id": "mind", "reason": "other",
                                                "page": "javascript:alert(1)"})
    assert response.status_code == 202
    assert b"javascript:" not in response.data


def test_a_lone_visitor_reporting_twice_is_not_told_others_reported_it(client, mind):
    body = {"resource_id": mind, "reason": "broken"}
    first = client.post("/v1/reports", json=body).json["message"]
    again = client.post("/v1/reports", json=body).json["message"]
    assert "others" not in first and "others" not in again
    other = client.post("/v1/reports", json=body, environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert "others reported this too" in other.json["message"]
