"""The editors' workspace without a browser: sign-in (cookie or Bearer), sorting and filters from the
URL, the offline banner, the resource page, the reports inbox, check now and editing."""
from __future__ import annotations

import re
from datetime import timedelta

import lxml.html
import pytest

from refsvc.links.tracking import Tracker
from refsvc.storage import get_database, utcnow
from refsvc.storage.resources import create_resource, get_resource
from tests.conftest import EDITOR_TOKEN


def record(app, resource_id, url, outcome, status=200, elapsed=120, at=None, **extra):
    clock = (lambda: at) if at else utcnow
    tracker = Tracker(get_database(app), app.config, clock=clock)  # Wayback: a dead loopback port
    return tracker.record(resource_id, {"url": url, "outcome": outcome, "reason": f"said {outcome}",
                                        "status_code": status, "elapsed_ms": elapsed, **extra})


@pytest.fixture
def registry(app, client):
    with get_database(app).transaction() as session:
        for rid, name, url, tags in (("mind", "Mind", "https://www.mind.org.uk/", ["charity"]),
                                     ("nhs", "NHS", "https://www.nhs.uk/", ["uk"]),
                                     ("bbc", "The BBC", "https://www.bbc.co.uk/", ["uk"])):
            create_resource(session, {"id": rid, "name": name, "url": url, "tags": tags})
    record(app, "mind", "https://www.mind.org.uk/", "ok", elapsed=300)
    record(app, "nhs", "https://www.nhs.uk/", "ok", elapsed=90)
    record(app, "bbc", "https://www.bbc.co.uk/", "dns_error", status=None, elapsed=3000)
    client.post("/v1/reports", json={"resource_id": "bbc", "reason": "broken", "page": "http://localhost/a"})
    client.post("/v1/reports", json={"resource_id": "bbc", "reason": "other", "comment": "Moved?"})


def doc(response):
    assert response.status_code < 500
    return lxml.html.document_fromstring(response.get_data(as_text=True))


def order(response) -> list[str]:
    return doc(response).xpath("//table[@id='resources']/tbody/tr/@data-resource-id")


def signed_in(client):
    response = client.post("/dashboard/sign-in", data={"token": EDITOR_TOKEN, "next": "/dashboard"})
    assert response.status_code == 303 and response.headers["Location"] == "/dashboard"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/dashboard" in cookie
    return client


def form_key(client, path="/dashboard/reports"):
    return re.search(r'name="form_key" value="([0-9a-f]+)"', client.get(path).get_data(as_text=True)).group(1)


def test_read_only_visitors_see_health_but_no_actions_or_reports(client, registry):
    page = doc(client.get("/dashboard"))
    assert page.xpath("//button[contains(@class, 'check-now')]") == []
    assert "Open reports" not in page.text_content()
    assert page.get_element_by_id("editor-state").text == "Read-only"


def test_a_wrong_token_is_refused_and_sets_no_cookie(client, registry):
    response = client.post("/dashboard/sign-in", data={"token": "nope"})
    assert response.status_code == 403 and "Set-Cookie" not in response.headers
    assert "refused" in response.get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/dashboard", "/v1/reports",
                                    "/dashboard\\@evil.example"])
def test_sign_in_never_sends_the_editor_off_the_dashboard(client, target):
    response = client.post("/dashboard/sign-in", data={"token": EDITOR_TOKEN, "next": target})
    assert response.headers["Location"] == "/dashboard"


def test_dashboard_pages_take_the_token_as_a_bearer_header_too(client, editor, registry):
    page = doc(client.get("/dashboard", headers=editor))
    assert page.get_element_by_id("editor-state").text == "Editor"
    assert len(page.xpath("//button[contains(@class, 'check-now')]")) == 3
    assert client.get("/dashboard/reports", headers=editor).status_code == 200
    assert client.get("/dashboard/reports").status_code == 401


@pytest.mark.parametrize("query, expected", [
    ("", ["bbc", "mind", "nhs"]),  # failing first, then by name
    ("?sort=name", ["mind", "nhs", "bbc"]),
    ("?sort=name&dir=desc", ["bbc", "nhs", "mind"]),
    ("?sort=response", ["nhs", "mind", "bbc"]),  # never answered: last either way
    ("?sort=response&dir=desc", ["mind", "nhs", "bbc"]),
    ("?sort=reports&dir=desc", ["bbc", "mind", "nhs"]),
    ("?tag=uk&sort=name", ["nhs", "bbc"]),
    ("?health=healthy", ["mind", "nhs"]),
    ("?q=mind", ["mind"]),
    ("?reported=1", ["bbc"]),
])
def test_sorting_and_filters_come_from_the_url(client, editor, registry, query, expected):
    assert order(client.get("/dashboard" + query, headers=editor)) == expected


def test_column_headers_link_to_the_other_direction_and_keep_the_filters(client, editor, registry):
    page = doc(client.get("/dashboard?tag=uk&sort=name", headers=editor))
    header = page.xpath("//th[@aria-sort]")[0]
    assert header.get("aria-sort") == "ascending"
    href = header.xpath(".//a/@href")[0]
    assert "tag=uk" in href and "sort=name" in href and "dir=desc" in href


def test_a_check_that_never_connected_shows_no_response_time(client, registry):
    page = doc(client.get("/dashboard"))
    row = page.get_element_by_id("resource-bbc")
    assert row.xpath("string(.//td[contains(@class, 'metric-response')])").strip() == "–"
    assert "Name not found" in row.text_content()
    assert "300 ms" in page.get_element_by_id("resource-mind").text_content()


def test_one_banner_says_since_when_the_checker_is_offline(app, client, registry):
    assert doc(client.get("/dashboard")).xpath("//*[@id='offline-banner']") == []
    went = utcnow() + timedelta(minutes=1)  # after the last good checks
    for rid, url in (("mind", "https://www.mind.org.uk/"), ("nhs", "https://www.nhs.uk/")):
        record(app, rid, url, "checker_offline", status=None, at=went)
    record(app, "bbc", "https://www.bbc.co.uk/", "checker_offline", status=None, at=went + timedelta(minutes=5))
    banners = doc(client.get("/dashboard")).xpath("//*[@id='offline-banner']")
    assert len(banners) == 1
    assert f"Checker offline since {went:%H:%M} UTC" in banners[0].text_content()
    assert "health left unchanged" in banners[0].text_content()


def test_the_resource_page_shows_chart_timeline_redirects_and_tls(app, client, editor):
    with get_database(app).transaction() as session:
        create_resource(session, {"id": "mind", "name": "Mind", "url": "https://mind.example/"})
    now = utcnow()
    record(app, "mind", "https://mind.example/", "ok", at=now - timedelta(days=10), cert_days_left=30)
    for days in (5, 4, 3):
        record(app, "mind", "https://mind.example/", "server_error", status=503, at=now - timedelta(days=days))
    record(app, "mind", "https://mind.example/", "redirected", at=now - timedelta(days=1),
           final_url="https://mind.example/new", cert_days_left=20,
           redirects=[{"status": 301, "url": "https://mind.example/", "location": "/new"}])
    page = doc(client.get("/dashboard/resources/mind", headers=editor))
    svg = page.xpath("//svg")[0]
    assert len(svg.xpath(".//*[contains(@class, 'chart__mark')]")) == 5
    assert "5 checks in the last 90 days: 2 answered, 0 with a warning, 3 failed" in \
        page.get_element_by_id("chart-summary").text_content()
    timeline = page.get_element_by_id("timeline").text_content()
    assert "Became failing" in timeline and "Redirect seen" in timeline and "https://mind.example/new" in timeline
    assert "301 https://mind.example/" in page.get_element_by_id("redirects").text_content()
    assert "(20 days)" in page.get_element_by_id("tls").text_content()
    assert page.xpath("//form[@id='edit-form']") and page.xpath("//button[@id='check-now']")


def test_an_editor_edits_fields_and_the_timeline_says_so(client, registry):
    signed_in(client)
    key = form_key(client, "/dashboard/resources/nhs")
    response = client.post("/dashboard/resources/nhs/edit", data={
        "form_key": key, "name": "NHS website", "url": "https://www.nhs.uk/", "description": "Health.",
        "tags": "uk, health", "expect": "", "logo_url": "", "active": "1"})
    assert response.status_code == 303
    page = doc(client.get(response.headers["Location"]))
    assert page.get_element_by_id("resource-name").text == "NHS website"
    assert "Changed name, description, tags" in page.get_element_by_id("timeline").text_content()


def test_a_bad_edit_is_a_422_naming_the_field_and_changes_nothing(client, registry):
    signed_in(client)
    key = form_key(client, "/dashboard/resources/nhs")
    response = client.post("/dashboard/resources/nhs/edit", data={"form_key": key, "name": "NHS",
                                                                  "url": "javascript:alert(1)"})
    assert response.status_code == 422
    assert "url:" in doc(response).get_element_by_id("edit-errors").text_content()
    assert doc(client.get("/dashboard/resources/nhs")).get_element_by_id("resource-name").text == "NHS"


def test_a_cookie_post_without_the_form_key_is_refused(client, registry):
    signed_in(client)
    assert client.post("/dashboard/resources/nhs/edit", data={"name": "Hacked"}).status_code == 403
    assert client.post("/dashboard/reports/1", data={"status": "dismissed"}).status_code == 403


def test_the_inbox_groups_reports_by_resource_and_resolves_one_with_a_note(client, registry):
    signed_in(client)
    page = doc(client.get("/dashboard/reports"))
    groups = page.xpath("//section[contains(@class, 'inbox-group')]")
    assert [g.get("data-resource-id") for g in groups] == ["bbc"]
    assert len(groups[0].xpath(".//li[contains(@class, 'report')]")) == 2
    assert "http://localhost/a" in groups[0].text_content() and "Moved?" in groups[0].text_content()
    report_id = int(groups[0].xpath(".//li[contains(@class, 'report')]/@id")[0].split("-")[1])
    response = client.post(f"/dashboard/reports/{report_id}", data={
        "form_key": form_key(client), "status": "resolved", "note": "Fixed the link on the page."})
    assert response.status_code == 303
    resolved = doc(client.get("/dashboard/reports?status=resolved")).text_content()
    assert "Note: Fixed the link on the page." in resolved
    timeline = doc(client.get("/dashboard/resources/bbc")).get_element_by_id("timeline").text_content()
    assert "Report resolved: Fixed the link on the page." in timeline


def test_the_dashboard_export_gives_editors_their_report_counts(client, registry):
    signed_in(client)
    text = client.get("/dashboard/export.csv").get_data(as_text=True)
    assert text.splitlines()[0].startswith("id,name,url,health")
    assert any(line.startswith("bbc,") and ",2," in line for line in text.splitlines())


def test_unknown_resource_pages_are_a_404_page(client):
    assert client.get("/dashboard/resources/nope").status_code == 404


@pytest.mark.both_databases
@pytest.mark.parametrize("path", ["/dashboard?sort=zzz&dir=up&health=%00&q=%00&tag=" + "x" * 3000,
                                  "/dashboard/reports?status=zz&resource=%00",
                                  "/dashboard/resources/%00", "/dashboard/reports/99999999999999999999",
                                  "/dashboard/export.xlsx", "/cite?url=javascript:alert(1)", "/cite"])
def test_odd_addresses_get_a_page_never_a_server_error(client, editor, path):
    assert client.get(path, headers=editor).status_code < 500


def test_an_editor_audits_a_pages_links_from_the_dashboard(client, editor, registry, httpserver):
    httpserver.expect_request("/page.htm").respond_with_data(
        '<html><body><a href="https://www.nhs.uk/">NHS</a> <a href="https://unknown.example/">?</a>'
        "</body></html>", content_type="text/html")
    assert client.get("/dashboard/audit").status_code == 200  # read-only: asked to sign in
    assert client.post("/dashboard/audit", data={"url": httpserver.url_for("/page.htm")}).status_code == 403
    response = client.post("/dashboard/audit", data={"url": httpserver.url_for("/page.htm")}, headers=editor)
    page = doc(response)
    assert "2 outbound links: 1 not registered" in " ".join(page.get_element_by_id("audit-summary").text_content().split())
    rows = page.xpath("//div[@id='audit-results']//tbody/tr")
    assert "NHS" in rows[0].text_content() and "not registered" in rows[1].text_content()


def test_warnings_are_shown_in_words_on_the_dashboard_and_the_resource_page(app, client):
    with get_database(app).transaction() as session:
        create_resource(session, {"id": "bbc", "name": "The BBC", "url": "https://www.bbc.co.uk/"})
    for _ in range(2):
        record(app, "bbc", "https://www.bbc.co.uk/", "redirected", final_url="https://www.bbc.com/")
    row = doc(client.get("/dashboard")).get_element_by_id("resource-bbc").text_content()
    assert "redirected within the site" in row or "moved to another site" in row
    page = doc(client.get("/dashboard/resources/bbc"))
    assert page.get_element_by_id("warnings").text_content().strip()


def test_the_verdict_filter_appears_only_when_the_api_lists_one():
    from marshmallow import Schema, fields, validate

    from refsvc.web.dashboard import verdict_choices

    class WithVerdict(Schema):
        verdict = fields.String(validate=validate.OneOf(["matches", "differs"]))

    assert verdict_choices(WithVerdict()) == ["matches", "differs"]
    assert verdict_choices(Schema()) is None


def test_without_a_verdict_filter_in_the_api_the_dashboard_has_no_verdict_control(client):
    from refsvc.api.registry_schemas import ResourceQuery

    page = doc(client.get("/dashboard"))
    assert bool(page.xpath("//select[@id='verdict-filter']")) == ("verdict" in ResourceQuery().fields)


def test_the_token_make_run_kept_is_the_editors_when_no_tokens_are_set(settings, tmp_path, monkeypatch):
    from refsvc import create_app

    instance = tmp_path / "kept"
    instance.mkdir()
    (instance / "editor-token").write_text("kept-token\n")
    monkeypatch.setenv("REFSVC_INSTANCE_PATH", str(instance))
    app = create_app({**settings, "EDITOR_TOKENS": ""})
    client = app.test_client()
    assert client.get("/v1/reports", headers={"Authorization": "Bearer kept-token"}).status_code == 200
    configured = create_app({**settings, "EDITOR_TOKENS": "other"}).test_client()
    assert configured.get("/v1/reports", headers={"Authorization": "Bearer kept-token"}).status_code == 403


def test_the_last_change_says_how_long_a_resource_has_been_in_its_health(app, client, registry):
    row = doc(client.get("/dashboard")).get_element_by_id("resource-bbc")
    assert "Failing for under a minute" in row.text_content()


def test_the_verdict_filter_shows_the_resources_with_that_verdict(app, client, registry):
    from refsvc.storage import descriptions

    with get_database(app).transaction() as session:
        descriptions.get_state(session, "nhs", create=True).verdict = "changed"
    assert order(client.get("/dashboard?verdict=changed")) == ["nhs"]
    assert sorted(order(client.get("/dashboard?verdict=unknown"))) == ["bbc", "mind"]


def test_the_resource_page_shows_the_description_check(app, client, registry):
    from refsvc.storage import descriptions

    with get_database(app).transaction() as session:
        state = descriptions.get_state(session, "nhs", create=True)
        state.verdict, state.why = "changed", "the page was rewritten"
    section = doc(client.get("/dashboard/resources/nhs")).find_class("description-check")[0]
    assert "Changed" in section.text_content() and "the page was rewritten" in section.text_content()


def test_an_editor_confirms_the_suggested_description_from_the_resource_page(app, client):
    from refsvc.storage import descriptions
    from tests.conftest import dead_port

    with get_database(app).transaction() as session:  # the check it starts meets a closed port
        create_resource(session, {"id": "nhs", "name": "NHS", "url": f"http://127.0.0.1:{dead_port()}/"})
        state = descriptions.get_state(session, "nhs", create=True)
        state.verdict, state.suggested = "unsupported", "Health advice from the NHS."
    assert not doc(client.get("/dashboard/resources/nhs")).find_class("description-confirm")
    signed_in(client)
    page = doc(client.get("/dashboard/resources/nhs"))
    form = page.find_class("description-suggest")[0]
    fields = dict(form.form_values())
    response = client.post(form.get("action"), data=fields)
    assert response.status_code == 303
    with get_database(app).transaction() as session:
        from refsvc.storage.resources import get_resource

        assert get_resource(session, "nhs").description == "Health advice from the NHS."
    del fields["form_key"]
    assert client.post(form.get("action"), data=fields).status_code == 403


@pytest.mark.parametrize("key", ["é", "ключ", ""])
def test_a_form_with_an_odd_form_key_is_refused_not_a_server_error(client, registry, key):
    signed_in(client)
    response = client.post("/dashboard/resources/bbc/check", data={"form_key": key})
    assert response.status_code == 403 and "stale" in response.get_data(as_text=True)


@pytest.mark.both_databases
@pytest.mark.parametrize("path, field", [("/dashboard/resources/mind/edit", "name"),
                                         ("/dashboard/resources/mind/edit", "tags"),
                                         ("/dashboard/resources/mind/confirm-description", "description")])
def test_a_nul_in_a_dashboard_form_gets_a_422_naming_it_on_either_database(app, client, path, field):
    with get_database(app).transaction() as session:
        create_resource(session, {"id": "mind", "name": "Mind", "url": "https://www.mind.org.uk/"})
    response = client.post(path, data={field: "Mind\x00"}, headers={"Authorization": f"Bearer {EDITOR_TOKEN}"})
    assert response.status_code == 422 and "NUL character" in response.get_data(as_text=True)


@pytest.mark.both_databases
def test_a_nul_in_a_report_note_gets_a_422_on_either_database(client):
    report_id = client.post("/v1/reports", json={"url": "https://x.example/", "reason": "broken"}).json["id"]
    response = client.post(f"/dashboard/reports/{report_id}", data={"status": "resolved", "note": "a\x00b"},
                           headers={"Authorization": f"Bearer {EDITOR_TOKEN}"})
    assert response.status_code == 422 and "NUL character" in response.get_data(as_text=True)


@pytest.mark.both_databases
def test_check_now_of_an_id_that_cannot_exist_is_a_404_on_either_database(client):
    response = client.post("/dashboard/resources/%00/check", headers={"Authorization": f"Bearer {EDITOR_TOKEN}"})
    assert response.status_code == 404


def test_an_edit_to_an_address_the_checker_may_not_fetch_is_a_422(app, client, registry):
    app.config["ALLOW_PRIVATE_ADDRESSES"] = False  # a public deployment (the tests' settings allow them)
    signed_in(client)
    key = form_key(client, "/dashboard/resources/nhs")
    response = client.post("/dashboard/resources/nhs/edit", data={"form_key": key, "name": "NHS",
                                                                  "url": "http://10.0.0.1/"})
    assert response.status_code == 422
    assert "private address 10.0.0.1" in doc(response).get_element_by_id("edit-errors").text_content()
    with get_database(app).transaction() as session:
        assert get_resource(session, "nhs").url == "https://www.nhs.uk/"


def test_check_now_reads_once_in_the_timeline(app, client, editor, httpserver):
    httpserver.expect_request("/").respond_with_data("<title>Mind</title><p>Mind</p>", content_type="text/html")
    with get_database(app).transaction() as session:
        create_resource(session, {"id": "local", "name": "Mind", "url": httpserver.url_for("/")})
    assert client.post("/v1/resources/local/check", headers=editor).status_code == 200
    timeline = doc(client.get("/dashboard/resources/local")).get_element_by_id("timeline").text_content()
    assert "Checked now: OK" in timeline and "Checked now: Checked now" not in timeline


def test_an_audit_of_a_page_that_cannot_be_fetched_says_what_to_do_in_the_form(client, editor):
    from tests.conftest import dead_port

    signed_in(client)
    key = form_key(client, "/dashboard/audit")
    response = client.post("/dashboard/audit", data={"form_key": key,
                                                     "url": f"http://127.0.0.1:{dead_port()}/page"})
    page = lxml.html.fromstring(response.get_data(as_text=True))  # doc() wants a status below 500
    error = page.get_element_by_id("audit-summary").text_content()
    assert response.status_code == 502 and "could not be fetched" in error
    assert "html" not in error and "base_url" not in error  # fields the form does not have
