"""URLs are parsed and normalised in one place (refsvc.metadata.urls): IPv6 kept in brackets,
hosts read as browsers read them, every malformed URL a 4xx naming it at every endpoint, and one
bad registry entry never breaks an audit."""
from __future__ import annotations

import pytest

from refsvc.metadata.urls import URLProblem, link_key, normalize_url, parse_url, url_problem
from refsvc.storage import Resource, get_database

HOSTILE = [
    "http://example.org:８０/",  # full-width port digits
    "http://exa%09mple.org/",  # a percent-encoded tab in the host
    "http://[2001:db8::1/",  # an unclosed IPv6 literal
    "http://[fe80::1%25eth0]/",  # an IPv6 zone
    "http://[::1]:99999/",
    "http://example.org:0/",
    "http://user:secret@example.org/",
    "http://xn--.org/",
    "http://exa mple.org/",
    "http://exa\u0000mple.org/",
    "http://\ud800.org/",  # a lone surrogate
    "ftp://example.org/",
    "http://" + "a" * 2100 + ".org/",
]


@pytest.fixture
def settings(settings):
    # public addresses only: nothing here is fetched (documentation and loopback ranges are refused)
    return {**settings, "ALLOW_PRIVATE_ADDRESSES": "0"}


def test_ipv6_links_keep_their_brackets_and_port():
    assert normalize_url("HTTP://[2001:DB8:0::1]:8080/a/") == "http://[2001:db8::1]:8080/a"
    assert parse_url("http://[2001:db8::1]:8080/").geturl() == "http://[2001:db8::1]:8080/"


def test_hosts_are_read_as_browsers_read_them():
    assert parse_url("http://１２７.0.0.1/").host == "127.0.0.1"  # judged as the address it is
    assert normalize_url("https://例え.jp/") == "https://xn--r8jz45g.jp/"


@pytest.mark.parametrize("url", HOSTILE)
def test_each_malformed_url_is_a_problem_in_words(url):
    with pytest.raises(URLProblem):
        parse_url(url)
    assert url_problem(url)
    assert link_key(url) is None


def test_the_same_link_is_one_notion_for_reports_and_audits():
    same = ["https://www.mind.org.uk/info/", "http://mind.org.uk/info", "HTTPS://MIND.org.uk:443/info#x"]
    assert len({link_key(u) for u in same}) == 1
    assert link_key("https://mind.org.uk/other") != link_key(same[0])
    assert link_key("http://[2001:db8::1]:8080/") == "[2001:db8::1]:8080/"


@pytest.mark.parametrize("url", HOSTILE + ["http://[2001:db8::1]:8080/x", "http://１２７.0.0.1/"])
def test_no_endpoint_answers_a_hostile_url_with_a_5xx(client, editor, url):
    answers = {
        "audit url": client.post("/v1/audits", json={"url": url}, headers=editor),
        "audit html": client.post("/v1/audits", json={"html": f'<a href="{url}">x</a>',
                                                      "base_url": "https://site.example/"},
                                  headers=editor),
        "report": client.post("/v1/reports", json={"url": url, "reason": "broken"}),
        "resource": client.post("/v1/resources", json={"id": "r", "name": "R", "url": url},
                                headers=editor),
    }
    if "\ud800" not in url:  # a query string cannot even carry a lone surrogate
        answers["lookup"] = client.get("/v1/citations", query_string={"url": url})
    for where, response in answers.items():
        assert response.status_code < 500, (where, response.get_json())
    if url in HOSTILE:
        for where in ("audit url", "report", "resource"):
            assert answers[where].status_code in (400, 422), where
            assert "url" in answers[where].json.get("errors", {}) or "URL" in answers[where].json[
                "message"], (where, answers[where].json)
        assert answers.get("lookup", answers["report"]).status_code in (400, 422)


def test_a_report_of_an_ipv6_link_is_stored_with_its_brackets(client, editor):
    client.post("/v1/reports", json={"url": "http://[2001:db8::1]:8080/x/", "reason": "broken"})
    assert [r["url"] for r in client.get("/v1/reports", headers=editor).json] == [
        "http://[2001:db8::1]:8080/x"]


def test_one_bad_registry_entry_never_breaks_an_audit(app, client, editor):
    with get_database(app).transaction() as session:  # stored before validation was this strict
        for n, url in enumerate(["http://exa%09mple.org/", "http://[2001:db8::1", "not a url"]):
            session.add(Resource(id=f"bad-{n}", name="Bad", url=url, description="", tags=[],
                                 expect=[]))
    client.post("/v1/resources", json={"id": "mind", "name": "Mind", "url": "https://www.mind.org.uk/"},
                headers=editor)
    with get_database(app).transaction() as session:  # a deployment allowing it (this one refuses it)
        session.add(Resource(id="v6", name="V6", url="http://[2001:db8::1]:8080/", description="",
                             tags=[], expect=[]))
    html = ('<a href="https://mind.org.uk/">Mind</a> <a href="http://[2001:db8::1]:8080/">v6</a> '
            '<a href="http://exa%09mple.org/">odd</a>')
    response = client.post("/v1/audits", json={"html": html, "base_url": "https://site.example/"},
                           headers=editor)
    assert response.status_code == 200, response.json
    matched = {link["url"]: ((link["resource"] or {}).get("id"), link["flags"])
               for link in response.json["links"]}
    assert matched == {"https://mind.org.uk/": ("mind", []), "http://[2001:db8::1]:8080/": ("v6", []),
                       "http://exa%09mple.org/": (None, ["malformed"])}  # listed, matched to nothing
    report = client.post("/v1/reports", json={"url": "http://mind.org.uk", "reason": "broken"})
    assert report.status_code == 202 and report.json["resource_id"] == "mind"


@pytest.mark.parametrize("url, hint", [("notaurl", "https://"), ("www.mind.org.uk/anxiety", "https://www.mind.org.uk/anxiety"),
                                       ("ftp://example.org/", "'ftp'")])
def test_a_url_without_an_http_scheme_is_told_how_to_write_it(url, hint):
    problem = url_problem(url)
    assert hint in problem and "no scheme" not in problem
