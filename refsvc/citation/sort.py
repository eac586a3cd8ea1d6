"""Sort keys (computed once per item and area) and stable multi-key sorting."""
from __future__ import annotations

import re
import unicodedata
from functools import cmp_to_key

from . import richtext as rt
from .variables import DATE_VARS, NAME_VARS, NUMBER_VARS

_STRIP = re.compile(r"[\[\]\(\)\"'\u2018\u2019\u201c\u201d\u00ab\u00bb\u00bf\u00a1]")


def collate(s: str) -> str:
    """Locale-ish collation key: accents, case and punctuation ignored (as ICU's primary level)."""
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c) and not unicodedata.category(c).startswith("P"))
    return " ".join(s.casefold().split())


def date_key(dv, nparts: int = 3) -> str | None:
    """Sortable string for a parsed date (ranges sort by their start, then end)."""
    if dv is None or not dv.parts:
        return None
    out = []
    for y, m, d in dv.parts[:2]:
        m = m if nparts > 1 else 0
        d = d if nparts > 2 else 0
        out.append(f"{'0' if y < 0 else '1'}{abs(y) if y >= 0 else 99999 - abs(y):05d}{m % 20 if m > 12 else m:02d}{d:02d}")
    return "".join(out)


def number_key(v) -> str | None:
    """Zero-padded numeric key."""
    m = re.search(r"\d+", str(v))
    if not m:
        return collate(str(v))
    return f"{int(m.group()):012d}{collate(str(v)[m.end():])}"


def item_key(area, ctx_factory, ref) -> tuple:
    """The tuple of sort values (None = missing) for one item under an area's sort keys."""
    from .evaluate import eval_nodes
    from .output import render
    out = []
    for key in area.sort:
        val = None
        if key.variable:
            v = key.variable
            if v in NAME_VARS:
                ctx = ctx_factory(ref)
                ctx.sort_mode = True
                ctx.sort_key = key
                node = _names_node(v, area)
                o = eval_nodes([node], ctx)
                val = collate(rt.plain(render(o[0]))) if o else None
            elif v in DATE_VARS:
                val = date_key(ref.get(v))
            elif v == "citation-label":
                from .trigraph import trigraph
                rv = ref.get(v) or trigraph(ref)
                val = collate(rv) if rv else None
            elif v in NUMBER_VARS or v == "citation-number":
                rv = ref.get(v) if v != "citation-number" else ctx_factory(ref).citation_number
                val = number_key(rv) if rv is not None else None
            else:
                rv = ref.get(v)
                val = collate(rt.plain(rt.parse(str(rv)))) if rv is not None else None
        elif key.macro:
            ctx = ctx_factory(ref)
            ctx.sort_mode = True
            ctx.sort_key = key
            body = ctx.style.macros.get(key.macro) or ()
            o = eval_nodes(body, ctx)
            s = rt.plain(render(("F", _nofmt(), o))) if o else ""
            val = collate(s) if s else None
        out.append(val)
    return tuple(out)


def _nofmt():
    from .style import Fmt
    return Fmt()


_NAMES_CACHE: dict = {}


def _names_node(var: str, area):
    """A synthetic cs:names for sorting by a name variable, with the area's name options."""
    from .style import Fmt, Names
    key = (var, id(area))
    hit = _NAMES_CACHE.get(key)
    node = hit[1] if hit is not None and hit[0] is area else None  # ids of dead styles can be reused
    if node is None:
        opts = {k: v for k, v in area.options.items()}
        opts.setdefault("delimiter", ", ")
        opts["name-as-sort-order"] = "all"
        node = Names(Fmt(delimiter=None), (var,), None, Fmt(), {}, None, None, False, None, False,
                     {"citation": opts, "bibliography": opts})
        if len(_NAMES_CACHE) > 4096:
            _NAMES_CACHE.clear()
        _NAMES_CACHE[key] = (area, node)
    return node


def sort_refs(refs: list, keys: list, descending: list) -> list:
    """Stable sort of refs by precomputed key tuples; missing values last in either direction."""
    def cmp(a, b) -> int:
        ka, kb = a[1], b[1]
        for i, desc in enumerate(descending):
            x, y = ka[i], kb[i]
            if x == y:
                continue
            if x is None:
                return 1
            if y is None:
                return -1
            r = -1 if x < y else 1
            return -r if desc else r
        return a[2] - b[2]
    order = sorted(((r, k, i) for i, (r, k) in enumerate(zip(refs, keys))), key=cmp_to_key(cmp))
    return [r for r, _, _ in order]
