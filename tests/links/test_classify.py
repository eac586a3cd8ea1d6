"""The judge of one fetched page: which outcome a status, redirect chain and page text lead to."""
from __future__ import annotations

import pytest

from refsvc.links.classify import (OUTCOMES, classify, content_match, is_home_url, is_login_url,
                                   same_site)
from refsvc.links.page import PageInfo, read_page

MIND = dict(name="Mind", description="Mental health charity: advice and support for anyone with a "
            "mental health problem.", expect=())


def page(title="Mind, the mental health charity", body="Mind gives advice and support.", head="",
         extra=""):
    return read_page(f"<html><head><title>{title}</title>{head}</head><body><h1>{title}</h1>"
                     f"<p>{body}</p>{extra}</body></html>")


def judge(status=200, pg=None, url="https://www.mind.org.uk/help/", final=None, redirects=(), headers=None,
          probe=None, **resource):
    return classify(url=url, final_url=final or url, status=status, redirects=list(redirects),
                    headers=headers or {}, page=pg if pg is not None else page(), probe=probe,
                    **{**MIND, **resource})


def hop(status, url, location):
    return {"status": status, "url": url, "location": location}


def test_read_page_finds_title_site_name_description_and_visible_text():
    info = read_page('<html><head><title> Home  | NHS </title><meta property="og:site_name" content="NHS">'
                     '<meta name="description" content="Health advice"><script>var x="hidden"</script>'
                     '</head><body><h1>Welcome</h1><p>Visible words</p><form><input type="PASSWORD">'
                     '</form></body></html>')
    assert (info.title, info.site_name, info.description) == ("Home | NHS", "NHS", "Health advice")
    assert info.headings == ("Welcome",) and "Visible words" in info.text and "hidden" not in info.text
    assert info.has_password_field


def test_read_page_reads_xhtml_with_an_xml_declaration():
    info = read_page('<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml">'
                     "<head><title>Mind</title></head><body><p>Hello</p></body></html>")
    assert info.title == "Mind" and "Hello" in info.text


@pytest.mark.parametrize("body", ["", "   ", "\x00\x01binary", "<html>"])
def test_read_page_survives_empty_or_strange_bodies(body):
    assert read_page(body).title == ""


def test_a_healthy_page_is_ok():
    verdict = judge()
    assert verdict.outcome == "ok" and verdict.details["content"]["matched"] == "Mind"


@pytest.mark.parametrize("status,outcome,words", [
    (404, "client_error", "404 Not Found"), (410, "client_error", "removed"),
    (500, "server_error", "500 Internal Server Error"), (503, "server_error", "503"),
    (401, "blocked", "login"), (403, "blocked", "inconclusive"), (429, "blocked", "slow down"),
    (999, "blocked", "refused"), (302, "server_error", "unexpected"), (104, "server_error", "unexpected"),
])
def test_error_statuses_map_to_outcomes_with_the_status_in_the_reason(status, outcome, words):
    verdict = judge(status)
    assert verdict.outcome == outcome and words in verdict.reason


def test_a_cloudflare_challenge_is_blocked_not_dead_even_on_503():
    challenge = read_page("<html><head><title>Just a moment...</title></head><body>"
                          "<script>window._cf_chl_opt={}</script>Checking your browser</body></html>")
    verdict = judge(503, challenge, headers={"Server": "cloudflare", "cf-mitigated": "challenge"})
    assert verdict.outcome == "blocked" and "Cloudflare" in verdict.reason


def test_a_captcha_wall_answering_200_is_blocked():
    wall = page("Security check", "Please verify you are a human to continue.")
    assert judge(200, wall).outcome == "blocked"


def test_a_for_sale_page_is_parked_not_content_mismatch():
    sale = page("mind.org.uk", "This domain is for sale! Make an offer on this domain today.")
    verdict = judge(200, sale)
    assert verdict.outcome == "parked" and "for sale" in verdict.reason


def test_a_parking_script_or_a_domain_marketplace_means_parked():
    script = page("Welcome", "Related links", head='<script src="https://img.sedoparking.com/x.js"></script>')
    assert judge(200, script).outcome == "parked"
    market = judge(200, page("Buy", "Buy now"), final="https://sedo.com/search/details/?domain=mind.org.uk",
                   redirects=[hop(302, "https://www.mind.org.uk/help/", "https://sedo.com/search")])
    assert market.outcome == "parked" and "sedo.com" in market.reason


def test_a_redirect_into_a_login_page_is_a_soft_404_with_the_login_url_in_the_reason():
    verdict = judge(200, page("Sign in", "Enter your password"), final="https://www.mind.org.uk/account/login",
                    redirects=[hop(302, "https://www.mind.org.uk/help/", "/account/login")])
    assert verdict.outcome == "soft_404"
    assert verdict.reason == ("Redirected to a login page (https://www.mind.org.uk/account/login) — the page "
                              "now needs an account")


def test_a_redirect_to_a_sign_in_form_elsewhere_is_caught_by_its_password_field():
    form = page("Log in to continue", "Mind", extra='<input type="password" name="p">')
    verdict = judge(200, form, final="https://www.mind.org.uk/members?next=/help/",
                    redirects=[hop(302, "https://www.mind.org.uk/help/", "/members?next=/help/")])
    assert verdict.outcome == "soft_404" and "sign-in" in verdict.reason


def test_a_redirect_to_the_home_page_is_a_soft_404():
    verdict = judge(200, final="https://www.mind.org.uk/", redirects=[hop(301, "https://www.mind.org.uk/help/", "/")])
    assert verdict.outcome == "soft_404" and "home page" in verdict.reason


@pytest.mark.parametrize("title,body", [
    ("Page not found | Mind", "Mind"), ("Error 404", "Mind"), ("404 | Mind", "Mind"),
    ("Mind - 404 page", "Mind"),
    ("Mind", "Sorry, the page you are looking for could not be found."),
    ("Mind", "Oops! That page can't be found."), ("Mind", "This page no longer exists."),
])
def test_a_200_that_says_not_found_is_a_soft_404(title, body):
    verdict = judge(200, page(title, body))
    assert verdict.outcome == "soft_404" and "soft 404" in verdict.reason


@pytest.mark.parametrize("title", ["Route 404 bus timetable", "Resource 404 | Mind", "Mind: 410 stories"])
def test_a_number_in_a_title_is_not_an_error_code(title):
    assert judge(200, page(title, "Mind")).outcome == "ok"


def test_a_long_page_mentioning_not_found_deep_in_its_text_is_not_a_soft_404():
    long_body = "Mind gives advice. " * 200 + "Search results: not found anything? Call us."
    assert judge(200, page("Mind", long_body)).outcome == "ok"


def test_the_sibling_probe_finding_makes_a_soft_404():
    probe = {"suspect": True, "probe_url": "https://www.mind.org.uk/abc123", "probe_status": 200}
    verdict = judge(200, probe=probe)
    assert verdict.outcome == "soft_404" and "abc123" in verdict.reason


def test_a_page_that_no_longer_mentions_the_resource_is_content_mismatch():
    verdict = judge(200, page("Cheap flights to Spain", "Book holidays now."))
    assert verdict.outcome == "content_mismatch" and "“Mind”" in verdict.reason
    assert "Cheap flights" in verdict.reason


def test_expect_phrases_replace_the_name():
    pg = page("Talking therapies", "Find a therapist near you.")
    assert judge(200, pg, expect=["find a therapist"]).outcome == "ok"
    assert judge(200, pg, expect=["crisis line"]).outcome == "content_mismatch"


def test_an_acronym_name_matches_the_initials_of_the_title():
    pg = page("UK Council for Psychotherapy", "Welcome")
    assert content_match(pg, "UKCP", "", ()) == {"matched": "UKCP", "as": "initials"}


def test_a_name_matches_whatever_the_spacing():
    assert content_match(page("YoungMinds | Mental health charity", ""), "Young Minds", "", ()) == {
        "matched": "Young Minds", "as": "spacing"}


def test_the_description_rescues_a_page_that_does_not_repeat_the_name():
    pg = page("Advice and support for mental health problems", "Charity helpline", head=(
        '<meta name="description" content="Mental health charity offering advice and support">'))
    verdict = judge(200, pg, name="Samaritans-like service")
    assert verdict.outcome == "ok" and verdict.details["content"]["matched"] == "description"


def test_a_pdf_or_other_non_html_answer_is_not_judged_on_text():
    assert judge(200, PageInfo(html=False)).outcome == "ok"


def test_a_permanent_redirect_to_another_site_is_moved():
    verdict = judge(200, final="https://mind.example.net/help/",
                    redirects=[hop(301, "https://www.mind.org.uk/help/", "https://mind.example.net/help/")])
    assert verdict.outcome == "moved" and "https://mind.example.net/help/" in verdict.reason


def test_a_redirect_within_the_site_to_a_new_path_is_redirected():
    verdict = judge(200, final="https://mind.org.uk/information-support/",
                    redirects=[hop(301, "https://www.mind.org.uk/help/", "https://mind.org.uk/information-support/")])
    assert verdict.outcome == "redirected" and verdict.details["permanent"] is True


def test_an_upgrade_to_https_or_a_trailing_slash_stays_ok():
    verdict = judge(200, url="http://www.mind.org.uk/help", final="https://www.mind.org.uk/help/",
                    redirects=[hop(301, "http://www.mind.org.uk/help", "https://www.mind.org.uk/help/")])
    assert verdict.outcome == "ok" and verdict.details["redirect"] == "trivial"


def test_url_helpers():
    assert is_login_url("https://x.org/users/sign_in?next=/a") and is_login_url("https://login.x.org/")
    assert not is_login_url("https://x.org/blog/authors")
    assert is_home_url("https://x.org/") and is_home_url("https://x.org/en-gb/")
    assert not is_home_url("https://x.org/help/")
    assert same_site("https://www.nhs.uk/a", "https://nhs.uk/b")
    assert not same_site("https://nhs.uk", "https://bbc.co.uk")


def test_every_outcome_the_judge_gives_is_in_the_contract_list():
    assert {"ok", "redirected", "moved", "soft_404", "content_mismatch", "parked"} <= set(OUTCOMES)
    assert len(OUTCOMES) == 14
