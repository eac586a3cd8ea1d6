"""The sibling-path probe (Bar-Yossef et al.): made-up addresses, sketches and the per-prefix cache."""
from __future__ import annotations

import threading

from refsvc.links.page import read_page
from refsvc.links.soft404 import Soft404Probe, prefix_key, resemblance, sibling_url, sketch

ARTICLE = read_page("<title>Therapy</title><p>" + "Talking therapy helps many people with anxiety. " * 10)
NOT_FOUND = read_page("<title>Shop</title><p>" + "Browse our catalogue of fine garden furniture today. " * 10)


def fetcher(status=200, page=NOT_FOUND, final=None):
    calls = []

    def fetch(url):
        calls.append(url)
        return status, final or url, page
    return fetch, calls


def test_the_sibling_of_a_page_sits_under_the_same_prefix_and_is_random():
    assert prefix_key("https://X.org/a/b/c?q=1") == ("https", "x.org", "/a/b/")
    assert prefix_key("https://x.org/a/b/") == ("https", "x.org", "/a/")
    assert sibling_url("https://x.org/a/b/c", "zz") == "https://x.org/a/b/zz"
    assert sibling_url("https://x.org/a/b/c") != sibling_url("https://x.org/a/b/c")


def test_resemblance_is_high_for_the_same_text_and_low_for_different_text():
    assert resemblance(sketch("a b c d e f g"), sketch("a b c d e f g")) == 1.0
    assert resemblance(sketch(ARTICLE.text), sketch(NOT_FOUND.text)) < 0.1
    assert len(sketch("word " * 10_000 + " ".join(map(str, range(5000))))) == 128  # bounded size


def test_a_site_answering_a_made_up_address_with_the_same_page_is_suspect():
    fetch, _ = fetcher(200, ARTICLE)
    finding = Soft404Probe().judge("https://x.org/a/b", "https://x.org/a/b", ARTICLE, fetch)
    assert finding["suspect"] is True and finding["similarity"] == 1.0


def test_a_different_200_page_or_an_error_status_clears_the_page():
    fetch, _ = fetcher(200, NOT_FOUND)
    assert Soft404Probe().judge("https://x.org/a/b", "https://x.org/a/b", ARTICLE, fetch)["suspect"] is False
    fetch, _ = fetcher(404, NOT_FOUND)
    assert Soft404Probe().judge("https://x.org/a/b", "https://x.org/a/b", ARTICLE, fetch)["suspect"] is False


def test_made_up_addresses_redirecting_where_the_link_redirected_is_suspect():
    fetch, _ = fetcher(200, NOT_FOUND, final="https://x.org/")
    finding = Soft404Probe().judge("https://x.org/a/b", "https://x.org/", ARTICLE, fetch)
    assert finding is None  # the root itself is never probed
    fetch, _ = fetcher(200, NOT_FOUND, final="https://x.org/a/landing")
    finding = Soft404Probe().judge("https://x.org/a/b", "https://x.org/a/landing", ARTICLE, fetch)
    assert finding["suspect"] is True


def test_a_script_rendered_shell_is_inconclusive_not_suspect():
    shell = read_page("<title>App</title><div id=root></div>")
    fetch, _ = fetcher(200, shell)
    finding = Soft404Probe().judge("https://x.org/a/b", "https://x.org/a/b", shell, fetch)
    assert finding["suspect"] is False and "shell" in finding["note"]


def test_one_probe_per_prefix_even_under_concurrent_checks():
    fetch, calls = fetcher(404)
    probe = Soft404Probe()
    threads = [threading.Thread(target=probe.judge, args=(f"https://x.org/a/{i}", f"https://x.org/a/{i}",
                                                          ARTICLE, fetch)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    probe.judge("https://x.org/b/1", "https://x.org/b/1", ARTICLE, fetch)
    assert len(calls) == 2 and probe.probes_made == 2


def test_the_cache_expires_and_stays_bounded():
    now = [0.0]
    fetch, calls = fetcher(404)
    probe = Soft404Probe(ttl=10, max_entries=2, clock=lambda: now[0])
    probe.judge("https://x.org/a/1", "https://x.org/a/1", ARTICLE, fetch)
    now[0] = 11
    probe.judge("https://x.org/a/2", "https://x.org/a/2", ARTICLE, fetch)
    assert len(calls) == 2
    for host in "pqr":
        probe.judge(f"https://{host}.org/a/1", f"https://{host}.org/a/1", ARTICLE, fetch)
    assert len(probe._cache) == 2


def test_a_failed_probe_says_nothing_about_the_page():
    def fetch(url):
        raise TimeoutError("no answer")
    finding = Soft404Probe().judge("https://x.org/a/b", "https://x.org/a/b", ARTICLE, fetch)
    assert finding["suspect"] is False and "probe failed" in finding["note"]


def test_a_failed_probe_is_retried_sooner_than_an_answer_is():
    now, calls = [0.0], []

    def fetch(url):
        calls.append(url)
        raise TimeoutError("no answer")
    probe = Soft404Probe(ttl=1000, failed_ttl=10, clock=lambda: now[0])
    probe.judge("https://x.org/a/1", "https://x.org/a/1", ARTICLE, fetch)
    now[0] = 5
    probe.judge("https://x.org/a/2", "https://x.org/a/2", ARTICLE, fetch)
    now[0] = 11
    probe.judge("https://x.org/a/3", "https://x.org/a/3", ARTICLE, fetch)
    assert len(calls) == 2
