"""Parentheses inside parentheses become square brackets in a note style's citations.

citeproc-js (CSL.checkNestedBrace in src/load.js, called by src/queue.js openLevel and closeLevel
and by src/api_cite.js getCitationCluster) counts the parentheses of the affixes it meets
while building a note-style citation: a "(" opened inside an open "(" becomes "[", and a ")" that
closes at an even depth becomes "]". Only affixes are counted, and only those of the elements that open
an output level (groups, macro calls, dates, numbers), of the cites (prefix, suffix) and of the layout;
text of the item itself and affixes of plain text variables are left alone. Styles of other classes,
bibliographies and the renders made to test ambiguity are never touched.
"""
from __future__ import annotations

from dataclasses import replace


def nest(text: str, depth: int) -> tuple[str, int]:
    """Flip the parentheses of one affix for the current depth; return it and the new depth."""
    if "(" not in text and ")" not in text:
        return text, depth
    out = []
    for ch in text:
        if ch == "(":
            # JavaScript's depth % 2 is 1 only for a positive odd depth
            out.append("[" if depth > 0 and depth % 2 == 1 else "(")
            depth += 1
        elif ch == ")":
            out.append("]" if depth % 2 == 0 else ")")
            depth -= 1
        else:
            out.append(ch)
    return "".join(out), depth


def open_level(fmt, ctx) -> str:
    """The element's prefix as printed at the current depth (counts its parentheses)."""
    prefix, ctx.braces = nest(fmt.prefix, ctx.braces)
    return prefix


def close_level(fmt, ctx, prefix: str):
    """The element's formatting with its flipped prefix and suffix (counts the suffix's parentheses)."""
    suffix, ctx.braces = nest(fmt.suffix, ctx.braces)
    if prefix == fmt.prefix and suffix == fmt.suffix:
        return fmt
    return replace(fmt, prefix=prefix, suffix=suffix)
