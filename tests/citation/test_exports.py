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
    assert "  month = sep,\n" in entry  # BibTeX's month macro
    assert entry.endswith("  doi = {10.1037/pst0000282}\n}\n")


def test_bibtex_keeps_an_organisation_whole_and_escapes_latex():
    entry = to_bibtex(ORG_PAGE)
    assert entry.startswith("@misc{mind")
    assert "  author = {{Mind}}," in entry
    assert "  title = {{Understanding anxiety 100\\%}}," in entry
    assert "  howpublished = {\\url{https://www.mind.org.uk/x_y}}," in entry
    assert "  note = {Accessed 2024-03-05}" in entry
    assert "url = " not in entry and "urldate" not in entry  # the address is printed once


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


# ---- BibTeX that parses, and values that cannot escape their field ----------------------------

HOSTILE = [
    "https://e.org/x},title={INJECTED",
    "10.1/x}\n}\n@misc{evil,\n  title = {pwned",
    "a\\b{c}d%e#f&g$h_i~j^k\"l@m",
    "line one\r\nER  - \r\nTY  - JOUR",
    "}}}}{{{",
    "\\end{document}\\input{/etc/passwd}",
    "ünïcode “quotes” and 中文",
]


def _latex_to_text(value: str) -> str:
    """LaTeX back to text by an independent decoder (pylatexenc, which bibtexparser uses)."""
    from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

    db = get_default_latex_context_db()
    db.add_context_category("braces", prepend=True, macros=[
        MacroTextSpec("textbraceleft", "{"), MacroTextSpec("textbraceright", "}"),
        MacroTextSpec("textasciicircum", "^")])
    return " ".join(LatexNodes2Text(latex_context=db, math_mode="verbatim").latex_to_text(value).split())


def _parse_one(text: str):
    import bibtexparser

    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks, [b.error for b in library.failed_blocks]
    assert len(library.entries) == 1 and not library.strings, text
    return library.entries[0]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_value_stays_in_its_bibtex_field(value):
    from urllib.parse import unquote

    flat = " ".join(value.split())
    item = {"id": "x", "type": "article-journal", "title": value, "container-title": value,
            "author": [{"family": value, "given": "Ann"}, {"literal": value}],
            "DOI": value, "URL": value, "volume": value, "issued": {"date-parts": [[2020, 5]]}}
    entry = _parse_one(to_bibtex(item))
    fields = entry.fields_dict
    assert entry.entry_type == "article" and entry.key == to_bibtex(item).split("{", 1)[1].split(",")[0]
    assert sorted(fields) == ["author", "doi", "journal", "month", "title", "url", "volume", "year"]
    assert _latex_to_text(fields["title"].value) == "{" + flat + "}" or \
        _latex_to_text(fields["title"].value[1:-1]) == flat
    assert _latex_to_text(fields["journal"].value) == flat
    assert _latex_to_text(fields["volume"].value) == flat
    assert unquote(fields["doi"].value) == flat and unquote(fields["url"].value) == flat
    assert fields["month"].value == "may"


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_web_address_stays_inside_its_url_command(value):
    from urllib.parse import unquote

    flat = " ".join(value.split())
    item = {"type": "webpage", "title": "T", "URL": value, "container-title": "Site",
            "accessed": {"date-parts": [[2024, 3, 5]]}}
    fields = _parse_one(to_bibtex(item)).fields_dict
    howpublished = fields["howpublished"].value
    assert howpublished.startswith("Site, \\url{") and howpublished.endswith("}")
    address = howpublished[len("Site, \\url{"):-1]
    assert "{" not in address and "}" not in address
    assert unquote(address.replace("\\#", "#").replace("\\%", "%")) == flat


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_value_stays_in_its_ris_line(value):
    item = {"type": "article-journal", "title": value, "DOI": value, "URL": value,
            "author": [{"family": value, "given": "Ann"}], "container-title": value}
    lines = to_ris(item).split("\r\n")
    assert lines[-2:] == ["ER  - ", ""] and lines[0] == "TY  - JOUR"
    tags = [line[:6] for line in lines[:-1]]
    assert tags == ["TY  - ", "AU  - ", "TI  - ", "T2  - ", "DO  - ", "UR  - ", "ER  - "]
    flat = " ".join(value.split())
    record = {line[:2]: line[6:] for line in lines[1:-2]}
    assert record["TI"] == record["T2"] == record["DO"] == record["UR"] == flat
    assert record["AU"] == f"{flat}, Ann"


def _corpus():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    return json.loads((root / "corpus" / "items.json").read_text())


def test_every_corpus_item_is_valid_bibtex_with_only_its_types_fields():
    from refsvc.citation.bibtex import _LINKS, _STANDARD

    for item in _corpus():
        entry = _parse_one(to_bibtex(item))
        allowed = set(_STANDARD[entry.entry_type]) | set(_LINKS.get(entry.entry_type, ("doi", "url", "urldate")))
        assert set(entry.fields_dict) <= allowed, (item["id"], set(entry.fields_dict) - allowed)
        month = entry.fields_dict.get("month")
        assert month is None or month.value in {"jan", "feb", "mar", "apr", "may", "jun", "jul",
                                                "aug", "sep", "oct", "nov", "dec"}


def test_a_web_page_is_misc_with_howpublished_and_its_access_date():
    item = {"type": "webpage", "title": "Dynamic Interpersonal Therapy in London",
            "author": [{"literal": "Harley Therapy Ltd."}], "container-title": "Harley Therapy",
            "URL": "https://www.harleytherapy.co.uk/dynamic-interpersonal-therapy-london.htm",
            "issued": {"date-parts": [[2022, 1, 20]]}, "accessed": {"date-parts": [[2022, 8, 11]]}}
    assert to_bibtex(item) == (
        "@misc{harleytherapyltd2022dynamic,\n"
        "  author = {{Harley Therapy Ltd.}},\n"
        "  title = {{Dynamic Interpersonal Therapy in London}},\n"
        "  howpublished = {Harley Therapy, \\url{https://www.harleytherapy.co.uk/"
        "dynamic-interpersonal-therapy-london.htm}},\n"
        "  year = {2022},\n"
        "  month = jan,\n"
        "  note = {Accessed 2022-08-11}\n"
        "}\n")


def test_a_list_gets_unique_keys():
    from refsvc.citation.exports import bibtex_list
    import bibtexparser

    library = bibtexparser.parse_string(bibtex_list([ARTICLE] * 3))
    assert [e.key for e in library.entries] == ["chen2020impact", "chen2020impactb", "chen2020impactc"]


@pytest.mark.parametrize("issued, year, month, ris", [
    ({"raw": "March 1969"}, "1969", "mar", "1969/03//"),
    ({"raw": "15 March 1969"}, "1969", "mar", "1969/03/15/"),
    ({"raw": "Summer 1969"}, "1969", None, "1969///"),       # a season is no calendar month
    ({"date-parts": [[1969, 22]]}, "1969", None, "1969///"),   # CSL's season months 21-24 alike
    ({"date-parts": [["1969", "3"]]}, "1969", "mar", "1969/03//"),
])
def test_exports_date_a_work_as_the_citation_does(issued, year, month, ris):
    # A CSL-JSON date given as written ("raw") is read by the engine; the exports of the same item
    # must carry the same date, not drop it (a BibTeX key of "nd" for a dated work).
    book = {"id": "b", "type": "book", "title": "Attachment", "issued": issued,
            "author": [{"family": "Bowlby", "given": "John"}]}
    entry = to_bibtex(book)
    assert entry.startswith(f"@book{{bowlby{year}attachment,")
    assert f"  year = {{{year}}}" in entry
    months = [line.strip(" ,") for line in entry.splitlines() if line.strip().startswith("month")]
    assert months == ([f"month = {month}"] if month else [])
    assert f"DA  - {ris}\r\n" in to_ris(book)
