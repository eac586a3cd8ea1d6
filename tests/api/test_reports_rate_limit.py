"""The public report endpoint is rate-limited per client (the database and real Redis); editors never are."""
from __future__ import annotations

import pytest

from refsvc import create_app


@pytest.fixture(params=["database", "redis"])
def limited_app(request, settings, tmp_path, monkeypatch):
    monkeypatch.setenv("REFSVC_INSTANCE_PATH", str(tmp_path / "instance"))
    overrides = {**settings, "REPORT_RATE_LIMIT": "2 per minute"}
    if request.param == "redis":
        overrides["REDIS_URL"] = request.getfixturevalue("redis_url")
    return create_app(overrides)


def report(client, headers=None):
    return client.post("/v1/reports", json={"url": "https://a.example.org/", "reason": "other"},
                       headers=headers or {})


def test_a_visitor_over_the_report_limit_gets_429(limited_app):
    client = limited_app.test_client()
    assert [report(client).status_code for _ in range(3)] == [202, 202, 429]
    assert report(client).json["code"] == "too_many_requests"


def test_editors_are_never_rate_limited(limited_app, editor):
    client = limited_app.test_client()
    assert {report(client, editor).status_code for _ in range(4)} == {202}


def test_the_limit_is_kept_in_redis_when_redis_is_configured(settings, tmp_path, monkeypatch,
                                                             redis_url):
    import redis

    monkeypatch.setenv("REFSVC_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({**settings, "REPORT_RATE_LIMIT": "2 per minute", "REDIS_URL": redis_url})
    report(app.test_client())
    assert redis.Redis.from_url(redis_url).keys("LIMITS*")  # flask-limiter's counters


def test_an_apps_default_limit_does_not_carry_over_to_the_next_app(settings, tmp_path, monkeypatch):
    """The limiter is one object per process; a later app must not keep an earlier app's default."""
    from refsvc import create_app

    monkeypatch.setenv("REFSVC_INSTANCE_PATH", str(tmp_path / "instance"))
    limited = create_app({**settings, "DEFAULT_RATE_LIMIT": "2 per minute"})
    assert [limited.test_client().get("/v1/styles").status_code for _ in range(3)][-1] == 429
    free = create_app({**settings, "DATABASE_URL": f"sqlite:///{tmp_path / 'other.sqlite'}"})
    assert {free.test_client().get("/v1/styles").status_code for _ in range(5)} == {200}


def test_retry_after_comes_only_with_a_refusal(limited_app):
    client = limited_app.test_client()
    accepted = report(client)
    assert accepted.status_code == 202 and "Retry-After" not in accepted.headers
    report(client)
    refused = report(client)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    # the message says how long, as the header does
    assert f"{refused.headers['Retry-After']} seconds" in refused.json["message"]


def test_a_rate_limited_form_post_gets_an_html_page_with_the_same_status(limited_app):
    client = limited_app.test_client()
    form = {"url": "https://a.example.org/", "reason": "other"}
    answers = [client.post("/v1/reports", data=form, headers={"Accept": "text/html"}) for _ in range(3)]
    assert [a.status_code for a in answers] == [202, 202, 429]
    refused = answers[-1]
    assert refused.mimetype == "text/html" and int(refused.headers["Retry-After"]) > 0
    page = refused.get_data(as_text=True)
    assert "<h1>" in page and f"{refused.headers['Retry-After']} seconds" in page
    assert not page.lstrip().startswith("{")
