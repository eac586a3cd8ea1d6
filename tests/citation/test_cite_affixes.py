"""A cite's prefix and suffix are spaced from the cite as citeproc-js spaces them (src/load.js
checkPrefixSpaceAppend, checkSuffixSpacePrepend). Expected strings are citeproc-js 1.4.61's output for
the same style and cites (tools/citeproc-js)."""
from __future__ import annotations

import pytest

from refsvc.citation.api import _refs, cluster_seqs, engine_for
from refsvc.citation.engine import Engine
from refsvc.citation.style import compile_style

STYLE = ('<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0"><info><id>x</id>'
         '<title>x</title><updated>2009-08-10T04:49:00+09:00</updated></info><citation>'
         '<layout prefix="(" suffix=")" delimiter="; "><text variable="title"/></layout></citation></style>')


@pytest.mark.parametrize("affixes, expected", [
    ({"prefix": "see"}, "(see Book A)"),
    ({"prefix": "see "}, "(see Book A)"),
    ({"prefix": "cf.  also"}, "(cf. also Book A)"),
    ({"prefix": "1"}, "(1 Book A)"),
    ({"prefix": "<i>see</i>"}, "(see Book A)"),
    ({"prefix": "\u201cquoted\u201d"}, "(\u201cquoted\u201d Book A)"),
    ({"prefix": "\u00e9"}, "(\u00e9 Book A)"),
    ({"prefix": "("}, "((Book A)"),
    ({"prefix": "x-"}, "(x-Book A)"),
    ({"suffix": "p. 4"}, "(Book A p. 4)"),
    ({"suffix": "(n)"}, "(Book A (n))"),
    ({"suffix": "[x]"}, "(Book A [x])"),
    ({"suffix": ", p. 4"}, "(Book A, p. 4)"),
    ({"suffix": "4"}, "(Book A4)"),
])
def test_a_cite_prefix_or_suffix_is_spaced_from_the_cite_as_citeproc_js_does(affixes, expected):
    eng = Engine(compile_style(STYLE), engine_for("apa", "en-US").locale)
    refs = _refs([{"id": "A", "type": "book", "title": "Book A"}])
    assert eng.finish(cluster_seqs(eng, refs, [[{"id": "A", **affixes}]])[0], "text") == expected
