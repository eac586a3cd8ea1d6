"""Citations: positions (first, subsequent, ibid, near-note), in-citation sorting, suppress-author and
author-only, cite affixes, cite grouping and collapsing, and the layout around the cites."""
from __future__ import annotations

import re
from dataclasses import replace

from . import richtext as rt
from .braces import nest
from .engine import Engine, _first_names
from .evaluate import eval_nodes
from .output import affix, format_seq, join, render, splice
from .sort import item_key, sort_refs
from .style import Fmt

_PLAIN = Fmt()


def positions(citations: list[list[dict]], notes: list[int], distance: int) -> list[list[tuple]]:
    """(position, near_note, first_note) for every cite: 0 first, 1 subsequent, 2 ibid, 3 ibid-with-locator.

    Note number 0 marks an in-text citation: in-text citations and footnotes are separate streams, each
    with its own first cites (citeproc-js processCitationCluster: textCitations, noteCitations); a note
    holding several cites is never the antecedent of an ibid, and a footnote is ibid only to the note
    before it or its own."""
    out = []
    # in_text? -> [note of last citation, cites of that note, cites of last citation, first note of each
    # work, last note of each work]
    streams: dict = {}
    for ci, cites in enumerate(citations):
        note = notes[ci]
        st = streams.setdefault(note == 0, [None, [], [], {}, {}])
        first_note, last_note = st[3], st[4]
        same_note = note == st[0]
        antecedent = st[1]  # the cites of the previous note: an ibid's antecedent when it holds one alone
        if note and st[0] is not None and st[0] < note - 1:
            antecedent = []  # ibid needs the same or the next note (citeproc-js: "consecutive")
        row = []
        for k, c in enumerate(cites):
            rid = c["id"]
            if rid not in first_note:
                pos = 0
            else:
                if k > 0:
                    prev = ref = cites[k - 1]
                elif same_note:
                    # the last cite of the citation before in the same note; its locator is compared with
                    # that citation's first cite (citeproc-js: oldlastid, citations[j - 1].sortedItems[0])
                    prev = st[2][-1] if st[2] else None
                    ref = st[2][0] if st[2] else None
                else:
                    prev = ref = antecedent[0] if len(antecedent) == 1 else None
                if prev is not None and prev["id"] == rid:
                    loc, ploc = c.get("locator"), ref.get("locator")
                    if not loc and ploc:
                        pos = 1
                    elif loc and loc != ploc or (loc and c.get("label") != ref.get("label")):
                        pos = 3
                    else:
                        pos = 2
                else:
                    pos = 1
            near = rid in last_note and abs(note - last_note[rid]) <= distance
            # the first-reference note number is only another note's (citeproc-js sets it when they differ)
            row.append((pos, near, first_note[rid] if first_note.get(rid, note) != note else None))
            first_note.setdefault(rid, note)
            last_note[rid] = note
        if note != 0 and note == st[0]:
            st[1] = st[1] + list(cites)
        else:
            st[1] = list(cites)
        st[0] = note
        st[2] = list(cites)
        out.append(row)
    return out


def sort_cites(engine: Engine, cites: list[dict], refs: dict, numbers: dict, cache: dict,
               params: dict | None = None) -> list[dict]:
    """Cites sorted by the citation's sort keys (keys cached per item); with ``params`` the keys see
    each item's disambiguation (names added), as citeproc-js's processCitationCluster sorts."""
    area = engine.style.citation
    if area is None or not area.sort or len(cites) < 2:
        return cites
    keys = []
    for c in cites:
        k = cache.get(c["id"])
        if k is None:
            ref = refs[c["id"]]
            k = item_key(area, lambda rr: engine.ctx(rr, "citation", number=numbers.get(rr.id),
                                                     params=(params or {}).get(rr.id)), ref)
            cache[c["id"]] = k
        keys.append(k)

    class _Box:
        __slots__ = ("c", "id")

        def __init__(self, c):
            self.c, self.id = c, id(c)
    boxes = [_Box(c) for c in cites]
    return [b.c for b in sort_refs(boxes, keys, [k.descending for k in area.sort])]


def cite_tree(engine: Engine, ref, cite: dict, params, pos: tuple, number):
    """Evaluate one cite, honouring suppress-author and author-only."""
    position, near, first = pos
    ctx_params = params
    tree = engine.eval_area("citation", ref, params=ctx_params, position=position, cite=cite, number=number)
    if tree is None:
        return None
    return tree


def _near(engine: Engine, tree, near: bool):
    return tree


def _sentence_start(prefix, first: bool) -> bool:
    """The first cite without a prefix, or a prefix of two or more words ending a sentence."""
    if not prefix:
        return first
    text = rt.plain(rt.parse(str(prefix))).strip()
    tail = text.rstrip('"\u201d\u2019\')')
    return tail.endswith((".", "!", "?")) and len(text.split()) > 1


def _leading_term(tree) -> bool:
    """Whether the first rendered piece of a tree is a locale term that citeproc-js capitalizes: it
    capitalizes the term itself, then applies text-case, so a lowercase term or group stays lowercase
    (OSCOLA's "ibid")."""
    return tree is not None and _lead(tree)[1]


def _lead(tree) -> tuple[bool, bool]:
    """(whether the tree holds a visible literal, whether its first visible piece is a capitalizable
    term), in one walk that stops at the first visible literal. Rendering each subtree at every level
    to find the first visible one cost a note style a third of a new item's time. A visible literal
    settles it without rendering, since no character is ever lost whole (punctuation fixing keeps one
    of two clashing marks); only blank text shown by affixes or quotes needs the render."""
    if tree[0] == "L":
        return bool(rt.plain(tree[1]).strip()), False
    if tree[0] == "T":
        shown, term = _lead(tree[2]) if tree[2] is not None else (False, False)
        return shown, tree[3] != "lowercase" if tree[1] == "term" else term
    lower = tree[1].text_case == "lowercase"
    for c in tree[2]:
        if c is None:
            continue
        shown, term = _lead(c)
        if shown:
            return True, term and not lower
        if _shows_text(c):
            return True, not lower and _leading_term_rendered(c)
    return False, False


def _leading_term_rendered(tree) -> bool:
    """_leading_term by rendering: for the rare tree whose text shows only through affixes."""
    if tree is None:
        return False
    if tree[0] == "T":
        if tree[1] == "term":
            return tree[3] != "lowercase"
        return _leading_term_rendered(tree[2])
    if tree[0] == "L":
        return False
    if tree[1].text_case == "lowercase":
        return False
    for c in tree[2]:
        if c is not None and _shows_text(c):
            return _leading_term_rendered(c)
    return False


def _shows_text(tree) -> bool:
    return bool(rt.plain(render(tree)).strip())


# citeproc-js's letters that take a space beside a cite affix (src/load.js ROMANESQUE_REGEXP family)
_LETTERS = ("a-zA-Z\u0e01-\u0e5b\u00c0-\u017f\u0370-\u03ff\u0400-\u052f\u0590-\u05d4\u05d6-\u05ff"
            "\u1f00-\u1fff\u0600-\u06ff\u200c\u200d\u200e\u0218\u0219\u021a\u021b\u202a-\u202e")
_ENDS_WORD = re.compile(f"[.;:&{_LETTERS}]$")
_STARTS_WORD = re.compile(f"^[&{_LETTERS}]")
_TRAILING_QUOTES = re.compile("[\"'\u201d\u2019\u00bb\u202f\u00a0 ]+$")


def prefix_spaced(prefix: str) -> str:
    """A cite prefix ending in a word, a full stop, colon, semicolon, !, ?, a closing bracket, a comma or
    a digit (closing quotes aside) is followed by a space; runs of spaces become one (citeproc-js
    checkPrefixSpaceAppend): "see" + "Bowlby" reads "see Bowlby"."""
    test = _TRAILING_QUOTES.sub("", re.sub(r"<[^>]+>", "", prefix))
    last = test[-1:]
    space = " " if _ENDS_WORD.search(test) or (last and last in ":.;!?)],0123456789") else ""
    return re.sub(r"\s+", " ", prefix + space)


def suffix_spaced(suffix: str) -> str:
    """A cite suffix opening with a word or a bracket is preceded by a space (citeproc-js
    checkSuffixSpacePrepend): "p. 4" reads "Bowlby p. 4"."""
    return " " + suffix if _STARTS_WORD.search(suffix) or suffix[:1] in ("[", "(") else suffix


def render_cite(engine: Engine, ref, cite: dict, params, pos: tuple, number, mode: str = "",
                first: bool = False, trees: dict | None = None, braces: list | None = None) -> tuple:
    """One cite as rich text, with its prefix and suffix; ``trees`` shares evaluations between the
    modes of one cite (the author-only and suppress-author forms edit the same evaluated tree).
    ``braces``: the citation's parenthesis depth in a note style, [depth], carried from cite to cite."""
    area = engine.style.citation
    position, near, first_note = pos
    pre = prefix_spaced(str(cite["prefix"])) if cite.get("prefix") else ""
    suf = suffix_spaced(str(cite["suffix"])) if cite.get("suffix") else ""
    if braces is not None:
        pre, braces[0] = nest(str(pre), braces[0])
    key = None
    if trees is not None and not (params.add_names or params.hints or params.year_suffix or params.disamb):
        key = (ref.id, position, near, first_note, number, cite.get("locator"), cite.get("label"))
        if braces is not None:
            key += (braces[0],)  # the tree depends on the depth it starts at; kept with the depth it ends at
    kids = trees.get(key) if key is not None else None
    if kids is not None and braces is not None:
        kids, braces[0] = kids
    if kids is None:
        ctx = engine.ctx(ref, "citation", params=params, position=position, cite=cite, number=number)
        ctx.near_note = near
        ctx.first_note = first_note
        if braces is not None:
            ctx.braces = braces[0]
        kids = eval_nodes(area.layout.children, ctx)
        if braces is not None:
            braces[0] = ctx.braces
        if key is not None:
            trees[key] = kids if braces is None else (kids, braces[0])
    if braces is not None:
        suf, braces[0] = nest(str(suf), braces[0])
    tree = ("F", _PLAIN, kids) if kids else None
    if mode == "suppress-author" or cite.get("suppress-author"):
        names = _first_names(tree)
        if names is not None:
            tree = _without(tree, names)
    if mode == "author-only" or cite.get("author-only"):
        names = _first_names(tree)
        tree = names
        if names is not None and names[3] and names[3].get("subst"):
            # citeproc-js prints a substituted title bare (no quotes, no italics)
            return (rt.plain(_unquote(render(tree, engine.lang))),)
    seq = render(tree, engine.lang) if tree is not None else ()
    if engine.style.cls == "note" and _sentence_start(cite.get("prefix"), first) and _leading_term(tree):
        # citeproc-js capitalizes a term opening a note or following a sentence in the cite prefix
        from .textcase import apply_case
        seq = apply_case(seq, "capitalize-first")
    if pre or suf:
        seq = affix(seq, pre, suf, cite=True) if seq else ()
    return seq


def _without(tree, target):
    """``tree`` without node ``target``; the branches that do not hold it are shared, not copied
    (copying the whole tree was a quarter of a suppress-author cite's time)."""
    if tree is target:
        return None
    if tree is None or tree[0] == "L":
        return tree
    if tree[0] == "T":
        inner = None if tree[2] is target else _without(tree[2], target)
        return tree if inner is tree[2] else ("T", tree[1], inner, tree[3])
    kids = [None if c is target else _without(c, target) for c in tree[2]]
    if all(k is c for k, c in zip(kids, tree[2])):
        return tree
    return ("F", tree[1], [k for k in kids if k is not None])


def render_citation(engine: Engine, items: list[tuple], mode: str = "", braces: list | None = None) -> tuple:
    """Join rendered cites with the layout delimiter (collapsing as the style says) and add the layout.
    ``braces``: the note style's parenthesis depth after the cites (the layout's affixes are counted)."""
    area = engine.style.citation
    lay = area.layout.fmt
    if braces is not None and ("(" in lay.prefix + lay.suffix or ")" in lay.prefix + lay.suffix):
        lay = replace(lay, prefix=nest(lay.prefix, 0)[0], suffix=nest(lay.suffix, braces[0])[0])
    opts = area.options
    collapse = opts.get("collapse", "")
    delim = lay.delimiter or ""
    seqs = [it[1] for it in items]
    if collapse or opts.get("cite-group-delimiter"):
        seqs = _collapse(engine, items, collapse, opts, delim)
        body = join(seqs, "")
    else:
        body = splice(seqs, [_splice_delimiter(delim, a[0], b[0]) for a, b in zip(items, items[1:])])
    if mode == "author-only" or all(it[0].get("author-only") for it in items):
        return body  # citeproc-js: a citation of author-only cites is bare names, no layout affixes
    return layout_seq(body, lay, engine.lang)


def _splice_delimiter(delim: str, before: dict, cite: dict) -> str:
    """The layout delimiter between two cites (citeproc-js getCitationCluster): after a cite suffix
    ending in ';', '.' or ',' only its part from the first space is kept ("; " -> " "); before a cite
    prefix opening with one of them (the cite before having no suffix) there is none."""
    suffix = str(before.get("suffix") or "")
    prefix = str(cite.get("prefix") or "")
    leads = not suffix and prefix[:1] in (";", ".", ",")
    if suffix[-1:] in (";", ".", ",") or leads:
        space = delim.find(" ")
        return delim[space:] if space > -1 and not leads else ""
    return delim


def layout_seq(body: tuple, lay: Fmt, lang: str) -> tuple:
    """citeproc-js puts a layout's affixes inside its formatting."""
    if not body:
        return ()
    inner = affix(body, lay.prefix, lay.suffix) if (lay.prefix or lay.suffix) else body
    return format_seq(inner, Fmt(font_style=lay.font_style, font_variant=lay.font_variant,
                                 font_weight=lay.font_weight, text_decoration=lay.text_decoration,
                                 vertical_align=lay.vertical_align, quotes=lay.quotes,
                                 text_case=lay.text_case, display=lay.display), lang)


def _collapse(engine: Engine, items: list[tuple], collapse: str, opts: dict, delim: str) -> list:
    """Cite grouping by author and year / citation-number collapsing; returns pieces incl. delimiters."""
    out: list = []
    if collapse == "citation-number":
        nums = [(it[2] if isinstance(it[2], int) else None) for it in items]
        i = 0
        while i < len(items):
            j = i
            while j + 1 < len(items) and nums[j] is not None and nums[j + 1] == nums[j] + 1 and \
                    not items[j + 1][0].get("prefix") and not items[j][0].get("suffix") and \
                    not items[j][0].get("locator") and not items[j + 1][0].get("locator"):
                j += 1
            if out:
                out.append((delim,))
            if j - i >= 2:
                out.append(join([items[i][1], ("\u2013",), items[j][1]], ""))
            else:
                out.append(items[i][1])
                if j > i:
                    out.append((delim,))
                    out.append(items[j][1])
            i = j + 1
        return out
    # cites sharing the rendered first names form a group; citeproc-js moves a later cite up to its
    # group only in a citation with sort keys, otherwise just adjacent cites group
    groups: list[list[tuple]] = []
    keyed: dict = {}
    regroup = bool(engine.style.citation.sort)
    for it in items:
        k = it[3]
        if k is not None and regroup and k in keyed:
            keyed[k].append(it)
        elif k is not None and not regroup and groups and groups[-1][-1][3] == k:
            groups[-1].append(it)
        else:
            g = [it]
            groups.append(g)
            if k is not None:
                keyed[k] = g
    # without a cite-group-delimiter, citeproc-js joins a group with ", " in in-text styles only
    gdelim = opts.get("cite-group-delimiter", ", " if engine.style.cls == "in-text" else delim)
    after = opts.get("after-collapse-delimiter", delim)
    ysdelim = opts.get("year-suffix-delimiter", opts.get("cite-group-delimiter", delim))
    for gi, g in enumerate(groups):
        if gi:
            # citeproc-js: after a collapsed group, or after any group unless collapse="year-suffix"
            d = after if len(groups[gi - 1]) > 1 or collapse != "year-suffix" else delim
            if d[:1] == ";" and str(groups[gi - 1][-1][0].get("suffix") or "").rstrip().endswith("."):
                d = d[1:]  # a cite suffix ending in "." swallows the ";" (citeproc-js)
            out.append((d,))
        pieces: list = [g[0][1]]
        run: list = []  # consecutive cites collapsing onto one year: suffix letters
        for j in range(1, len(g)):
            prev, it = g[j - 1], g[j]
            body = it[4] if it[4] is not None else it[1]
            ys = it[5]
            if collapse.startswith("year-suffix") and ys and prev[5] and it[6] == prev[6] and it[6] is not None \
                    and not it[0].get("locator") and not prev[0].get("locator"):
                run.append(ys)
                continue
            if run:
                pieces.append((_suffix_run(run, ysdelim, collapse == "year-suffix-ranged", g[j - len(run) - 1][5]),))
                run = []
                pieces.append((after,))
            elif prev[0].get("locator") and "after-collapse-delimiter" in opts:
                pieces.append((after,))
            else:
                pieces.append((gdelim,))
            if body:
                pieces.append(body)
            else:
                pieces.pop()
        if run:
            pieces.append((_suffix_run(run, ysdelim, collapse == "year-suffix-ranged", g[len(g) - len(run) - 1][5]),))
        out.append(join(pieces, ""))
    return out


def _suffix_run(run: list, delim: str, ranged: bool, first: str) -> str:
    """What follows the first cite of a same-year run: ',b,c' or, ranged, '–d' (first letter printed)."""
    letters = [first] + run
    segs: list[list[str]] = []
    for letter in letters:
        if segs and ranged and ord(letter[-1]) == ord(segs[-1][-1][-1]) + 1:
            segs[-1].append(letter)
        else:
            segs.append([letter])
    parts: list[str] = []
    for sg in segs:
        if len(sg) >= 3:
            parts.append(sg[0] + "\u2013" + sg[-1])
        else:
            parts.extend(sg)
    return delim.join(parts)[len(first):]


def _unquote(seq) -> tuple:
    out = []
    for it in seq:
        if isinstance(it, str):
            out.append(it)
        elif it[0] in ("q", "qx", "q1"):
            out.extend(_unquote(it[1]))
        else:
            out.append((it[0], _unquote(it[1])))
    return tuple(out)
