"""Judging a batch with no answer at all: the checker's own network, or the links themselves?"""
from __future__ import annotations

import pytest

from refsvc.links.health import Policy, State, advance
from refsvc.links.offline import Connectivity, canaries_from, inconclusive, kind_of

DEAD = ["http://a.test/", "http://b.test/x", "http://c.test/"]


@pytest.mark.parametrize("outcome, kind", [
    ("dns_error", "unreachable"), ("connection_error", "unreachable"), ("timeout", "unreachable"),
    ("client_error", "reached"), ("blocked", "reached"), ("tls_error", "reached"), ("ok", "reached"),
    ("refused_address", "neutral"), (None, "neutral")])
def test_only_an_answer_from_some_server_shows_that_the_network_works(outcome, kind):
    assert kind_of(outcome) == kind


def test_several_hosts_unreachable_and_nothing_known_to_work_means_offline():
    verdict = Connectivity().judge(DEAD)
    assert verdict.offline and (verdict.unreachable, verdict.hosts) == (3, 3)
    assert verdict.message().startswith("the checker looks offline: 3 of 3 hosts unreachable; "
                                        "health unchanged")


def test_too_few_hosts_to_tell_count_as_failures():
    assert not Connectivity().judge(DEAD[:2]).offline
    assert not Connectivity().judge(["http://a.test/1", "http://a.test/2", "http://a.test/3"]).offline


def test_a_canary_that_answers_outweighs_any_number_of_dead_hosts():
    assert not Connectivity(lambda url: True, ["http://canary.test/"]).judge(DEAD).offline


def test_a_silent_canary_makes_even_one_failure_inconclusive():
    verdict = Connectivity(lambda url: False, ["http://canary.test/"]).judge(DEAD[:1])
    assert verdict.offline and (verdict.unreachable, verdict.hosts, verdict.basis) == (2, 2, "canary")


def test_sites_last_seen_working_on_other_hosts_serve_as_canaries():
    probed = []

    def probe(url):
        probed.append(url)
        return url == "http://up.test/"  # only up.test answers
    witnesses = ["http://a.test/other", "http://down.test/", "http://up.test/", "http://more.test/"]
    assert not Connectivity(probe).judge(DEAD[:1], witnesses).offline
    assert probed == ["http://down.test/", "http://up.test/"]  # not a.test (failing), stops at up


def test_an_inconclusive_check_guesses_nothing_about_the_site_anywhere():
    # "the domain may have lapsed" is a guess about the site that an offline checker cannot make:
    # neither the reason shown nor the details kept for the dashboard may carry it
    record = inconclusive({"outcome": "dns_error", "details": {},
                           "reason": "DNS lookup failed: no such name — the domain may have lapsed"},
                          Connectivity().judge(DEAD))
    assert "lapsed" not in str(record)
    assert record["details"]["checker_offline"]["reason"] == "DNS lookup failed: no such name"


def test_canaries_that_cannot_tell_fall_back_on_the_host_count():
    assert Connectivity(lambda url: None, ["http://10.0.0.1/"]).judge(DEAD).offline
    assert not Connectivity(lambda url: None, ["http://10.0.0.1/"]).judge(DEAD[:1]).offline


def test_an_inconclusive_check_keeps_what_the_check_said_and_changes_no_health():
    verdict = Connectivity().judge(DEAD)
    record = inconclusive({"outcome": "dns_error", "reason": "The domain name does not resolve",
                           "details": {"attempts": []}}, verdict)
    assert record["outcome"] == "checker_offline" and record["reason"].startswith("Inconclusive")
    assert record["details"]["checker_offline"]["outcome"] == "dns_error"
    assert "attempts" in record["details"]
    healthy = State(health="healthy", successes=5)
    assert advance(healthy, record, None, Policy()) == healthy


@pytest.mark.parametrize("value, urls", [(None, []), ("", []), (["http://a/"], ["http://a/"]),
                                         ("http://a/, http://b/", ["http://a/", "http://b/"])])
def test_canaries_come_from_the_setting_as_a_list_or_comma_separated(value, urls):
    assert canaries_from({"CHECK_CANARY_URLS": value}) == urls
    assert canaries_from({}) == []


def test_the_default_canaries_are_several_public_sites_on_different_hosts():
    from urllib.parse import urlsplit

    from refsvc.config import load_settings

    canaries = canaries_from(load_settings(environ={}))
    assert len(canaries) >= 2
    assert all(urlsplit(url).scheme == "https" for url in canaries)
    assert len({urlsplit(url).hostname for url in canaries}) == len(canaries)


def test_a_probe_takes_the_hosts_politeness_slot_and_waits_its_turn():
    import threading
    import time

    from refsvc.links.offline import client_probe
    from refsvc.links.politeness import HostPolicy

    class Client:
        def __init__(self):
            self.at = []

        def fetch(self, url, **options):
            self.at.append(time.monotonic())

    client, hosts = Client(), HostPolicy(per_host=1, spacing=0.3)
    probe = client_probe(client, hosts=hosts)
    threads = [threading.Thread(target=probe, args=("https://canary.example/",)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(client.at) == 2 and abs(client.at[1] - client.at[0]) >= 0.29


@pytest.mark.parametrize("said", ["DNS lookup failed: name or service not known — the domain may have lapsed",
                                  "The secure connection failed (timed out) — visitors will see a "
                                  "certificate warning"])
def test_an_inconclusive_check_drops_the_checks_guess_about_the_site(said):
    record = inconclusive({"outcome": "dns_error", "reason": said}, Connectivity().judge(DEAD))
    assert said.split(" — ")[0] in record["reason"]  # what happened stays
    assert "lapsed" not in record["reason"] and "visitors will see" not in record["reason"]
