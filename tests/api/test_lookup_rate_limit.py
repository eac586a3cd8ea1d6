"""The GET citation endpoints that resolve a DOI or fetch a page are rate-limited per client
(REFSVC_LOOKUP_RATE_LIMIT), with 429 and Retry-After; editors are not, nor is citing sent metadata."""
from __future__ import annotations

import pytest

from refsvc import create_app
from tests.conftest import dead_port

LOOKUPS = ["/v1/citations?doi=10.1037/none", "/v1/citations/block?doi=10.1037/none",
           "/cite?doi=10.1037/none"]


@pytest.fixture
def limited_app(settings, tmp_path, monkeypatch):
    monkeypatch.setenv("REFSVC_INSTANCE_PATH", str(tmp_path / "instance"))
    return create_app({**settings, "LOOKUP_RATE_LIMIT": "2 per minute"})


@pytest.mark.parametrize("path", LOOKUPS)
def test_a_client_over_the_lookup_limit_gets_429_with_retry_after(limited_app, path):
    client = limited_app.test_client()
    answers = [client.get(path) for _ in range(3)]
    assert [a.status_code for a in answers[:2]] != [429, 429]  # the dead resolver's 502s
    assert answers[2].status_code == 429
    assert int(answers[2].headers["Retry-After"]) > 0


@pytest.mark.parametrize("path", LOOKUPS)
def test_editors_are_not_held_to_the_lookup_limit(limited_app, editor, path):
    client = limited_app.test_client()
    assert 429 not in {client.get(path, headers=editor).status_code for _ in range(3)}


def test_citing_sent_metadata_is_not_held_to_the_lookup_limit(limited_app):
    client = limited_app.test_client()
    body = {"metadata": {"title": "Anxiety", "published": "2023"}, "styles": ["apa"]}
    assert {client.post("/v1/citations", json=body).status_code for _ in range(3)} == {200}


def test_an_empty_setting_lifts_the_lookup_limit(settings, tmp_path, monkeypatch):
    monkeypatch.setenv("REFSVC_INSTANCE_PATH", str(tmp_path / "instance"))
    client = create_app({**settings, "LOOKUP_RATE_LIMIT": ""}).test_client()
    assert 429 not in {client.get(LOOKUPS[0]).status_code for _ in range(3)}


@pytest.mark.parametrize("path", ["/v1/citations", "/v1/citations/block"])
def test_the_api_document_says_a_lookup_may_be_refused_with_429(client, path):
    operation = client.get("/openapi.json").json["paths"][path]["get"]
    assert "429" in operation["responses"]


@pytest.mark.parametrize("path", LOOKUPS)
def test_head_requests_count_against_the_lookup_limit_too(limited_app, path):
    """A HEAD runs the lookup as a GET does (only the body is left out)."""
    client = limited_app.test_client()
    assert [client.head(path).status_code for _ in range(3)][-1] == 429


def test_the_cite_page_over_the_limit_is_still_a_page_saying_when_to_come_back(limited_app):
    """/cite is where the widget's fallback link takes a visitor's browser: a 429 there is the
    cite page with the message (autoescaped), not JSON, and its Retry-After says the same wait."""
    client = limited_app.test_client()
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    path = f"/cite?url=http://127.0.0.1:{dead_port()}/<script>alert(1)</script>"
    answers = [client.get(path, headers=browser) for _ in range(3)]
    assert [a.mimetype for a in answers[:2]] == ["text/html", "text/html"]  # the lookup's own errors
    refused = answers[2]
    assert refused.status_code == 429 and refused.mimetype == "text/html"
    page = refused.get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    wait = int(refused.headers["Retry-After"])
    assert wait > 0 and f"try again in {wait} seconds" in page
    assert "How to cite this page" in page


def test_the_api_over_the_limit_still_answers_json_to_a_browser(limited_app):
    client = limited_app.test_client()
    browser = {"Accept": "text/html,*/*;q=0.8"}
    refused = [client.get(LOOKUPS[0], headers=browser) for _ in range(3)][2]
    assert refused.status_code == 429 and refused.json["code"] == "too_many_requests"
