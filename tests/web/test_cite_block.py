"""GET/POST /v1/citations/block: the cite-this-page block as an HTML fragment for server-side includes."""
from __future__ import annotations

import re
from urllib.parse import unquote

import lxml.html
import pytest

METADATA = {"type": "webpage", "title": "Dynamic Interpersonal Therapy in London",
            "authors": [{"name": "Harley Therapy Ltd."}], "site_name": "Harley Therapy",
            "published": "2022-01-20", "accessed": "2022-08-11",
            "url": "https://www.harleytherapy.co.uk/dynamic-interpersonal-therapy-london.htm"}

PAGE = """<html><head><title>Panic attacks</title>
<meta name="citation_title" content="Panic attacks">
<meta name="citation_author" content="Smith, Jane">
<meta name="citation_publication_date" content="2021/03/04">
<meta property="og:site_name" content="Harley Therapy">
</head><body><p>Text.</p></body></html>"""


def fragment(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    return lxml.html.fragment_fromstring(response.get_data(as_text=True))


def test_post_gives_the_three_styles_with_copy_buttons_and_downloads(client):
    block = fragment(client.post("/v1/citations/block", json={"metadata": METADATA, "locale": "en-GB"}))
    entries = block.xpath("//li[@data-style]")
    assert [e.get("data-style") for e in entries] == ["apa", "mla", "chicago"]
    mla = entries[1].xpath("string(.//div[contains(@class, 'refsvc-cite__text')])").strip()
    assert mla == ("Harley Therapy Ltd. ‘Dynamic Interpersonal Therapy in London’. Harley Therapy, "
                   "20 Jan. 2022, https://www.harleytherapy.co.uk/dynamic-interpersonal-therapy-london.htm.")
    for entry in entries:
        buttons = entry.xpath(".//button")
        assert [b.get("type") for b in buttons] == ["button", "button"]
        assert all(b.get("hidden") is not None for b in buttons)  # until the script wires them
    assert "In-text citation: (Harley Therapy Ltd., 2022)" in entries[0].text_content()
    assert "Note: " in entries[2].text_content()  # Chicago cites in notes
    downloads = {a.text: a for a in block.xpath("//a[@download]")}
    bibtex = unquote(downloads["Download BibTeX"].get("href").split(",", 1)[1])
    assert downloads["Download BibTeX"].get("href").startswith("data:application/x-bibtex")
    assert downloads["Download BibTeX"].get("download").endswith(".bib")
    assert re.match(r"@(online|misc)\{", bibtex) and "Dynamic Interpersonal Therapy" in bibtex
    assert downloads["Download RIS"].get("download").endswith(".ris")


def test_get_reads_a_page_by_url(client, httpserver):
    httpserver.expect_request("/panic.htm").respond_with_data(PAGE, content_type="text/html")
    block = fragment(client.get("/v1/citations/block", query_string={"url": httpserver.url_for("/panic.htm")}))
    apa = block.xpath("string(//li[@data-style='apa']//div)")
    assert "Smith, J. (2021" in apa and "Panic attacks" in apa


def test_a_script_in_the_metadata_stays_text(client):
    title = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    response = client.post("/v1/citations/block", json={"metadata": {**METADATA, "title": title}})
    block = fragment(response)
    assert block.xpath("//script|//img|//*[@onerror]") == []
    assert "<script>alert(1)</script>" in block.text_content()


@pytest.mark.parametrize("query, field", [({}, "_schema"), ({"doi": "x", "url": "y"}, "_schema")])
def test_get_needs_exactly_one_of_doi_or_url(client, query, field):
    response = client.get("/v1/citations/block", query_string=query)
    assert response.status_code == 422 and field in str(response.get_json()["errors"])


def test_post_with_a_bad_body_is_a_422_naming_the_field(client):
    response = client.post("/v1/citations/block", json={"metadata": {"title": 5}})
    assert response.status_code == 422
    assert "title" in str(response.get_json()["errors"])


def test_post_reads_a_page_sent_with_its_html_as_post_v1_citations_does(client):
    page = {"url": "https://www.harleytherapy.co.uk/panic.htm", "html": PAGE}
    block = fragment(client.post("/v1/citations/block", json={"page": page}))
    apa = block.xpath("string(//li[@data-style='apa']//div)")
    same = client.post("/v1/citations", json={"page": page, "styles": ["apa"], "formats": ["text"]})
    assert apa.strip() == same.json["citations"]["apa"]["bibliography"]["text"]
    assert "Smith, J. (2021" in apa


def test_get_advertises_only_the_parameters_it_honours(client):
    spec = client.get("/openapi.json").json
    names = {p["name"] for p in spec["paths"]["/v1/citations/block"]["get"]["parameters"]}
    assert {"doi", "url", "locale", "style"} <= names and "formats" not in names


@pytest.mark.parametrize("query, shown", [
    ({"style": "mla"}, ["mla"]),
    ({"style": "mla,apa"}, ["mla", "apa"]),  # comma-separated, in the order given
    ({"style": ["chicago", "harvard-cite-them-right"]}, ["chicago", "harvard-cite-them-right"]),
])
def test_get_with_style_shows_only_those_styles(client, httpserver, query, shown):
    httpserver.expect_request("/panic.htm").respond_with_data(PAGE, content_type="text/html")
    block = fragment(client.get("/v1/citations/block", query_string={
        "url": httpserver.url_for("/panic.htm"), **query}))
    assert [e.get("data-style") for e in block.xpath("//li[@data-style]")] == shown


def test_a_style_outside_the_three_is_labelled_with_its_title(client):
    block = fragment(client.post("/v1/citations/block", json={
        "metadata": METADATA, "styles": ["harvard-cite-them-right"]}))
    assert "Cite Them Right" in block.xpath("string(//li[@data-style]/span)")


def test_get_with_an_unknown_style_is_the_404_of_v1_citations_before_the_page_is_fetched(
        client, httpserver):
    query = {"url": httpserver.url_for("/panic.htm"), "style": "apa,no-such-style"}
    response = client.get("/v1/citations/block", query_string=query)
    assert response.status_code == 404
    assert response.get_json() == client.get("/v1/citations", query_string=query).get_json()
    assert response.get_json()["code"] == "unknown_style"
    assert httpserver.log == []  # nothing fetched for a request that can only fail


def test_post_takes_the_styles_of_its_body_as_post_v1_citations_does(client):
    block = fragment(client.post("/v1/citations/block", json={"metadata": METADATA, "styles": ["mla"]}))
    assert [e.get("data-style") for e in block.xpath("//li[@data-style]")] == ["mla"]
    unknown = client.post("/v1/citations/block", json={"metadata": METADATA, "styles": ["no-such-style"]})
    assert unknown.status_code == 404 and unknown.get_json()["code"] == "unknown_style"


def test_get_with_an_unknown_locale_is_the_422_of_v1_citations_before_the_page_is_fetched(
        client, httpserver):
    query = {"url": httpserver.url_for("/panic.htm"), "locale": "xx-NOPE"}
    response = client.get("/v1/citations/block", query_string=query)
    assert response.status_code == 422 and response.get_json()["code"] == "unknown_locale"
    assert httpserver.log == []


def test_each_style_is_labelled_by_its_short_name_whatever_the_caller_called_it(client):
    # as the widget labels them: "MLA · 9th edition", not the style file's long title
    block = fragment(client.post("/v1/citations/block", json={
        "metadata": METADATA, "styles": ["apa7", "mla", "chicago-notes-bibliography"]}))
    labels = [" ".join(s.text_content().split()) for s in block.xpath("//span[@class='refsvc-cite__style']")]
    assert labels == ["APA · 7th edition", "MLA · 9th edition", "Chicago · 18th edition"]


def test_a_style_named_twice_is_shown_once(client):
    block = fragment(client.post("/v1/citations/block", json={
        "metadata": METADATA, "styles": ["apa7", "apa", "APA", "mla9"]}))
    assert [e.get("data-style") for e in block.xpath("//li[@data-style]")] == ["apa", "mla"]


def test_the_downloads_are_well_formed_data_urls(client):
    block = fragment(client.post("/v1/citations/block", json={"metadata": METADATA}))
    for link in block.xpath("//a[@download]"):
        header = link.get("href").split(",", 1)[0]
        assert header.count("charset=") == 1 and " " not in header, header
    hrefs = [link.get("href").split(",", 1)[0] for link in block.xpath("//a[@download]")]
    assert hrefs == ["data:application/x-bibtex;charset=utf-8",
                     "data:application/x-research-info-systems;charset=utf-8"]
