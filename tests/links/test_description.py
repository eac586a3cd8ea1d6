"""Reading a page for the description check, and measuring how much its main text changed (pure)."""
from __future__ import annotations

import time

import pytest

from refsvc.links.description import pack, page_for, read_text, suggested_description, unpack
from refsvc.links.description_change import compare, fingerprint, mask, seen_key

SHELL = ("<!doctype html><html lang='{lang}'><head><title>Shelter</title>"
         "<meta name='description' content='Housing advice and homelessness help.'>"
         "<meta property='og:description' content='Shelter helps people with bad housing.'></head><body>"
         "{cookie}<nav><ul>{menu}</ul></nav><main><h1>Shelter</h1>{main}</main>"
         "<aside><h3>Contact</h3><p>Emergency helpline: 0808 800 4444</p></aside>"
         "<footer><p>Registered charity 263710. {date}</p></footer></body></html>")
MAIN = ("<p>Shelter helps millions of people every year struggling with bad housing or homelessness.</p>"
        "<p>We give advice, support and legal services, and we campaign to make sure everyone has a home.</p>"
        "<p>Our advisers can be reached by webchat or on our free emergency helpline.</p>")
MENU = ["Get help", "Donate", "Campaigns", "About us"]


def page(main=MAIN, *, menu=MENU, cookie="", date="Updated 3 March 2026", lang="en"):
    html = SHELL.format(lang=lang, cookie=cookie, menu="".join(f"<li><a href='#'>{m}</a></li>" for m in menu),
                        main=main, date=date)
    return read_text(html, final_url="https://shelter.example/", content_type="text/html")


def test_it_reads_what_the_page_says_about_itself():
    found = page()
    assert found.readable and found.language == "en"
    assert found.title == "Shelter" and found.meta_description.startswith("Housing advice")
    assert found.og_description == "Shelter helps people with bad housing."
    assert "Shelter" in found.headings and "Contact" in found.headings
    assert "legal services" in found.main_text
    assert "0808 800 4444" in found.visible_text  # the contact box counts for claims
    assert "Donate" not in found.main_text  # the menu is boilerplate


def test_a_list_of_links_in_an_article_stays_in_the_main_text_and_a_menu_of_them_does_not():
    services = "".join(f"<li><a href='/s{n}'>{s}</a></li>" for n, s in enumerate(
        ["Counselling for adults and young people", "Peer support groups in your area",
         "Crisis helplines open every day", "Housing advice and tenancy support"]))
    sections = "".join(f"<li><a href='/m{n}'>Section {n} of the site</a></li>" for n in range(40))
    found = page(f"{MAIN}<p>Our services, each with its own page:</p><ul>{services}</ul>"
                 "<p>Contact us for more about any of them, or visit one of our local branches.</p>").main_text
    assert "Peer support groups in your area" in found
    menu_in_a_div = read_text(SHELL.format(lang="en", cookie="", menu="", date="",
                                           main=f"<div class='menu'><ul>{sections}</ul></div>{MAIN}"))
    assert "legal services" in menu_in_a_div.main_text and "Section 3" not in menu_in_a_div.main_text
    assert "Section 3 of the site" in menu_in_a_div.visible_text  # still what the page shows a reader


@pytest.mark.parametrize("body, kind, why", [
    ("%PDF-1.7 ...", "application/pdf", "PDF"),
    ("<html><head><script src='/app.js'></script></head><body><div id='root'></div></body></html>",
     "text/html", "scripts"),
    ("   ", "text/html", "empty"),
    ("\x00\x01", "image/png", "image/png"),
])
def test_a_page_without_readable_text_says_why(body, kind, why):
    found = read_text(body, content_type=kind)
    assert not found.readable and why in found.why


def test_page_for_reads_only_pages_the_check_reached_and_says_so_for_a_bot_wall():
    assert page_for("dns_error", "no such host", "", final_url="", content_type="") is None
    assert page_for("ok", "", SHELL, final_url="https://x/", content_type="text/html")["readable"]
    blocked = page_for("blocked", "A bot check (Cloudflare) answered", "", final_url="", content_type="")
    assert not blocked["readable"] and "Cloudflare" in blocked["why"]


@pytest.mark.parametrize("after", [
    dict(date="Updated 9 November 2026"),
    dict(menu=list(reversed(MENU))),
    dict(cookie="<div class='cookie-banner'><p>We use cookies to improve your experience.</p>"
                "<button>Accept all cookies</button></div>"),
    dict(main=MAIN.replace("millions of", "millions of")),
])
def test_dates_menus_and_cookie_banners_do_not_count_as_change(after):
    assert compare(page(), page(**after)).score < 0.05


def test_counters_and_per_load_tokens_are_masked():
    assert mask("12,408 people searched this week, ref a81f9c2e77b04d1c9e0f") == \
        mask("13,117 people searched this week, ref 0c7d14aa9e2f4b6b83d1")
    assert fingerprint("One sentence here. Another one there.") == fingerprint("Another one there. One sentence here.")


def test_a_rewritten_paragraph_counts_and_the_diff_says_what_went_and_came():
    rewritten = MAIN.replace("<p>We give advice, support and legal services, and we campaign to make sure "
                             "everyone has a home.</p>",
                             "<p>This winter we are campaigning for ninety thousand social homes a year.</p>")
    change = compare(page(), page(rewritten))
    assert 0.2 < change.score < 0.6
    assert change.removed == ("We give advice, support and legal services, and we campaign to make sure "
                              "everyone has a home.",)
    assert change.added == ("This winter we are campaigning for ninety thousand social homes a year.",)


def test_an_edited_sentence_counts_for_what_differs_not_as_a_whole_new_one():
    edited = MAIN.replace("Our advisers can be reached", "Our expert advisers can also be reached")
    assert 0 < compare(page(), page(edited)).score < 0.15


def test_a_new_page_is_a_complete_change_and_the_title_and_language_are_compared():
    french = page("<p>Nous aidons les personnes sans abri à trouver un logement.</p>", lang="fr")
    change = compare(page(), french)
    assert change.score >= 0.5
    assert change.to_dict()["language"] == {"before": "en", "after": "fr", "changed": True}
    assert change.to_dict()["title"] == {"before": "Shelter", "after": "Shelter", "changed": False}


def test_the_main_text_is_stored_compressed():
    text = page().main_text * 20
    assert unpack(pack(text)) == text and len(pack(text)) < len(text.encode()) / 5


def test_the_suggestion_is_the_meta_description_else_the_opening_sentences():
    long_meta = read_text(SHELL.replace("Housing advice and homelessness help.",
                                        "Shelter gives housing advice and helps people facing homelessness.")
                          .format(lang="en", cookie="", menu="", main=MAIN, date=""))
    assert suggested_description(long_meta) == "Shelter gives housing advice and helps people facing homelessness."
    # both meta descriptions too short to describe anything: the opening sentences
    assert suggested_description(page()).startswith("Shelter helps millions of people every year")
    bare = read_text("<html><body><main><p>Shelter helps millions of people every year with housing. "
                     "We give advice and legal help to anyone at risk.</p><p>Third sentence is here now.</p>"
                     "</main></body></html>")
    assert suggested_description(bare).startswith("Shelter helps millions of people every year with housing.")


def test_hostile_pages_are_read_in_bounded_time():
    hostile = "<html><body><p>" + "a-" * 60_000 + "</p><p>" + "1 " * 60_000 + "</p></body></html>"
    start = time.process_time()
    found = read_text(hostile)
    compare(found, read_text(hostile.replace("a-", "b-")))
    assert time.process_time() - start < 20  # quadratic work here would take minutes


def test_the_checks_fingerprint_ignores_dates_and_counters_but_not_the_descriptions_figures():
    description = "Shelter has 1,200 staff. Call 0808 800 4444."
    shown = "Updated 3 March 2026. 12,408 visits. We have 1,200 staff. Call 0808 800 4444."
    assert seen_key(shown, description) == seen_key(shown.replace("3 March", "9 November")
                                                    .replace("12,408", "13,117"), description)
    assert seen_key(shown, description) != seen_key(shown.replace("1,200", "1,300"), description)
    assert seen_key(shown, description) != seen_key(shown.replace("4444", "4445"), description)
    assert seen_key(shown, description) != seen_key(shown + " We closed.", description)
