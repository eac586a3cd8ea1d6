"""The labelled set (data/descriptions): the description check keeps its targets on every page pair.

Targets: precision >= 0.95 and recall >= 0.9 for `unsupported` and for `changed`, and no harmless
change (a new date, news, a cookie banner, a redesign...) ever judged `unsupported`.
"""
from __future__ import annotations

import pytest

from tests.links.description_set import load, run, scores


@pytest.fixture(scope="module")
def outcomes():
    return run()


def test_the_set_has_at_least_forty_pairs_of_both_kinds():
    _, _, cases = load()
    assert len(cases) >= 40
    labels = {c["label"] for c in cases}
    assert labels == {"supported", "changed", "unsupported", "unknown"}
    assert len({c["id"] for c in cases}) == len(cases)


@pytest.mark.parametrize("label", ["unsupported", "changed"])
def test_precision_and_recall_meet_the_targets(outcomes, label):
    precision, recall, *_ = scores(outcomes, label)
    wrong = [(o.case, o.label, o.verdict, o.why) for o in outcomes
             if (o.verdict == label) != (o.label == label)]
    assert precision >= 0.95 and recall >= 0.9, wrong


def test_no_harmless_change_is_judged_unsupported(outcomes):
    flagged = [(o.case, o.why) for o in outcomes if o.harmless and o.verdict == "unsupported"]
    assert flagged == []


def test_unreadable_pages_are_unknown_and_say_why(outcomes):
    unknown = {o.case: o.why for o in outcomes if o.label == "unknown"}
    assert "PDF" in unknown["nhs-became-pdf"]
    assert "scripts" in unknown["mind-script-only"]
    assert "blocked" in unknown["bbc-bot-wall"]
    assert all(o.verdict == "unknown" for o in outcomes if o.label == "unknown")


def test_a_figure_stated_differently_is_named(outcomes):
    why = {o.case: o.why for o in outcomes}
    assert "description says 35,402 staff; the page says 21,000" in why["bbc-staff-figure"]
    assert "description says 1.7 unique visitors; the page says 1.7 billion" in why["wikipedia-visitors-wrong"]
