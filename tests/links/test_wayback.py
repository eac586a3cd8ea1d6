"""Wayback suggestions: the closest snapshot from an availability API served on loopback."""
from __future__ import annotations

from datetime import datetime, timezone

from refsvc.links.wayback import Snapshot, closest_snapshot, parse_availability
from refsvc.metadata.http import GuardedClient

WHEN = datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)
FOUND = {"url": "https://www.mind.org.uk/", "archived_snapshots": {"closest": {
    "status": "200", "available": True, "timestamp": "20250228103000",
    "url": "http://web.archive.org/web/20250228103000/https://www.mind.org.uk/"}}}


def client() -> GuardedClient:
    return GuardedClient("refsvc-test", allow_private=True, read_timeout=5)


def test_the_closest_snapshot_to_when_the_link_last_worked_is_suggested(httpserver):
    httpserver.expect_request("/wayback/available", query_string={
        "url": "https://www.mind.org.uk/", "timestamp": "20250301120000"}).respond_with_json(FOUND)
    snapshot = closest_snapshot(client(), httpserver.url_for("/wayback/available"),
                                "https://www.mind.org.uk/", WHEN)
    assert snapshot == Snapshot(
        url="https://web.archive.org/web/20250228103000/https://www.mind.org.uk/",
        timestamp="20250228103000")


def test_no_snapshot_means_no_suggestion(httpserver):
    httpserver.expect_request("/wayback/available").respond_with_json(
        {"url": "x", "archived_snapshots": {}})
    assert closest_snapshot(client(), httpserver.url_for("/wayback/available"),
                            "https://gone.example.org/", WHEN) is None


def test_a_failing_archive_means_no_suggestion_not_an_error(httpserver):
    httpserver.expect_request("/wayback/available").respond_with_data("oops", status=503)
    assert closest_snapshot(client(), httpserver.url_for("/wayback/available"),
                            "https://www.mind.org.uk/", WHEN) is None
    httpserver.clear()
    httpserver.expect_request("/wayback/available").respond_with_data("not json")
    assert closest_snapshot(client(), httpserver.url_for("/wayback/available"),
                            "https://www.mind.org.uk/", WHEN) is None


def test_an_archived_error_page_is_no_replacement():
    closest = {**FOUND["archived_snapshots"]["closest"], "status": "404"}
    assert parse_availability({"archived_snapshots": {"closest": closest}}) is None
