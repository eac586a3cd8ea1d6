"""A checker without network must not call every link dead: real loopback hosts, some up, some dead.

A "dead host" is a loopback address with a port bound but not listening: every connection to it is
refused at once, as when the checker's machine has no route anywhere.
"""
from __future__ import annotations

import logging
import socket
from datetime import timedelta

import pytest
from pytest_httpserver import HTTPServer

from refsvc.storage import get_database, utcnow
from refsvc.storage import checks as check_store
from refsvc.storage import resources as store
from refsvc.worker.cli import OFFLINE_EXIT

PAGE = "<html><head><title>{0}</title></head><body><h1>{0}</h1><p>About {0}.</p></body></html>"


class DeadHost:
    """A loopback address and port where connections are refused (bound, never listening)."""

    def __init__(self, host: str) -> None:
        self.sock = socket.socket()
        self.sock.bind((host, 0))
        self.url = f"http://{host}:{self.sock.getsockname()[1]}/"

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def hosts():
    """Start live sites (``live(host, name)``) and dead hosts (``dead(host)``); all closed at the end."""
    started = []

    class Hosts:
        def live(self, host: str, name: str) -> HTTPServer:
            server = HTTPServer(host=host, port=0)
            server.expect_request("/").respond_with_data(PAGE.format(name), content_type="text/html")
            server.start()
            started.append(server)
            return server

        def dead(self, host: str) -> DeadHost:
            dead = DeadHost(host)
            started.append(dead)
            return dead
    yield Hosts()
    for item in started:
        if isinstance(item, HTTPServer):
            if item.is_running():
                item.stop()
        else:
            item.close()


def add(app, resource_id: str, url: str) -> None:
    with get_database(app).transaction() as session:
        store.create_resource(session, {"id": resource_id, "name": resource_id.title(), "url": url})


def state(app, resource_id: str):
    with get_database(app).transaction() as session:
        return check_store.get_state(session, resource_id)


def last_check(app, resource_id: str):
    with get_database(app).transaction() as session:
        checks, _ = check_store.history(session, resource_id, limit=1)
        return checks[0] if checks else None


def make_due(app, *resource_ids: str) -> None:
    with get_database(app).transaction() as session:
        for resource_id in resource_ids:
            check_store.make_due(session, resource_id, utcnow() - timedelta(seconds=1))


def test_a_dead_host_among_live_ones_counts_as_a_failure(app, runner, hosts):
    add(app, "alpha", hosts.live("127.0.0.2", "Alpha").url_for("/"))
    add(app, "beta", hosts.live("127.0.0.3", "Beta").url_for("/"))
    add(app, "gamma", hosts.dead("127.0.0.4").url)
    result = runner.invoke(args=["check-links", "--once"])
    assert result.exit_code == 0, result.output
    assert "offline" not in result.output
    assert state(app, "gamma").health == "failing" and state(app, "gamma").failures == 1
    assert last_check(app, "gamma").outcome == "connection_error"
    assert state(app, "alpha").health == "healthy" and state(app, "beta").health == "healthy"


def test_when_every_host_refuses_connections_nothing_changes_health(app, runner, hosts, caplog):
    for n, name in enumerate(("alpha", "beta", "gamma"), start=2):
        add(app, name, hosts.dead(f"127.0.0.{n}").url)
    with caplog.at_level(logging.WARNING, logger="refsvc.worker.checker"):
        result = runner.invoke(args=["check-links", "--once"])
    assert result.exit_code == OFFLINE_EXIT, result.output
    assert "the checker looks offline: 3 of 3 hosts unreachable; health unchanged" in result.output
    assert "the checker looks offline: 3 of 3 hosts unreachable; health unchanged" in caplog.text
    for name in ("alpha", "beta", "gamma"):
        assert state(app, name).health == "unknown" and state(app, name).failures == 0
        check = last_check(app, name)
        assert check.outcome == "checker_offline" and check.reason.startswith("Inconclusive")
        assert check.result["details"]["checker_offline"]["outcome"] == "connection_error"


def test_healthy_links_stay_healthy_when_the_network_goes_away(app, runner, hosts):
    servers = {name: hosts.live(f"127.0.0.{n}", name.title())
               for n, name in enumerate(("alpha", "beta", "gamma"), start=2)}
    for name, server in servers.items():
        add(app, name, server.url_for("/"))
    assert runner.invoke(args=["check-links", "--once"]).exit_code == 0
    for server in servers.values():
        server.stop()  # nothing answers any more: to the checker, the network is gone
    for _ in range(3):  # what used to add up to "broken" within a day
        make_due(app, "alpha", "beta", "gamma")
        assert runner.invoke(args=["check-links", "--once"]).exit_code == OFFLINE_EXIT
    for name in servers:
        assert state(app, name).health == "healthy" and state(app, name).failures == 0
        # checked again soon (the first retry interval), not a whole day later
        assert state(app, name).next_check_at < utcnow() + timedelta(hours=1.2)


def test_a_lone_failure_is_inconclusive_when_the_sites_last_seen_working_do_not_answer_either(
        app, runner, hosts):
    servers = {name: hosts.live(f"127.0.0.{n}", name.title())
               for n, name in enumerate(("alpha", "beta", "gamma"), start=2)}
    for name, server in servers.items():
        add(app, name, server.url_for("/"))
    runner.invoke(args=["check-links", "--once"])
    for server in servers.values():
        server.stop()
    make_due(app, "alpha")  # the loop checks one resource at a time, as each falls due
    result = runner.invoke(args=["check-links", "--once"])
    assert result.exit_code == OFFLINE_EXIT
    assert "3 of 3 hosts unreachable" in result.output  # alpha's, and beta's and gamma's as canaries
    assert state(app, "alpha").health == "healthy"


def test_a_lone_failure_counts_when_the_sites_last_seen_working_still_answer(app, runner, hosts):
    servers = {name: hosts.live(f"127.0.0.{n}", name.title())
               for n, name in enumerate(("alpha", "beta", "gamma"), start=2)}
    for name, server in servers.items():
        add(app, name, server.url_for("/"))
    runner.invoke(args=["check-links", "--once"])
    servers["alpha"].stop()  # only alpha's site went away
    make_due(app, "alpha")
    result = runner.invoke(args=["check-links", "--once"])
    assert result.exit_code == 0 and "offline" not in result.output
    assert state(app, "alpha").health == "failing"


def test_a_configured_canary_that_does_not_answer_makes_a_failure_inconclusive(app, runner, hosts):
    add(app, "alpha", hosts.dead("127.0.0.2").url)
    canary = hosts.dead("127.0.0.5").url
    result = runner.invoke(args=["check-links", "--once", "--canary", canary])
    assert result.exit_code == OFFLINE_EXIT
    assert "2 of 2 hosts unreachable" in result.output and "canary" in result.output
    assert state(app, "alpha").failures == 0 and last_check(app, "alpha").outcome == "checker_offline"


def test_a_configured_canary_that_answers_lets_the_failures_of_many_hosts_count(app, runner, hosts):
    for n, name in enumerate(("alpha", "beta", "gamma"), start=2):
        add(app, name, hosts.dead(f"127.0.0.{n}").url)
    canary = hosts.live("127.0.0.5", "Canary").url_for("/")
    result = runner.invoke(args=["check-links", "--once", "--canary", canary])
    assert result.exit_code == 0, result.output
    assert all(state(app, name).health == "failing" for name in ("alpha", "beta", "gamma"))


@pytest.mark.parametrize("canary", ["ftp://x", "not a url", "http://[::1/"])
def test_a_canary_the_checker_could_never_fetch_is_refused_before_any_check(app, runner, hosts,
                                                                           canary):
    # such a canary can never answer, so it could never say "offline": the round would count every
    # failure of a machine that is in fact offline
    add(app, "alpha", hosts.dead("127.0.0.2").url)
    result = runner.invoke(args=["check-links", "--once", "--canary", canary])
    assert result.exit_code == 2 and "--canary" in result.output and canary in result.output
    assert "Traceback" not in result.output
    assert last_check(app, "alpha") is None and state(app, "alpha").failures == 0


def test_a_configured_canary_the_checker_could_never_fetch_is_refused_too(settings, runner, app,
                                                                          hosts):
    app.config["CHECK_CANARY_URLS"] = "https://www.bbc.co.uk/, ftp://x"
    result = runner.invoke(args=["check-links", "--once"])
    assert result.exit_code == 1 and "REFSVC_CHECK_CANARY_URLS" in result.output
    assert "ftp://x" in result.output


def test_an_editors_check_now_is_inconclusive_when_known_good_sites_do_not_answer_either(
        app, runner, client, editor, hosts):
    servers = {name: hosts.live(f"127.0.0.{n}", name.title())
               for n, name in enumerate(("alpha", "beta"), start=2)}
    for name, server in servers.items():
        add(app, name, server.url_for("/"))
    runner.invoke(args=["check-links", "--once"])
    for server in servers.values():
        server.stop()
    answer = client.post("/v1/resources/alpha/check", headers=editor)
    assert answer.status_code == 200
    assert answer.json["outcome"] == "checker_offline" and answer.json["health"] == "healthy"
    assert "2 of 2 hosts unreachable" in answer.json["reason"]


def test_a_round_of_one_link_asks_the_configured_canaries_and_leaves_health_alone(
        settings, tmp_path, monkeypatch, hosts):
    from refsvc import create_app

    canary = hosts.dead("127.0.0.6").url  # the checker's network is down: the canary is silent too
    monkeypatch.setenv("REFSVC_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({**settings, "CHECK_CANARY_URLS": canary})
    add(app, "alpha", hosts.dead("127.0.0.2").url)
    result = app.test_cli_runner().invoke(args=["check-links", "--once"])
    assert result.exit_code == OFFLINE_EXIT, result.output
    assert "canary" in result.output
    assert state(app, "alpha").health == "unknown" and state(app, "alpha").failures == 0
    assert last_check(app, "alpha").outcome == "checker_offline"
    get_database(app).dispose()


def test_a_visitors_report_or_check_now_of_one_link_is_inconclusive_when_the_canary_is_silent(
        settings, tmp_path, monkeypatch, hosts, editor):
    from refsvc import create_app

    monkeypatch.setenv("REFSVC_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({**settings, "CHECK_CANARY_URLS": hosts.dead("127.0.0.6").url})
    add(app, "alpha", hosts.dead("127.0.0.2").url)
    answer = app.test_client().post("/v1/resources/alpha/check", headers=editor)
    assert answer.status_code == 200
    assert answer.json["outcome"] == "checker_offline" and answer.json["health"] == "unknown"
    get_database(app).dispose()


def test_one_failing_link_counts_when_the_canary_answers(settings, tmp_path, monkeypatch, hosts,
                                                         editor):
    from refsvc import create_app

    monkeypatch.setenv("REFSVC_INSTANCE_PATH", str(tmp_path / "instance"))
    canary = hosts.live("127.0.0.6", "Canary").url_for("/")
    app = create_app({**settings, "CHECK_CANARY_URLS": canary})
    add(app, "alpha", hosts.dead("127.0.0.2").url)
    answer = app.test_client().post("/v1/resources/alpha/check", headers=editor)
    assert answer.json["outcome"] == "connection_error" and answer.json["health"] == "failing"
    get_database(app).dispose()
