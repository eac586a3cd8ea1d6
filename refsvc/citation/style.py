"""Compile CSL style XML once into frozen node objects (no XML is touched after this)."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from .locale import NS, parse_layer
from .nodes import (_PLAIN_FMT, Area, Choose, Cond, Date, DatePart, Fmt, Group, Label, Names, Number, SortKey,
                    Style, Text)

_FMT_ATTRS = ("prefix", "suffix", "font-style", "font-variant", "font-weight", "text-decoration",
              "vertical-align", "quotes", "text-case", "strip-periods", "display", "delimiter")


def fmt_of(el: ET.Element, delimiter_default: str = "") -> Fmt:
    """Read formatting attributes of an element."""
    a = el.attrib
    if not any(k in a for k in _FMT_ATTRS):
        return Fmt(delimiter=delimiter_default) if delimiter_default else _PLAIN_FMT
    return Fmt(a.get("prefix", ""), a.get("suffix", ""), a.get("font-style", ""), a.get("font-variant", ""),
               a.get("font-weight", ""), a.get("text-decoration", ""), a.get("vertical-align", ""),
               a.get("quotes") == "true", a.get("text-case", ""), a.get("strip-periods") == "true",
               a.get("display", ""), a.get("delimiter", delimiter_default))


_NAME_INHERIT = ("and", "delimiter-precedes-et-al", "delimiter-precedes-last", "et-al-min",
                 "et-al-use-first", "et-al-use-last", "et-al-subsequent-min", "et-al-subsequent-use-first",
                 "initialize", "initialize-with", "name-as-sort-order", "sort-separator", "name-form",
                 "name-delimiter", "names-delimiter")


class _Compiler:
    def __init__(self) -> None:
        self.names_nodes: list[Names] = []
        self.uses_year_suffix = False

    def children(self, el: ET.Element) -> tuple:
        out = []
        for c in el:
            if not isinstance(c.tag, str):
                continue
            n = self.node(c)
            if n is not None:
                out.append(n)
        return tuple(out)

    def node(self, el: ET.Element):
        tag = el.tag[len(NS):] if el.tag.startswith(NS) else el.tag
        a = el.attrib
        if tag == "text":
            for kind in ("variable", "macro", "term", "value"):
                if kind in a:
                    if kind == "variable" and a[kind] == "year-suffix":
                        self.uses_year_suffix = True
                    return Text(fmt_of(el), kind, a[kind], a.get("form", "long"), a.get("plural") == "true")
            return None
        if tag == "number":
            return Number(fmt_of(el), a.get("variable", ""), a.get("form", "numeric"))
        if tag == "label":
            return Label(fmt_of(el), a.get("variable", ""), a.get("form", "long"), a.get("plural", "contextual"))
        if tag == "date":
            parts = []
            for dp in el.findall(NS + "date-part"):
                parts.append(DatePart(dp.get("name", ""), dp.get("form", ""), fmt_of(dp),
                                      dp.get("range-delimiter", "\u2013")))
            return Date(fmt_of(el), a.get("variable", ""), a.get("form", ""),
                        a.get("date-parts", "year-month-day"), tuple(parts))
        if tag == "names":
            return self.names(el)
        if tag == "group":
            return Group(fmt_of(el), self.children(el))
        if tag == "choose":
            branches = []
            for br in el:
                if not isinstance(br.tag, str):
                    continue
                btag = br.tag[len(NS):]
                cond = None
                if btag in ("if", "else-if"):
                    tests = []
                    for k in ("disambiguate", "is-numeric", "is-uncertain-date", "locator", "position",
                              "type", "variable", "context"):
                        if k in br.attrib:
                            tests.append((k, tuple(br.attrib[k].split())))
                    cond = Cond(br.get("match", "all"), tuple(tests))
                branches.append((cond, self.children(br)))
            return Choose(tuple(branches))
        return None

    def names(self, el: ET.Element) -> Names:
        name_el = el.find(NS + "name")
        et_al_el = el.find(NS + "et-al")
        label_el = el.find(NS + "label")
        sub_el = el.find(NS + "substitute")
        parts = {}
        name_attrs = None
        if name_el is not None:
            name_attrs = dict(name_el.attrib)
            for np in name_el.findall(NS + "name-part"):
                parts[np.get("name")] = fmt_of(np)
        et_al = None
        if et_al_el is not None:
            et_al = (et_al_el.get("term", "et-al"), fmt_of(et_al_el))
        label = None
        label_after = False
        if label_el is not None:
            label = self.node(label_el)
            kids = [c for c in el if isinstance(c.tag, str)]
            # without a cs:name the label follows the names (citeproc-js)
            label_after = name_el is None or kids.index(label_el) > kids.index(name_el)
        sub = self.children(sub_el) if sub_el is not None else None
        node = Names(fmt_of(el, None) if "delimiter" in el.attrib else fmt_of(el),
                     tuple(el.get("variable", "").split()), name_attrs,
                     fmt_of(name_el) if name_el is not None else _PLAIN_FMT, parts, et_al, label,
                     label_after, sub, name_el is not None)
        if "delimiter" not in el.attrib:
            object.__setattr__(node, "fmt", _with_delim(node.fmt, None))
        self.names_nodes.append(node)
        return node


def _with_delim(fmt: Fmt, delim) -> Fmt:
    d = {s: getattr(fmt, s) for s in Fmt.__slots__}
    d["delimiter"] = delim
    return Fmt(**d)


def _area(comp: _Compiler, el: ET.Element | None) -> Area | None:
    if el is None:
        return None
    layout_el = el.find(NS + "layout")
    layout = Group(fmt_of(layout_el), comp.children(layout_el)) if layout_el is not None else Group(_PLAIN_FMT, ())
    sort = []
    sort_el = el.find(NS + "sort")
    if sort_el is not None:
        for k in sort_el.findall(NS + "key"):
            sort.append(SortKey(k.get("variable", ""), k.get("macro", ""), k.get("sort") == "descending",
                                k.get("names-min"), k.get("names-use-first"), k.get("names-use-last")))
    return Area(layout, tuple(sort), dict(el.attrib))


def compile_style(xml: str | bytes) -> Style:
    """Compile a CSL style document into an immutable Style."""
    root = ET.fromstring(xml)
    comp = _Compiler()
    info = root.find(NS + "info")
    sid = title = updated = ""
    if info is not None:
        sid = (info.findtext(NS + "id") or "").strip()
        title = (info.findtext(NS + "title") or "").strip()
        updated = (info.findtext(NS + "updated") or "").strip()
    macros: dict = {}
    macro_els = root.findall(NS + "macro")
    for m in macro_els:
        macros[m.get("name")] = None
    for m in macro_els:
        macros[m.get("name")] = comp.children(m)
    cit_el = root.find(NS + "citation")
    bib_el = root.find(NS + "bibliography")
    citation = _area(comp, cit_el)
    bibliography = _area(comp, bib_el)
    root_opts = dict(root.attrib)
    for node in comp.names_nodes:
        for area_name, area in (("citation", citation), ("bibliography", bibliography)):
            opts = {k: v for k, v in root_opts.items() if k in _NAME_INHERIT}
            if area is not None:
                opts.update((k, v) for k, v in area.options.items() if k in _NAME_INHERIT)
            if "name-delimiter" in opts:
                opts["delimiter"] = opts.pop("name-delimiter")
            if "name-form" in opts:
                opts["form"] = opts.pop("name-form")
            if node.name_attrs:
                opts.update(node.name_attrs)
            opts.setdefault("delimiter", ", ")
            names_delim = opts.pop("names-delimiter", "")
            opts["names-delimiter"] = node.fmt.delimiter if node.fmt.delimiter is not None else names_delim
            node.opts[area_name] = opts
    layers = tuple(parse_layer(le) for le in root.findall(NS + "locale"))
    return Style(sid, title, updated, root.get("class", "in-text"), root.get("default-locale", ""),
                 root.get("demote-non-dropping-particle", "display-and-sort"),
                 root.get("initialize-with-hyphen", "true") == "true", root.get("page-range-format", ""),
                 macros, citation, bibliography, layers, root_opts, comp.uses_year_suffix)


def dependent_parent(xml: str | bytes) -> tuple[str | None, str]:
    """For a dependent style: (parent id URL, default-locale); (None, '') for an independent one."""
    root = ET.fromstring(xml)
    info = root.find(NS + "info")
    if info is None or root.find(NS + "citation") is not None:
        return None, ""
    for link in info.findall(NS + "link"):
        if link.get("rel") == "independent-parent":
            return link.get("href"), root.get("default-locale", "")
    return None, ""
