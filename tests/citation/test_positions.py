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
