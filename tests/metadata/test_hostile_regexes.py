"""Regexes that see page or user text run in linear time: each one that was quadratic, fed the
100,000-character value that made it so, finishes within a second of CPU and still means the same."""
from __future__ import annotations

import time

import pytest

from refsvc.metadata import reasons, text, values
from refsvc.metadata.cleanup import clean_pages

N = 100_000


def cpu_seconds(call, *args):
    """The process CPU time ``call(*args)`` takes (a loaded machine slows the wall clock, not this)."""
    start = time.process_time()
    call(*args)
    return time.process_time() - start


@pytest.mark.parametrize("call, hostile", [
    (clean_pages, "1" + " " * N + "2"),
    (clean_pages, "1" + " \t" * (N // 2) + "x"),
    (text._META_CHARSET.search, b"<meta" * (N // 5)),  # declared_charset reads 4 KiB; the regex holds anyway
    (lambda message: reasons.tls_reason(Exception(message)), "] a" * (N // 3)),
    (lambda message: reasons.tls_reason(Exception(message)), "] " + "a" * N),
], ids=["pages-spaces", "pages-tabs", "meta-charset", "tls-brackets",
        "tls-long"])
def test_a_hostile_value_takes_under_a_second_of_cpu(call, hostile):
    assert cpu_seconds(call, hostile) < 1.0


@pytest.mark.parametrize("given, pages", [("464-468", "464–468"), ("464 - 468", "464–468"),
                                          ("464--468", "464–468"), ("464 \u2212 468", "464–468"),
                                          ("1 - - 2", "1––2"), ("12", "12"), (" 5 ", "5")])
def test_page_ranges_still_get_an_en_dash(given, pages):
    assert clean_pages(given) == pages


@pytest.mark.parametrize("given, name", [
    ("John Smith Jr.", {"family": "Smith", "given": "John", "suffix": "Jr."}),
    ("Smith, John, Jr", {"family": "Smith", "given": "John", "suffix": "Jr"}),
    ("John Smith\tIII", {"family": "Smith", "given": "John", "suffix": "III"}),
    ("Jane Doe PhD", {"family": "Doe", "given": "Jane"}),
    ("Ma Li", {"family": "Li", "given": "Ma"}),
    ("Jr", {"literal": "Jr"}),
])
def test_name_suffixes_are_still_read_from_the_last_word(given, name):
    assert values.person(given) == name


def test_a_meta_charset_is_still_found():
    assert text.declared_charset(b'<html><meta http-equiv="x" charset="latin-1"><p>', "") == "iso8859-1"


def test_a_tls_failure_still_names_its_reason():
    message = "[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)"
    assert reasons.tls_reason(Exception(message)) == "TLS failed: wrong version number"
