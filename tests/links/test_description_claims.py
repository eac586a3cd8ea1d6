"""Judging each sentence of a description on the page (pure): names, figures, phones, closures, words."""
from __future__ import annotations

import time

import pytest

from refsvc.links.claims import judge_claims, names_in, split_claims
from refsvc.links.description import read_text
from refsvc.links.description_figures import figures_in, phones_in
from refsvc.links.description_verdict import VerdictState, advance, observe

BBC = ("<html lang='en'><head><title>About the BBC</title></head><body><nav><a>News</a><a>Sport</a></nav>"
       "<main><h1>About the BBC</h1><p>The British Broadcasting Corporation is the UK's national broadcaster "
       "of radio and TV. It is the world's largest, with {staff} staff in 28 operating languages.</p>"
       "<p>More than 2 billion unique visitors every month.</p></main>"
       "<footer>Audience Services: 0370 010 0222</footer></body></html>")
DESCRIPTION = ("The British Broadcasting Corporation (BBC) is the UK’s national radio and TV broadcaster. "
               "It’s the world’s largest, with 35,402 staff and 28 operating languages.")


def bbc(staff="35,402", **swap):
    html = BBC.format(staff=staff)
    for old, new in swap.items():
        html = html.replace(old.replace("_", " "), new)
    return read_text(html, final_url="https://www.bbc.co.uk/about", content_type="text/html")


def test_every_claim_of_a_true_description_is_supported_with_its_evidence():
    claims = judge_claims(DESCRIPTION, bbc(), name="The BBC")
    assert [c.supported for c in claims] == [True, True]
    assert "35,402 staff" in claims[1].evidence


def test_a_figure_the_page_states_differently_is_named_with_both_values():
    claims = judge_claims(DESCRIPTION, bbc(staff="21,000"), name="The BBC")
    assert claims[0].supported is True
    assert claims[1].supported is False
    assert claims[1].evidence == "description says 35,402 staff; the page says 21,000"


def test_a_figure_wrong_from_the_start_is_caught_against_the_pages_own():
    claims = judge_claims("The BBC receives 1.7 unique visitors a month.", bbc(), name="The BBC")
    assert claims[0].evidence == "description says 1.7 unique visitors; the page says 2 billion"


def test_a_figure_the_page_does_not_give_at_all_is_unsupported():
    claims = judge_claims("The BBC was founded in 1922.", bbc(), name="The BBC")
    assert not claims[0].supported and "does not give that figure" in claims[0].evidence


def test_a_phone_number_is_compared_digit_by_digit_however_it_is_written():
    assert judge_claims("Call the BBC on +44 370 010 0222.", bbc(), name="The BBC")[0].supported
    wrong = judge_claims("Call the BBC on 0370 010 0223.", bbc(), name="The BBC")[0]
    assert wrong.evidence.startswith("description gives the number 0370 010 0223; the page gives 0370 010 0222")


def test_a_name_missing_from_the_page_is_named():
    claims = judge_claims("Channel 4 is the UK’s national radio and TV broadcaster.", bbc(), name="Channel 4")
    assert not claims[0].supported and "“Channel”" in claims[0].evidence


def test_an_acronym_or_its_expansion_counts_as_the_name():
    page = bbc(British_Broadcasting_Corporation="BBC")
    assert judge_claims("The British Broadcasting Corporation is the UK’s national broadcaster.", page,
                        name="The BBC")[0].supported


def test_a_closure_on_the_page_contradicts_the_claim_it_concerns_and_only_that_one():
    page = read_text("<html><body><main><h1>Samaritans</h1><p>Samaritans is a charity offering emotional "
                     "support to anyone struggling to cope.</p><p>Our email service has closed and we no "
                     "longer answer emails.</p><p>Call 116 123.</p></main></body></html>")
    claims = judge_claims("Samaritans is a charity offering emotional support to anyone struggling to cope. "
                          "You can email them for support.", page, name="Samaritans")
    assert claims[0].supported is True
    assert claims[1].supported is False and "Our email service has closed" in claims[1].evidence


def test_a_holiday_closure_is_not_a_contradiction():
    page = read_text("<html><body><main><p>Our Infoline answers questions about mental health.</p>"
                     "<p>The Infoline will be closed over Christmas and reopens on 2 January.</p></main></body></html>")
    assert judge_claims("Its Infoline answers questions about mental health.", page, name="Mind")[0].supported


def test_a_claim_whose_words_are_not_on_the_page_is_unsupported_and_says_which():
    claims = judge_claims("The BBC sells garden furniture and patio heaters.", bbc(), name="The BBC")
    assert not claims[0].supported and "garde" in claims[0].evidence


def test_a_claim_an_editor_vouched_for_is_not_held_against_the_page():
    claim = "The BBC sells garden furniture and patio heaters."
    vouched = judge_claims(claim, bbc(), name="The BBC", vouched=[claim])[0]
    assert vouched.supported is None and "editor confirmed" in vouched.evidence
    contradicted = judge_claims(DESCRIPTION, bbc(staff="21,000"), name="The BBC",
                                vouched=split_claims(DESCRIPTION))[1]
    assert contradicted.supported is None or "the page says 21,000" in contradicted.evidence


def test_names_figures_and_phones_are_found_in_text():
    assert names_in("The UK Council for Psychotherapy (UKCP) regulates counsellors in England and Wales.") == \
        ["UK Council for Psychotherapy", "UKCP", "England and Wales"]
    assert names_in("Offers advice to anyone.") == []
    assert [f.label for f in figures_in("It has 35,402 staff and 1.7bn visitors, 50% of them abroad.")] == \
        ["35,402 staff", "1.7bn visitors", "50%"]
    assert figures_in("1.7 billion")[0].value == 1.7e9
    assert phones_in("Call 0300 123 3393 or +44 20 7946 0000; founded 1946; 2019-2024") == {
        "03001233393": "0300 123 3393", "02079460000": "+44 20 7946 0000"}


@pytest.mark.parametrize("observed, expect", [
    (["supported"], "supported"),
    (["supported", "unsupported"], "supported"),
    (["supported", "unsupported", "unsupported"], "unsupported"),
    (["supported", "unsupported", "changed", "unsupported"], "supported"),
    (["unknown", "supported", "supported"], "supported"),
])
def test_a_verdict_moves_only_after_two_checks_in_a_row(observed, expect):
    from datetime import datetime, timezone

    state = VerdictState()
    for n, verdict in enumerate(observed):
        state = advance(state, verdict, datetime(2026, 1, 1 + n, tzinfo=timezone.utc))
    assert state.verdict == expect


def test_the_observation_ranks_unsupported_over_changed_and_says_why():
    before = bbc()
    rewritten = read_text(BBC.format(staff="35,402").replace(
        "<p>More than 2 billion unique visitors every month.</p>",
        "<p>Our new strategy puts trusted news, British drama and a digital iPlayer first.</p>"
        "<p>Half of network TV is made outside London, in Glasgow, Cardiff, Belfast and Salford.</p>"
        "<p>We publish an annual plan of what we spend on radio, TV and online.</p>"))
    changed = observe(DESCRIPTION, rewritten, before, name="The BBC")
    assert changed.verdict == "changed" and "still holds" in changed.why
    worse = observe(DESCRIPTION, bbc(staff="21,000"), before, name="The BBC")
    assert worse.verdict == "unsupported" and "the page says 21,000" in worse.why
    assert observe(DESCRIPTION, read_text("%PDF-1.4"), before).verdict == "unknown"


def test_a_hostile_description_and_page_are_judged_in_bounded_time():
    text = ("The Very Long Name " * 2000) + ("1,234 staff " * 2000) + ("0300 123 " * 2000)
    page = read_text("<html><body><p>" + ("Of Of Of " * 20000) + ("9 " * 20000) + "</p></body></html>")
    start = time.process_time()
    judge_claims(text[:5000], page, name="X")
    assert time.process_time() - start < 20


def test_a_linked_news_headline_about_something_else_closing_is_not_a_contradiction():
    page = read_text("<html><body><main><p>Mind offers support to people with mental health problems and "
                     "lobbies governments.</p></main><ul class='news'><li><a href='/n/1'>The consultation on "
                     "the Mental Health Act has closed</a></li></ul></body></html>")
    claims = judge_claims("It offers support to people with mental health problems and lobbies governments.",
                          page, name="Mind")
    assert claims[0].supported is True
    stated = read_text("<html><body><main><p>Mind offers support to people with mental health problems and "
                       "lobbies governments.</p><p>Our support for people with mental health problems has "
                       "closed.</p></main></body></html>")
    assert judge_claims("It offers support to people with mental health problems and lobbies governments.",
                        stated, name="Mind")[0].supported is False
