"""Evaluate cs:names: variables, labels, editor-translator merging, cs:substitute, count form."""
from __future__ import annotations

from . import richtext as rt
from .evaluate import eval_nodes  # evaluate reaches this module only when a cs:names runs
from .names import render_list
from .output import format_seq, render
from .style import Fmt, Names

_PLAIN = Fmt()


def eval_names(node: Names, ctx, inherit: Names | None = None):
    """Evaluate a cs:names node to a tagged Out node (tag 'names'), or None."""
    area = "bibliography" if ctx.area == "bibliography" else "citation"
    if inherit is None and ctx.names_subst is not None and not node.has_name:
        inherit = ctx.names_subst
    src = inherit if inherit is not None and not node.has_name else node
    opts = src.opts[area]
    label = node.label if node.label is not None or inherit is None else inherit.label
    label_after = node.label_after if node.label is not None or inherit is None else inherit.label_after
    lists = []
    for var in node.variables:
        v = ctx.var(var)
        if v:
            lists.append((var, v))
    if not lists:
        if node.substitute is None or ctx.names_subst is not None and inherit is not None:
            return None
        for child in node.substitute:
            outer = ctx.in_substitute
            outer_parent = ctx.names_subst
            ctx.in_substitute = set()
            ctx.names_subst = node
            if isinstance(child, Names):
                o = eval_names(child, ctx, node)
                outs = [o] if o is not None else []
            else:  # the first element that prints wins, even inside cs:choose (citeproc-js)
                outs = eval_nodes([child], ctx, first_only=True)
            used = ctx.in_substitute
            ctx.in_substitute = outer
            ctx.names_subst = outer_parent
            seqs = [ctx_render(o, ctx) for o in outs]
            if not any(seqs) and getattr(child, "kind", "") == "term":
                return None  # an empty term still uses up the substitution (citeproc-js)
            if any(seqs):
                ctx.suppressed.update(used)
                if outer is not None:
                    outer.update(used)
                inner = outs[0] if len(outs) == 1 else ("F", _PLAIN, outs)
                info = {"vars": tuple(used), "subst": True}
                if inner[0] == "T" and inner[1] == "names":
                    if inner[3] and inner[3].get("text"):
                        info = dict(info, text=inner[3]["text"], all=inner[3].get("all"), subst=False)
                    inner = inner[2]
                return ("T", "names", ("F", _nodelim(node.fmt), [inner]), info)
        return None
    if ctx.in_substitute is not None:
        ctx.in_substitute.update(var for var, _ in lists)
    lang = ctx.lang
    if opts.get("form") == "count":
        total = 0
        for var, names in lists:
            _, shown = render_list(names, opts, src, ctx, None, ctx.add_names)
            total += shown
        if not total:
            return None
        if ctx.sort_mode:
            return ("L", (f"{total:06d}",))
        return ("L", format_seq((str(total),), node.fmt, lang))
    if ctx.sort_mode:
        keys = []
        for var, names in lists:
            # names added to tell cites apart count in a document's cite sort keys (citeproc-js)
            seq, _ = render_list(names, opts, src, ctx, None, ctx.add_names)
            keys.append(rt.plain(seq))
        return ("L", (" ".join(keys),))
    # editor and translator with the same names print once, labelled editortranslator
    if len(lists) >= 2:
        vs = dict(lists)
        if "editor" in vs and "translator" in vs and vs["editor"] == vs["translator"] and \
                (label is None or ctx.locale.term("editortranslator", label.form)):
            lists = [(v, n) for v, n in lists if v != "translator"]
            lists = [("editortranslator" if v == "editor" else v, n) for v, n in lists]
    lang = ctx.lang
    outs = []
    bare = []
    every = ";".join(f"{n.get('family') or n.get('literal') or ''},{n.get('given') or ''}"
                     for _, names in lists for n in names)
    for var, names in lists:
        hints = ctx.hints.get(var) if ctx.hints else None
        seq, shown = render_list(names, opts, src, ctx, hints, ctx.add_names)
        if not seq:
            continue
        # citeproc-js keeps a cite's added names by name-list position: only an entry's first list
        # (the cite's names) shows them, never a later editor or reviewed-author
        ctx.min_names = 0
        # compared by subsequent-author-substitute: the shown names, without et al. or labels
        bare.append(";".join(f"{n.get('family') or n.get('literal') or ''},{(n.get('family') and n.get('given')) or ''}"
                             for n in names[:shown]))  # a literal name has no given part
        part = ("T", "namelist", ("L", seq), None)  # the names alone: subsequent-author-substitute's target
        if label is not None:
            term = ctx.locale.term(var, label.form, len(names) > 1 if label.plural == "contextual"
                                   else label.plural == "always")
            if term:
                lab = ("L", format_seq(rt.parse(term) if not label.fmt.strip_periods else (term.replace(".", ""),),
                                       label.fmt, lang))
                part = ("F", _PLAIN, [part, lab] if label_after else [lab, part])
        outs.append(part)
    if not outs:
        return None
    ctx.names_shown += len(outs)
    delim = opts.get("names-delimiter") or ""
    f = node.fmt
    f = Fmt(f.prefix, f.suffix, f.font_style, f.font_variant, f.font_weight, f.text_decoration, f.vertical_align,
            f.quotes, f.text_case, f.strip_periods, f.display, delim)
    return ("T", "names", ("F", f, outs), {"vars": tuple(v for v, _ in lists), "text": "|".join(bare),
                                                "all": every})


def _nodelim(f: Fmt) -> Fmt:
    return Fmt(f.prefix, f.suffix, f.font_style, f.font_variant, f.font_weight, f.text_decoration,
               f.vertical_align, f.quotes, f.text_case, f.strip_periods, f.display, "")


def ctx_render(o, ctx) -> tuple:
    """Render an Out node to rich text."""
    return render(o, ctx.lang)
