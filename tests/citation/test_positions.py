"""Positions in a document: a footnote is ibid only to its own note or the note before it. Expected
strings are citeproc-js 1.4.61's output for the same document (tools/citeproc-js, processCitationCluster
in order, as tools/citeproc-js/references.js renders a case)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from refsvc.citation.reflist import reference_list

TESTS = Path(__file__).parents[1]
ITEMS = {i["id"]: i for f in ("corpus/items.json", "references/items.json") for i in json.loads((TESTS / f).read_text())}


@pytest.mark.parametrize("note, expected", [
    (2, ["ibid 90.", "ibid."]),  # the next note
    (3, ["Mind (n 1) 90.", "ibid."]),  # a note between: no ibid to note 1, but ibid within note 3
])
def test_a_footnote_is_ibid_only_to_its_own_or_the_previous_note(note, expected):
    citations = [{"cites": [{"id": "report-mind"}], "note_number": 1},
                 {"cites": [{"id": "report-mind", "locator": "90"}], "note_number": note},
                 {"cites": [{"id": "report-mind", "locator": "90"}], "note_number": note}]
    out = reference_list([ITEMS["report-mind"], ITEMS["bowlby-1969"]], citations, "oscola", formats=("text",))
    assert [c["text"] for c in out["citations"][1:]] == expected


def _texts(style: str, ids: list, citations: list) -> list:
    out = reference_list([ITEMS[i] for i in ids], citations, style, formats=("text",))
    return [c["text"] for c in out["citations"]]


def test_citations_in_the_running_text_of_a_note_style_have_their_own_first_cites():
    # a work first cited in a footnote is cited in full again the first time it appears in the text
    texts = _texts("chicago-notes-bibliography", ["article-smith-john-2021b", "web-nhs-cbt"],
                   [{"cites": [{"id": "article-smith-john-2021b"}], "note_number": n} for n in (1, 0, 0)])
    assert texts[1].startswith("John Smith, \u201cBrief Therapies in Primary Care: A Review,\u201d Bri")
    assert texts[2] == "Smith, \u201cBrief Therapies in Primary Care: A Review.\u201d"


def test_a_citation_is_ibid_to_the_last_cite_of_the_citation_before_it_in_the_same_note():
    texts = _texts("oscola", ["article-fonagy-1author", "web-mind-anxiety"], [
        {"cites": [{"id": "web-mind-anxiety", "locator": "62"}], "note_number": 1},
        {"cites": [{"id": "article-fonagy-1author"}], "note_number": 5},
        {"cites": [{"id": "article-fonagy-1author"}, {"id": "web-mind-anxiety"}], "note_number": 7},
        {"cites": [{"id": "web-mind-anxiety"}], "note_number": 7}])
    assert texts[2:] == ["Fonagy (n 5); Mind (n 1).", "ibid."]


def test_a_later_cite_in_the_note_of_the_first_prints_no_back_reference():
    texts = _texts("oscola", ["web-nhs-cbt", "bowlby-1973"], [
        {"cites": [{"id": "web-nhs-cbt", "locator": "55"}, {"id": "bowlby-1973"}], "note_number": 1},
        {"cites": [{"id": "web-nhs-cbt"}], "note_number": 1},
        {"cites": [{"id": "web-nhs-cbt"}], "note_number": 4}])
    assert texts[1:] == ["NHS.", "NHS (n 1)."]
