"""Engine: a compiled style bound to a compiled locale (immutable, shared), and the per-call pipeline."""
from __future__ import annotations

from collections import Counter
from dataclasses import replace

from . import richtext as rt
from .disambiguate import Params, disambiguate
from .evaluate import Ctx, eval_nodes
from .output import affix, format_seq, join, punct_in_quote, render, serialize
from .sort import item_key, sort_refs
from .style import Fmt, Style
from .variables import NAME_VARS, Ref

_PLAIN = Fmt()


class Engine:
    """Renders items for one (style, locale); holds no per-call state, so threads may share it."""

    def __init__(self, style: Style, locale) -> None:
        self.style = style
        self.locale = locale
        self.lang = locale.lang
        self.disamb_tests = _all_tests(style)["disambiguate"]  # how many disambiguate conditions
        self.uses_disamb_cond = self.disamb_tests > 0
        cit = style.citation.options if style.citation else {}
        self.cit_first = int(cit.get("et-al-use-first") or style.root_opts.get("et-al-use-first") or 1)

    # -- single cites -------------------------------------------------------------------------
    def ctx(self, ref: Ref, area: str, params: Params | None = None, position=None, cite=None,
            number=None) -> Ctx:
        """A fresh evaluation context."""
        c = Ctx(self.style, self.locale, ref, area, position, cite)
        if params is not None:
            c.add_names = params.add_names
            if area == "bibliography" and params.add_names:
                # citeproc-js: an entry shows at least as many names as its disambiguated cite
                c.add_names = 0
                c.min_names = self.cit_first + params.add_names
            c.hints = params.hints
            c.year_suffix = params.year_suffix
            c.disamb = params.disamb
        c.citation_number = number
        return c

    def eval_area(self, area_name: str, ref: Ref, **kw):
        """Evaluate a layout for one item to an Out tree."""
        area = getattr(self.style, area_name)
        if area is None:
            return None
        ctx = self.ctx(ref, area_name, **kw)
        kids = eval_nodes(area.layout.children, ctx)
        if not kids:
            return None
        return ("F", _PLAIN, kids)

    def finish(self, seq: tuple, fmt: str) -> str:
        """Locale quote rules and serialization of a finished sequence."""
        return self.finish_all(seq, (fmt,))[fmt]

    def finish_all(self, seq: tuple, fmts) -> dict:
        """``finish`` in several formats: the quote rules run once for all of them."""
        if self.locale.punctuation_in_quote:
            seq = punct_in_quote(seq)
        outs = {}
        for fmt in fmts:
            out = serialize(seq, fmt, self.locale.quotes)
            outs[fmt] = out.strip() if fmt == "text" else out
        return outs

    def layout_fmt(self, area_name: str) -> Fmt:
        area = getattr(self.style, area_name)
        return area.layout.fmt if area else _PLAIN

    # -- bibliography ---------------------------------------------------------------------------
    def sorted_refs(self, refs: list[Ref], area_name: str) -> list[Ref]:
        """Refs sorted by an area's sort keys (input order when it has none)."""
        area = getattr(self.style, area_name)
        if area is None or not area.sort or len(refs) < 2:
            return list(refs)
        numbers = {r.id: i + 1 for i, r in enumerate(refs)}
        keys = [item_key(area, lambda rr: self.ctx(rr, area_name, number=numbers.get(rr.id)), r) for r in refs]
        return sort_refs(refs, keys, [k.descending for k in area.sort])

    def ambiguity_text(self, ref: Ref, params: Params, number=None, first_note=None) -> str:
        """The plain text that disambiguation compares: citeproc-js judges ambiguity on the subsequent,
        near-note form of a cite, without its accessed date (getAmbiguousCite); ``first_note``: the
        cite's back-reference, which a re-run in a document sees (rerun.py)."""
        return self._ambiguity_render(ref, params, number, first_note)[0]

    def _ambiguity_render(self, ref: Ref, params: Params, number=None, first_note=None) -> tuple[str, int]:
        """The ambiguity text and how many name lists it printed."""
        ctx = self.ctx(ref, "citation", params=params, position=1, number=number)
        ctx.near_note = True
        ctx.first_note = first_note
        ctx.looking = True
        text = rt.plain(render(("F", _PLAIN, eval_nodes(self.style.citation.layout.children, ctx)), self.lang))
        return text, ctx.names_shown

    @staticmethod
    def name_vars(ref: Ref) -> list:
        """The name variables disambiguation works on, the cite's own first."""
        return [v for v in ("author", "editor", "translator", "composer", "director", "container-author",
                            "interviewer", "recipient", "illustrator", "collection-editor")
                if ref.get(v)] or [v for v in ref.vars if v in NAME_VARS]

    def disambiguation(self, refs: list[Ref], bib_order: list, pools: list | None = None) -> dict:
        """Disambiguation parameters for every ref (ghost cites of all refs, in their subsequent form);
        ``pools`` receives the sets whose cites are identical before any step (rerun.py)."""
        cit = self.style.citation
        opts = cit.options if cit else {}
        numbers = {rid: i + 1 for i, rid in enumerate(bib_order)}
        if not any(opts.get(k) == "true" for k in ("disambiguate-add-names", "disambiguate-add-givenname",
                                                    "disambiguate-add-year-suffix")) and not self.uses_disamb_cond:
            return {r.id: Params() for r in refs}
        if len(refs) < 2:  # one item is never ambiguous
            return {r.id: Params() for r in refs}

        def text(ref: Ref, params: Params) -> str:
            return self.ambiguity_text(ref, params, numbers.get(ref.id))

        def shows_names(ref: Ref) -> bool:
            return self._ambiguity_render(ref, Params(), numbers.get(ref.id))[1] > 0
        return disambiguate(text, refs, bib_order, opts, self.name_vars, self.disamb_tests, shows_names, pools)

    def bibliography_entries(self, refs: list[Ref], params: dict | None = None) -> list[tuple[Ref, tuple]]:
        """Sorted bibliography entries as (ref, rich text sequence)."""
        if self.style.bibliography is None:
            return []
        ordered = self.sorted_refs(refs, "bibliography")
        if params is None:
            params = self.disambiguation(refs, [r.id for r in ordered])
        numbers = {r.id: i + 1 for i, r in enumerate(ordered)}
        bparams = {r.id: Params(year_suffix=params[r.id].year_suffix, disamb=params[r.id].disamb,
                                add_names=params[r.id].add_names, hints=params[r.id].hints)
                   if r.id in params else Params() for r in ordered}
        trees = {r.id: self.eval_area("bibliography", r, params=bparams[r.id], number=numbers[r.id])
                 for r in ordered}
        out = []
        lay = self.style.bibliography.layout.fmt
        opts = self.style.bibliography.options
        sas = opts.get("subsequent-author-substitute")
        prev_names = None
        for r in ordered:
            tree = trees[r.id]
            if sas is not None and tree is not None:
                tree, prev_names = _substitute_author(tree, prev_names, sas, opts.get(
                    "subsequent-author-substitute-rule", "complete-all"), self.lang)
            seq = render(tree, self.lang) if tree is not None else ()
            if opts.get("second-field-align") and tree is not None:
                seq = _second_field(tree, self.lang, lay)
            else:
                seq = _layout_entry(seq, lay, self.lang)
            if seq:  # an item with no printed form is left out (citeproc-js)
                out.append((r, seq))
        return out

def _layout_entry(seq: tuple, lay: Fmt, lang: str) -> tuple:
    """Apply the layout's formatting; citeproc-js puts its suffix inside a closing display div, and the
    leading space of an opening one before it."""
    first = seq[0] if seq else None
    if isinstance(first, tuple) and str(first[0]).startswith("div:") and rt.first_char(first[1]) == " ":
        seq = (" ", (first[0], rt.drop_first(first[1]))) + seq[1:]
    last = seq[-1] if seq else None
    if lay.suffix and isinstance(last, tuple) and str(last[0]).startswith("div:"):
        seq = seq[:-1] + ((last[0], affix(tuple(last[1]), "", lay.suffix)),)
        lay = replace(lay, suffix="")
    return format_seq(seq, lay, lang)


def _all_tests(style: Style) -> Counter:
    found: Counter = Counter()

    def walk(nodes):
        from .style import Choose, Group, Names
        for n in nodes:
            if isinstance(n, Choose):
                for cond, kids in n.branches:
                    if cond:
                        found.update(k for k, _ in cond.tests)
                    walk(kids)
            elif isinstance(n, Group):
                walk(n.children)
            elif isinstance(n, Names) and n.substitute:
                walk(n.substitute)
    for body in style.macros.values():
        walk(body or ())
    for area in (style.citation, style.bibliography):
        if area:
            walk(area.layout.children)
    return found


def _first_names(tree):
    """Path to the first 'names' tag in an Out tree."""
    if tree is None or tree[0] == "L":
        return None
    if tree[0] == "T":
        if tree[1] == "names":
            return tree
        return _first_names(tree[2])
    for c in tree[2]:
        f = _first_names(c)
        if f is not None:
            return f
    return None


def replace_node(tree, target, new):
    """A copy of ``tree`` with node ``target`` (by identity) replaced by ``new`` (None removes it)."""
    if tree is target:
        return new
    if tree is None or tree[0] == "L":
        return tree
    if tree[0] == "T":
        return ("T", tree[1], replace_node(tree[2], target, new), tree[3])
    kids = [replace_node(c, target, new) for c in tree[2]]
    return ("F", tree[1], [k for k in kids if k is not None])


def _substitute_author(tree, prev, sub: str, rule: str, lang: str):
    names = _first_names(tree)
    info = (names[3] or {}) if names is not None else {}
    if names is None or (info.get("subst") and "title" in info.get("vars", ()) and rule == "complete-all"):
        return tree, None  # citeproc-js: complete-all never replaces a title standing in for the author
    text = names[3].get("text") if names[3] and names[3].get("text") else rt.plain(render(names, lang))
    if prev is None or text != prev:
        return tree, text
    if rule in ("complete-all", "complete-each", "partial-each", "partial-first"):
        lists = _tagged(names, "namelist")
        if lists:  # the names are replaced, their labels stay ("--- ed.")
            new = names
            for k, nl in enumerate(lists):
                new = replace_node(new, nl, ("L", (sub,)) if k == 0 and sub else None)
            return replace_node(tree, names, new), text
        if not sub:
            return replace_node(tree, names, None), text
        inner = names[2]
        return replace_node(tree, names, ("T", "names", ("F", inner[1], [("L", (sub,))]), names[3])), text
    return tree, text


def _tagged(tree, tag: str) -> list:
    """Every node tagged ``tag`` in an Out tree, in order."""
    if tree is None or tree[0] == "L":
        return []
    if tree[0] == "T":
        return [tree] if tree[1] == tag else _tagged(tree[2], tag)
    return [n for c in tree[2] for n in _tagged(c, tag)]


def _second_field(tree, lang: str, lay: Fmt) -> tuple:
    kids = tree[2] if tree[0] == "F" else [tree]
    if len(kids) < 2:
        return (("div:left-margin", format_seq(render(tree, lang), lay, lang)),)
    first = format_seq(render(kids[0], lang), Fmt(prefix=lay.prefix), lang)
    rest = join([render(k, lang) for k in kids[1:]], tree[1].delimiter or "")
    rest = format_seq(rest, Fmt(suffix=lay.suffix), lang)
    return (("div:left-margin", first), ("div:right-inline", rest))
