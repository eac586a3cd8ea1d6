"""/v1/resources on SQLite and on PostgreSQL: the registry API, its guard and its bad-input answers."""
from __future__ import annotations

from datetime import timedelta

import pytest

from refsvc.links.tracking import Tracker
from refsvc.storage import get_database, utcnow
from refsvc.storage import resources as store

MIND = {"id": "mind", "name": "Mind", "url": "https://www.mind.org.uk/",
        "description": "Mind is a mental health charity.", "tags": ["charity"]}


pytestmark = pytest.mark.both_databases


def count(app) -> int:
    with get_database(app).transaction() as session:
        return store.count_resources(session)


def record(app, resource_id, outcome="ok", at=None, **extra):
    """Record a check result as the checker would (no network needed for the API's reading side)."""
    clock = (lambda: at) if at else utcnow
    tracker = Tracker(get_database(app), app.config, client=object(), clock=clock)
    result = {"url": "https://www.mind.org.uk/", "outcome": outcome, "reason": f"said {outcome}",
              "status_code": 200, "elapsed_ms": 120, **extra}
    return tracker.record(resource_id, result)


def test_an_editor_creates_a_resource_with_201_and_a_location(client, editor):
    response = client.post("/v1/resources", json=MIND, headers=editor)
    assert response.status_code == 201
    assert response.headers["Location"].endswith("/v1/resources/mind")
    assert response.json["health"] == "unknown"
    assert response.json["last_check"] is None


def test_a_new_resource_is_due_for_its_first_check_at_once(client, editor):
    before = utcnow()
    body = client.post("/v1/resources", json=MIND, headers=editor).json
    from datetime import datetime
    assert datetime.fromisoformat(body["next_check_at"]) <= before + timedelta(seconds=5)


def test_the_id_is_made_from_the_name_when_left_out(client, editor):
    body = {"name": "The Mental Health Foundation", "url": "https://www.mentalhealth.org.uk/"}
    response = client.post("/v1/resources", json=body, headers=editor)
    assert response.status_code == 201
    assert response.json["id"] == "the-mental-health-foundation"


def test_the_list_is_public_and_paginated_with_x_pagination_and_link(client, editor):
    for n in range(3):
        client.post("/v1/resources", json={**MIND, "id": f"r{n}", "name": f"R{n}"}, headers=editor)
    response = client.get("/v1/resources?page=2&page_size=2")
    assert response.status_code == 200
    assert [r["id"] for r in response.json] == ["r2"]
    assert '"total": 3' in response.headers["X-Pagination"]
    assert 'rel="prev"' in response.headers["Link"] and 'rel="first"' in response.headers["Link"]


def test_the_list_filters_by_tag(client, editor):
    client.post("/v1/resources", json=MIND, headers=editor)
    client.post("/v1/resources", json={**MIND, "id": "bbc", "name": "BBC", "tags": ["media"]},
                headers=editor)
    assert [r["id"] for r in client.get("/v1/resources?tag=media").json] == ["bbc"]


def test_one_resource_shows_its_health_as_a_word_and_its_last_check(app, client, editor):
    client.post("/v1/resources", json=MIND, headers=editor)
    record(app, "mind", "ok")
    body = client.get("/v1/resources/mind").json
    assert body["health"] == "healthy"
    assert body["last_check"]["outcome"] == "ok"
    assert body["last_check"]["reason"] == "said ok"


@pytest.mark.parametrize("field, value, words", [
    ("url", "javascript:alert(1)", "javascript"),
    ("url", "https:///no-host", "no host"),
    ("url", "https://example.org/" + "a" * 2048, "2048"),
    ("url", "ftp://example.org/file", "http"),
    ("id", "Not A Slug", "slug"),
    ("name", "", "name"),
    ("logo_url", "data:image/png;base64,AAAA", "http"),
    ("colour", "blue", "Unknown field"),
])
def test_bad_input_is_a_422_naming_the_field_and_nothing_is_written(app, client, editor, field,
                                                                     value, words):
    response = client.post("/v1/resources", json={**MIND, field: value}, headers=editor)
    assert response.status_code == 422
    assert field in response.json["errors"]
    assert words.lower() in str(response.json["errors"][field]).lower()
    assert count(app) == 0


def test_a_duplicate_id_is_a_409_and_changes_nothing(client, editor):
    client.post("/v1/resources", json=MIND, headers=editor)
    response = client.post("/v1/resources", json={**MIND, "name": "Other"}, headers=editor)
    assert response.status_code == 409
    assert client.get("/v1/resources/mind").json["name"] == "Mind"


@pytest.mark.parametrize("method, path", [
    ("post", "/v1/resources"), ("patch", "/v1/resources/mind"), ("delete", "/v1/resources/mind"),
    ("post", "/v1/resources/mind/check"),
])
def test_editor_endpoints_answer_401_without_a_token_and_403_with_a_wrong_one(client, method, path):
    missing = getattr(client, method)(path, json={})
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = getattr(client, method)(path, json={}, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 403


def test_patch_changes_fields_and_a_new_url_starts_health_over(app, client, editor):
    client.post("/v1/resources", json=MIND, headers=editor)
    record(app, "mind", "ok")
    response = client.patch("/v1/resources/mind", json={"url": "https://mind.example.org/"},
                            headers=editor)
    assert response.status_code == 200
    assert response.json["url"] == "https://mind.example.org/"
    assert response.json["health"] == "unknown"
    renamed = client.patch("/v1/resources/mind", json={"name": "Mind UK"}, headers=editor).json
    assert renamed["name"] == "Mind UK" and renamed["url"] == "https://mind.example.org/"


def test_patch_cannot_change_the_id(client, editor):
    client.post("/v1/resources", json=MIND, headers=editor)
    response = client.patch("/v1/resources/mind", json={"id": "other"}, headers=editor)
    assert response.status_code == 422
    assert "id" in response.json["errors"]


def test_delete_removes_the_resource_and_its_history(app, client, editor):
    client.post("/v1/resources", json=MIND, headers=editor)
    record(app, "mind", "ok")
    assert client.delete("/v1/resources/mind", headers=editor).status_code == 204
    assert client.get("/v1/resources/mind").status_code == 404
    assert client.get("/v1/resources/mind/checks").status_code == 404


@pytest.mark.parametrize("method, path", [
    ("get", "/v1/resources/nope"), ("patch", "/v1/resources/nope"),
    ("delete", "/v1/resources/nope"), ("get", "/v1/resources/nope/checks"),
    ("post", "/v1/resources/nope/check"),
])
def test_an_unknown_id_is_a_404_that_says_where_to_look(client, editor, method, path):
    response = getattr(client, method)(path, json={"name": "x"}, headers=editor)
    assert response.status_code == 404
    assert "/v1/resources" in response.json["message"]


def test_the_check_history_is_newest_first_and_paginated(app, client, editor):
    client.post("/v1/resources", json=MIND, headers=editor)
    start = utcnow() - timedelta(days=3)
    for n, outcome in enumerate(["ok", "redirected", "server_error"]):
        record(app, "mind", outcome, at=start + timedelta(days=n))
    response = client.get("/v1/resources/mind/checks?page_size=2")
    assert [c["outcome"] for c in response.json] == ["server_error", "redirected"]
    assert '"total": 3' in response.headers["X-Pagination"]
    assert client.get("/v1/resources/mind").json["last_check"]["outcome"] == "server_error"


def test_the_suggested_replacement_is_shown_to_editors_only(app, client, editor):
    client.post("/v1/resources", json=MIND, headers=editor)
    with get_database(app).transaction() as session:
        state = store.get_resource(session, "mind").state
        state.health = "broken"
        state.wayback_url = "https://web.archive.org/web/20240101000000/https://www.mind.org.uk/"
        state.wayback_timestamp = "20240101000000"
    assert "suggested_replacement" not in client.get("/v1/resources/mind").json
    shown = client.get("/v1/resources/mind", headers=editor).json["suggested_replacement"]
    assert shown["timestamp"] == "20240101000000"
