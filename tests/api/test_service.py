"""The service around the citations: health, styles, OpenAPI, ETags, CORS, JSON errors."""
from __future__ import annotations

import pytest

from refsvc import create_app


def test_healthz_says_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"


def test_the_openapi_document_describes_the_citation_endpoint(client):
    spec = client.get("/openapi.json").json
    assert "/v1/citations" in spec["paths"]
    assert "post" in spec["paths"]["/v1/citations"]
    page = client.get("/docs")
    assert page.status_code == 200
    assert b"/docs/assets/swagger-ui-bundle.js" in page.data  # served here, not from a CDN
    assert client.get("/docs/assets/swagger-ui-bundle.js").status_code == 200


def test_the_style_catalogue_lists_the_promised_styles(client):
    body = client.get("/v1/styles").json
    names = {style["name"]: style for style in body["styles"]}
    assert names["mla"]["id"] == "modern-language-association"
    assert names["chicago"]["id"] == "chicago-notes-bibliography"
    assert "en-GB" in body["locales"]


def test_an_unknown_style_page_is_a_json_404(client):
    response = client.get("/v1/styles/nope")
    assert response.status_code == 404
    assert response.json["code"] == "unknown_style"


def test_get_answers_carry_an_etag_and_honour_if_none_match(client):
    first = client.get("/v1/styles")
    assert first.headers["ETag"]
    assert "Cache-Control" in first.headers
    second = client.get("/v1/styles", headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 304


def test_unknown_paths_and_methods_get_json_errors(client):
    missing = client.get("/nope")
    assert missing.status_code == 404 and missing.json["code"] == "not_found"
    wrong = client.delete("/v1/styles")
    assert wrong.status_code == 405 and wrong.json["status"] == 405


def test_cors_is_open_to_the_configured_origins(settings, tmp_path, monkeypatch):
    monkeypatch.setenv("REFSVC_INSTANCE_PATH", str(tmp_path / "i"))
    app = create_app(dict(settings, CORS_ORIGINS="https://site.example,https://other.example"))
    client = app.test_client()
    allowed = client.get("/v1/styles", headers={"Origin": "https://site.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://site.example"
    refused = client.get("/v1/styles", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in refused.headers


@pytest.mark.parametrize("value, expected", [("1", True), ("0", False), (True, True)])
def test_settings_take_typed_values_or_environment_strings(settings, value, expected):
    from refsvc.config import load_settings
    assert load_settings({"ALLOW_PRIVATE_ADDRESSES": value}, environ={})[
        "ALLOW_PRIVATE_ADDRESSES"] is expected
    assert load_settings({"CORS_ORIGINS": "a,b"}, environ={})["CORS_ORIGINS"] == ["a", "b"]
    assert load_settings(environ={"REFSVC_CHECK_CONCURRENCY": "8"})["CHECK_CONCURRENCY"] == 8


def test_a_misspelt_setting_is_refused_with_a_hint():
    from refsvc.config import SettingError, load_settings
    with pytest.raises(SettingError, match="DATABSE_URL"):
        load_settings({"DATABSE_URL": "x"}, environ={})


def test_behind_a_proxy_the_client_address_comes_from_x_forwarded_for(settings, tmp_path,
                                                                       monkeypatch):
    from flask import request

    monkeypatch.setenv("REFSVC_INSTANCE_PATH", str(tmp_path / "i"))
    app = create_app(dict(settings, PROXY_COUNT="1"))
    seen = {}

    @app.get("/_whoami")
    def whoami():
        seen["addr"] = request.remote_addr
        return "ok"

    app.test_client().get("/_whoami", headers={"X-Forwarded-For": "203.0.113.7"},
                          environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert seen["addr"] == "203.0.113.7"


def test_the_api_document_writes_code_as_markdown_not_rst(client):
    # /docs renders the summaries as Markdown: RST's double backticks would show literally
    assert "``" not in client.get("/openapi.json").get_data(as_text=True)


def test_a_204_carries_no_content_type(app, client, editor):
    assert client.post("/v1/resources", json={"id": "mind", "name": "Mind", "url": "https://www.mind.org.uk/"},
                       headers=editor).status_code == 201
    response = client.delete("/v1/resources/mind", headers=editor)
    assert response.status_code == 204 and response.data == b""
    assert "Content-Type" not in response.headers
