"""Description checks through the API: baseline at the first check, verdicts after two checks, the
``description_check`` field, ?verdict=, confirm-description, webhooks and "inaccurate" reports.

Pages are served by a real loopback server; checks go through the real checker and database."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from refsvc.links.tracking import tracker_for
from refsvc.storage import get_database, utcnow
from refsvc.storage import checks as check_store
from tests.conftest import dead_port
from tests.links.servers import reply, serve  # noqa: F401 - the serve fixture

PAGE = ("<!doctype html><html lang='en'><head><title>Mind, the mental health charity</title>"
        '<meta name="description" content="{meta}"></head>'
        "<body><nav><a href='/'>Home</a>"
        "<a href='/donate'>Donate</a></nav><main><h1>We're Mind</h1><p>Mind is a mental health charity "
        "covering England and Wales. We offer support to people with mental health problems.</p>"
        "<p>We have {staff} staff and around 110 local Minds.</p></main>"
        "<footer>Infoline: 0300 123 3393</footer></body></html>")
DESCRIPTION = ("Mind is a mental health charity covering England and Wales. It offers support to people "
               "with mental health problems. It has 1,200 staff.")
META = "We're Mind, the mental health charity: advice and support for anyone with a mental health problem."


@pytest.fixture
def settings(settings):
    return {**settings, "CHECK_HOST_SPACING": "0"}


@pytest.fixture
def site(serve):
    routes = {"/": reply(200, PAGE.format(staff="1,200", meta=META))}
    site = serve(routes)
    site.routes_ = routes
    return site


def _serve(site, staff: str = "1,200", meta: str = META) -> None:
    site.routes_["/"] = reply(200, PAGE.format(staff=staff, meta=meta))


def _create(client, editor, url: str, description: str = DESCRIPTION):
    return client.post("/v1/resources", json={"id": "mind", "name": "Mind", "url": url,
                                              "description": description}, headers=editor)


def _check(client, editor):
    response = client.post("/v1/resources/mind/check", headers=editor)
    assert response.status_code == 200, response.json
    return response.json


def test_creating_a_resource_answers_201_at_once_even_when_its_page_is_unreachable(client, editor):
    response = _create(client, editor, f"http://127.0.0.1:{dead_port()}/")
    assert response.status_code == 201
    assert response.json["description_check"] is None
    assert client.get("/v1/resources/mind").json["description_check"] is None


def test_the_first_check_takes_the_baseline_and_judges_each_claim(client, editor, site):
    _create(client, editor, site.url("/"))
    check = _check(client, editor)
    assert check["description"]["verdict"] == "supported"
    assert "description_page" not in check  # the page itself is not kept with every check
    found = client.get("/v1/resources/mind").json["description_check"]
    assert found["verdict"] == "supported" and found["since"]
    assert [c["supported"] for c in found["claims"]] == [True, True, True]
    assert "1,200 staff" in found["claims"][2]["evidence"]
    assert found["baseline"]["confirmed"] is False
    assert found["change"] is not None and found["change"]["score"] == 0
    assert found["suggested_description"] == META


def test_a_changed_figure_moves_the_verdict_only_after_two_checks_and_names_both_figures(client, editor, site):
    _create(client, editor, site.url("/"))
    _check(client, editor)
    _serve(site, staff="900")
    _check(client, editor)
    once = client.get("/v1/resources/mind").json["description_check"]
    assert once["verdict"] == "supported" and once["observed"] == "unsupported"
    assert once["pending"] == "unsupported" and once["pending_count"] == 1
    _check(client, editor)
    twice = client.get("/v1/resources/mind").json["description_check"]
    assert twice["verdict"] == "unsupported"
    assert "description says 1,200 staff; the page says 900" in twice["why"]
    assert twice["claims"][2]["supported"] is False


@pytest.mark.both_databases
def test_the_list_filters_by_verdict_and_refuses_an_unknown_one(client, editor, site, serve):
    _create(client, editor, site.url("/"))
    client.post("/v1/resources", json={"id": "gone", "name": "Gone", "url": f"http://127.0.0.1:{dead_port()}/",
                                       "description": "Gone away."}, headers=editor)
    _check(client, editor)
    supported = client.get("/v1/resources?verdict=supported")
    assert [r["id"] for r in supported.json] == ["mind"]
    assert supported.json[0]["description_check"]["verdict"] == "supported"
    assert [r["id"] for r in client.get("/v1/resources?verdict=unknown").json] == ["gone"]
    assert client.get("/v1/resources?verdict=unsupported").json == []
    bad = client.get("/v1/resources?verdict=wrong")
    assert bad.status_code == 422 and "verdict" in json.dumps(bad.json)


@pytest.mark.both_databases
def test_confirming_an_edited_description_takes_a_new_baseline_and_supports_it(client, editor, site):
    _create(client, editor, site.url("/"))
    _check(client, editor)
    _serve(site, staff="900")
    _check(client, editor)
    _check(client, editor)
    edited = ("Mind is a mental health charity covering England and Wales. It offers support to people "
              "with mental health problems. It has 900 staff.")
    response = client.post("/v1/resources/mind/confirm-description", json={"description": edited},
                           headers=editor)
    assert response.status_code == 200, response.json
    assert response.json["verdict"] == "supported"
    assert response.json["baseline"]["confirmed"] is True
    assert client.get("/v1/resources/mind").json["description"] == edited


def test_accepting_the_suggestion_makes_the_pages_own_words_the_description(client, editor, site):
    _create(client, editor, site.url("/"), description="Mind sells garden furniture in Leeds.")
    _check(client, editor)
    response = client.post("/v1/resources/mind/confirm-description", json={"accept_suggestion": True},
                           headers=editor)
    assert response.status_code == 200
    assert client.get("/v1/resources/mind").json["description"] == META
    assert response.json["verdict"] == "supported"


def test_confirming_while_the_page_is_unreachable_waits_for_the_next_readable_check(client, editor, site):
    _create(client, editor, site.url("/"))
    _check(client, editor)
    site.routes_["/"] = reply(503, "down")
    response = client.post("/v1/resources/mind/confirm-description", json={}, headers=editor)
    assert response.status_code == 202
    assert response.json["baseline_requested"] is True
    _serve(site)
    _check(client, editor)
    found = client.get("/v1/resources/mind").json["description_check"]
    assert found["baseline_requested"] is False and found["baseline"]["confirmed"] is True


@pytest.mark.parametrize("headers, status", [({}, 401), ({"Authorization": "Bearer wrong"}, 403)])
def test_only_editors_confirm(client, editor, site, headers, status):
    _create(client, editor, site.url("/"))
    assert client.post("/v1/resources/mind/confirm-description", json={}, headers=headers).status_code == status


@pytest.mark.parametrize("body, field", [({"description": ""}, "description"),
                                         ({"description": "x", "accept_suggestion": True}, "accept_suggestion"),
                                         ({"accept_suggestion": True}, "accept_suggestion"),
                                         ({"colour": "red"}, "colour")])
def test_a_bad_confirmation_is_a_422_naming_the_field(client, editor, site, body, field):
    _create(client, editor, site.url("/"))
    response = client.post("/v1/resources/mind/confirm-description", json=body, headers=editor)
    assert response.status_code == 422 and field in json.dumps(response.json)


def test_confirming_an_unknown_resource_is_a_404(client, editor):
    assert client.post("/v1/resources/nope/confirm-description", json={}, headers=editor).status_code == 404


def test_an_inaccurate_report_asks_for_a_check_at_once_and_shows_beside_the_evidence(app, client, editor, site):
    _create(client, editor, site.url("/"))
    _check(client, editor)
    with get_database(app).transaction() as session:
        state = check_store.get_state(session, "mind")
        assert state.next_check_at > utcnow()
    sent = client.post("/v1/reports", json={"resource_id": "mind", "reason": "inaccurate",
                                            "comment": "They closed the <b>Infoline</b>"})
    assert sent.status_code == 202
    with get_database(app).transaction() as session:
        due = check_store.get_state(session, "mind").next_check_at
    assert (due - utcnow()).total_seconds() <= float(app.config["REPORT_DUE_SECONDS"]) + 1
    found = client.get("/v1/resources/mind").json["description_check"]
    assert found["reports"][0]["count"] == 1
    assert found["reports"][0]["comments"] == ["They closed the <b>Infoline</b>"]


class _Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.events.append((self.headers["X-Refsvc-Event"], json.loads(body)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.events = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def hooked(settings, receiver):
    return {**settings, "WEBHOOK_URLS": f"http://127.0.0.1:{receiver.server_address[1]}/hook"}


def test_a_verdict_change_fires_a_webhook_like_a_health_change(hooked, receiver, site, tmp_path, monkeypatch):
    from refsvc import create_app

    monkeypatch.setenv("REFSVC_INSTANCE_PATH", str(tmp_path / "hooked"))
    app = create_app(hooked)
    client = app.test_client()
    editor = {"Authorization": "Bearer test-editor-token"}
    try:
        _create(client, editor, site.url("/"))
        _check(client, editor)
        _serve(site, staff="900")
        _check(client, editor)
        _check(client, editor)
        assert tracker_for(app).webhooks.flush(10)
        described = [body for name, body in receiver.events if name == "resource.description_changed"]
        assert len(described) == 1
        event = described[0]
        assert event["previous"] == "supported" and event["verdict"] == "unsupported"
        assert event["resource"]["id"] == "mind"
        assert "the page says 900" in event["claims"][0]["evidence"]
    finally:
        tracker_for(app).close()
        get_database(app).dispose()


@pytest.mark.parametrize("body", [{"description": "x" * 100_000}, {"description": "\x00" * 10}, [1, 2],
                                  {"accept_suggestion": "maybe"}, {"description": None}])
def test_hostile_confirmations_get_a_clear_4xx_never_a_500(client, editor, site, body):
    _create(client, editor, site.url("/"))
    response = client.post("/v1/resources/mind/confirm-description", json=body, headers=editor)
    assert 400 <= response.status_code < 500 and response.json["message"]


def test_a_hostile_description_is_judged_without_harm(client, editor, site):
    hostile = ("<script>alert(1)</script> " + "Mind Mind 1,2,3 0300 " * 200)[:4900]
    _create(client, editor, site.url("/"), description=hostile)
    check = _check(client, editor)
    assert check["description"]["verdict"] == "unsupported"
    found = client.get("/v1/resources/mind").json["description_check"]
    assert found["claims"][0]["text"].startswith("<script>")  # JSON carries it as text; pages escape it


def test_the_resource_page_partial_renders_what_the_api_gives(app, client, editor, site):
    from refsvc.links import description_check
    from refsvc.storage import resources as store

    _create(client, editor, site.url("/"))
    _check(client, editor)
    _serve(site, staff="900")
    _check(client, editor)
    with get_database(app).transaction() as session:
        view = description_check.view(session, store.get_resource(session, "mind"))
    with app.test_request_context("/dashboard/resources/mind"):
        html = app.jinja_env.get_template("web/description_check.html").render(
            description_check=view, resource={"id": "mind"}, editor=True, form_key=lambda: "key")
    assert "description says 1,200 staff; the page says 900" in html
    assert "The last check saw <strong>unsupported</strong>" in html
    assert "<ins>We have 900 staff and around 110 local Minds.</ins>" not in html  # numbers: no change
    assert 'action="/dashboard/resources/mind/confirm-description"' in html
