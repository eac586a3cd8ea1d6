"""Webhooks: signed JSON events, delivered on a background thread, retried with backoff."""
from __future__ import annotations

import json
import threading

from werkzeug import Response

from refsvc.links.webhooks import WebhookDispatcher, guarded_sender, sign, verify
from refsvc.metadata.http import GuardedClient

SECRET = "s3cret"
EVENT = {"event": "resource.health_changed", "resource": {"id": "mind"}, "previous": "healthy",
         "health": "failing"}


def client() -> GuardedClient:
    return GuardedClient("refsvc-test", allow_private=True, read_timeout=5)


def test_each_url_receives_the_event_signed_with_hmac_sha256(httpserver):
    received = []

    def handler(request):
        received.append((request.path, request.get_data(), request.headers.get("X-Refsvc-Signature")))
        return Response("", 204)
    httpserver.expect_request("/a", method="POST").respond_with_handler(handler)
    httpserver.expect_request("/b", method="POST").respond_with_handler(handler)
    hooks = WebhookDispatcher([httpserver.url_for("/a"), httpserver.url_for("/b")], SECRET,
                              guarded_sender(client()))
    hooks.notify(EVENT)
    assert hooks.flush(10)
    assert sorted(path for path, _, _ in received) == ["/a", "/b"]
    for _, body, signature in received:
        assert json.loads(body) == EVENT
        assert verify(body, SECRET, signature)
        assert signature == sign(body, SECRET) and signature.startswith("sha256=")
    assert hooks.delivered == 2


def test_a_failed_delivery_is_retried_until_it_succeeds(httpserver):
    answers = iter([500, 503, 200])
    httpserver.expect_request("/hook").respond_with_handler(lambda r: Response("", next(answers)))
    hooks = WebhookDispatcher([httpserver.url_for("/hook")], SECRET, guarded_sender(client()),
                              backoff=0.01)
    hooks.notify(EVENT)
    assert hooks.flush(10)
    assert hooks.delivered == 1 and len(httpserver.log) == 3


def test_a_receiver_that_never_succeeds_is_given_up_after_the_last_attempt():
    calls = []

    def refuse(url, body, headers):
        calls.append(url)
        raise ConnectionError("refused")
    hooks = WebhookDispatcher(["http://127.0.0.1:9/hook"], SECRET, refuse, attempts=3, backoff=0.01)
    hooks.notify(EVENT)
    assert hooks.flush(10)
    assert len(calls) == 3 and hooks.failed == 1


def test_notify_returns_while_a_receiver_is_still_hanging():
    release, started = threading.Event(), threading.Event()

    def hang(url, body, headers):
        started.set()
        release.wait(10)
        return 200
    hooks = WebhookDispatcher(["http://127.0.0.1:9/slow"], SECRET, hang)
    hooks.notify(EVENT)  # returns although the receiver does not answer
    assert started.wait(5)
    assert not hooks.flush(0.05)  # still in flight: the caller was not made to wait for it
    release.set()
    assert hooks.flush(5) and hooks.delivered == 1


def test_webhooks_refuse_private_addresses_like_every_outbound_request_and_do_not_retry_them():
    calls = []
    guarded = guarded_sender(GuardedClient("refsvc-test", allow_private=False))

    def send(url, body, headers):
        calls.append(url)
        return guarded(url, body, headers)
    hooks = WebhookDispatcher(["http://169.254.169.254/hook"], SECRET, send, attempts=3,
                              backoff=0.01)
    hooks.notify(EVENT)
    assert hooks.flush(10)
    assert hooks.failed == 1 and hooks.delivered == 0
    assert len(calls) == 1  # a refused address stays refused: no retry


def test_a_delivery_is_the_guarded_clients_post_with_its_user_agent_and_no_redirects(httpserver):
    httpserver.expect_request("/moved", method="POST").respond_with_response(
        Response("", 308, headers={"Location": httpserver.url_for("/elsewhere")}))
    status = guarded_sender(client())(httpserver.url_for("/moved"), b"{}",
                                      {"Content-Type": "application/json"})
    assert status == 308  # a moved receiver is not followed with a signed body
    request = httpserver.log[0][0]
    assert request.headers["User-Agent"] == "refsvc-test" and request.get_data() == b"{}"
    assert len(httpserver.log) == 1


def test_no_urls_means_no_thread_and_nothing_sent():
    hooks = WebhookDispatcher([], SECRET, lambda *a: 200)
    hooks.notify(EVENT)
    assert not hooks.enabled and hooks.flush(0.1) and hooks.delivered == 0
