"""GET /metrics in one process: requests, caches, outbound calls, reports, and the checker's gauges."""
from __future__ import annotations

from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from refsvc.metadata.http import ConnectFailure, GuardedClient
from refsvc.storage import Database, HealthState, Resource, get_database, utcnow
from refsvc.storage import checks as check_store
from tests.conftest import dead_port

SEED = {"type": "webpage", "title": "Dynamic Interpersonal Therapy in London",
        "authors": [{"name": "Harley Therapy Ltd."}], "published": "2022-01-20",
        "accessed": "2022-08-11", "url": "https://www.harleytherapy.co.uk/x.htm"}


def scrape(client, **kwargs) -> dict[tuple[str, tuple], float]:
    """Every sample of /metrics as {(name, sorted labels): value}."""
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/plain"
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.get_data(as_text=True))
            for s in family.samples}


def value(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_requests_are_counted_by_route_template_method_and_status(client):
    before = scrape(client)
    client.get("/v1/styles")
    client.get("/v1/resources/no-such-resource")
    client.get("/no/such/path/at/all")
    after = scrape(client)
    for labels in ({"endpoint": "/v1/styles", "method": "GET", "status": "200"},
                   {"endpoint": "/v1/resources/<resource_id>", "method": "GET", "status": "404"},
                   {"endpoint": "unmatched", "method": "GET", "status": "404"}):
        assert value(after, "refsvc_http_requests_total", **labels) == value(
            before, "refsvc_http_requests_total", **labels) + 1, labels
        assert value(after, "refsvc_http_request_duration_seconds_count", **labels) == value(
            before, "refsvc_http_request_duration_seconds_count", **labels) + 1


def test_render_caches_count_hits_and_misses(client):
    before = scrape(client)
    body = {"metadata": dict(SEED, title="A title no other test renders"), "styles": ["apa"]}
    client.post("/v1/citations", json=body)
    client.post("/v1/citations", json=body)  # replayed whole
    client.post("/v1/citations", json=dict(body, locale="en-US"))  # a new body, the same render
    after = scrape(client)

    def delta(cache, result):
        return (value(after, "refsvc_cache_lookups_total", cache=cache, result=result)
                - value(before, "refsvc_cache_lookups_total", cache=cache, result=result))
    assert (delta("replay", "miss"), delta("replay", "hit")) == (2, 1)
    assert delta("render", "miss") == 1 and delta("render", "hit") >= 1


def test_outbound_requests_are_counted_by_host_and_outcome(httpserver, client):
    httpserver.expect_request("/ok").respond_with_data("fine")
    httpserver.expect_request("/gone").respond_with_data("no", status=404)
    guarded = GuardedClient("refsvc-test", allow_private=True, connect_timeout=2, read_timeout=2)
    before = scrape(client)
    guarded.fetch(httpserver.url_for("/ok"))
    guarded.fetch(httpserver.url_for("/gone"))
    with pytest.raises(ConnectFailure):
        guarded.fetch(f"http://localhost:{dead_port()}/")
    guarded.close()
    after = scrape(client)
    for host, outcome in (("localhost", "2xx"), ("localhost", "4xx"),
                          ("localhost", "ConnectFailure")):
        assert value(after, "refsvc_outbound_requests_total", host=host, outcome=outcome) == value(
            before, "refsvc_outbound_requests_total", host=host, outcome=outcome) + 1, outcome


def test_outbound_host_labels_are_bounded(monkeypatch):
    from refsvc import metrics

    monkeypatch.setattr(metrics, "_hosts", set())
    monkeypatch.setattr(metrics, "MAX_HOSTS", 3)
    labels = [metrics.host_label(f"http://host{i}.example/") for i in range(6)]
    assert labels == ["host0.example", "host1.example", "host2.example", "other", "other", "other"]
    assert metrics.host_label("http://host1.example/again") == "host1.example"


def test_reports_received_are_counted_by_reason(client):
    before = scrape(client)
    response = client.post("/v1/reports", json={"url": "https://example.org/a-page",
                                                "reason": "broken"})
    assert response.status_code == 202, response.json
    client.post("/v1/reports", json={"url": "not a url", "reason": "broken"})  # refused: not counted
    after = scrape(client)
    assert value(after, "refsvc_reports_received_total", reason="broken") == value(
        before, "refsvc_reports_received_total", reason="broken") + 1


def _add_resources(database: Database, count: int, due_in: timedelta) -> None:
    now = utcnow()
    with database.transaction() as session:
        for i in range(count):
            session.add(Resource(id=f"r{i}", url=f"https://example.org/{i}", name=f"R {i}",
                                 state=HealthState(next_check_at=now + due_in)))


@pytest.mark.both_databases
def test_claims_held_due_backlog_and_recent_checks_come_from_the_database(app, client):
    database = get_database(app)
    _add_resources(database, 5, timedelta(minutes=-1))
    samples = scrape(client)
    assert value(samples, "refsvc_metrics_database_up") == 1
    assert (value(samples, "refsvc_checks_due"), value(samples, "refsvc_check_claims_held")) == (5, 0)
    now = utcnow()
    with database.transaction() as session:
        token, claimed = check_store.claim_due(session, "another-process", now, limit=2,
                                               lease_seconds=60)
        state = check_store.get_state(session, claimed[0].id)
        check_store.record_check(session, state, {"url": claimed[0].url, "outcome": "ok"}, now,
                                 health={"health": "healthy"}, next_check_at=now + timedelta(days=1))
    samples = scrape(client)
    assert (value(samples, "refsvc_checks_due"), value(samples, "refsvc_check_claims_held")) == (3, 1)
    assert value(samples, "refsvc_checks_last_24h", outcome="ok") == 1


def test_a_scrape_with_the_database_down_says_so_instead_of_failing(app, client):
    app.extensions["refsvc.storage"] = Database(f"postgresql://nobody@127.0.0.1:{dead_port()}/none")
    samples = scrape(client)
    assert value(samples, "refsvc_metrics_database_up") == 0
    assert ("refsvc_checks_due", ()) not in samples


def test_a_metrics_token_guards_the_endpoint_when_set(settings, tmp_path, monkeypatch):
    from refsvc import create_app

    monkeypatch.setenv("REFSVC_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({**settings, "METRICS_TOKEN": "s3cret-metrics"})
    client = app.test_client()
    refused = client.get("/metrics")
    assert refused.status_code == 401
    assert refused.json["code"] == "unauthorized" and "REFSVC_METRICS_TOKEN" in refused.json["message"]
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    allowed = scrape(client, headers={"Authorization": "Bearer s3cret-metrics"})
    assert any(name == "refsvc_http_requests_total" for name, _ in allowed)
    get_database(app).dispose()


def test_metrics_are_open_by_default(client):
    assert client.get("/metrics").status_code == 200


def test_scrapes_are_not_rate_limited(settings, tmp_path, monkeypatch):
    from refsvc import create_app

    monkeypatch.setenv("REFSVC_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({**settings, "DEFAULT_RATE_LIMIT": "2 per minute"})
    client = app.test_client()
    assert [client.get("/v1/styles").status_code for _ in range(3)] == [200, 200, 429]
    assert [client.get("/metrics").status_code for _ in range(5)] == [200] * 5
    get_database(app).dispose()
