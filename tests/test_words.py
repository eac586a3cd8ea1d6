"""Counts read as English: "1 check", "2 checks", never "1 checks" or "check(s)"."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

import pytest

from refsvc.web.chart import Point, summary
from refsvc.words import plural
from refsvc.worker.summary import Summary

AT = datetime(2026, 12, 7, tzinfo=timezone.utc)


@pytest.mark.parametrize("count, word, many, text", [
    (0, "check", None, "0 checks"), (1, "check", None, "1 check"), (2, "check", None, "2 checks"),
    (1, "day", None, "1 day"), (-1, "day", None, "-1 day"), (3, "was", "were", "3 were"),
    (1, "was", "were", "1 was")])
def test_a_count_takes_the_word_that_agrees_with_it(count, word, many, text):
    assert plural(count, word, many) == text


def test_the_response_chart_says_one_check_in_the_singular():
    assert summary([Point(AT, "ok", 200, 120)]).startswith("1 check in the last 90 days")
    assert summary([Point(AT, "ok", 200, 120)] * 2).startswith("2 checks in")


@pytest.mark.parametrize("fields", [
    dict(checked=1, outcomes=Counter(ok=1)), dict(queued=1), dict(checked=1, errors=1, lost=1, pruned=1),
    dict(checked=2, outcomes=Counter(checker_offline=1, ok=1), offline=["the network is down"])])
def test_the_checkers_summary_never_writes_a_plural_in_brackets_or_one_of_a_plural(fields):
    text = Summary(**fields).text()
    assert "(s)" not in text
    assert not any(f" 1 {word}" in f" {text}" for word in ("checks", "resources", "results", "were"))


def test_the_markdown_link_report_counts_one_open_report_in_the_singular():
    from refsvc.links.exports import to_markdown

    row = {"id": "mind", "name": "Mind", "url": "https://www.mind.org.uk/", "health": "broken",
           "health_since": "", "last_status_code": 404, "last_reason": "Gone", "last_outcome": "client_error",
           "open_reports": 1}
    text = to_markdown([row], AT)
    assert "1 open report" in text and "report(s)" not in text and "1 open reports" not in text
