"""Names from page metadata: people split into their CSL parts, organisations kept whole."""
from __future__ import annotations

import pytest

from refsvc.metadata.values import date_parts, medline_person, person


@pytest.mark.parametrize("text, name", [
    ("Dr. Sheri Jacobson", {"given": "Sheri", "family": "Jacobson"}),
    ("Prof Sir Simon Wessely", {"given": "Simon", "family": "Wessely"}),
    ("Dame Til Wykes", {"given": "Til", "family": "Wykes"}),
    ("By Dr Jane Smith", {"given": "Jane", "family": "Smith"}),
    ("Written by Claire Eastham", {"given": "Claire", "family": "Eastham"}),
    ("Jacobson, Sheri", {"given": "Sheri", "family": "Jacobson"}),
    ("Dr Sarah Jane Owens FRCPsych", {"given": "Sarah Jane", "family": "Owens"}),
    ("Kirsty Walker, RMN", {"given": "Kirsty", "family": "Walker"}),
    ("Dr Alex George MBBS", {"given": "Alex", "family": "George"}),
    ("Sheri Jacobson PhD", {"given": "Sheri", "family": "Jacobson"}),
    ("Martin Luther King Jr.", {"given": "Martin Luther", "family": "King", "suffix": "Jr."}),
    ("Robert Lee III", {"given": "Robert", "family": "Lee", "suffix": "III"}),
    ("Vincent van Gogh", {"given": "Vincent", "non-dropping-particle": "van", "family": "Gogh"}),
    ("Jean-Paul de la Fontaine", {"given": "Jean-Paul", "non-dropping-particle": "de la",
                                  "family": "Fontaine"}),
    ("Van Morrison", {"given": "Van", "family": "Morrison"}),
    ('Bob "Bobby" Jones', {"given": "Bob", "family": "Jones"}),
    ("Harley Therapy Ltd", {"literal": "Harley Therapy Ltd"}),
    ("NHS England", {"literal": "NHS England"}),
    ("Mind", {"literal": "Mind"}),
])
def test_a_name_is_split_as_an_editor_would(text, name):
    assert person(text) == name


@pytest.mark.parametrize("text", ["Website by Pixel & Co", "https://example.org/about", "a@b.org", "",
                                  "admin", "Webmaster"])
def test_credits_and_addresses_are_no_authors(text):
    assert person(text) is None


def test_a_schema_org_organisation_stays_whole_whatever_it_is_called():
    assert person("Rethink Mental Illness", organisation=True) == {"literal": "Rethink Mental Illness"}


@pytest.mark.parametrize("text, name", [("Kuyken W", {"given": "W.", "family": "Kuyken"}),
                                        ("Warren FC", {"given": "F. C.", "family": "Warren"}),
                                        ("Jane Smith", {"given": "Jane", "family": "Smith"})])
def test_pubmed_names_give_their_initials(text, name):
    assert medline_person(text) == name


@pytest.mark.parametrize("text, parts", [("2016 Jun 18", [2016, 6, 18]), ("2016", [2016]),
                                         ("2016-06-18T10:00:00Z", [2016, 6, 18]),
                                         ("20 January 2022", [2022, 1, 20])])
def test_dates_in_words_keep_their_month_and_day(text, parts):
    assert date_parts(text) == {"date-parts": [parts]}


def test_a_long_byline_is_read_in_linear_time():
    import time

    start = time.process_time()
    medline_person("a " * 50_000 + "1")
    person("Dr " + "x " * 50_000)
    assert time.process_time() - start < 1


def test_the_editor_rules_run_in_linear_time_on_a_huge_name():
    import time

    from refsvc.metadata.extract import read_page

    huge = "x" + " " * 100_000 + "y"
    html = (f'<title>{huge} | {huge}</title><meta property="og:site_name" content="{huge}™">'
            f'<script type="application/ld+json">{{"@type": "WebPage", "name": "{huge}", '
            f'"publisher": {{"@type": "Organization", "name": "{huge} Ltd"}}}}</script>')
    start = time.process_time()
    read_page(html, "https://example.org/")
    assert time.process_time() - start < 2


def test_a_page_with_thousands_of_authors_or_a_huge_title_is_cut_to_what_a_citation_needs():
    from refsvc.metadata.extract import read_page

    html = ('<meta name="citation_author" content="Smith, John">' * 3000 +
            '<meta name="citation_title" content="' + "word " * 5000 + '">')
    fields = read_page(html, "https://example.org/").fields
    assert len(fields["author"]) == 100
    assert len(fields["title"]) <= 2001 and fields["title"].endswith("…")
