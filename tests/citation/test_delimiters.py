"""Delimiters beside punctuation: a group keeps its delimiter before a piece that opens with punctuation,
and only the layout delimiter between cites gives way to a cite's affixes.

Each expected string is what citeproc-js 1.4.61 (tools/citeproc-js, node_modules/citeproc) renders for
the same style and item (src/queue.js renderBlobs joins a group's pieces with its delimiter whatever
they open with; src/api_cite.js getCitationCluster trims the layout delimiter beside cite affixes).
"""
from __future__ import annotations

import pytest

from refsvc.citation.api import _refs, cluster_seqs, engine_for
from refsvc.citation.engine import Engine
from refsvc.citation.style import compile_style

BOOK = {"id": "A", "type": "book", "title": "Life", "issued": {"date-parts": [[1965]]}, "publisher": "Pub"}
NO_PUBLISHER = {k: v for k, v in BOOK.items() if k != "publisher"}
DATE = '<date variable="issued" prefix=", "><date-part name="year"/></date>'


def _engine(macros: str, layout: str, layout_attrs: str = "") -> Engine:
    xml = ('<style xmlns="http://purl.org/net/xbiblio/csl" class="note" version="1.0"><info><id>x</id>'
           f'<title>x</title><updated>2009-08-10T04:49:00+09:00</updated></info>{macros}'
           f'<citation><layout{layout_attrs}>{layout}</layout></citation></style>')
    return Engine(compile_style(xml), engine_for("apa", "en-US").locale)


def _cite(eng: Engine, items: list, cites: list) -> str:
    return eng.finish(cluster_seqs(eng, _refs(items), [cites])[0], "text")


@pytest.mark.parametrize("macros, layout, item, expected", [
    # bugreports_AccidentalAllCaps: the date's ", " opens a macro whose publisher is empty
    ('<macro name="m"><text variable="publisher"/>' + DATE + '</macro>',
     '<group delimiter=", "><text variable="title"/><text macro="m"/></group>', NO_PUBLISHER, "Life, , 1965"),
    ('<macro name="m"><text variable="publisher"/>' + DATE + '</macro>',
     '<group delimiter=", "><text variable="title"/><text macro="m"/></group>', BOOK, "Life, Pub, 1965"),
    ("", '<group delimiter=", "><text variable="title"/><text variable="publisher" prefix=", "/></group>',
     BOOK, "Life, , Pub"),
    ("", '<group delimiter="; "><text variable="title"/><group><text variable="publisher"/>' + DATE +
     "</group></group>", NO_PUBLISHER, "Life; , 1965"),
    ("", '<group delimiter=" "><text variable="title"/><text variable="publisher" prefix=", "/></group>',
     BOOK, "Life , Pub"),
    ("", '<group delimiter=", "><text variable="title"/><text value=", x"/></group>', BOOK, "Life, , x"),
])
def test_a_group_keeps_its_delimiter_before_a_piece_opening_with_punctuation(macros, layout, item, expected):
    assert _cite(_engine(macros, layout), [item], [{"id": "A"}]) == expected


@pytest.mark.parametrize("suffix, delimiter, expected", [
    (",", ", ", "Life, Pub"),
    (".", ". ", "Life. Pub"),
    (".", ", ", "Life., Pub"),
])
def test_a_piece_ending_in_punctuation_still_merges_into_the_delimiter_after_it(suffix, delimiter, expected):
    layout = (f'<group delimiter="{delimiter}"><text variable="title" suffix="{suffix}"/>'
              '<text variable="publisher"/></group>')
    assert _cite(_engine("", layout), [BOOK], [{"id": "A"}]) == expected


@pytest.mark.parametrize("first, second, expected", [
    ({"suffix": ","}, {}, "(Book A, Book B)"),
    ({"suffix": "."}, {}, "(Book A. Book B)"),
    ({"suffix": ". "}, {}, "(Book A. ; Book B)"),  # only the suffix's last character counts
    ({"suffix": " ;"}, {}, "(Book A ; Book B)"),
    ({}, {"prefix": ", and "}, "(Book A, and Book B)"),
    ({}, {"prefix": "; "}, "(Book A; Book B)"),
    ({"suffix": " x"}, {"prefix": ", and "}, "(Book A x; , and Book B)"),  # a suffix keeps the delimiter
])
def test_the_delimiter_between_cites_gives_way_to_their_affixes(first, second, expected):
    eng = _engine("", '<text variable="title"/>', ' prefix="(" suffix=")" delimiter="; "')
    items = [{"id": "A", "type": "book", "title": "Book A"}, {"id": "B", "type": "book", "title": "Book B"}]
    assert _cite(eng, items, [{"id": "A", **first}, {"id": "B", **second}]) == expected
