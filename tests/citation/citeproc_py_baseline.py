"""citeproc-py 0.11.1 behind refsvc's engine interface: the baseline for the corpus report and the bench.

    python -m tests.citation.corpus_report --engine tests.citation.citeproc_py_baseline
"""
from __future__ import annotations

import functools
from typing import Any, Iterable

from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc import Locator
from citeproc.source.json import CiteProcJSON

FORMATTERS = {"text": formatter.plain, "html": formatter.html}


@functools.lru_cache(maxsize=None)
def get_style(style_id: str, locale: str = "en-US") -> CitationStylesStyle:
    """A parsed style, once per (style, locale)."""
    return CitationStylesStyle(style_id, locale=locale, validate=False)


def _cite_key(cite: dict) -> CitationItem:
    extra: dict[str, Any] = {k: cite[k] for k in ("prefix", "suffix") if k in cite}
    if "locator" in cite:
        extra["locator"] = Locator(cite.get("label", "page"), cite["locator"])
    return CitationItem(str(cite["id"]).lower(), **extra)


def _document(items: list[dict], style_id: str, locale: str, fmt: str) -> CitationStylesBibliography:
    return CitationStylesBibliography(get_style(style_id, locale), CiteProcJSON(items), FORMATTERS[fmt])


def bibliography(items: list[dict], style_id: str, locale: str = "en-US", fmt: str = "text") -> list[str]:
    """Sorted bibliography entries."""
    doc = _document(items, style_id, locale, fmt)
    doc.register(Citation([CitationItem(str(item["id"]).lower()) for item in items]))
    doc.sort()
    return [str(entry) for entry in doc.bibliography()]


def citation(items: list[dict], cites: list[dict], style_id: str, locale: str = "en-US",
             fmt: str = "text") -> str:
    """One citation of several cites, with every item of the document registered."""
    doc = _document(items, style_id, locale, fmt)
    doc.register(Citation([CitationItem(str(item["id"]).lower()) for item in items]))
    cite = Citation([_cite_key(c) for c in cites])
    doc.register(cite)
    return str(doc.cite(cite, lambda _item: None))


def cite_item(item: dict, style_id: str, locale: str = "en-US",
              formats: Iterable[str] = ("text", "html")) -> dict[str, Any]:
    """Every form of one item; citeproc-py has no author-only cites, so narrative is None."""
    is_note = get_style(style_id, locale).root.get("class") == "note"
    forms: dict[str, Any] = {name: {} for name in ("bibliography", "in_text", "narrative")}
    if is_note:
        forms.update(note={}, short_note={})
    for fmt in formats:
        doc = _document([item], style_id, locale, fmt)
        key = str(item["id"]).lower()
        first = Citation([CitationItem(key)])
        doc.register(first)
        entries = doc.bibliography()
        forms["bibliography"][fmt] = str(entries[0]) if entries else ""
        forms["in_text"][fmt] = str(doc.cite(first, lambda _item: None))
        forms["narrative"][fmt] = None
        if is_note:
            forms["note"][fmt] = forms["in_text"][fmt]
            later = Citation([CitationItem(key)])
            doc.register(later)
            forms["short_note"][fmt] = str(doc.cite(later, lambda _item: None))
    return forms
