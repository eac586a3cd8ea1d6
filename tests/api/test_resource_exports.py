"""GET /v1/resources?format=csv|markdown: the registry's link health as a spreadsheet or a ticket."""
from __future__ import annotations

import csv
import io

import pytest

from refsvc.links.tracking import Tracker
from refsvc.storage import get_database

pytestmark = pytest.mark.both_databases


def add(client, editor, resource_id, name, url, tags=()):
    body = {"id": resource_id, "name": name, "url": url, "tags": list(tags)}
    assert client.post("/v1/resources", json=body, headers=editor).status_code == 201


def record(app, resource_id, url, outcome, status, reason, elapsed=120):
    tracker = Tracker(get_database(app), app.config, client=object())
    return tracker.record(resource_id, {"url": url, "outcome": outcome, "reason": reason,
                                        "status_code": status, "elapsed_ms": elapsed})


@pytest.fixture
def registry(app, client, editor):
    add(client, editor, "mind", "Mind", "https://www.mind.org.uk/", ["charity"])
    add(client, editor, "evil", '=HYPERLINK("http://x")|[a](b)', "https://evil.example/a?b=<c>")
    add(client, editor, "nhs", "NHS", "https://www.nhs.uk/")
    record(app, "mind", "https://www.mind.org.uk/", "ok", 200, "Fine.")
    for _ in range(3):
        record(app, "evil", "https://evil.example/a?b=<c>", "client_error", 404, "The page answered 404.")
    record(app, "nhs", "https://www.nhs.uk/", "dns_error", None, "The name does not resolve.", 3050)
    client.post("/v1/reports", json={"resource_id": "evil", "reason": "broken"})
    client.post("/v1/reports", json={"resource_id": "evil", "reason": "inaccurate"})


def read_csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_csv_has_every_resource_with_health_last_outcome_since_and_open_reports(client, editor, registry):
    rows = {row["id"]: row for row in read_csv(client.get("/v1/resources?format=csv", headers=editor))}
    assert list(rows) == ["evil", "mind", "nhs"]  # by name, like the JSON list
    assert rows["mind"]["health"] == "healthy" and rows["mind"]["last_outcome"] == "ok"
    assert rows["mind"]["last_elapsed_ms"] == "120" and rows["mind"]["open_reports"] == "0"
    assert rows["evil"]["last_status_code"] == "404" and rows["evil"]["open_reports"] == "2"
    assert rows["evil"]["health_since"].startswith("20")
    # A check that never connected has no response time.
    assert rows["nhs"]["last_outcome"] == "dns_error" and rows["nhs"]["last_elapsed_ms"] == ""


def test_csv_cells_that_a_spreadsheet_would_run_are_quoted_off(client, registry):
    rows = {row["id"]: row for row in read_csv(client.get("/v1/resources?format=csv"))}
    assert rows["evil"]["name"] == "'=HYPERLINK(\"http://x\")|[a](b)"


def test_report_counts_are_for_editors_only(client, registry):
    rows = read_csv(client.get("/v1/resources?format=csv"))
    assert {row["open_reports"] for row in rows} == {""}


def test_csv_takes_the_same_filters_as_the_list(client, registry):
    assert [r["id"] for r in read_csv(client.get("/v1/resources?format=csv&tag=charity"))] == ["mind"]


def test_json_stays_the_default(client, registry):
    assert [r["id"] for r in client.get("/v1/resources?format=json").get_json()] == ["evil", "mind", "nhs"]


def test_markdown_report_summarises_and_lists_what_is_not_healthy(client, editor, registry):
    response = client.get("/v1/resources?format=markdown", headers=editor)
    assert response.status_code == 200 and response.mimetype == "text/markdown"
    text = response.get_data(as_text=True)
    assert "| 🔍 Total | 3 |" in text and "| ✅ Healthy | 1 |" in text
    assert "www.mind.org.uk" not in text  # healthy links are only counted
    line = next(line for line in text.splitlines() if "evil.example" in line)
    assert line.startswith("* [404] <https://evil.example/a?b=%3Cc%3E> ")
    assert "\\[a\\]\\(b\\)" in line and "2 open reports" in line


def test_an_unknown_format_is_a_422_naming_the_choices(client):
    response = client.get("/v1/resources?format=xlsx")
    assert response.status_code == 422
    assert "format" in str(response.get_json()["errors"])


def test_the_json_list_gives_editors_the_open_report_counts_too(client, editor, registry):
    views = {v["id"]: v for v in client.get("/v1/resources", headers=editor).get_json()}
    assert views["evil"]["open_reports"] == 2 and views["mind"]["open_reports"] == 0
    assert all("open_reports" not in v for v in client.get("/v1/resources").get_json())


def test_the_export_keeps_to_the_verdict_asked_for(app, client, registry):
    from refsvc.storage import descriptions

    with get_database(app).transaction() as session:
        descriptions.get_state(session, "nhs", create=True).verdict = "changed"
    rows = read_csv(client.get("/v1/resources?format=csv&verdict=changed"))
    assert [row["id"] for row in rows] == ["nhs"]


@pytest.mark.parametrize("kind", ["csv", "markdown"])
def test_an_export_is_one_whole_file_without_page_headers(client, registry, kind):
    """The export holds every matching resource, whatever page parameters came with it: it carries
    no X-Pagination or Link header that would say it is a page of something."""
    response = client.get(f"/v1/resources?format={kind}&page=2&page_size=1")
    assert response.status_code == 200
    assert "X-Pagination" not in response.headers and "Link" not in response.headers
    whole = client.get(f"/v1/resources?format={kind}").get_data(as_text=True)
    assert response.get_data(as_text=True) == whole and "NHS" in whole


def test_the_json_list_still_says_which_page_it_is(client, registry):
    response = client.get("/v1/resources?page=2&page_size=1")
    assert [item["id"] for item in response.json] == ["mind"]
    assert '"total": 3' in response.headers["X-Pagination"] and 'rel="next"' in response.headers["Link"]
