"""refsvc.citation's public interface: exact seed citations, item types, errors, escaping, threads."""
from __future__ import annotations

import threading

import pytest

from refsvc.citation import (InvalidItem, UnknownLocale, UnknownStyle, available_locales, bibliography,
                             citation, cite_item, get_style, style_info)

SEED = {"id": "seed", "type": "webpage", "title": "Dynamic Interpersonal Therapy in London",
        "author": [{"literal": "Harley Therapy Ltd."}], "container-title": "Harley Therapy",
        "issued": {"date-parts": [[2022, 1, 20]]}, "accessed": {"date-parts": [[2022, 8, 11]]},
        "URL": "https://www.harleytherapy.co.uk/dynamic-interpersonal-therapy-london.htm"}
ARTICLE = {"id": "a1", "type": "article-journal", "title": "Therapy outcomes in adults",
           "author": [{"family": "Chen", "given": "Christine K."}, {"family": "Okafor", "given": "Ada"},
                      {"family": "Smith", "given": "John"}],
           "container-title": "Journal of Psychotherapy", "volume": "12", "issue": "3", "page": "101-120",
           "issued": {"date-parts": [[2020, 5]]}, "DOI": "10.1000/xyz123"}
MAIN = ("apa", "modern-language-association", "chicago-notes-bibliography", "chicago-author-date")


def test_seed_page_in_mla_en_gb_reads_exactly() -> None:
    got = cite_item(SEED, "modern-language-association", "en-GB")["bibliography"]["text"]
    assert got == ("Harley Therapy Ltd. \u2018Dynamic Interpersonal Therapy in London\u2019. Harley Therapy, "
                   "20 Jan. 2022, https://www.harleytherapy.co.uk/dynamic-interpersonal-therapy-london.htm.")


def test_seed_page_in_chicago_notes_en_us_reads_exactly() -> None:
    got = cite_item(SEED, "chicago-notes-bibliography", "en-US")["bibliography"]["text"]
    assert got == ("Harley Therapy Ltd. \u201cDynamic Interpersonal Therapy in London.\u201d Harley Therapy, "
                   "January 20, 2022. https://www.harleytherapy.co.uk/dynamic-interpersonal-therapy-london.htm.")


def test_apa_article_gives_parenthetical_and_narrative_cites() -> None:
    got = cite_item(ARTICLE, "apa")
    assert got["in_text"] == {"text": "(Chen et al., 2020)", "html": "(Chen et al., 2020)"}
    assert got["narrative"]["text"] == "Chen et al. (2020)"
    assert got["bibliography"]["html"].startswith("Chen, C. K., Okafor, A., &#38; Smith, J. (2020).")


def test_note_styles_give_full_and_short_notes() -> None:
    got = cite_item(ARTICLE, "chicago-notes-bibliography")
    assert got["note"]["text"] == ("Christine K. Chen et al., \u201cTherapy Outcomes in Adults,\u201d Journal of "
                                   "Psychotherapy 12, no. 3 (2020): 101\u201320, https://doi.org/10.1000/xyz123.")
    assert got["short_note"]["text"] == "Chen et al., \u201cTherapy Outcomes in Adults.\u201d"


def test_html_escapes_metadata_but_keeps_rich_text() -> None:
    item = dict(ARTICLE, title="<script>alert(1)</script> and <i>E. coli</i>")
    html = cite_item(item, "apa", formats=("html",))["bibliography"]["html"]
    assert "<script>" not in html and "&#60;script&#62;alert(1)&#60;/script&#62;" in html
    assert "<i>E. coli</i>" in html


@pytest.mark.parametrize("style", MAIN)
@pytest.mark.parametrize("kind", ["webpage", "article-journal", "book", "chapter", "report", "article-newspaper",
                                  "motion_picture", "dataset", "software", "thesis"])
def test_every_common_item_type_renders_in_every_main_style(style: str, kind: str) -> None:
    item = dict(ARTICLE, type=kind, publisher="Acme Press", URL="https://example.org/x")
    for loc in ("en-US", "en-GB"):
        got = cite_item(item, style, loc)
        assert got["bibliography"]["text"] and got["in_text"]["text"]
        assert got["narrative"]["text"] if style != "chicago-notes-bibliography" else "narrative" not in got


def test_a_note_style_serves_no_narrative_cite() -> None:
    # citeproc-js's author-only cluster of a note keeps stray parts of it ("John Bowlby Attachment, ed."):
    # no narrative is served for note styles rather than a malformed one
    got = cite_item(dict(ARTICLE, type="book", editor=[{"family": "Holmes", "given": "J."}]),
                    "chicago-notes-bibliography")
    assert "narrative" not in got and got["note"]["text"] and got["short_note"]["text"]


@pytest.mark.parametrize("style", ["australian-guide-to-legal-citation", "oscola"])
def test_a_short_note_without_an_earlier_note_prints_no_note_number(style: str) -> None:
    book = {"id": "b", "type": "book", "title": "Attachment", "author": [{"family": "Bowlby", "given": "John"}],
            "publisher": "Basic Books", "issued": {"date-parts": [[1969]]}}
    assert cite_item(book, style)["short_note"]["text"] == "Bowlby."  # citeproc-js 1.4.61, position 1
    later = citation([book], [{"id": "b"}], style)  # a single note: first position, the full note
    assert "Attachment" in later


def test_bibliography_sorts_and_adds_year_suffixes() -> None:
    a = dict(ARTICLE, id="x", author=[{"family": "Zed", "given": "Ann"}], title="Beta")
    b = dict(ARTICLE, id="y", author=[{"family": "Zed", "given": "Ann"}], title="Alpha")
    c = dict(ARTICLE, id="z", author=[{"family": "Abel", "given": "Bo"}])
    entries = bibliography([a, b, c], "apa")
    assert entries[0].startswith("Abel, B. (2020)")
    assert entries[1].startswith("Zed, A. (2020a). Alpha") and entries[2].startswith("Zed, A. (2020b). Beta")
    assert citation([a, b, c], [{"id": "x"}, {"id": "y"}], "apa") == "(Zed, 2020b, 2020a)"


def test_unknown_style_locale_and_bad_items_raise_clear_errors() -> None:
    with pytest.raises(UnknownStyle):
        get_style("no-such-style")
    with pytest.raises(UnknownLocale):
        cite_item(SEED, "apa", "xx-XX")
    with pytest.raises(InvalidItem, match="month 13"):
        cite_item(dict(SEED, issued={"date-parts": [[2022, 13, 45]]}), "apa")
    with pytest.raises(InvalidItem):
        cite_item(dict(SEED, author="Harley"), "apa")
    with pytest.raises(InvalidItem):
        cite_item(["not", "a", "dict"], "apa")  # type: ignore[arg-type]


def test_seasons_are_valid_dates() -> None:
    got = cite_item(dict(ARTICLE, issued={"date-parts": [[2021, 22]]}), "modern-language-association")
    assert "Summer" in got["bibliography"]["text"]


def test_style_info_and_locales() -> None:
    assert style_info("chicago-notes-bibliography")["class"] == "note"
    assert style_info("apa")["class"] == "in-text"
    assert {"en-US", "en-GB", "de-DE"} <= set(available_locales())
    assert get_style("apa") is get_style("apa")


def test_many_threads_sharing_one_style_each_get_their_own_format() -> None:
    expected = {f: cite_item(SEED, "chicago-notes-bibliography", formats=(f,))["bibliography"][f]
                for f in ("text", "html")}
    item_html = dict(SEED, title="A & B")
    exp_amp = {f: cite_item(item_html, "chicago-notes-bibliography", formats=(f,))["bibliography"][f]
               for f in ("text", "html")}
    assert "&#38;" in exp_amp["html"] and "A & B" in exp_amp["text"]
    bad: list = []
    barrier = threading.Barrier(8)

    def worker(n: int) -> None:
        barrier.wait()
        for i in range(60):
            fmt = "html" if (i + n) % 2 else "text"
            item, want = (item_html, exp_amp) if i % 3 == 0 else (SEED, expected)
            got = cite_item(item, "chicago-notes-bibliography", formats=(fmt,))["bibliography"][fmt]
            if got != want[fmt]:
                bad.append((n, i, fmt, got))
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert bad == []


def test_citation_adds_names_to_separate_similar_author_lists() -> None:
    a = dict(ARTICLE, id="a", author=[{"family": "Smith", "given": "John"}, {"family": "Brown", "given": "Ann"},
                                      {"family": "Clark", "given": "Tom"}], title="Alpha")
    b = dict(ARTICLE, id="b", author=[{"family": "Smith", "given": "John"}, {"family": "Brown", "given": "Ann"},
                                      {"family": "Davis", "given": "Tom"}], title="Beta")
    got = citation([a, b], [{"id": "a"}, {"id": "b", "locator": "12-14", "label": "page"}], "apa")
    assert got == "(Smith, Brown, & Clark, 2020; Smith, Brown, & Davis, 2020, pp. 12\u201314)"


def test_same_author_cites_collapse_and_first_names_expand_only_when_needed() -> None:
    john = dict(ARTICLE, id="j", author=[{"family": "Smith", "given": "John"}], title="A")
    rachel = dict(ARTICLE, id="r", author=[{"family": "Smith", "given": "Rachel"}], title="B")
    assert citation([john, rachel], [{"id": "j"}, {"id": "r"}], "apa") == "(J. Smith, 2020; R. Smith, 2020)"
    assert citation([john], [{"id": "j"}], "apa") == "(Smith, 2020)"


def test_subsequent_author_substitute_replaces_repeated_names_in_mla() -> None:
    a = dict(ARTICLE, id="a", author=[{"family": "Lemma", "given": "Alessandra"}], title="Alpha")
    b = dict(ARTICLE, id="b", author=[{"family": "Lemma", "given": "Alessandra"}], title="Beta")
    entries = bibliography([b, a], "modern-language-association")
    assert entries[0].startswith("Lemma, Alessandra. \u201cAlpha.\u201d")
    assert entries[1].startswith("\u2014\u2014\u2014. \u201cBeta.\u201d")


def test_a_cite_of_an_unknown_item_is_an_invalid_item() -> None:
    with pytest.raises(InvalidItem, match="unknown item"):
        citation([SEED], [{"id": "nope"}], "apa")


def test_numeric_ids_match_cites_given_as_strings() -> None:
    item = dict(SEED, id=7)
    assert citation([item], [{"id": "7"}], "apa") == "(Harley Therapy Ltd., 2022)"


def test_variables_written_in_the_note_field_fill_missing_ones() -> None:
    # citeproc-js's field hack: leading "variable: value" lines of the note (names as "Family || Given")
    book = {"id": "b1", "type": "book", "title": "Therapy at home", "issued": {"date-parts": [[2019]]},
            "note": "publisher: Acme Press\nauthor: Chen || Christine K.\nRead in 2020."}
    got = cite_item(book, "apa")["bibliography"]["text"]
    assert got == "Chen, C. K. (2019). Therapy at home. Acme Press."


def test_a_cite_may_state_its_own_position() -> None:
    book = {"id": "b1", "type": "book", "title": "Therapy at home", "publisher": "Acme Press",
            "author": [{"family": "Chen", "given": "Christine K."}], "issued": {"date-parts": [[2019]]}}
    style = "chicago-notes-bibliography"
    assert citation([book], [{"id": "b1"}], style) == "Christine K. Chen, Therapy at Home (Acme Press, 2019)."
    assert citation([book], [{"id": "b1", "position": "subsequent"}], style) == "Chen, Therapy at Home."


def test_given_names_alone_separate_coauthored_works_in_chicago_notes() -> None:
    # citeproc-js 1.4.61 output: first authors differing in given names need no further names
    first = {"id": "c1", "type": "article-journal", "title": "Brief therapy for veterans",
             "container-title": "Psychotherapy", "issued": {"date-parts": [[2020]]},
             "author": [{"family": "Chen", "given": "Christine K."}, {"family": "Nehrig", "given": "Nicholas"},
                        {"family": "Okafor", "given": "Ada"}, {"family": "Smith", "given": "John"}]}
    second = dict(first, id="c2", author=[{"family": "Chen", "given": "Zed"}] + first["author"][1:])
    items, style = [first, second], "chicago-notes-bibliography"
    assert citation(items, [{"id": "c1"}], style) == \
        "Christine K. Chen et al., \u201cBrief Therapy for Veterans,\u201d Psychotherapy, 2020."
    assert citation(items, [{"id": "c2", "position": "subsequent"}], style) == \
        "Z. Chen et al., \u201cBrief Therapy for Veterans.\u201d"


def test_mla_disambiguates_same_surname_authors_as_citeproc_js() -> None:
    # two works by John Smith need titles; Jane needs her full name; Rachel only her initial
    books = [{"id": f"s{k}", "type": "book", "title": t, "author": [{"family": "Smith", "given": g}],
              "issued": {"date-parts": [[2021]]}}
             for k, (g, t) in enumerate([("John", "Attachment"), ("John", "Brief therapies"),
                                         ("Jane", "Group therapy"), ("Rachel", "Peer support")])]
    got = [citation(books, [{"id": b["id"]}], "modern-language-association") for b in books]
    assert got == ["(John Smith, Attachment)", "(John Smith, Brief Therapies)", "(Jane Smith)", "(R. Smith)"]


def test_mla_names_added_to_tell_cites_apart_follow_the_cites_own_name_list() -> None:
    # expected strings are citeproc-js 1.4.61's output (tools/citeproc-js/render.js) for these items:
    # a translator beside the authors takes no part in telling the cites apart, and the names added
    # to a cite reach the entry's author list only, never its reviewed-author list
    dante = {"family": "Alighieri", "given": "Dante", "dropping-particle": "degli"}
    ng, smith = {"family": "Ng", "given": "Wai-Ling"}, {"family": "Smith", "given": "Jane"}
    okafor = {"family": "Okafor", "given": "Chidi"}
    translated = [
        {"id": "tr", "type": "book", "title": "Why do I feel numb?", "publisher": "Penguin",
         "author": [dante, {"family": "O'Brien", "given": "Aoife"}, okafor],
         "translator": [{"family": "Jones", "given": "Ann"}], "issued": {"date-parts": [[2020]]}},
        {"id": "co", "type": "article-journal", "title": "Burnout among psychiatrists",
         "author": [dante, {"literal": "Samaritans"}, {"family": "Nguyen", "given": "Thi Mai"}],
         "container-title": "BJPsych Bulletin", "issued": {"date-parts": [[2021]]}}]
    reviews = [
        {"id": "rv", "type": "review-book", "title": "Loneliness in later life",
         "author": [ng, {"literal": "The King's Fund"}, smith], "container-title": "British Journal of Psychiatry",
         "issued": {"date-parts": [[2009]]}, "reviewed-title": "Mentalizing in clinical practice",
         "reviewed-author": [{"family": "Allen", "given": "Jon G."}, {"family": "Fonagy", "given": "Peter"},
                             {"family": "Bateman", "given": "Anthony"}]},
        {"id": "bl", "type": "post-weblog", "title": "Why can't I stop worrying?", "author": [ng, okafor, smith],
         "container-title": "Counselling Blog", "issued": {"date-parts": [[2017]]}}]
    mla = "modern-language-association"
    assert citation(translated, [{"id": "co"}], mla) == "(Alighieri, Samaritans, et al.)"
    assert bibliography(translated, mla) == [
        "Alighieri, Dante degli, Samaritans, et al. \u201cBurnout among Psychiatrists.\u201d BJPsych Bulletin, 2021.",
        "Alighieri, Dante degli, Aoife O\u2019Brien, et al. Why Do I Feel Numb? Translated by Ann Jones, "
        "Penguin, 2020."]
    assert bibliography(reviews, mla)[0] == (
        "Ng, Wai-Ling, The King\u2019s Fund, et al. \u201cLoneliness in Later Life.\u201d Review of Mentalizing in "
        "Clinical Practiceby Jon G. Allen et al. British Journal of Psychiatry, 2009.")
