"""Clean-ups of what resolvers send, and Crossref messages read as CSL."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from refsvc.metadata.cleanup import clean_item, clean_pages, clean_title, strip_markup
from refsvc.metadata.crossref import work_to_csl

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize("raw, clean", [
    ("The impact of <i>brief</i> therapy.", "The impact of brief therapy"),
    ("<jats:title>Growth of <jats:italic>E. coli</jats:italic></jats:title>", "Growth of E. coli"),
    ("Mood &amp; anxiety", "Mood & anxiety"),
    ("THE IMPACT OF BRIEF THERAPY: A TRIAL", "The impact of brief therapy: A trial"),
    ("Therapy: A trial: A trial", "Therapy: A trial"),
    ("Therapy: a trial: A Trial", "Therapy: a trial"),
    ("Why now?", "Why now?"),
    ("DIT in the NHS", "DIT in the NHS"),
])
def test_titles_are_cleaned(raw, clean):
    assert clean_title(raw) == clean


@pytest.mark.parametrize("raw", ["464-468", "464 - 468", "464--468", "464‐468"])
def test_page_ranges_get_an_en_dash(raw):
    assert clean_pages(raw) == "464–468"


def test_clean_item_keeps_only_csl_variables_and_tames_shouting_names():
    item = clean_item({"type": "article-journal", "title": ["A title"], "indexed": {}, "ISSN": ["1", "2"],
                       "author": [{"family": "CHEN", "given": "CHRISTINE K.", "sequence": "first"},
                                  {"name": "The DIT Study Group"}, {"affiliation": []}],
                       "container-title": "PSYCHOTHERAPY RESEARCH", "volume": 57})
    assert item == {"type": "article-journal", "title": "A title", "ISSN": "1", "volume": "57",
                    "author": [{"family": "Chen", "given": "Christine K."}, {"literal": "The DIT Study Group"}],
                    "container-title": "Psychotherapy Research"}


def test_a_crossref_work_reads_as_the_same_csl_as_content_negotiation():
    message = json.loads((DATA / "pst0000282.crossref.json").read_text())["message"]
    from_crossref = work_to_csl(message)
    from_csl = clean_item(json.loads((DATA / "pst0000282.csl.json").read_text()))
    for key in ("type", "title", "author", "issued", "container-title", "volume", "issue", "page", "DOI"):
        assert from_crossref[key] == from_csl[key], key


def test_a_crossref_subtitle_is_joined_once():
    assert work_to_csl({"type": "book", "title": ["Therapy"], "subtitle": ["A guide"]})["title"] == "Therapy: A guide"
    assert work_to_csl({"type": "book", "title": ["Therapy: A guide"],
                        "subtitle": ["A guide"]})["title"] == "Therapy: A guide"
    assert work_to_csl({"type": "book-chapter", "title": ["x"]})["type"] == "chapter"


@pytest.mark.parametrize("raw, text", [
    ("Therapy &amp; the <Self>", "Therapy & the <Self>"),  # a word in angle brackets is the title's own
    ("A <i>study</i> of <jats:italic>CBT</jats:italic>", "A study of CBT"),
    ("<mml:math><mml:mi>x</mml:mi></mml:math> squared", "x squared"),
    ('<p class="lead">Help</p><br/>now', "Helpnow"),
])
def test_only_markup_tags_are_stripped_from_text(raw, text):
    assert strip_markup(raw) == text
