"""Friendly page metadata to CSL-JSON."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from refsvc.metadata.fields import parse_date, to_csl


@pytest.mark.parametrize("text, parts", [
    ("2022", [2022]), ("2022-01", [2022, 1]), ("2022-01-20", [2022, 1, 20]), ("2022-21", [2022, 21]),
    ("2024-02-29", [2024, 2, 29]),
])
def test_partial_dates_and_seasons_parse(text, parts):
    assert parse_date(text) == {"date-parts": [parts]}


@pytest.mark.parametrize("text", ["2022-13-45", "2022-00", "2023-02-29", "2022-21-01", "Jan 2022", ""])
def test_impossible_dates_are_refused_with_the_expected_form(text):
    with pytest.raises(ValueError, match="YYYY|month|day"):
        parse_date(text)


def test_a_page_maps_to_a_csl_webpage():
    item = to_csl({"title": "T", "site_name": "Mind", "authors": [{"name": "Mind"}, {
        "given": "Ludwig", "family": "Beethoven", "particle": "van"}], "modified": "2023-05",
        "doi": "https://doi.org/10.1234/X"}, today=datetime(2024, 1, 2, tzinfo=timezone.utc))
    assert item == {"id": "item", "type": "webpage", "title": "T", "container-title": "Mind",
                    "author": [{"literal": "Mind"}, {"family": "Beethoven", "given": "Ludwig",
                                                     "non-dropping-particle": "van"}],
                    "DOI": "10.1234/x", "issued": {"date-parts": [[2023, 5]]},
                    "accessed": {"date-parts": [[2024, 1, 2]]}}


def test_a_report_names_the_site_as_publisher():
    item = to_csl({"type": "report", "title": "T", "site_name": "NHS England"})
    assert item["type"] == "report" and item["publisher"] == "NHS England"
