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
