"""GET /v1/resources/block: the further-reading fragment, without broken links, safely escaped."""
from __future__ import annotations

import lxml.html
import pytest

from tests.web.conftest import WEBSITE


def items(response) -> list[str]:
    """The resource ids of a block answer, in order."""
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    fragment = lxml.html.fragment_fromstring(response.get_data(as_text=True))
    return fragment.xpath("//li/@data-resource-id")


def test_block_leaves_out_broken_and_inactive_resources(client, add_resource):
    add_resource("nhs", "https://www.nhs.uk/", health="healthy")
    add_resource("mind", "https://www.mind.org.uk/", health="broken")
    add_resource("bbc", "https://www.bbc.co.uk/", health="failing")
    add_resource("ukcp", "https://www.psychotherapy.org.uk/", health="healthy", active=False)
    assert items(client.get("/v1/resources/block?ids=nhs,mind,bbc,ukcp")) == ["nhs", "bbc"]


def test_block_keeps_the_order_of_ids_and_skips_unknown_ones(client, add_resource):
    for resource_id in ("alpha", "beta", "gamma"):
        add_resource(resource_id, f"https://{resource_id}.example.org/")
    assert items(client.get("/v1/resources/block?ids=gamma,nope,alpha,gamma")) == ["gamma", "alpha"]


def test_block_by_tag_lists_the_tagged_resources_by_name(client, add_resource):
    add_resource("zed", "https://zed.example.org/", name="Zed", tags=["further-reading"])
    add_resource("abc", "https://abc.example.org/", name="Abc", tags=["further-reading"])
    add_resource("other", "https://other.example.org/", name="Other", tags=["elsewhere"])
    assert items(client.get("/v1/resources/block?tag=further-reading")) == ["abc", "zed"]


def test_block_shows_name_description_logo_link_and_report_form(client, add_resource):
    add_resource("nhs", "https://www.nhs.uk/", name="NHS", description="The UK's health service.",
                 logo_url="https://www.nhs.uk/logo.svg")
    html = client.get("/v1/resources/block?ids=nhs").get_data(as_text=True)
    item = lxml.html.fragment_fromstring(html).xpath("//li")[0]
    assert item.xpath(".//h3/a/@href") == ["https://www.nhs.uk/"]
    assert item.xpath("string(.//h3)").strip() == "NHS"
    assert "The UK's health service." in item.xpath("string(.//p[@class='refsvc-resource__description'])")
    assert item.xpath(".//img/@src") == ["https://www.nhs.uk/logo.svg"]
    form = item.xpath(".//form[@data-refsvc-report]")[0]
    assert form.get("action") == "http://localhost/v1/reports"
    assert form.xpath(".//input[@name='resource_id']/@value") == ["nhs"]
    assert sorted(form.xpath(".//input[@name='reason']/@value")) == ["broken", "inaccurate", "other"]
    assert "report link broken or inaccurate" in item.xpath("string(.//summary)")


def test_block_escapes_names_descriptions_and_urls(client, add_resource):
    add_resource("evil", 'https://evil.example.org/?q="><script>alert(1)</script>',
                 name="<script>alert('name')</script>",
                 description='<img src=x onerror="alert(2)"> & friends',
                 logo_url='https://evil.example.org/logo.png" onerror="alert(3)')
    html = client.get("/v1/resources/block?ids=evil").get_data(as_text=True)
    assert "<script" not in html and "onerror=" not in html.replace("onerror=&#34;", "")
    fragment = lxml.html.fragment_fromstring(html)
    assert not fragment.xpath("//script | //*[@onerror]")
    assert [img.get("src") for img in fragment.xpath("//img")] == \
        ['https://evil.example.org/logo.png" onerror="alert(3)']
    assert fragment.xpath("string(//h3)").strip() == "<script>alert('name')</script>"
    assert '<img src=x onerror="alert(2)"> & friends' in fragment.xpath("string(//li/p)")


def test_block_never_puts_a_non_web_url_in_an_href(client, add_resource):
    # The registry refuses such URLs; the block checks again in case one reached the database.
    add_resource("js", "javascript:alert(1)")
    add_resource("logo", "https://ok.example.org/", logo_url="javascript:alert(2)")
    html = client.get("/v1/resources/block?ids=js,logo").get_data(as_text=True)
    assert "javascript:" not in html
    assert items(client.get("/v1/resources/block?ids=js,logo")) == ["logo"]


def test_block_answers_with_etag_and_cache_control_and_304_when_unchanged(client, add_resource):
    add_resource("nhs", "https://www.nhs.uk/")
    first = client.get("/v1/resources/block?ids=nhs")
    assert first.headers["Cache-Control"] == "public, max-age=300"
    assert first.headers["ETag"]
    again = client.get("/v1/resources/block?ids=nhs", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_block_changes_its_etag_when_a_resource_breaks(app, client, add_resource):
    from refsvc.storage import get_database
    from refsvc.storage.checks import get_state

    add_resource("nhs", "https://www.nhs.uk/")
    before = client.get("/v1/resources/block?ids=nhs").headers["ETag"]
    with get_database(app).transaction() as session:
        get_state(session, "nhs").health = "broken"
    after = client.get("/v1/resources/block?ids=nhs", headers={"If-None-Match": before})
    assert after.status_code == 200 and items(after) == []


def test_block_is_open_to_the_website_origin_by_cors(client, add_resource):
    add_resource("nhs", "https://www.nhs.uk/")
    response = client.get("/v1/resources/block?ids=nhs", headers={"Origin": WEBSITE})
    assert response.headers["Access-Control-Allow-Origin"] == WEBSITE
    other = client.get("/v1/resources/block?ids=nhs", headers={"Origin": "https://elsewhere.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


@pytest.mark.parametrize("query, field", [
    ("ids=", "ids"),
    ("ids=,,,", "ids"),
    ("ids=Not%20A%20Slug", "ids"),
    ("ids=" + ",".join(f"r{n}" for n in range(101)), "ids"),
])
def test_block_refuses_bad_ids_naming_the_field(client, query, field):
    response = client.get(f"/v1/resources/block?{query}")
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
