"""Smaller guards: security headers on every response, outbound ports, an HTTP cache keyed by the
address policy, no resolved address in an anonymous answer, the locale checked before any fetch."""
from __future__ import annotations

import pytest

from refsvc import create_app
from refsvc.metadata.http import RefusedAddress, client_from_settings
from refsvc.config import load_settings

PAGE = "<html><head><title>Internal page</title></head><body>secret</body></html>"


@pytest.mark.parametrize("method, path", [
    ("GET", "/dashboard"), ("GET", "/demo/cite"), ("GET", "/demo/block"),
    ("GET", "/v1/resources/block?tag=none"), ("GET", "/docs"), ("GET", "/v1/styles"),
    ("GET", "/healthz"), ("GET", "/no/such/page"), ("POST", "/v1/citations"),
])
def test_every_response_carries_the_security_headers(client, method, path):
    response = client.open(path, method=method, json={} if method == "POST" else None)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    if response.mimetype == "text/html" and not path.startswith("/docs"):
        assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split(
            "script-src")[1].split(";")[0]


def test_the_report_thank_you_page_carries_the_security_headers(client):
    response = client.post("/v1/reports", data={"url": "https://a.example.org/", "reason": "broken"})
    assert response.status_code == 202 and response.mimetype == "text/html"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def _client(**overrides):
    return client_from_settings(load_settings(overrides, environ={}))


def test_outbound_ports_are_80_and_443_on_a_public_instance():
    with pytest.raises(RefusedAddress, match="port 8080 is not fetched"):
        _client().fetch("http://example.org:8080/")  # refused before any DNS or connection
    with pytest.raises(RefusedAddress, match="port 22 is not fetched"):
        _client().fetch("https://example.org:22/")


def test_the_outbound_ports_setting_narrows_or_widens_them(httpserver):
    httpserver.expect_request("/page").respond_with_data(PAGE, content_type="text/html")
    url = httpserver.url_for("/page")
    with pytest.raises(RefusedAddress, match="not fetched"):
        _client(ALLOW_PRIVATE_ADDRESSES="1", OUTBOUND_PORTS="80,443").fetch(url)
    assert _client(ALLOW_PRIVATE_ADDRESSES="1").fetch(url).status == 200  # private: any port
    assert _client(ALLOW_PRIVATE_ADDRESSES="1", OUTBOUND_PORTS="*").fetch(url).status == 200


def test_a_redirect_to_a_port_not_allowed_is_refused(httpserver):
    httpserver.expect_request("/hop").respond_with_data("", status=302, headers={
        "Location": "http://example.org:8443/"})
    client = _client(ALLOW_PRIVATE_ADDRESSES="1", OUTBOUND_PORTS=f"80,443,{httpserver.port}")
    with pytest.raises(RefusedAddress, match="port 8443"):
        client.fetch(httpserver.url_for("/hop"))


def test_a_page_cached_while_private_addresses_were_allowed_is_not_served_to_a_public_instance(
        settings, tmp_path, monkeypatch, httpserver):
    httpserver.expect_request("/page").respond_with_data(PAGE, content_type="text/html")
    url = f"http://localhost:{httpserver.port}/page"  # a name: only the connection would refuse it
    monkeypatch.setenv("REFSVC_INSTANCE_PATH", str(tmp_path / "instance"))
    private = create_app(settings).test_client()
    assert private.get("/v1/citations", query_string={"url": url}).status_code == 200
    public = create_app({**settings, "ALLOW_PRIVATE_ADDRESSES": "0", "OUTBOUND_PORTS": "*"})
    answer = public.test_client().get("/v1/citations", query_string={"url": url})
    assert answer.status_code == 400 and answer.json["code"] == "refused_address"
    assert "Internal page" not in answer.get_data(as_text=True)


def test_an_anonymous_lookup_does_not_learn_what_a_private_name_resolves_to(settings, tmp_path,
                                                                             monkeypatch):
    monkeypatch.setenv("REFSVC_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({**settings, "ALLOW_PRIVATE_ADDRESSES": "0"})
    answer = app.test_client().get("/v1/citations", query_string={"url": "http://localhost/"})
    assert answer.status_code == 400
    assert "localhost" in answer.json["message"] and "127.0.0.1" not in answer.json["message"]


def test_a_bad_locale_is_refused_before_anything_is_fetched(client, httpserver):
    httpserver.expect_request("/page").respond_with_data(PAGE, content_type="text/html")
    answer = client.get("/v1/citations", query_string={"url": httpserver.url_for("/page"),
                                                       "locale": "xx-NOPE"})
    assert answer.status_code == 422 and "locale" in answer.json["errors"]
    batch = client.post("/v1/citations/batch", json={"entries": [{"url": httpserver.url_for("/page")}],
                                                     "locale": "xx-NOPE"})
    assert batch.status_code == 422
    assert httpserver.log == []  # nothing was fetched
