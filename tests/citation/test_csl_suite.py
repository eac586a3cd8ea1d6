"""The CSL test suite (citeproc-js's fixtures): every fixture rendered by refsvc.citation, compared exactly.

Fixtures listed in csl_suite_known_failures.txt are strict xfails (a fixed one fails the run, so the
list must shrink); any other failure fails.  No fixture folder: every test is skipped, loudly.
"""
from __future__ import annotations

import pytest

from tests.citation import csl_suite as s

FOLDER = s.suite_dir()
PATHS = s.fixtures(FOLDER) if FOLDER.is_dir() else []
KNOWN = s.read_known()


@pytest.mark.skipif(not FOLDER.is_dir(), reason=f"CSL TEST SUITE NOT FOUND at {FOLDER} (set CSL_TEST_SUITE)")
@pytest.mark.parametrize("path", PATHS or [None], ids=[p.stem for p in PATHS] or ["no-suite"])
def test_fixture_renders_as_citeproc_js_does(path, request) -> None:
    if path.stem in KNOWN:
        request.applymarker(pytest.mark.xfail(reason=KNOWN[path.stem], strict=True))
    ok, detail = s.outcome(path)
    assert ok, detail


def test_known_failures_list_names_existing_fixtures() -> None:
    if not FOLDER.is_dir():
        pytest.skip(f"CSL TEST SUITE NOT FOUND at {FOLDER} (set CSL_TEST_SUITE)")
    names = {p.stem for p in PATHS}
    stale = sorted(set(KNOWN) - names)
    assert not stale, f"known-failures entries without a fixture: {stale}"
