"""GET /v1/styles?q=: the style picker's search over every bundled CSL style, and its suggestions."""
from __future__ import annotations


def test_suggestions_include_harvard_and_vancouver(client):
    body = client.get("/v1/styles").get_json()
    ids = [s["id"] for s in body["suggestions"]]
    assert "harvard-cite-them-right" in ids and "vancouver-nlm" in ids
    assert "matches" not in body


def test_search_finds_bundled_styles_by_words_of_their_title(client):
    matches = client.get("/v1/styles?q=cite them right").get_json()["matches"]
    assert matches[0]["id"].startswith("harvard-cite-them-right")
    assert "Cite Them Right" in matches[0]["title"]
    assert len(client.get("/v1/styles?q=harvard").get_json()["matches"]) == 20  # bounded


def test_a_found_style_can_be_used_to_cite(client):
    found = client.get("/v1/styles?q=vancouver nlm").get_json()["matches"][0]["id"]
    body = {"metadata": {"title": "A page", "url": "https://example.org/"}, "styles": [found]}
    assert client.post("/v1/citations", json=body).status_code == 200


def test_a_search_for_nothing_known_is_empty_and_a_huge_query_is_refused(client):
    assert client.get("/v1/styles?q=zzzzqqq").get_json()["matches"] == []
    assert client.get("/v1/styles?q=" + "a" * 101).status_code == 422
