"""cs:if / cs:else-if conditions: type, variable, is-numeric, position, locator, disambiguate, dates."""
from __future__ import annotations

from .numbers import is_numeric


def test(cond, ctx) -> bool:
    """Evaluate a cs:if / cs:else-if condition."""
    results = []
    ref = ctx.ref
    for kind, values in cond.tests:
        for val in values:
            if kind == "type":
                r = ref.type == val
            elif kind == "variable":
                if val == "locator":
                    r = bool(ctx.cite.get("locator"))
                elif val == "year-suffix":
                    r = bool(ctx.year_suffix)
                else:
                    r = ref.get(val) not in (None, "", [])
            elif kind == "is-numeric":
                v = ctx.cite.get("locator") if val == "locator" else ref.get(val)
                r = v is not None and is_numeric(v)
            elif kind == "position":
                r = _position(val, ctx)
            elif kind == "disambiguate":
                # citeproc-js turns disambiguate="true" tests on one at a time, in render order
                r = ctx.disamb_count < ctx.disamb if val == "true" else not ctx.disamb
                if r and val == "true":
                    ctx.disamb_count += 1
            elif kind == "locator":
                lab = ctx.cite.get("label") or "page"
                r = bool(ctx.cite.get("locator")) and (lab == val or (val == "sub-verbo" and lab == "sub verbo"))
            elif kind == "is-uncertain-date":
                d = ref.get(val)
                r = bool(d and d.circa)
            elif kind == "context":
                r = ctx.area == val
            else:
                r = False
            if cond.match == "any" and r:
                return True
            if cond.match == "all" and not r:
                return False
            if cond.match == "none" and r:
                return False
            results.append(r)
    if cond.match == "any":
        return False
    return True


def _position(val: str, ctx) -> bool:
    pos = ctx.position
    if pos is None:
        return False
    if val == "first":
        return pos == 0
    if val == "subsequent":
        return pos >= 1
    if val == "ibid":
        return pos >= 2
    if val == "ibid-with-locator":
        return pos == 3
    if val == "near-note":
        return pos >= 1 and ctx.near_note
    return False
