r"""The engine on hostile values: 100,000-character fields and huge numbers render, fast, without raising.

Guards against catastrophic regexes (a 3,000-digit volume once kept a worker busy until it was killed)
and int() past Python's 4,300-digit limit. Time is CPU time of this process, so a loaded machine does
not make the guard flaky; the bound is loose (a quadratic regex on 100,000 characters takes minutes).
"""
from __future__ import annotations

import time

import pytest

from refsvc.citation import InvalidItem, citation, cite_item
from refsvc.citation.numbers import format_number, is_numeric, page_range, split_embedded_label
from refsvc.citation.api import engine_for

N = 100_000
STYLES = ("apa", "modern-language-association", "chicago-notes-bibliography", "chicago-author-date")
BASE = {"id": "x", "type": "article-journal", "title": "Therapy outcomes", "container-title": "Journal",
        "author": [{"family": "Chen", "given": "Christine"}], "issued": {"date-parts": [[2020]]},
        "volume": "12", "issue": "3", "page": "101-120"}
SHAPES = {
    "digits": "1" * N, "digits then letter": "1" * (N - 1) + "x", "digits, spaces, dash": "1" * (N // 2) + " " * (N // 2 - 1) + "-",
    "spaces inside": "1" + " " * (N - 2) + "x", "ranges": "1-" * (N // 2), "commas": "1," * (N // 2),
    "ampersands": "1 &" * (N // 3), "roman": "i" * N, "closing tags": "</" * (N // 2), "open tags": "<i>" * (N // 3),
    "quotes": "\"'" * (N // 2), "inline fields": "{:a:" * (N // 4), "name pipes": "a" + " " * (N - 3) + "||",
    "labels and newline": ", p. " * (N // 5) + "\n", "hyphens": "a-" * (N // 2), "words": "ab " * (N // 3),
    "superscripts": "\u00b2" * N, "arabic digits": "\u0663" * N,
}
NUMBER_FIELDS = ("volume", "issue", "page", "number", "edition", "locator")
TEXT_FIELDS = ("title", "container-title", "note", "family", "given", "literal", "raw date")
TEXT_SHAPES = ("spaces inside", "closing tags", "open tags", "quotes", "inline fields", "name pipes",
               "labels and newline", "hyphens", "words", "digits", "superscripts")
# every number shape on every number field, the text shapes on every text field; the styles take turns
CASES = [(f, s) for f in NUMBER_FIELDS for s in SHAPES] + [(f, s) for f in TEXT_FIELDS for s in TEXT_SHAPES]


def _item(field: str, value: str) -> tuple[dict, list]:
    item, cites = dict(BASE), [{"id": "x"}]
    if field in ("family", "given"):
        item["author"] = [dict(BASE["author"][0], **{field: value})]
    elif field == "literal":
        item["author"] = [{"literal": value}]
    elif field == "raw date":
        item["issued"] = {"raw": value}
    elif field == "locator":
        cites = [{"id": "x", "locator": value, "label": "page"}]
    else:
        item[field] = value
    return item, cites


@pytest.fixture(scope="module", autouse=True)
def warm_engines():
    for style in STYLES:
        cite_item(BASE, style)


@pytest.mark.parametrize("field,shape", CASES)
def test_a_100k_character_value_renders_every_form_within_a_second_of_cpu(field: str, shape: str) -> None:
    item, cites = _item(field, SHAPES[shape])
    style = STYLES[CASES.index((field, shape)) % len(STYLES)]
    start = time.process_time()
    got = cite_item(item, style)
    assert got["bibliography"]["text"] and got["in_text"]["html"]
    if field == "locator":
        assert citation([item], cites, style)
    assert time.process_time() - start < 1.0  # every form, text and HTML; quadratic work takes minutes


def test_a_3000_digit_volume_prints_whole_and_fast() -> None:
    volume = "7" * 3000
    start = time.process_time()
    got = cite_item(dict(BASE, volume=volume), "apa")["bibliography"]["text"]
    assert volume in got
    assert time.process_time() - start < 0.5


@pytest.mark.parametrize("field", ("edition", "page", "volume", "issue", "number"))
def test_numbers_past_pythons_int_limit_render_without_raising(field: str) -> None:
    digits = "9" * 5000
    for style in STYLES:
        got = cite_item(dict(BASE, type="book", **{field: digits}), style)
        assert got["bibliography"]["text"]


def test_a_5000_digit_edition_gets_its_ordinal_from_its_last_digits() -> None:
    locale = engine_for("apa").locale
    assert format_number("1" * 5000 + "02", "ordinal", locale) == "1" * 5000 + "02nd"
    assert format_number("1" * 5000 + "12", "ordinal", locale) == "1" * 5000 + "12th"
    assert format_number("9" * 5000, "roman", locale) == "9" * 5000


def test_page_ranges_of_huge_numbers_compare_by_value_not_by_int() -> None:
    a, b = "1" * 5000, "1" * 4999 + "5"
    assert page_range(f"{a}-{b}", "chicago-16") == f"{a}\u201315"
    assert page_range(f"{a}-{b}", "expanded") == f"{a}\u2013{b}"
    assert page_range(f"{b}-12", "expanded") == f"{b}\u201312"  # a smaller end is no range to expand


def test_unicode_digits_that_int_refuses_do_not_raise() -> None:
    assert is_numeric("\u00b2") is False  # a superscript two is a digit to isdigit() but not to int()
    for style in STYLES:
        assert cite_item(dict(BASE, edition="\u00b2", page="\u00b2-\u00b3"), style)["bibliography"]["text"]


def test_a_label_after_many_lines_is_found_on_the_last_line_only() -> None:
    assert split_embedded_label("7, p. 3-8") == ("7", "page", "3-8")
    assert split_embedded_label(", p. x\n" * 20000 + "tail") is None


def test_a_python_int_too_long_to_print_is_a_clear_invalid_item() -> None:
    with pytest.raises(InvalidItem, match="volume"):
        cite_item(dict(BASE, volume=10 ** 5000), "apa")
    with pytest.raises(InvalidItem, match="issued"):
        cite_item(dict(BASE, issued={"date-parts": [[10 ** 5000]]}), "apa")
