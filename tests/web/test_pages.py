"""The HTML pages and static files, without a browser: headers, escaping, what the website includes."""
from __future__ import annotations

import json
from urllib.parse import unquote

import lxml.html
import pytest

from refsvc.storage.models import utcnow


def test_dashboard_has_a_strict_content_security_policy_and_no_inline_script(client):
    response = client.get("/dashboard")
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    document = lxml.html.document_fromstring(response.get_data(as_text=True))
    scripts = document.xpath("//script")
    assert all(script.get("src") and not (script.text or "").strip() for script in scripts)
    assert not document.xpath("//*[@style]")  # the policy would block them


def test_demo_cite_page_escapes_the_title_in_text_and_in_the_metadata_attribute(client):
    title = """<script>alert(1)</script>' " &"""
    response = client.get("/demo/cite", query_string={"title": title})
    html = response.get_data(as_text=True)
    assert "<script>alert(1)" not in html
    widget = lxml.html.document_fromstring(html).get_element_by_id("cite")
    assert json.loads(widget.get("data-refsvc-metadata"))["title"] == title


def test_demo_cite_page_carries_the_seed_pages_metadata(client):
    html = client.get("/demo/cite").get_data(as_text=True)
    metadata = json.loads(lxml.html.document_fromstring(html).get_element_by_id("cite")
                          .get("data-refsvc-metadata"))
    assert metadata["title"] == "Dynamic Interpersonal Therapy in London"
    assert metadata["authors"] == [{"name": "Harley Therapy Ltd."}]
    assert metadata["published"] == "2022-01-20"


@pytest.mark.parametrize("name", ["refsvc-cite.js", "refsvc-block.js", "refsvc-block.css",
                                  "refsvc.css"])
def test_the_websites_static_files_are_served_under_static(client, name):
    response = client.get(f"/static/{name}")
    assert response.status_code == 200
    assert response.mimetype in {"text/javascript", "application/javascript", "text/css"}


def test_the_root_sends_editors_to_the_dashboard(client):
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard")


def test_the_favicon_is_served_with_a_long_cache_lifetime(client):
    """Browsers ask for /favicon.ico on every site: an icon, cached for a day at least, not a 404."""
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype in {"image/vnd.microsoft.icon", "image/x-icon"}
    assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO header
    max_age = int(response.headers["Cache-Control"].split("max-age=")[1].split(",")[0])
    assert "public" in response.headers["Cache-Control"] and max_age >= 86400
    svg = client.get("/static/favicon.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"


@pytest.mark.parametrize("path", ["/dashboard", "/demo/cite", "/cite?url=", "/dashboard/sign-in"])
def test_every_page_names_its_icon(client, path):
    page = lxml.html.fromstring(client.get(path).get_data(as_text=True))
    icons = page.xpath("//link[@rel='icon']/@href")
    assert icons and all(client.get(href).status_code == 200 for href in icons)


@pytest.mark.parametrize("path, href", [
    ("/demo/cite", "/cite?url=https://www.harleytherapy.co.uk/dynamic-interpersonal-therapy-london.htm"),
    ("/demo/block?tag=further-reading", "/v1/resources/block?tag=further-reading")])
def test_the_demo_pages_say_what_to_do_without_javascript(client, path, href):
    document = lxml.html.document_fromstring(client.get(path).get_data(as_text=True))
    links = [unquote(a.get("href")) for a in document.xpath("//noscript//a")]
    assert any(link.endswith(href) for link in links), links


CITED_PAGE = ("<html><head><title>Panic attacks</title>"
              '<meta name="citation_title" content="Panic attacks">'
              '<meta name="citation_author" content="Smith, Jane"></head><body></body></html>')


@pytest.mark.parametrize("query, shown", [
    ({}, ["apa", "mla", "chicago"]),  # the widget's link names no style
    ({"style": "mla"}, ["mla"]),
    ({"style": "mla,apa"}, ["mla", "apa"]),  # comma-separated, in the order given
    ({"style": ["chicago", "harvard-cite-them-right"]}, ["chicago", "harvard-cite-them-right"]),
])
def test_the_cite_page_shows_the_styles_style_names_as_get_v1_citations_takes_them(
        client, httpserver, query, shown):
    httpserver.expect_request("/panic.htm").respond_with_data(CITED_PAGE, content_type="text/html")
    response = client.get("/cite", query_string={"url": httpserver.url_for("/panic.htm"), **query})
    assert response.status_code == 200
    page = lxml.html.fromstring(response.get_data(as_text=True))
    assert [e.get("data-style") for e in page.xpath("//li[@data-style]")] == shown


@pytest.mark.parametrize("style, status", [
    ("apa,<b>no-such-style</b>", 404),
    (",".join(["apa"] * 21), 422),  # more than a POST body's styles may name
])
def test_the_cite_page_says_what_is_wrong_with_style_on_the_page_before_fetching(
        client, httpserver, style, status):
    query = {"url": httpserver.url_for("/panic.htm"), "style": style}
    response = client.get("/cite", query_string=query)
    assert response.status_code == status and response.mimetype == "text/html"
    page = lxml.html.fromstring(response.get_data(as_text=True))
    alert = page.xpath("string(//*[@role='alert'])")
    assert alert == client.get("/v1/citations", query_string=query).get_json()["message"]
    assert page.xpath("//main//b") == [] and page.xpath("//li[@data-style]") == []  # shown as text
    assert httpserver.log == []


def test_the_cite_page_takes_a_locale_and_refuses_an_unknown_one_before_fetching(client, httpserver):
    httpserver.expect_request("/panic.htm").respond_with_data(CITED_PAGE, content_type="text/html")
    url = httpserver.url_for("/panic.htm")
    chicago = {}
    for locale in ("en-US", None):
        query = {"url": url, "style": "chicago", **({"locale": locale} if locale else {})}
        page = lxml.html.fromstring(client.get("/cite", query_string=query).get_data(as_text=True))
        chicago[locale] = " ".join(page.xpath("string(//li[@data-style='chicago'])").split())
    month = utcnow().strftime("%B")
    assert f"Accessed {month} " in chicago["en-US"]  # "December 7, 2026"
    assert f" {month} " in chicago[None] and f"Accessed {month} " not in chicago[None]  # en-GB: 7 December
    httpserver.clear_log()
    response = client.get("/cite", query_string={"url": url, "locale": "zz"})
    alert = lxml.html.fromstring(response.get_data(as_text=True)).xpath("string(//*[@role='alert'])")
    assert response.status_code == 422 and alert.startswith("Unknown locale 'zz'")
    assert httpserver.log == []


def test_the_cite_page_refuses_a_url_too_long_to_cite_instead_of_citing_part_of_it(client):
    response = client.get("/cite", query_string={"url": "https://example.org/" + "a" * 2100})
    assert response.status_code == 422
    assert "2,048" in lxml.html.fromstring(response.get_data(as_text=True)).xpath(
        "string(//*[@role='alert'])")


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<b>x</b>", "ftp://x/"])
def test_the_cite_page_never_links_an_address_it_would_not_cite(client, url):
    response = client.get("/cite", query_string={"url": url})
    assert 400 <= response.status_code < 500
    page = lxml.html.fromstring(response.get_data(as_text=True))
    assert page.xpath("//main//a") == [] and page.xpath("//main//b") == []


def test_the_cite_page_asks_for_one_of_url_or_doi_not_both(client):
    response = client.get("/cite", query_string={"url": "https://example.org/", "doi": "10.1037/x"})
    assert response.status_code == 422 and "not both" in response.get_data(as_text=True)
