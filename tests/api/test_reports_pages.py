"""Reports carry the page they were sent from; the thank-you page leads back only to known sites."""
from __future__ import annotations

import lxml.html
import pytest

from refsvc.storage import get_database
from refsvc.storage.resources import create_resource

WEBSITE = "https://www.harleytherapy.co.uk"


@pytest.fixture
def settings(settings):
    return {**settings, "CORS_ORIGINS": WEBSITE}


@pytest.fixture
def mind(app):
    with get_database(app).transaction() as session:
        create_resource(session, {"id": "mind", "name": "Mind", "url": "https://www.mind.org.uk/"})
    return "mind"


def thanks_link(response) -> list[str]:
    assert response.status_code == 202 and response.mimetype == "text/html"
    return lxml.html.document_fromstring(response.data).xpath("//a/@href")


def test_the_thank_you_page_leads_back_to_a_page_of_the_website(client, mind):
    page = WEBSITE + "/depression.htm?x=1"
    response = client.post("/v1/reports", data={"resource_id": mind, "reason": "broken", "page": page})
    assert thanks_link(response) == [page]
    assert f"url={page}" in response.get_data(as_text=True)  # and goes back by itself


@pytest.mark.parametrize("page", ["https://evil.example/phish", "https://www.harleytherapy.co.uk.evil.example/",
                                  "http://www.harleytherapy.co.uk/", "javascript:alert(1)", "//evil.example/"])
def test_the_thank_you_page_never_sends_visitors_to_another_site(client, mind, page):
    response = client.post("/v1/reports", data={"resource_id": mind, "reason": "broken", "page": page})
    assert thanks_link(response) == []
    assert b"refresh" not in response.data


def test_the_page_a_report_came_from_is_kept_and_listed_with_its_group(client, mind, editor):
    for page in (WEBSITE + "/a.htm", WEBSITE + "/b.htm", WEBSITE + "/a.htm"):
        client.post("/v1/reports", json={"resource_id": mind, "reason": "broken", "page": page})
    groups = client.get("/v1/reports", headers=editor).get_json()
    assert [g["pages"] for g in groups] == [[WEBSITE + "/a.htm", WEBSITE + "/b.htm"]]


def test_a_block_included_server_side_carries_its_page_in_every_report_form(client, mind):
    html = client.get("/v1/resources/block", query_string={"ids": mind, "page": WEBSITE + "/p.htm"})
    form = lxml.html.fragment_fromstring(html.get_data(as_text=True)).xpath("//form")[0]
    assert form.xpath(".//input[@name='page']/@value") == [WEBSITE + "/p.htm"]


def test_a_block_for_a_tag_nobody_uses_is_empty_and_says_so_in_a_comment(client, mind):
    html = client.get("/v1/resources/block?tag=no--such-->tag").get_data(as_text=True)
    fragment = lxml.html.fragment_fromstring(html)
    assert fragment.xpath("//li") == []
    comments = fragment.xpath("//comment()")
    assert len(comments) == 1 and "no resource has the tag" in comments[0].text
    assert "-->" not in comments[0].text


def test_a_block_naming_ids_no_resource_has_says_which_in_a_comment(client, mind, app):
    # a typo in a server-side include's ids shows no resource; the fragment's source says why
    with get_database(app).transaction() as session:
        resource = create_resource(session, {"id": "gone", "name": "Gone", "url": "https://gone.example/"})
        resource.state.health = "broken"
    html = client.get(f"/v1/resources/block?ids=nosuch,{mind},gone,other").get_data(as_text=True)
    fragment = lxml.html.fragment_fromstring(html)
    assert [li.get("data-resource-id") for li in fragment.xpath("//li")] == [mind]
    comments = [c.text for c in fragment.xpath("//comment()")]
    assert comments == [' refsvc: no resource has the id "nosuch", "other"; '
                        'the ids are on the dashboard ']  # "gone" exists: left out as broken


def test_a_block_for_a_tag_whose_links_are_all_broken_says_nothing_about_the_tag(client, app):
    with get_database(app).transaction() as session:
        resource = create_resource(session, {"id": "gone", "name": "Gone", "url": "https://gone.example/",
                                             "tags": ["t"]})
        resource.state.health = "broken"
    html = client.get("/v1/resources/block?tag=t").get_data(as_text=True)
    assert "no resource has the tag" not in html


def test_a_bad_form_post_gets_an_escaped_html_page_naming_the_field(client):
    response = client.post("/v1/reports", data={"url": "https://a.example.org/", "reason": "nope",
                                                "<script>alert(1)</script>": "x"},
                           headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 422 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "reason" in page
