"""Bad input never gets a 500, a traceback or a half-written row: schemathesis fuzzes every operation
of /openapi.json in-process, then one test per bug the fuzzing and hand-testing found.

The fuzzed app cannot reach the network: the DOI resolver and Crossref are a dead loopback port,
and while the fuzzer runs every outbound connection and DNS lookup of this process is refused (URLs
in generated data may name any host, and the guarded client would otherwise try them).
"""
from __future__ import annotations

import json
import socket

import pytest
import schemathesis
from hypothesis import HealthCheck, settings as hypothesis_settings
from schemathesis.specs.openapi import checks as openapi_checks

from refsvc.storage import Report, Resource, get_database

TOKEN = {"Authorization": "Bearer test-editor-token"}
EXAMPLES = 50  # per operation and phase; the whole file stays well under a minute on 2 cores


@pytest.fixture
def settings(settings):
    """The test app's settings (every upstream on a dead loopback port) with short timeouts."""
    return {**settings, "LOOKUP_TIMEOUT": "2", "HTTP_CONNECT_TIMEOUT": "0.5", "HTTP_READ_TIMEOUT": "0.5",
            "CHECK_TIMEOUT": "2", "REPORT_RATE_LIMIT": "", "LOOKUP_RATE_LIMIT": ""}


@pytest.fixture
def offline(monkeypatch):
    """Refuse every TCP connection and DNS lookup of this process (the fuzzed app needs none)."""
    def refuse(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            raise ConnectionRefusedError(111, f"the fuzz test refuses connections ({address})")
        return real_connect(sock, address)

    def no_dns(host, *args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, f"the fuzz test resolves no names ({host})")

    real_connect = socket.socket.connect
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", lambda sock, address: 111)
    monkeypatch.setattr(socket, "getaddrinfo", no_dns)


@pytest.fixture
def api_schema(app, offline):
    return schemathesis.openapi.from_wsgi("/openapi.json", app)


@pytest.fixture(autouse=True)
def _pytest9_node_id(request):
    # schemathesis 4.32's fixture-based loader renames request.node._nodeid, which pytest 9 dropped
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


def no_server_error(ctx, response, case):
    """No 5xx, except the 502/504 a lookup answers when its upstream (a dead port here) fails."""
    assert response.status_code < 500 or response.status_code in (502, 504), \
        f"{response.status_code}: {response.text[:500]}"


def errors_are_json(ctx, response, case):
    """Every error body is the one JSON shape {code, status, message, errors?}."""
    if response.status_code < 400:
        return
    content_type = response.headers.get("content-type", [""])[0]
    assert content_type.startswith("application/json"), f"{response.status_code} as {content_type}"
    body = json.loads(response.text)
    assert isinstance(body.get("code"), str) and isinstance(body.get("message"), str), body
    assert body.get("status") == response.status_code, body
    assert set(body) <= {"code", "status", "message", "errors"}, body


CHECKS = [no_server_error, errors_are_json, openapi_checks.status_code_conformance,
          openapi_checks.content_type_conformance, openapi_checks.response_schema_conformance]
schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@hypothesis_settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                     suppress_health_check=list(HealthCheck))
def test_no_operation_answers_bad_input_with_a_server_error(case):
    case.call_and_validate(headers=TOKEN, checks=CHECKS)


def _is_error(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.content_type.startswith("application/json")
    body = response.get_json()
    assert body["status"] == status and body["code"] and body["message"]
    return body


@pytest.mark.parametrize("raw", [
    '{"csl": {"type": "book", "x": ' + "[" * 100_000 + "]" * 100_000 + "}}",
    '{"csl": {"type": "book", "x": ' + '{"a": ' * 5_000 + "1" + "}" * 5_000 + "}}",
    '{"csl": {"type": "book", "x": ' + "[" * 40 + "]" * 40 + "}}",
], ids=["100k-lists", "5k-objects", "40-levels"])
def test_a_json_body_nested_too_deeply_is_a_400(client, raw):
    response = client.post("/v1/citations", data=raw, content_type="application/json")
    assert _is_error(response, 400)["code"] == "json_too_deep"


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999", "9" * 5_000])
def test_a_number_json_cannot_mean_is_a_400_never_echoed_as_invalid_json(client, number):
    raw = '{"csl": {"type": "book", "title": "T", "volume": %s}}' % number
    response = client.post("/v1/citations", data=raw, content_type="application/json")
    assert _is_error(response, 400)["code"] == "invalid_number"


BAD_TEXT = {"nul": "a\x00b", "lone-surrogate": "a\ud800b"}
TEXT_CASES = [  # (method, path, body, the errors path to the field)
    ("post", "/v1/citations", {"csl": {"type": "book", "title": "{}"}}, ["csl", "title"]),
    ("post", "/v1/citations", {"csl": {"type": "book", "title": "{}"}, "formats": ["bibtex"]},
     ["csl", "title"]),
    ("post", "/v1/citations", {"metadata": {"title": "{}"}}, ["metadata", "title"]),
    ("post", "/v1/citations/batch", {"entries": [{"doi": "{}"}]}, ["entries", "0", "doi"]),
    ("post", "/v1/resources", {"name": "{}", "url": "https://example.org/"}, ["name"]),
    ("post", "/v1/resources", {"name": "N", "url": "https://{}.example.org/"}, ["url"]),
    ("patch", "/v1/resources/mind", {"description": "{}"}, ["description"]),
    ("post", "/v1/reports", {"url": "https://example.org/", "reason": "broken", "comment": "{}"},
     ["comment"]),
    ("patch", "/v1/reports/1", {"note": "{}"}, ["note"]),
    ("post", "/v1/audits", {"html": "<a href='{}'>x</a>", "base_url": "https://example.org/"},
     ["html"]),
]


def _fill(value, text):
    if isinstance(value, dict):
        return {key: _fill(item, text) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, text) for item in value]
    return value.replace("{}", text) if isinstance(value, str) else value


def _rows(app) -> list:
    with get_database(app).transaction() as session:
        return [(r.id, r.name, r.url, r.description) for r in session.query(Resource)] + \
               [(r.id, r.comments, r.note, r.count) for r in session.query(Report)]


@pytest.mark.both_databases
@pytest.mark.parametrize("kind", BAD_TEXT)
@pytest.mark.parametrize("method, path, body, field", TEXT_CASES,
                         ids=[f"{m}-{p}-{'.'.join(f)}" for m, p, _, f in TEXT_CASES])
def test_text_with_a_nul_or_a_lone_surrogate_is_a_422_naming_the_field_and_writes_nothing(
        app, client, editor, kind, method, path, body, field):
    client.post("/v1/resources", json={"id": "mind", "name": "Mind", "url": "https://mind.example/"},
                headers=editor)
    client.post("/v1/reports", json={"resource_id": "mind", "reason": "broken"}, headers=editor)
    before = _rows(app)
    raw = json.dumps(_fill(body, BAD_TEXT[kind]))  # escaped: \u0000, \ud800
    response = getattr(client, method)(path, data=raw, content_type="application/json",
                                       headers=editor)
    errors = _is_error(response, 422)["errors"]
    for part in field:
        errors = errors[part]
    assert errors and ("NUL" in errors[0] or "surrogate" in errors[0])
    assert _rows(app) == before


@pytest.mark.parametrize("path, name", [("/v1/resources?tag=%00", "tag"),
                                        ("/v1/reports?resource_id=a%00", "resource_id"),
                                        ("/v1/citations?doi=10.1037/%00", "doi"),
                                        ("/v1/resources/block?ids=%00", "ids")])
def test_a_nul_in_the_query_string_is_a_422_naming_the_parameter(client, editor, path, name):
    assert name in _is_error(client.get(path, headers=editor), 422)["errors"]


@pytest.mark.both_databases
@pytest.mark.parametrize("method, path", [("get", "/v1/resources/%00"),
                                          ("get", "/v1/resources/a%00b/checks"),
                                          ("patch", "/v1/resources/%00"),
                                          ("delete", "/v1/resources/%00"),
                                          ("post", "/v1/resources/%00/check")])
def test_a_resource_id_with_a_nul_is_a_404_not_a_database_error(client, editor, method, path):
    kwargs = {"json": {"name": "X"}} if method == "patch" else {}
    _is_error(getattr(client, method)(path, headers=editor, **kwargs), 404)


@pytest.mark.both_databases
@pytest.mark.parametrize("path", ["/v1/resources", "/v1/reports", "/v1/resources/mind/checks"])
@pytest.mark.parametrize("query", ["page=99999999999999999999",
                                   "page=4611686018427387904&page_size=200"])
def test_a_page_far_past_the_end_is_an_empty_page_not_an_overflow(client, editor, path, query):
    client.post("/v1/resources", json={"id": "mind", "name": "Mind", "url": "https://mind.example/"},
                headers=editor)
    response = client.get(f"{path}?{query}", headers=editor)
    assert response.status_code == 200 and response.get_json() == []


@pytest.mark.both_databases
@pytest.mark.parametrize("report_id", ["9223372036854775808", "99999999999999999999"])
def test_a_report_id_too_large_for_the_database_is_a_404(client, editor, report_id):
    response = client.patch(f"/v1/reports/{report_id}", json={"status": "resolved"}, headers=editor)
    assert report_id in _is_error(response, 404)["message"]


@pytest.mark.parametrize("path", ["/v1/styles", "/v1/resources", "/healthz"])
def test_a_failed_if_match_is_a_412_in_the_error_shape_not_the_resource(client, path):
    response = client.get(path, headers={"If-Match": '"garbage"'})
    assert _is_error(response, 412)["code"] == "precondition_failed"


@pytest.mark.parametrize("path", ["/v1/resources", "/v1/audits", "/v1/citations"])
def test_a_json_body_sent_as_text_plain_is_a_400_not_missing_fields(client, editor, path):
    response = client.post(path, data='{"name": "Mind", "url": "https://mind.example/"}',
                           content_type="text/plain", headers=editor)
    assert _is_error(response, 400)["code"] == "unsupported_body"


def test_the_openapi_document_shows_the_error_shape_the_api_sends(client):
    spec = client.get("/openapi.json").get_json()
    error = spec["components"]["schemas"]["Error"]["properties"]
    assert error["code"]["type"] == "string" and error["status"]["type"] == "integer"
    doi = spec["components"]["schemas"]["Metadata"]["properties"]["doi"]["pattern"]
    assert "(?i" not in doi  # ECMA-262 regexes (OpenAPI's) have no inline flags


def test_a_page_whose_json_ld_spells_a_lone_surrogate_is_cited_with_a_replacement_character(
        client, httpserver):
    page = ('<html><head><title>T</title><script type="application/ld+json">{"@context": '
            '"https://schema.org", "@type": "Article", "headline": "Therapy \\ud800 notes", '
            '"datePublished": "2020-01-02"}</script></head><body></body></html>')
    httpserver.expect_request("/article").respond_with_data(page, content_type="text/html")
    response = client.get("/v1/citations", query_string={"url": httpserver.url_for("/article"),
                                                         "formats": "bibtex"})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert "Therapy \ufffd notes" in response.get_data(as_text=True)
