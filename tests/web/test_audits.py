"""POST /v1/audits: a page's outbound links against the registry, with flags an editor acts on."""
from __future__ import annotations

import pytest

from refsvc import create_app
from refsvc.links.audit import audit_links, description_similarity, outbound_links, summarise
from refsvc.storage import get_database, utcnow
from refsvc.storage.checks import get_state, record_check

PAGE = "https://www.harleytherapy.co.uk/dynamic-interpersonal-therapy-london.htm"
NHS_TEXT = ("The NHS (National Health Service) is the UK's government run medical service. "
            "Their website is written and reviewed by medical experts.")

# The seed page's further-reading block, in the shape the website gives it.
SEED_HTML = f"""<html><head><title>DIT</title></head><body>
<p>See <a href="/contact.htm">contact us</a>, <a href="#top">top</a>, <a href="mailto:a@b.c">mail</a>.</p>
<div class="modal"><h4>The NHS</h4><p>{NHS_TEXT}</p>
  <a href="https://www.nhs.uk"><img src="/nhs.png" alt="NHS logo"></a></div>
<div class="modal"><h4>Mind</h4><p>Mind is a mental health charity covering England and Wales.</p>
  <a href="http://mind.org.uk/">Mind</a></div>
<div class="modal"><h4>Young Minds</h4><p>Young Minds is a UK charity which works to improve the mental
  health of children and young people.</p><a href="https://www.youngminds.org.uk/">Young Minds</a></div>
<div class="modal"><h4>BBC</h4><p>A bakery in Leeds that sells sourdough bread and cakes daily.</p>
  <a href="https://www.bbc.co.uk/news/health">BBC health news</a></div>
<div><a href="https://unregistered.example.org/page">Some other site</a>
  <a href="http://bad-port.example:99999/">a broken port</a> <a href="javascript:void(0)">js</a></div>
</body></html>"""


@pytest.fixture
def registry(app, add_resource):
    """The seed page's resources: NHS healthy, Mind broken, Young Minds moved, BBC healthy."""
    add_resource("nhs", "https://www.nhs.uk/", name="NHS", description=NHS_TEXT, health="healthy")
    add_resource("mind", "https://www.mind.org.uk/", name="Mind", health="broken",
                 description="Mind is a mental health charity covering England and Wales.")
    add_resource("young-minds", "https://youngminds.org.uk/", name="Young Minds", health="warning",
                 description="Young Minds is a UK charity which works to improve the mental health "
                             "of children and young people.")
    add_resource("bbc", "https://www.bbc.co.uk/", name="The BBC", health="healthy",
                 description="The British Broadcasting Corporation (BBC) is the UK's national radio "
                             "and TV broadcaster.")
    with get_database(app).transaction() as session:
        moved = {"url": "https://youngminds.org.uk/", "outcome": "moved", "reason": "Moved for good.",
                 "final_url": "https://www.youngminds.org.uk/new/"}
        record_check(session, get_state(session, "young-minds"), moved, utcnow(),
                     health={"health": "warning"}, next_check_at=utcnow())


def by_url(body: dict) -> dict[str, dict]:
    return {link["url"]: link for link in body["links"]}


def test_outbound_links_skip_internal_fragment_and_mail_links():
    links = outbound_links(SEED_HTML, PAGE)
    assert [link["url"] for link in links] == [
        "https://www.nhs.uk", "http://mind.org.uk/", "https://www.youngminds.org.uk/",
        "https://www.bbc.co.uk/news/health", "https://unregistered.example.org/page",
        "http://bad-port.example:99999/"]
    assert [link.get("malformed") for link in links] == [None] * 5 + [True]
    assert links[0]["text"] == "NHS logo"  # an image link is named by its alt text
    assert NHS_TEXT in links[0]["context"]


def test_outbound_links_resolve_relative_links_against_the_base_tag():
    html = '<head><base href="https://other.example.net/dir/"></head><a href="page">x</a>'
    assert [link["url"] for link in outbound_links(html, PAGE)] == ["https://other.example.net/dir/page"]


def test_a_web_link_that_leads_nowhere_is_listed_as_malformed_and_other_schemes_are_not_links():
    html = ('<p>Help: <a href="http://exa mple.org/x">a space in the host</a>, '
            '<a href="https://help.example.org:99999/">a port past 65535</a>, <a href="http://">no host</a>, '
            '<a href="mailto:help@example.org">mail</a>, <a href="tel:+441234">phone</a>, '
            '<a href="javascript:void(0)">script</a>, <a href="https://help.example.org/ok">fine</a></p>')
    rows = audit_links(outbound_links(html, PAGE), [])
    assert [(row["url"], row["flags"]) for row in rows] == [
        ("http://exa mple.org/x", ["malformed"]), ("https://help.example.org:99999/", ["malformed"]),
        ("http://", ["malformed"]), ("https://help.example.org/ok", ["unregistered"])]
    assert summarise(rows)["malformed"] == 3 and rows[0]["resource"] is None


def test_a_link_matches_by_url_before_host():
    entries = [{"id": "home", "name": "H", "url": "https://site.example/", "description": "",
                "health": "healthy"},
               {"id": "deep", "name": "D", "url": "https://site.example/deep/page", "description": "",
                "health": "healthy"}]
    links = [{"url": "http://www.site.example/deep/page/", "href": "", "text": "", "context": ""},
             {"url": "https://site.example/elsewhere", "href": "", "text": "", "context": ""}]
    rows = audit_links(links, entries)
    assert [(row["resource"]["id"], row["match"]) for row in rows] == [("deep", "url"), ("home", "host")]


def test_description_similarity_is_the_share_of_description_words_beside_the_link():
    assert description_similarity(NHS_TEXT, "The NHS " + NHS_TEXT) == 1.0
    assert description_similarity(NHS_TEXT, "A bakery in Leeds.") == 0.0
    assert description_similarity(NHS_TEXT, "") is None


def test_audit_lists_each_outbound_link_with_its_entry_health_and_flags(client, editor, registry):
    response = client.post("/v1/audits", json={"html": SEED_HTML, "base_url": PAGE}, headers=editor)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    links = by_url(body)
    assert links["https://www.nhs.uk"]["resource"]["id"] == "nhs"
    assert links["https://www.nhs.uk"]["health"] == "healthy"
    assert links["https://www.nhs.uk"]["flags"] == []
    assert links["http://mind.org.uk/"]["flags"] == ["broken"]
    assert links["https://www.youngminds.org.uk/"]["flags"] == ["moved"]
    assert links["https://www.youngminds.org.uk/"]["moved_to"] == "https://www.youngminds.org.uk/new/"
    assert links["https://www.bbc.co.uk/news/health"]["match"] == "host"
    assert links["https://www.bbc.co.uk/news/health"]["flags"] == ["description_differs"]
    assert links["https://unregistered.example.org/page"]["flags"] == ["unregistered"]
    assert links["https://unregistered.example.org/page"]["resource"] is None
    assert links["http://bad-port.example:99999/"]["flags"] == ["malformed"]
    assert body["summary"] == {"outbound_links": 6, "registered": 4, "unregistered": 1, "broken": 1,
                               "moved": 1, "description_differs": 1, "malformed": 1}


def test_audit_fetches_a_page_by_url_through_the_guarded_client(client, editor, registry, httpserver):
    httpserver.expect_request("/page.htm").respond_with_data(SEED_HTML, content_type="text/html")
    response = client.post("/v1/audits", json={"url": httpserver.url_for("/page.htm")}, headers=editor)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["summary"]["outbound_links"] == 6


def test_audit_of_a_page_that_answers_404_is_a_502_that_says_so(client, editor, httpserver):
    httpserver.expect_request("/gone").respond_with_data("nope", status=404)
    response = client.post("/v1/audits", json={"url": httpserver.url_for("/gone")}, headers=editor)
    assert response.status_code == 502
    assert "404" in response.get_json()["message"]


def test_an_audit_names_an_unreachable_page_with_the_codes_lookups_use(client, editor):
    # one failure, one code, whichever endpoint met it: a client handles upstream_failure once
    dead = "http://127.0.0.1:9/page"  # the discard port: nothing listens
    response = client.post("/v1/audits", json={"url": dead}, headers=editor)
    assert response.status_code == 502
    assert response.get_json()["code"] == "upstream_failure"
    lookup = client.get("/v1/citations", query_string={"url": dead})
    assert lookup.status_code == 502 and lookup.get_json()["code"] == "upstream_failure"


def test_audit_refuses_a_private_address_when_they_are_not_allowed(settings, tmp_path, monkeypatch,
                                                                   editor, httpserver):
    monkeypatch.setenv("REFSVC_INSTANCE_PATH", str(tmp_path / "guarded"))
    app = create_app({**settings, "ALLOW_PRIVATE_ADDRESSES": "0"})
    httpserver.expect_request("/").respond_with_data("<a href='https://x.example/'>x</a>",
                                                     content_type="text/html")
    response = app.test_client().post("/v1/audits", json={"url": httpserver.url_for("/")},
                                      headers=editor)
    assert response.status_code == 400
    assert response.get_json()["code"] == "refused_address"
    assert httpserver.log == []  # refused before any connection


@pytest.mark.parametrize("headers, status", [({}, 401), ({"Authorization": "Bearer wrong"}, 403)])
def test_audit_needs_an_editor_token(client, headers, status):
    response = client.post("/v1/audits", json={"html": SEED_HTML, "base_url": PAGE}, headers=headers)
    assert response.status_code == status
    # Even a bad body is not looked at without the token.
    assert client.post("/v1/audits", json={}, headers=headers).status_code == status


@pytest.mark.parametrize("body, field", [
    ({}, "_schema"),
    ({"url": PAGE, "html": "<p></p>", "base_url": PAGE}, "_schema"),
    ({"html": "<p></p>"}, "base_url"),
    ({"url": "javascript:alert(1)"}, "url"),
    ({"html": "<p></p>", "base_url": "not a url"}, "base_url"),
])
def test_audit_refuses_bad_input_naming_the_field(client, editor, body, field):
    response = client.post("/v1/audits", json=body, headers=editor)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_outbound_links_read_xhtml_with_an_encoding_declaration():
    html = '<?xml version="1.0" encoding="utf-8"?><html><body><a href="https://x.example/">X</a></body></html>'
    assert [link["url"] for link in outbound_links(html, PAGE)] == ["https://x.example/"]


@pytest.mark.parametrize("html", ["", "   ", "<!-- nothing -->"])
def test_a_page_without_content_has_no_links(html):
    assert outbound_links(html, PAGE) == []
