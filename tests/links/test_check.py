"""One check of one URL against real loopback servers playing a hostile web."""
from __future__ import annotations

import json
import socket
import threading

import pytest

from refsvc.links.check import check_link
from refsvc.links.classify import OUTCOMES
from refsvc.links.politeness import HostPolicy
from refsvc.links.soft404 import Soft404Probe
from refsvc.metadata.http import GuardedClient
from refsvc.metadata.ratelimit import retry_after_seconds
from tests.links.servers import (endless_body, html, redirect, reply, self_signed, serve, silent,  # noqa: F401
                                 trickle)

MIND_PAGE = html("Mind, the mental health charity", "Advice and support for anyone with a mental health problem.")


@pytest.fixture
def client():
    c = GuardedClient("refsvc-test (mailto:test@example.org)", allow_private=True, connect_timeout=1,
                      read_timeout=2)
    yield c
    c.close()


def check(url, client, **kw):
    kw.setdefault("name", "Mind")
    kw.setdefault("deadline_seconds", 5)
    result = check_link(url, client=client, **kw)
    assert result.outcome in OUTCOMES and result.reason
    json.dumps(result.to_dict())  # always JSON-ready
    return result


def test_a_healthy_page_is_ok_with_its_facts_recorded(serve, client):
    site = serve({"/help": reply(200, MIND_PAGE)})
    result = check(site.url("/help"), client)
    record = result.to_dict()
    assert (record["outcome"], record["status_code"], record["final_url"]) == ("ok", 200, site.url("/help"))
    assert record["title"] == "Mind, the mental health charity" and record["redirects"] == []
    assert record["elapsed_ms"] >= 0 and record["checked_at"].endswith("+00:00")
    assert "key" not in record and record["tls_valid"] is None


def test_a_record_is_the_recorders_to_change_without_changing_the_result():
    from refsvc.links.check import CheckResult

    result = CheckResult(url="https://example.org/", outcome="ok", reason="fine",
                         redirects=[{"status": 301, "url": "https://example.org/"}],
                         details={"attempts": [1]}, description_page={"html": "<p>x</p>", "seen": "a"},
                         key="r1")
    record = result.to_dict()
    record["description_page"]["read"] = "parsed"  # what the description check does to its record
    record["details"]["checker_offline"] = {}
    record["redirects"].append({})
    assert result.description_page == {"html": "<p>x</p>", "seen": "a"}
    assert result.details == {"attempts": [1]} and len(result.redirects) == 1
    assert "key" not in record and record == {**record, "url": "https://example.org/", "outcome": "ok"}


def test_a_200_page_not_found_is_a_soft_404(serve, client):
    site = serve({"/help": reply(200, html("Page not found", "Sorry, we could not find that page. Mind"))})
    result = check(site.url("/help"), client)
    assert result.outcome == "soft_404" and "its title says “Page not found”" in result.reason


def test_a_redirect_chain_into_a_login_page_is_a_soft_404_with_each_hop_recorded(serve, client):
    site = serve({"/old": redirect("/new", 301), "/new": redirect("/account/login?next=/new"),
                  "/account/login": reply(200, html("Sign in", '<input type="password">'))})
    result = check(site.url("/old"), client)
    assert result.outcome == "soft_404"
    assert result.reason == (f"Redirected to a login page ({site.url('/account/login?next=/new')}) — the page "
                             "now needs an account")
    assert [(hop["status"], hop["location"]) for hop in result.redirects] == [
        (301, site.url("/new")), (302, site.url("/account/login?next=/new"))]


def test_a_redirect_loop_is_a_server_error_not_a_hang(serve, client):
    site = serve({"/a": redirect("/b"), "/b": redirect("/a")})
    result = check(site.url("/a"), client)
    assert result.outcome == "server_error" and "loop" in result.reason


def test_a_domain_for_sale_page_is_parked(serve, client):
    site = serve({"/": reply(200, html("mind-charity.org", "This domain is for sale. Buy this domain now!"))})
    result = check(site.url("/"), client)
    assert result.outcome == "parked" and "for sale" in result.reason


def test_a_server_that_never_answers_is_a_timeout(silent, client):
    result = check(silent.url("/"), client, deadline_seconds=1.5)
    assert result.outcome == "timeout" and result.details["attempts"][0]["error"] == "FetchTimeout"


def test_a_body_that_never_ends_is_read_up_to_the_cap_and_judged(serve, client):
    site = serve({"/": endless_body})
    result = check(site.url("/"), client, name="more")
    assert result.outcome == "ok" and result.details["truncated"] is True


def test_a_body_that_trickles_forever_is_cut_off_at_the_deadline(serve, client):
    site = serve({"/": trickle})
    result = check(site.url("/"), client, deadline_seconds=1.5)
    assert result.outcome == "timeout" and "within 1.5 s" in result.reason


def test_a_self_signed_certificate_is_a_tls_error_with_days_left(serve, client, tmp_path):
    site = serve({"/": reply(200, MIND_PAGE)}, host="127.0.0.1", tls=self_signed(tmp_path, days=30))
    result = check(site.url("/"), client)
    assert result.outcome == "tls_error" and result.tls_valid is False
    assert result.cert_days_left in (29, 30) and "certificate" in result.reason


def test_an_expired_certificate_says_how_long_ago_it_expired(serve, client, tmp_path):
    site = serve({"/": reply(200, MIND_PAGE)}, host="127.0.0.1", tls=self_signed(tmp_path, days=-3))
    result = check(site.url("/"), client)
    assert result.outcome == "tls_error" and result.cert_days_left in (-4, -3)
    assert f"expired {-result.cert_days_left} days ago" in result.reason


def test_a_redirect_to_the_cloud_metadata_address_is_refused(serve):
    strict = GuardedClient("refsvc-test", allow_private=False, allowed_networks=["127.0.0.0/8"],
                           connect_timeout=1, read_timeout=2)
    site = serve({"/": redirect("http://169.254.169.254/latest/meta-data/")})
    result = check(site.url("/"), strict)
    assert result.outcome == "refused_address" and "169.254.169.254" in result.reason


def test_a_429_with_a_short_retry_after_is_waited_out_and_slows_the_host(serve, client):
    answers = iter([reply(429, "slow down", {"Retry-After": "1"}), reply(200, MIND_PAGE)])
    site = serve({"/": lambda handler: next(answers)(handler)}, host="127.0.0.3")
    hosts = HostPolicy(per_host=2, spacing=0)
    result = check(site.url("/"), client, hosts=hosts)
    assert result.outcome == "ok" and result.retry_after == 1.0
    assert [a.get("status") for a in result.details["attempts"]] == [429, 200]
    waited = site.hits[1][2] - site.hits[0][2]
    assert waited >= 1.0  # the Retry-After was honoured, not a retry straight away
    assert hosts.spacing_of("127.0.0.3") > 0  # later checks of this host go slower


def test_a_persistent_429_or_a_long_retry_after_is_blocked_not_dead(serve, client):
    site = serve({"/short": reply(429, "", {"Retry-After": "0"}), "/long": reply(429, "", {"Retry-After": "3600"})})
    persistent = check(site.url("/short"), client)
    assert persistent.outcome == "blocked" and len(persistent.details["attempts"]) == 3
    long = check(site.url("/long"), client)
    assert long.outcome == "blocked" and long.retry_after == 3600 and len(long.details["attempts"]) == 1
    assert "come back in 3600 s" in long.reason


def test_a_5xx_blip_is_retried_and_a_persistent_one_is_a_server_error(serve, client):
    answers = iter([reply(503), reply(200, MIND_PAGE)])
    site = serve({"/blip": lambda handler: next(answers)(handler), "/down": reply(500, "boom")})
    assert check(site.url("/blip"), client).outcome == "ok"
    down = check(site.url("/down"), client)
    assert down.outcome == "server_error" and "500" in down.reason and len(down.details["attempts"]) == 3


def test_a_logo_whose_server_refuses_head_is_checked_with_get(serve, client):
    def logo(handler):
        if handler.command == "HEAD":
            return reply(405)(handler)
        return reply(200, b"\x89PNG....", content_type="image/png")(handler)
    site = serve({"/": reply(200, MIND_PAGE), "/logo.png": logo})
    result = check(site.url("/"), client, logo_url=site.url("/logo.png"))
    assert (result.logo_ok, result.logo_status) == (True, 200) and "405" in result.details["logo"]
    assert [m for m, p, _ in site.hits if p == "/logo.png"] == ["HEAD", "GET"]


def test_a_missing_logo_is_recorded_without_failing_the_page(serve, client):
    site = serve({"/": reply(200, MIND_PAGE)})
    result = check(site.url("/"), client, logo_url=site.url("/logo.png"))
    assert result.outcome == "ok" and result.logo_ok is False and result.logo_status == 404
    assert "logo is gone" in result.reason


def test_the_sibling_probe_catches_a_site_that_answers_everything_alike_once_per_prefix(serve, client):
    body = html("Welcome", "Our shop has many fine things for Mind readers and others alike. " * 5)
    site = serve({"*": reply(200, body)}, host="127.0.0.4")
    probe = Soft404Probe()
    first = check(site.url("/articles/therapy"), client, soft404=probe)
    second = check(site.url("/articles/other"), client, soft404=probe)
    assert first.outcome == second.outcome == "soft_404" and "made-up" in first.reason
    assert probe.probes_made == 1 and len(site.hits) == 3


def test_the_sibling_probe_clears_a_site_that_answers_made_up_addresses_with_404(serve, client):
    site = serve({"/articles/therapy": reply(200, MIND_PAGE)})
    result = check(site.url("/articles/therapy"), client, soft404=Soft404Probe())
    assert result.outcome == "ok" and result.details["probe"]["probe_status"] == 404


def test_a_permanent_move_to_another_host_with_a_fine_page_is_moved(serve, client):
    new = serve({"/help": reply(200, MIND_PAGE)}, host="127.0.0.6")
    old = serve({"/help": redirect(new.url("/help"), 301)}, host="127.0.0.5")
    result = check(old.url("/help"), client)
    assert result.outcome == "moved" and new.url("/help") in result.reason


def test_a_bot_challenge_is_blocked(serve, client):
    site = serve({"/": reply(403, html("Just a moment...", "<script>window._cf_chl_opt={}</script>"),
                             {"Server": "cloudflare", "cf-mitigated": "challenge"})})
    result = check(site.url("/"), client)
    assert result.outcome == "blocked" and "Cloudflare" in result.reason


def test_a_closed_port_is_a_connection_error(client):
    sock = socket.socket()
    sock.bind(("127.0.0.7", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    result = check(f"http://127.0.0.7:{port}/", client, deadline_seconds=3)
    assert result.outcome == "connection_error" and "connect" in result.reason.lower()


def test_a_garbled_answer_becomes_an_outcome_with_a_reason(client):
    sock = socket.socket()
    sock.bind(("127.0.0.8", 0))
    sock.listen(4)

    def garble():
        for _ in range(3):
            try:
                conn, _ = sock.accept()
            except OSError:  # the test closed the socket: the checker asked fewer than 3 times
                return
            conn.recv(4096)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 9\r\n\r\nnot-gzip!")
            conn.close()
    threading.Thread(target=garble, daemon=True).start()
    result = check(f"http://127.0.0.8:{sock.getsockname()[1]}/", client)
    sock.close()
    assert result.outcome in ("connection_error", "server_error") and "decod" in result.reason


def test_retry_after_is_read_as_seconds_or_an_http_date():
    assert retry_after_seconds("7") == 7.0 and retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # long past: no wait
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:10 -0000", now=1445412480.0) == 10.0  # GMT
