"""BibTeX, RIS and CSL-JSON exports of one item."""
from __future__ import annotations

import json

import pytest

from refsvc.citation.exports import to_bibtex, to_csl_json, to_ris

ARTICLE = {
    "id": "chen", "type": "article-journal",
    "title": "The impact of brief dynamic interpersonal therapy (DIT) on veteran depression & anxiety",
    "author": [{"family": "Chen", "given": "Christine K."}, {"family": "Nehrig", "given": "Nicholas"}],
    "container-title": "Psychotherapy", "volume": "57", "issue": "3", "page": "464-468",
    "issued": {"date-parts": [[2020, 9]]}, "DOI": "10.1037/pst0000282",
}
ORG_PAGE = {"id": "mind", "type": "webpage", "title": "Understanding <i>anxiety</i> 100%",
            "author": [{"literal": "Mind"}], "accessed": {"date-parts": [[2024, 3, 5]]},
            "URL": "https://www.mind.org.uk/x_y"}


def test_bibtex_has_the_fields_of_a_journal_article():
    entry = to_bibtex(ARTICLE)
    assert entry.startswith("@article{chen2020impact,\n")
    assert "  author = {Chen, Christine K. and Nehrig, Nicholas},\n" in entry
    assert "  title = {{The impact of brief dynamic interpersonal therapy (DIT) on veteran " \
           "depression \\& anxiety}},\n" in entry
    assert "  journal = {Psychotherapy},\n" in entry
    assert "  pages = {464--468},\n" in entry
    assert "  month = {sep},\n" in entry
    assert entry.endswith("  doi = {10.1037/pst0000282}\n}\n")


def test_bibtex_keeps_an_organisation_whole_and_escapes_latex():
    entry = to_bibtex(ORG_PAGE)
    assert entry.startswith("@misc{mind")
    assert "  author = {{Mind}}," in entry
    assert "  title = {{Understanding anxiety 100\\%}}," in entry
    assert "  url = {https://www.mind.org.uk/x_y}," in entry
    assert "  urldate = {2024-03-05}" in entry


def test_ris_is_one_record_with_crlf_lines():
    record = to_ris(ARTICLE)
    lines = record.split("\r\n")
    assert lines[0] == "TY  - JOUR"
    assert lines[1:3] == ["AU  - Chen, Christine K.", "AU  - Nehrig, Nicholas"]
    assert "SP  - 464" in lines and "EP  - 468" in lines
    assert "DA  - 2020/09//" in lines
    assert lines[-2:] == ["ER  - ", ""]


def test_ris_of_a_web_page_has_its_access_date():
    record = to_ris(ORG_PAGE)
    assert "TY  - ELEC\r\n" in record
    assert "Y2  - 2024/03/05/\r\n" in record
    assert "TI  - Understanding anxiety 100%\r\n" in record


def test_csl_json_is_an_array_of_the_item():
    assert json.loads(to_csl_json(ARTICLE)) == [ARTICLE]


@pytest.mark.parametrize("export", [to_bibtex, to_ris, to_csl_json])
@pytest.mark.parametrize("names", [None, "Mind", [None, "x", {"family": 1, "given": ["J"]}]])
def test_exports_take_odd_names_without_failing(export, names):
    text = export({"type": "article-journal", "title": "T", "author": names, "editor": names})
    assert "T" in text


def test_control_characters_never_reach_an_export():
    item = {"type": "webpage", "title": "Bad\x1b[31m title\r\nER  - ", "URL": "https://x.org/a\nb"}
    assert "\x1b" not in to_bibtex(item)
    record = to_ris(item)
    assert "\x1b" not in record
    assert record.count("ER  - ") == 1  # a title cannot end the record early
