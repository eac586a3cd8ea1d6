"""The guarded client against real loopback servers: redirects, caps, bombs, hangs, TLS, refusals."""
from __future__ import annotations

import gzip
import time

import pytest
from werkzeug.wrappers import Response

from refsvc.metadata.http import (ConnectFailure, FetchTimeout, GuardedClient, RefusedAddress, TLSFailure,
                                  TooLarge, TooManyRedirects)

UA = "refsvc/0.1 (+https://github.com/refsvc; mailto:test@example.org)"


def make_client(**kwargs) -> GuardedClient:
    kwargs.setdefault("allow_private", True)
    return GuardedClient(UA, **kwargs)


def test_it_fetches_a_page_with_the_user_agent_and_decodes_its_charset(httpserver):
    body = "<html><head><meta charset='iso-8859-1'></head><body>Café</body></html>".encode("latin-1")
    httpserver.expect_request("/page").respond_with_data(body, content_type="text/html")
    result = make_client().fetch(httpserver.url_for("/page"))
    assert result.status == 200
    assert "Café" in result.text
    assert result.tls is None and not result.truncated and not result.from_cache
    assert httpserver.log[0][0].headers["User-Agent"] == UA


def test_a_404_is_a_result_not_an_exception(httpserver):
    httpserver.expect_request("/gone").respond_with_data("no", status=404)
    assert make_client().fetch(httpserver.url_for("/gone")).status == 404


def test_it_follows_redirects_and_records_each_hop(httpserver):
    httpserver.expect_request("/a").respond_with_response(Response(status=301, headers={"Location": "/b"}))
    httpserver.expect_request("/b").respond_with_response(Response(status=302, headers={"Location": "/c"}))
    httpserver.expect_request("/c").respond_with_data("done")
    result = make_client().fetch(httpserver.url_for("/a"))
    assert result.final_url == httpserver.url_for("/c") and result.body == b"done"
    assert [hop["status"] for hop in result.redirects] == [301, 302]


def test_a_redirect_loop_is_too_many_redirects(httpserver):
    httpserver.expect_request("/a").respond_with_response(Response(status=302, headers={"Location": "/b"}))
    httpserver.expect_request("/b").respond_with_response(Response(status=302, headers={"Location": "/a"}))
    with pytest.raises(TooManyRedirects, match="loop"):
        make_client().fetch(httpserver.url_for("/a"))


def test_more_than_the_allowed_hops_is_too_many_redirects(httpserver):
    for n in range(4):
        httpserver.expect_request(f"/{n}").respond_with_response(
            Response(status=302, headers={"Location": f"/{n + 1}"}))
    httpserver.expect_request("/4").respond_with_data("end")
    with pytest.raises(TooManyRedirects):
        make_client(max_redirects=3).fetch(httpserver.url_for("/0"))
    assert make_client(max_redirects=4).fetch(httpserver.url_for("/0")).body == b"end"


def test_a_loopback_url_is_refused_before_any_request_when_private_addresses_are_not_allowed(httpserver):
    with pytest.raises(RefusedAddress, match="localhost resolves to a refused address") as caught:
        make_client(allow_private=False).fetch(httpserver.url_for("/start"))
    assert "127.0.0.1" not in caught.value.reason  # what a name resolves to is not told
    assert len(httpserver.log) == 0


def test_a_redirect_to_127_0_0_1_is_refused_when_private_addresses_are_not_allowed(faults_on_127_0_0_2):
    # only 127.0.0.2 is let through (as a private deployment would list its own service), so the first
    # hop is fetched and the hop it redirects to is checked on its own
    client = make_client(allow_private=False, allowed_networks=["127.0.0.2/32"])
    start = faults_on_127_0_0_2.url("/redirect?to=http://127.0.0.1:9/admin")
    with pytest.raises(RefusedAddress, match="127.0.0.1"):
        client.fetch(start)
    assert faults_on_127_0_0_2.requests == ["/redirect?to=http://127.0.0.1:9/admin"]


def test_a_redirect_to_a_name_of_loopback_is_refused_at_connection_time(faults_on_127_0_0_2):
    client = make_client(allow_private=False, allowed_networks=["127.0.0.2/32"])
    with pytest.raises(RefusedAddress, match="localhost resolves to a refused address"):
        client.fetch(faults_on_127_0_0_2.url("/redirect?to=http://localhost:9/admin"))


def test_a_body_over_the_cap_is_truncated(faults):
    result = make_client(max_bytes=100_000).fetch(faults.url("/big"))
    assert result.truncated and len(result.body) == 100_000


def test_a_declared_length_over_the_cap_fails_early_when_asked(faults):
    with pytest.raises(TooLarge, match="50000000 bytes"):
        make_client(max_bytes=100_000).fetch(faults.url("/big"), fail_on_large=True)


def test_an_endless_body_stops_at_the_cap(faults):
    result = make_client(max_bytes=300_000).fetch(faults.url("/endless"))
    assert result.truncated and len(result.body) == 300_000


def test_a_decompression_bomb_stops_at_the_cap(faults):
    result = make_client(max_bytes=1_000_000).fetch(faults.url("/bomb"))
    assert result.truncated and len(result.body) == 1_000_000
    assert "Content-Encoding" not in result.headers


def test_a_gzipped_page_is_decoded(httpserver):
    httpserver.expect_request("/gz").respond_with_data(
        gzip.compress(b"<title>zipped</title>"), headers={"Content-Encoding": "gzip"}, content_type="text/html")
    assert make_client().fetch(httpserver.url_for("/gz")).text == "<title>zipped</title>"


def test_a_server_that_hangs_is_a_timeout(faults):
    with pytest.raises(FetchTimeout):
        make_client(read_timeout=0.5).fetch(faults.url("/hang"))


def test_a_slow_drip_is_stopped_by_the_total_deadline(faults):
    started = time.monotonic()
    with pytest.raises(FetchTimeout, match="deadline"):
        make_client(read_timeout=5).fetch(faults.url("/drip"), deadline=started + 1.0)


def test_fetches_share_one_deadline_clock_and_a_drip_after_them_is_still_cut(httpserver, faults):
    """The total deadline's clock is one thread for the process, not a thread per fetch."""
    import threading

    httpserver.expect_request("/ok").respond_with_data("<title>ok</title>", content_type="text/html")
    client = make_client()
    before = threading.active_count()
    for _ in range(30):
        assert client.fetch(httpserver.url_for("/ok")).status == 200
    clocks = [t for t in threading.enumerate() if t.name == "refsvc-fetch-deadlines"]
    assert len(clocks) == 1 and threading.active_count() <= before + 1
    started = time.monotonic()
    with pytest.raises(FetchTimeout, match="deadline"):  # behind 30 finished fetches' later deadlines
        make_client(read_timeout=5).fetch(faults.url("/drip"), deadline=started + 1.0)


def test_a_refused_connection_is_a_connect_failure():
    with pytest.raises(ConnectFailure):
        make_client().fetch("http://127.0.0.1:9/")  # the discard port: nothing listens


def test_a_body_cut_short_is_a_connect_failure_naming_the_server_in_plain_words(faults):
    with pytest.raises(ConnectFailure) as failure:
        make_client().fetch(faults.url("/cut"))
    reason = failure.value.reason
    where = faults.url("").split("//", 1)[1]  # 127.0.0.1:<port>
    assert where in reason and "try again" in reason
    assert not any(word in reason for word in ("IncompleteRead", "Connection broken", "expected", "("))


def test_a_self_signed_certificate_is_a_tls_failure(tls_faults):
    with pytest.raises(TLSFailure, match="self.signed"):
        make_client().fetch(tls_faults.url("/", host="localhost"))


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_an_unverified_fetch_reports_the_certificate_days_left(tls_faults):
    result = make_client().fetch(tls_faults.url("/", host="localhost"), verify=False)
    assert result.status == 200 and "TLS page" in result.text
    assert result.tls["days_left"] in (29, 30) and result.tls["valid"] is None
    assert result.tls["not_after"].startswith("20")


def test_a_verified_fetch_reports_a_valid_certificate(tls_faults):
    result = make_client().fetch(tls_faults.url("/", host="localhost"), verify=tls_faults.cert_path)
    assert result.tls["valid"] is True and result.tls["days_left"] in (29, 30)


def test_it_posts_a_body_with_its_headers(httpserver):
    httpserver.expect_request("/hook", method="POST", data=b'{"a": 1}',
                              headers={"Content-Type": "application/json"}).respond_with_data("", status=204)
    result = make_client().fetch(httpserver.url_for("/hook"), method="POST", data=b'{"a": 1}',
                                 headers={"Content-Type": "application/json"})
    assert result.status == 204
    request = httpserver.log[0][0]
    assert request.headers["Content-Length"] == "8" and request.headers["User-Agent"] == UA


def test_a_307_sends_the_body_again_and_a_303_drops_it(httpserver):
    httpserver.expect_request("/keep", method="POST").respond_with_response(
        Response(status=307, headers={"Location": "/kept"}))
    httpserver.expect_request("/kept", method="POST", data=b"body").respond_with_data("kept")
    httpserver.expect_request("/drop", method="POST").respond_with_response(
        Response(status=303, headers={"Location": "/dropped"}))
    httpserver.expect_request("/dropped", method="GET").respond_with_data("dropped")
    client = make_client()
    assert client.fetch(httpserver.url_for("/keep"), method="POST", data=b"body").body == b"kept"
    assert client.fetch(httpserver.url_for("/drop"), method="POST", data=b"body").body == b"dropped"
    assert httpserver.log[-1][0].get_data() == b""
