"""POST /v1/citations: page metadata or a CSL item in, citations and exports out."""
from __future__ import annotations

import json
from html import unescape

import pytest

SEED_URL = "https://www.harleytherapy.co.uk/dynamic-interpersonal-therapy-london.htm"
SEED = {
    "type": "webpage",
    "title": "Dynamic Interpersonal Therapy in London",
    "authors": [{"name": "Harley Therapy Ltd."}],
    "site_name": "Harley Therapy",
    "published": "2022-01-20",
    "accessed": "2022-08-11",
    "url": SEED_URL,
}


def post(client, body, **kwargs):
    return client.post("/v1/citations", json=body, **kwargs)


def test_it_cites_the_seed_page_in_mla_en_gb_exactly(client):
    response = post(client, {"metadata": SEED, "styles": ["mla"], "locale": "en-GB"})
    assert response.status_code == 200, response.json
    assert response.json["citations"]["mla"]["bibliography"]["text"] == (
        "Harley Therapy Ltd. ‘Dynamic Interpersonal Therapy in London’. Harley Therapy, "
        f"20 Jan. 2022, {SEED_URL}.")


def test_it_cites_the_seed_page_in_chicago_en_us_exactly(client):
    response = post(client, {"metadata": SEED, "styles": ["chicago"]})
    assert response.json["citations"]["chicago"]["bibliography"]["text"] == (
        "Harley Therapy Ltd. “Dynamic Interpersonal Therapy in London.” Harley Therapy, "
        f"January 20, 2022. {SEED_URL}.")


def test_it_gives_every_form_in_every_format_for_the_default_styles(client):
    body = post(client, {"metadata": SEED}).json
    assert list(body["citations"]) == ["apa", "mla", "chicago"]
    assert body["citations"]["apa"]["style"]["edition"] == "7"
    for name, forms in body["citations"].items():
        wanted = ["bibliography", "in_text"] + (["note", "short_note"] if name == "chicago" else ["narrative"])
        for form in wanted:
            assert forms[form]["text"].strip(), (name, form)
            assert forms[form]["html"].strip(), (name, form)
    assert body["citations"]["apa"]["in_text"]["text"] == "(Harley Therapy Ltd., 2022)"
    assert body["csl"]["container-title"] == "Harley Therapy"
    assert body["csl"]["accessed"] == {"date-parts": [[2022, 8, 11]]}


def test_it_takes_a_csl_item_as_it_is(client):
    item = {"id": "x", "type": "book", "title": "Attachment", "author": [
        {"family": "Bowlby", "given": "John"}], "issued": {"date-parts": [[1969]]},
        "publisher": "Hogarth Press"}
    body = post(client, {"csl": item, "styles": ["apa"], "formats": ["text"]}).json
    assert body["csl"] == item
    assert body["citations"]["apa"]["bibliography"] == {
        "text": "Bowlby, J. (1969). Attachment. Hogarth Press."}


def test_accessed_defaults_to_today(client):
    from datetime import datetime, timezone
    metadata = {k: v for k, v in SEED.items() if k != "accessed"}
    body = post(client, {"metadata": metadata, "styles": ["apa"]}).json
    today = datetime.now(timezone.utc)
    assert body["csl"]["accessed"]["date-parts"][0] == [today.year, today.month, today.day]


def test_html_escapes_what_it_shows(client):
    metadata = dict(SEED, title="<script>alert(1)</script> & more")
    body = post(client, {"metadata": metadata}).json
    for forms in body["citations"].values():
        html = forms["bibliography"]["html"]
        assert "<script" not in html
        assert "<script>alert(1)</script> & more" in unescape(html).lower()


def test_an_old_style_id_keeps_working(client):
    body = post(client, {"metadata": SEED, "styles": ["chicago-note-bibliography"]}).json
    assert body["citations"]["chicago-note-bibliography"]["style"]["id"] == \
        "chicago-shortened-notes-bibliography"


def test_any_library_style_works_by_its_id(client):
    response = post(client, {"metadata": SEED, "styles": ["harvard-cite-them-right"]})
    assert response.status_code == 200
    assert "Harley Therapy Ltd." in response.json["citations"]["harvard-cite-them-right"][
        "bibliography"]["text"]


def test_an_unknown_style_is_a_404_that_names_it(client):
    response = post(client, {"metadata": SEED, "styles": ["apa", "no-such-style"]})
    assert response.status_code == 404
    assert response.json["code"] == "unknown_style"
    assert "no-such-style" in response.json["message"]
    assert "/v1/styles" in response.json["message"]


def test_an_unknown_locale_is_a_422_with_the_choices(client):
    response = post(client, {"metadata": SEED, "locale": "xx-YY"})
    assert response.status_code == 422
    assert "en-GB" in response.json["errors"]["choices"]


def test_the_exports_come_as_text_fields(client):
    body = post(client, {"metadata": SEED, "formats": ["text", "bibtex", "ris", "csl-json"]}).json
    assert body["exports"]["bibtex"].startswith("@misc{harleytherapyltd2022dynamic,")
    assert "TY  - ELEC\r\n" in body["exports"]["ris"]
    assert json.loads(body["exports"]["csl-json"]) == [body["csl"]]
    assert "html" not in body["citations"]["apa"]["bibliography"]


@pytest.mark.parametrize("fmt, media_type", [
    ("bibtex", "application/x-bibtex"),
    ("ris", "application/x-research-info-systems"),
    ("csl-json", "application/vnd.citationstyles.csl+json"),
])
def test_one_export_alone_is_a_download(client, fmt, media_type):
    response = post(client, {"metadata": SEED, "formats": [fmt]})
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")


def test_a_repeated_request_is_replayed_from_the_cache(client):
    first = post(client, {"metadata": SEED})
    second = post(client, {"metadata": SEED})
    assert "X-Cache" not in first.headers
    assert second.headers["X-Cache"] == "hit"
    assert second.get_data() == first.get_data()


def test_an_item_is_rendered_once_per_style_and_locale(app, client):
    post(client, {"metadata": SEED, "styles": ["apa", "mla"]})
    post(client, {"metadata": SEED, "styles": ["mla", "apa"]})  # another body, the same renders
    info = app.extensions["refsvc.citations"].cache_info()
    assert (info.misses, info.hits) == (2, 2)


@pytest.mark.parametrize("metadata, field", [
    ({"type": "webpage"}, "title"),
    (dict(SEED, published="2022-13-45"), "published"),
    (dict(SEED, accessed="yesterday"), "accessed"),
    (dict(SEED, type="spaceship"), "type"),
    (dict(SEED, url="javascript:alert(1)"), "url"),
    (dict(SEED, authors=[{"given": "Sheri"}]), "authors"),
    (dict(SEED, colour="blue"), "colour"),
])
def test_bad_fields_are_a_422_naming_each_field(client, metadata, field):
    response = post(client, {"metadata": metadata})
    assert response.status_code == 422
    assert field in response.json["errors"]["metadata"], response.json


def test_a_season_is_a_valid_month(client):
    response = post(client, {"metadata": dict(SEED, published="2022-21"), "styles": ["apa"]})
    assert response.status_code == 200, response.json


@pytest.mark.parametrize("body", [{}, {"metadata": SEED, "csl": {"type": "book"}},
                                  {"csl": {"title": "no type"}}])
def test_it_needs_exactly_one_valid_source(client, body):
    response = post(client, body)
    assert response.status_code == 422
    assert response.json["errors"]


def test_malformed_json_is_a_400(client):
    response = client.post("/v1/citations", data='{"metadata": ', content_type="application/json")
    assert response.status_code == 400
    assert response.json["code"]


def test_a_body_that_is_not_json_is_a_400(client):
    response = client.post("/v1/citations", data="title=x", content_type="text/plain")
    assert response.status_code == 400
    assert "application/json" in response.json["message"]


def test_a_body_over_256_kib_is_a_413(client):
    big = dict(SEED, abstract="x" * (300 * 1024))
    response = post(client, {"metadata": big})
    assert response.status_code == 413
    assert response.json["status"] == 413
    assert "256 KiB" in response.json["message"]  # the limit, so the client knows how much to cut


@pytest.mark.parametrize("body", [[], [{"metadata": SEED}], "text", 7])
def test_a_body_that_is_not_an_object_is_a_422_asking_for_one(client, body):
    response = post(client, body)
    assert response.status_code == 422
    assert "JSON object" in response.json["message"] and "Invalid input type" not in str(response.json)


@pytest.mark.parametrize("item, field", [
    ({"type": "book", "title": "T", "author": [{"family": "F", "given": 1}]}, "author.0.given"),
    ({"type": "book", "title": "T", "author": [{"family": 1}]}, "author.0.family"),
    ({"type": "book", "title": "T", "author": [{"family": "F", "suffix": ["x"]}]}, "author.0.suffix"),
    ({"type": "book", "title": "T", "author": "Mind"}, "author"),
    ({"type": "book", "title": "T", "editor": [None]}, "editor.0"),
    ({"type": "book", "title": {"a": 1}}, "title"),
    ({"type": "book", "title": "T", "id": []}, "id"),
    ({"type": "book", "title": "T", "issued": [2020]}, "issued"),
    ({"type": "book", "title": "T", "issued": {"date-parts": "2020"}}, "issued.date-parts"),
    ({"type": 7, "title": "T"}, "type"),
])
def test_a_csl_item_of_the_wrong_shape_is_a_422_naming_the_field(client, item, field):
    response = post(client, {"csl": item})
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]["csl"]


def test_a_csl_item_from_crossref_with_list_valued_issn_is_fine(client):
    item = {"type": "article-journal", "title": "T", "ISSN": ["1939-1536", "0033-3204"],
            "issued": {"date-parts": [["2020", "9"]]}}
    assert post(client, {"csl": item, "styles": ["apa"]}).status_code == 200


def test_a_new_item_builds_no_marshmallow_schema_once_warm(client, monkeypatch):
    # building a schema (and its nested ones) cost more than parsing the body with it: the views
    # keep one instance of each, so a request only loads and dumps
    import marshmallow

    post(client, {"metadata": SEED})  # the first request may bind nested schemas lazily
    built = []
    original = marshmallow.Schema.__init__

    def counting(self, *args, **kwargs):
        built.append(type(self).__name__)
        original(self, *args, **kwargs)

    monkeypatch.setattr(marshmallow.Schema, "__init__", counting)
    assert post(client, {"metadata": dict(SEED, title="Another page")}).status_code == 200
    assert post(client, {"csl": {"type": "book", "title": "Attachment"}}).status_code == 200
    assert built == []


@pytest.mark.parametrize("body", [
    {"metadata": SEED},
    {"metadata": SEED, "styles": ["apa", "chicago-author-date"], "formats": ["text", "html", "bibtex", "ris"]},
    {"csl": {"id": 7, "type": "book", "title": "Attachment", "volume": 2, "ISBN": ["978-0"],
             "author": [{"family": "Bowlby", "given": "John"}], "issued": "1969"}, "styles": ["mla"]},
])
def test_the_answer_is_the_document_its_schema_describes(client, body):
    # the view sends the answer as it builds it, without a marshmallow dump: that is only right
    # while dumping it through the documented schema would give the very same document
    from refsvc.api.citation_schemas import CitationResponseSchema

    response = post(client, body)
    assert response.status_code == 200, response.json
    assert CitationResponseSchema().dump(response.json) == response.json
    assert list(response.json) == [k for k in ("csl", "citations", "exports") if k in response.json]


@pytest.fixture
def pages_read(monkeypatch):
    """Every sent page the service reads (read as before, and noted)."""
    from refsvc import lookups

    read, real = [], lookups.read_sent_page

    def noting(html, url):
        read.append(url)
        return real(html, url)

    monkeypatch.setattr(lookups, "read_sent_page", noting)
    return read


@pytest.mark.parametrize("path", ["/v1/citations", "/v1/citations/block"])
@pytest.mark.parametrize("options, status, code", [
    ({"styles": ["apa", "no-such-style"]}, 404, "unknown_style"),
    ({"locale": "xx-NOPE"}, 422, "unknown_locale"),
])
def test_a_sent_page_is_not_read_for_a_request_that_names_an_unknown_style_or_locale(
        client, pages_read, path, options, status, code):
    page = {"url": SEED_URL, "html": "<html><head><title>Panic attacks</title></head></html>"}
    response = client.post(path, json={"page": page, **options})
    assert response.status_code == status and response.json["code"] == code
    assert pages_read == []  # settled first: nothing read for a request that can only fail
    assert client.post(path, json={"page": page}).status_code == 200
    assert pages_read == [SEED_URL]  # (the page is read when the request can be answered)
