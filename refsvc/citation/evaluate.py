"""Evaluate compiled style nodes for one item into an Out tree (see output.py)."""
from __future__ import annotations

import re as _re

from . import richtext as rt
from .dates import render_date
from .labels import e_label, strip_periods as _strip
from .numbers import format_number, is_numeric, is_plural_value, localize_and, page_range, split_embedded_label
from .output import cjk_only, format_seq, render
from .style import Choose, Date, Group, Label, Names, Number, Text
from .braces import close_level, open_level
from .conditions import test
from .trigraph import trigraph
from .variables import NUMBER_VARS, Ref



class Ctx:
    """Mutable per-render state (never shared between renders or threads)."""
    __slots__ = ("style", "locale", "ref", "area", "position", "cite", "hints", "add_names", "year_suffix",
                 "disamb", "disamb_count", "called", "nonempty", "suppressed", "sort_mode", "sort_key", "ys_done",
                 "citation_number", "near_note", "first_note", "in_substitute", "names_subst", "lang", "foreign",
                 "looking", "min_names", "braces", "names_shown")

    def __init__(self, style, locale, ref: Ref, area: str, position: int | None = None, cite: dict | None = None):
        self.style = style
        self.locale = locale
        self.ref = ref
        self.area = area
        self.position = position  # None (bibliography), 0 first, 1 subsequent, 2 ibid, 3 ibid-with-locator
        self.cite = cite or {}
        self.hints: dict = {}
        self.add_names = 0
        self.min_names = 0
        self.year_suffix = ""
        self.disamb = 0  # how many disambiguate="true" tests may pass (0: none)
        self.disamb_count = 0
        self.called = 0
        self.nonempty = 0
        self.suppressed: set = set()
        self.sort_mode = False
        self.sort_key = None
        self.ys_done = False
        self.citation_number = None
        self.near_note = False
        self.first_note = None
        self.in_substitute = None
        self.looking = False  # rendering for the ambiguity test only (citeproc-js just_looking)
        self.names_shown = 0  # name lists printed so far (disambiguation's add-names needs one in the base cite)
        self.names_subst = None  # the cs:names whose cs:substitute is being evaluated
        self.braces = None  # parenthesis depth of a note style's citation (braces.py); None: not counted
        il = str(ref.get("language") or "")
        self.lang = "en" if il.lower().startswith("en") else locale.lang
        # fields of a non-English item are never title-cased; "fr" spacing before ?!;: (citeproc-js)
        self.foreign = il.lower()[:2] if il and not il.lower().startswith("en") else ""

    def month_gender(self, m: int) -> str:
        t = self.locale.find(f"month-{m:02d}") if 1 <= m <= 12 else None
        return t.gender if t else ""

    def var(self, name: str):
        """A variable's value (None when empty or suppressed); counts the access for group suppression."""
        if name != "year-suffix":  # citeproc-js: an empty year-suffix never suppresses a group
            self.called += 1
        if name in self.suppressed or (self.looking and name == "accessed"):
            return None  # citeproc-js leaves the accessed date out of the ambiguity test
        if name == "locator":
            v = self.cite.get("locator")
        elif name == "citation-number":
            v = self.citation_number
        elif name == "first-reference-note-number":
            v = self.first_note or None  # a first cite in the running text (note 0) has none (citeproc-js)
        elif name == "year-suffix":
            v = self.year_suffix or None
        elif name == "citation-label":
            v = self.ref.get(name) or trigraph(self.ref)
            if v and self.year_suffix and not self.style.uses_year_suffix and not self.ys_done:
                v += self.year_suffix  # the year-suffix rides on the label, not the date (citeproc-js)
                self.ys_done = True
        else:
            v = self.ref.get(name)
        if v is not None and v != "" and v != []:
            self.nonempty += 1
            if self.in_substitute is not None:  # substituted variables are used up at once
                self.in_substitute.add(name)
                self.suppressed.add(name)
            return v
        return None


def eval_nodes(nodes, ctx: Ctx, first_only: bool = False) -> list:
    """Evaluate a list of nodes; ``first_only`` stops at the first output (cs:substitute)."""
    out = []
    for n in nodes:
        if type(n) is Choose:
            out.extend(e_choose(n, ctx, first_only))
        else:
            o = EVAL[type(n)](n, ctx)
            if o is not None:
                out.append(o)
        if first_only and out:
            break
    return out


def e_text(node: Text, ctx: Ctx):
    kind = node.kind
    lang = ctx.lang
    if kind == "value":
        return ("L", format_seq(_strip(rt.parse(node.value), node.fmt), node.fmt, lang))
    if kind == "term":
        t = ctx.locale.term(node.value, node.form, node.plural)
        if not t:
            return None
        # the text-case rides along: a note's opening term is capitalized unless it is lowercase (citations.py)
        return ("T", "term", ("L", format_seq(_strip(rt.parse(t), node.fmt), node.fmt, lang)),
                node.fmt.text_case or None)
    if kind == "macro":
        body = ctx.style.macros.get(node.value)
        if not body:
            return None
        f = node.fmt
        pre = open_level(f, ctx) if ctx.braces is not None and (f.prefix or f.suffix) else None
        c0, n0 = ctx.called, ctx.nonempty
        kids = eval_nodes(body, ctx)
        fmt = node.fmt if pre is None else close_level(node.fmt, ctx, pre)
        # citeproc-js runs a macro as a group: suppressed when all its variables are empty, and
        # counted as content by the enclosing group when it prints terms only
        if ctx.called > c0 and ctx.nonempty == n0:
            return None
        if kids and ctx.called == c0:
            ctx.called += 1
            ctx.nonempty += 1
        return ("F", fmt, kids)
    name = node.value
    if node.form == "short" and name not in ("locator",):
        v = ctx.ref.get(name + "-short")
        if v:
            ctx.called += 1
            ctx.nonempty += 1
        else:
            v = ctx.var(name)
    else:
        v = ctx.var(name)
    if v is None:
        return None
    if name == "year-suffix":
        return ("T", "year-suffix", ("L", format_seq((v,), node.fmt, lang)), None)
    if name in NUMBER_VARS and "&" in str(v):
        v = localize_and(str(v), ctx.locale)
    if name in ("page", "locator") and (name == "page" or ctx.cite.get("label", "page") == "page"):
        v = page_range(str(v).strip(), ctx.style.page_range_format, _range_delim(ctx), name == "locator")
    elif name in NUMBER_VARS and is_numeric(v):
        v = page_range(str(v), "", _range_delim(ctx))
    if name == "citation-number":
        return ("T", "citation-number", ("L", format_seq((str(v),), node.fmt, lang)), v)
    if name in ("URL", "DOI"):
        seq = (("nocase", (str(v),)),)
    else:
        seq = rt.parse(str(v)) if not isinstance(v, (int, float)) else (str(v),)
    seq = _strip(seq, node.fmt)
    fmt = node.fmt
    if ctx.foreign:
        seq = _foreign(seq, ctx.foreign)
    if fmt.text_case == "title" and fmt.font_style == "italic" and cjk_only(seq):
        # citeproc-js drops italics from title-cased CJK fields
        fmt = Fmt(**{k: getattr(fmt, k) for k in Fmt.__slots__ if k != "font_style"})
    if ctx.foreign in ("tr", "az") and fmt.text_case in ("uppercase", "lowercase"):
        lang = ctx.foreign
    out = ("L", format_seq(seq, fmt, lang))
    if name == "locator":
        return ("T", "locator", out, None)
    return out


def _foreign(seq, lang2: str):
    if lang2 == "fr":
        seq = rt.map_text(seq, lambda s: _FR_SPACE.sub("\u202f\\1", s))
    return (("nt", seq),)


_FR_SPACE = _re.compile(r" ([?!;])")


def _range_delim(ctx) -> str:
    return ctx.locale.term("page-range-delimiter") or "\u2013"


def e_number(node: Number, ctx: Ctx):
    v = ctx.var(node.variable)
    if v is None:
        return None
    lang = ctx.lang
    if ctx.sort_mode:
        from .sort import number_key
        return ("L", (number_key(v),))
    tail = ""
    emb = split_embedded_label(str(v))
    if emb is not None:  # "7, p. 3-8": the number, then a page range under its own label
        v, term, rest = emb
        label = ctx.locale.term(term, "short", is_plural_value(rest)) or ""
        tail = ", " + " ".join(x for x in (label, page_range(rest, "", _range_delim(ctx))) if x)
    if not is_numeric(v):
        return ("L", format_seq((str(v) + tail,), node.fmt, lang))  # citeproc-js: markup is not parsed here
    gender = ""
    if node.form in ("ordinal", "long-ordinal"):
        t = ctx.locale.find(node.variable)
        gender = t.gender if t else ""
    txt = format_number(v, node.form, ctx.locale, gender)
    if node.variable == "page" and ctx.style.page_range_format:
        txt = page_range(txt, ctx.style.page_range_format, _range_delim(ctx))
    return ("L", format_seq((txt + tail,), node.fmt, lang))


def e_date(node: Date, ctx: Ctx):
    v = ctx.var(node.variable)
    if v is None:
        return None
    if ctx.sort_mode:
        from .sort import date_key
        if node.form:
            n = {"year": 1, "year-month": 2}.get(node.date_parts, 3)
        else:
            names = {p.name for p in node.parts}
            n = 3 if "day" in names else 2 if "month" in names else 1
        k = date_key(v, n)
        return ("L", (k,)) if k else None
    ys = ""
    if not v.literal and not v.parts:
        ctx.nonempty -= 1
        return None
    if ctx.year_suffix and not ctx.style.uses_year_suffix and not ctx.ys_done and node.variable == "issued":
        ys = ctx.year_suffix
        ctx.ys_done = True
    out = render_date(node, v, ctx, ys)
    if out is None:  # a date without the parts asked for prints nothing and counts as empty
        ctx.nonempty -= 1
    return out


def e_group(node: Group, ctx: Ctx):
    f = node.fmt
    pre = open_level(f, ctx) if ctx.braces is not None and (f.prefix or f.suffix) else None
    c0, n0 = ctx.called, ctx.nonempty
    kids = eval_nodes(node.children, ctx)
    fmt = node.fmt if pre is None else close_level(node.fmt, ctx, pre)
    if ctx.called > c0 and ctx.nonempty == n0:
        return None
    if not kids:
        return None
    if ctx.called == c0:  # a group printing only terms counts as content for its parent (citeproc-js)
        ctx.called += 1
        ctx.nonempty += 1
    return ("F", fmt, kids)


def e_choose(node: Choose, ctx: Ctx, first_only: bool = False):
    for cond, children in node.branches:
        if cond is None or test(cond, ctx):
            return eval_nodes(children, ctx, first_only)
    return []


def e_names(node: Names, ctx: Ctx, inherit: Names | None = None):
    return names_node.eval_names(node, ctx, inherit)


from .style import Fmt  # noqa: E402

_NOFMT = Fmt()
EVAL = {Text: e_text, Number: e_number, Label: e_label, Date: e_date, Group: e_group, Choose: e_choose,
        Names: e_names}


def eval_layout(area, ctx: Ctx):
    """Evaluate an area's layout children (affixes of the layout are added by the caller)."""
    return ("F", _NOFMT, eval_nodes(area.layout.children, ctx))


def render_text(out, ctx: Ctx) -> tuple:
    """Render an Out tree to rich text with the context's locale."""
    return render(out, ctx.lang)


# names_node uses eval_nodes (for cs:substitute): imported last, so either module may load first. An
# import inside e_names cost a microsecond or two on each of a note's dozens of cs:names per item.
from . import names_node  # noqa: E402
