"""GET /v1/citations?doi=|url= and POST /v1/citations/batch against loopback stand-ins for doi.org."""
from __future__ import annotations

import pytest
from werkzeug import Response

from refsvc import create_app

CSL_MEDIA_TYPE = "application/vnd.citationstyles.csl+json"
# What doi.org serves for the seed page's reference (trimmed of fields no style prints).
SEED_DOI_CSL = {
    "type": "article-journal", "DOI": "10.1037/pst0000282", "URL": "https://doi.org/10.1037/pst0000282",
    "title": "The impact of brief dynamic interpersonal therapy (DIT) on veteran depression and anxiety.",
    "container-title": "Psychotherapy", "publisher": "American Psychological Association (APA)",
    "volume": "57", "issue": "3", "page": "464-468", "ISSN": ["1939-1536", "0033-3204"],
    "author": [{"family": "Chen", "given": "Christine K.", "sequence": "first"},
               {"family": "Nehrig", "given": "Nicholas", "sequence": "additional"},
               {"family": "Wash", "given": "Lauren", "sequence": "additional"},
               {"family": "Wang", "given": "Bing", "sequence": "additional"}],
    "issued": {"date-parts": [[2020, 9]]},
}
SEED_APA = ("Chen, C. K., Nehrig, N., Wash, L., & Wang, B. (2020). The impact of brief dynamic "
            "interpersonal therapy (DIT) on veteran depression and anxiety. Psychotherapy, 57(3), "
            "464–468. https://doi.org/10.1037/pst0000282")


@pytest.fixture
def resolver_app(settings, httpserver, tmp_path, monkeypatch):
    """The app with doi.org and Crossref played by one loopback server."""
    monkeypatch.setenv("REFSVC_INSTANCE_PATH", str(tmp_path / "instance"))
    base = httpserver.url_for("").rstrip("/")
    return create_app(dict(settings, DOI_RESOLVER=base, CROSSREF_API=base + "/crossref"))


def serve_seed_doi(httpserver):
    httpserver.expect_request("/10.1037/pst0000282").respond_with_json(
        SEED_DOI_CSL, content_type=CSL_MEDIA_TYPE)


@pytest.mark.parametrize("pasted", ["10.1037/pst0000282", "doi:10.1037/PST0000282",
                                    "https://doi.org/10.1037/pst0000282",
                                    " http://dx.doi.org/10.1037%2Fpst0000282. "])
def test_a_doi_in_any_pasted_form_is_cited_in_apa(resolver_app, httpserver, pasted):
    serve_seed_doi(httpserver)
    response = resolver_app.test_client().get("/v1/citations", query_string={
        "doi": pasted, "style": "apa", "formats": "text"})
    assert response.status_code == 200, response.json
    assert response.json["citations"]["apa"]["bibliography"]["text"] == SEED_APA
    assert response.headers["Cache-Control"].startswith("public")
    assert response.headers["ETag"]


def test_styles_may_repeat_or_be_comma_separated(resolver_app, httpserver):
    serve_seed_doi(httpserver)
    response = resolver_app.test_client().get(
        "/v1/citations?doi=10.1037/pst0000282&style=apa,mla&style=chicago")
    assert list(response.json["citations"]) == ["apa", "mla", "chicago"]


def test_an_empty_style_parameter_means_the_default_styles_as_on_the_cite_pages(resolver_app, httpserver):
    serve_seed_doi(httpserver)
    client = resolver_app.test_client()
    for query in ("style=", "style=,", "style=%20"):
        response = client.get(f"/v1/citations?doi=10.1037/pst0000282&{query}")
        assert response.status_code == 200 and list(response.json["citations"]) == ["apa", "mla", "chicago"]


def test_a_second_request_for_the_same_doi_makes_no_outbound_call(resolver_app, httpserver):
    serve_seed_doi(httpserver)
    client = resolver_app.test_client()
    for _ in range(2):
        assert client.get("/v1/citations?doi=10.1037/pst0000282").status_code == 200
    assert len(httpserver.log) == 1


def test_an_unknown_doi_is_a_404_that_says_so(resolver_app, httpserver):
    httpserver.expect_request("/10.9999/nothing").respond_with_data("", status=404)
    httpserver.expect_request("/crossref/works/10.9999/nothing").respond_with_data(
        "Resource not found.", status=404)
    response = resolver_app.test_client().get("/v1/citations?doi=10.9999/nothing")
    assert response.status_code == 404
    assert "10.9999/nothing" in response.json["message"]


def test_garbage_is_a_422_that_says_what_a_doi_is(resolver_app):
    response = resolver_app.test_client().get("/v1/citations?doi=not-a-doi")
    assert response.status_code == 422
    assert "10." in response.json["message"]


def test_a_resolver_that_fails_is_a_502(resolver_app, httpserver):
    httpserver.expect_request("/10.1037/down").respond_with_data("", status=503)
    httpserver.expect_request("/crossref/works/10.1037/down").respond_with_data("", status=503)
    response = resolver_app.test_client().get("/v1/citations?doi=10.1037/down")
    assert response.status_code in (502, 504)
    assert response.json["code"] in ("upstream_failure", "upstream_timeout")


def test_a_page_is_cited_with_where_each_field_came_from(resolver_app, httpserver):
    page = """<html lang="en"><head><title>Anxiety | Mind</title>
    <meta property="og:site_name" content="Mind"><meta property="og:title" content="Anxiety">
    <meta property="article:published_time" content="2023-05-02T10:00:00Z"></head><body>x</body></html>"""
    httpserver.expect_request("/anxiety").respond_with_data(page, content_type="text/html")
    response = resolver_app.test_client().get("/v1/citations", query_string={
        "url": httpserver.url_for("/anxiety"), "style": "apa", "formats": "text"})
    assert response.status_code == 200, response.json
    assert response.json["csl"]["title"] == "Anxiety"
    assert response.json["csl"]["container-title"] == "Mind"
    assert response.json["provenance"]["title"]


def test_a_page_on_a_private_address_is_refused_by_default(settings, tmp_path, monkeypatch):
    monkeypatch.setenv("REFSVC_INSTANCE_PATH", str(tmp_path / "i"))
    app = create_app(dict(settings, ALLOW_PRIVATE_ADDRESSES="0"))
    response = app.test_client().get("/v1/citations?url=http://169.254.169.254/latest/meta-data")
    assert response.status_code == 400
    assert response.json["code"] == "refused_address"


def test_a_batch_answers_each_entry_in_order(resolver_app, httpserver):
    serve_seed_doi(httpserver)
    entries = [
        {"doi": "10.1037/pst0000282"},
        {"metadata": {"title": "Anxiety", "authors": [{"name": "Mind"}], "published": "2023"}},
        {"csl": {"id": "b", "type": "book", "title": "Attachment"}},
        {"doi": "garbage"},
        {"metadata": {"title": "Bad date", "published": "2022-13-45"}},
        {"isbn": "123"},
    ]
    response = resolver_app.test_client().post("/v1/citations/batch", json={
        "entries": entries, "styles": ["apa"], "formats": ["text"]})
    assert response.status_code == 200
    results = response.json["results"]
    assert [r["status"] for r in results] == [200, 200, 200, 422, 422, 422]
    assert results[0]["citations"]["apa"]["bibliography"]["text"] == SEED_APA
    assert "published" in results[4]["error"]["errors"]["metadata"]


def test_a_batch_of_more_than_100_entries_is_refused(client):
    response = client.post("/v1/citations/batch", json={"entries": [{"doi": "10.1/x"}] * 101})
    assert response.status_code == 422
    assert "entries" in response.json["errors"]


def test_a_page_that_is_gone_is_a_404_that_says_so(resolver_app, httpserver):
    httpserver.expect_request("/gone").respond_with_data("Gone", status=410)
    response = resolver_app.test_client().get("/v1/citations", query_string={
        "url": httpserver.url_for("/gone")})
    assert response.status_code == 404
    assert response.json["code"] == "page_not_found"


def test_a_stale_copy_is_served_when_the_resolver_is_down_and_says_so(settings, httpserver, tmp_path,
                                                                     monkeypatch):
    import time

    monkeypatch.setenv("REFSVC_INSTANCE_PATH", str(tmp_path / "instance"))
    base = httpserver.url_for("").rstrip("/")
    app = create_app(dict(settings, DOI_RESOLVER=base, CROSSREF_API=base + "/crossref",
                          DOI_CACHE_TTL="1"))
    client = app.test_client()
    serve_seed_doi(httpserver)
    assert client.get("/v1/citations?doi=10.1037/pst0000282").status_code == 200
    time.sleep(1.2)  # let the cached copy expire
    httpserver.clear()
    httpserver.expect_request("/10.1037/pst0000282").respond_with_data("", status=503)
    httpserver.expect_request("/crossref/works/10.1037/pst0000282").respond_with_data("", status=503)
    response = client.get("/v1/citations?doi=10.1037/pst0000282&style=apa&formats=text")
    assert response.status_code == 200
    assert response.headers["X-Cache"] == "stale"
    assert response.json["citations"]["apa"]["bibliography"]["text"] == SEED_APA


URLLIB3_WORDS = ("Pool(", "Max retries", "NewConnectionError", "Caused by", "Errno", "urllib3")


def one_sentence(message: str) -> bool:
    return message.endswith(".") and ". " not in message and message[0].isupper()


def test_a_page_whose_server_refuses_the_connection_is_a_502_saying_what_to_do(client):
    from tests.conftest import dead_port

    answer = client.get("/v1/citations", query_string={"url": f"http://127.0.0.1:{dead_port()}/page"})
    message = answer.json["message"]
    assert answer.status_code == 502 and answer.json["code"] == "upstream_failure"
    assert not [word for word in URLLIB3_WORDS if word in message], message
    assert "connection refused by 127.0.0.1" in message and "try again" in message
    assert one_sentence(message) and message.count("could not") <= 1, message


def test_a_doi_whose_resolvers_refuse_the_connection_is_a_502_without_urllib3_text(client):
    answer = client.get("/v1/citations", query_string={"doi": "10.1037/pst0000282"})
    message = answer.json["message"]
    assert answer.status_code == 502
    assert not [word for word in URLLIB3_WORDS if word in message], message
    assert one_sentence(message) and "try again" in message, message


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data", "http://127.0.0.1/",
                                 "ftp://example.org/file", "http://example.org:8443/"])
def test_a_refused_address_is_one_sentence_saying_what_to_give_instead(settings, tmp_path, monkeypatch,
                                                                       url):
    monkeypatch.setenv("REFSVC_INSTANCE_PATH", str(tmp_path / "i"))
    app = create_app(dict(settings, ALLOW_PRIVATE_ADDRESSES="0"))
    answer = app.test_client().get("/v1/citations", query_string={"url": url})
    message = answer.json["message"]
    assert answer.status_code == 400 and answer.json["code"] == "refused_address"
    assert message.lower().count("not allowed") + message.count("cannot be fetched") <= 1, message
    assert one_sentence(message) and "public" in message, message


@pytest.mark.parametrize("source", [{"doi": "10.1037/pst0000282"}, {"url": "/page.htm"}])
def test_an_unknown_style_is_a_404_before_anything_is_fetched(resolver_app, httpserver, source):
    if "url" in source:
        source = {"url": httpserver.url_for(source["url"])}
    response = resolver_app.test_client().get("/v1/citations", query_string={**source, "style": "nosuch"})
    assert response.status_code == 404 and response.json["code"] == "unknown_style"
    assert "nosuch" in response.json["message"]
    assert httpserver.log == []  # the name was judged first: no request went out


def test_a_batch_with_an_unknown_style_is_one_404_and_looks_nothing_up(resolver_app, httpserver):
    response = resolver_app.test_client().post("/v1/citations/batch", json={
        "entries": [{"doi": "10.1037/pst0000282"}, {"url": httpserver.url_for("/a.htm")}],
        "styles": ["apa", "nosuch"]})
    assert response.status_code == 404 and response.json["code"] == "unknown_style"
    assert httpserver.log == []


def test_a_url_that_cannot_be_parsed_gets_the_sentence_that_says_what_to_fix(client):
    response = client.get("/v1/citations", query_string={"url": "http://[::1/"})
    assert response.status_code == 422 and response.json["code"] == "invalid_url"
    assert "closing ']'" in response.json["message"] or "cannot be parsed" in response.json["message"]
    assert response.json["message"] != "Invalid IPv6 URL"


MAX_STYLES = 20  # what a POST body's "styles" may name (OptionsSchema)


@pytest.mark.parametrize("path", ["/v1/citations", "/v1/citations/block"])
@pytest.mark.parametrize("style", [",".join(["apa"] * 21), ["apa,mla"] * 10 + ["chicago"]])
def test_more_styles_than_a_body_may_name_is_a_422_naming_style_and_fetches_nothing(
        resolver_app, httpserver, path, style):
    query = {"url": httpserver.url_for("/page.htm"), "style": style}
    response = resolver_app.test_client().get(path, query_string=query)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert list(response.json["errors"]) == ["style"]
    assert f"at most {MAX_STYLES}" in response.json["message"].lower()
    assert "21" in response.json["errors"]["style"][0]  # how many were named
    assert httpserver.log == []
    # the body's limit is the same number
    body = resolver_app.test_client().post("/v1/citations", json={
        "metadata": {"title": "x"}, "styles": ["apa"] * (MAX_STYLES + 1)})
    assert body.status_code == 422 and str(MAX_STYLES) in str(body.json["errors"]["styles"])


def test_as_many_styles_as_a_body_may_name_are_cited(resolver_app, httpserver):
    serve_seed_doi(httpserver)
    styles = ["apa", "mla", "chicago", "harvard-cite-them-right", "vancouver"]
    styles = (styles * MAX_STYLES)[:MAX_STYLES]
    response = resolver_app.test_client().get("/v1/citations", query_string={
        "doi": "10.1037/pst0000282", "style": ",".join(styles), "formats": "text"})
    assert response.status_code == 200, response.json
