"""cs:label: the term for a number variable or the cite's locator, singular or plural."""
from __future__ import annotations

import re

from . import richtext as rt
from .nodes import Label
from .numbers import is_numeric, is_plural_value
from .output import format_seq

_EMBEDDED_LABEL = re.compile(r"(?:art|bk|ch|subch|col|fig|fol|l|n|no|op|p|pp|para|subpara|pt|r|sec|subsec|sv|sch|tit|"
                              r"vrs|vol)\.\s")
_LOCATOR_TERMS = {"sub-verbo": "sub verbo", "sub verbo": "sub-verbo"}  # CSL 1.0 and 1.0.1 spellings


def e_label(node: Label, ctx) -> tuple | None:
    """Render a cs:label (None when its variable is empty or the term is missing)."""
    var = node.variable
    if var == "locator":
        val = ctx.cite.get("locator")
        term = ctx.cite.get("label") or "page"
        if val and _EMBEDDED_LABEL.match(str(val)):
            return None  # "vol. 1, fol. 186": the locator brings its own labels (citeproc-js)
    elif var == "first-reference-note-number":  # the cite's, not the item's: "(n 1)" in OSCOLA
        val = ctx.first_note or None
        term = var
    else:
        val = ctx.ref.get(var) if var not in ctx.suppressed else None
        term = var
    if val is None or val == "":
        return None
    if node.plural == "always":
        plural = True
    elif node.plural == "never":
        plural = False
    elif var == "number-of-pages" or var == "number-of-volumes":
        plural = is_numeric(val) and str(val).strip().isdigit() and int(str(val).strip()) > 1 or is_plural_value(val)
    else:
        plural = is_plural_value(val)
    t = ctx.locale.term(term, node.form, plural)
    if t is None and term in _LOCATOR_TERMS:
        t = ctx.locale.term(_LOCATOR_TERMS[term], node.form, plural)
    if not t:
        return None
    return ("L", format_seq(strip_periods(rt.parse(t), node.fmt), node.fmt, ctx.lang))


def strip_periods(seq, fmt):
    """The sequence without periods when the element has strip-periods="true"."""
    if fmt.strip_periods:
        return rt.map_text(seq, lambda s: s.replace(".", ""))
    return seq
