"""Public functions: style lookup and caching, cite_item, bibliography, citation."""
from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable

from . import locale as locale_mod
from .braces import nest
from .catalogue import UnknownStyle, style_file
from .citations import positions, render_cite, render_citation, sort_cites
from .disambiguate import Params
from .engine import Engine, _first_names
from .locale import UnknownLocale, available_locales  # noqa: F401  (re-exported)
from .rerun import replay
from .style import Style, compile_style, dependent_parent
from .variables import NAME_VARS, InvalidItem, Ref
from . import richtext as rt

FORMATS = ("text", "html")
DEFAULT_CACHE_SIZE = 64  # compiled styles kept, and (style, locale) engines kept; REFSVC_STYLE_CACHE_SIZE


class LRU:
    """A thread-safe least-recently-used map of bounded size; values are built outside the lock."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = max(1, int(maxsize))
        self._data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get_or_build(self, key: Hashable, build: Callable[[], object]):
        """The cached value of ``key``, else ``build()`` stored (two threads may build; one is kept)."""
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        value = build()  # compiling a style takes milliseconds: never while holding the lock
        with self._lock:
            value = self._data.setdefault(key, value)
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._data)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


def _size_from_env() -> int:
    try:
        return max(1, int(os.environ.get("REFSVC_STYLE_CACHE_SIZE", DEFAULT_CACHE_SIZE)))
    except ValueError:
        return DEFAULT_CACHE_SIZE


_styles = LRU(_size_from_env())
_engines = LRU(_size_from_env())


def set_cache_size(size: int) -> None:
    """Bound the compiled-style and engine caches to ``size`` entries each (emptying them)."""
    global _styles, _engines
    _styles, _engines = LRU(size), LRU(size)


def get_style(style_id: str) -> Style:
    """The compiled style for a CSL id (house style or bundled) or a .csl path (LRU-cached, thread-safe)."""
    if not isinstance(style_id, str):
        raise UnknownStyle(repr(style_id))
    return _styles.get_or_build(style_id, lambda: _load_style(style_id))


def _load_style(style_id: str) -> Style:
    if style_id.endswith(".csl") and os.path.isfile(style_id):
        path = style_id
    else:
        path = style_file(style_id)
    with open(path, "rb") as fh:
        xml = fh.read()
    parent, dep_locale = dependent_parent(xml)
    if parent:
        base = get_style(parent.rstrip("/").rsplit("/", 1)[-1])
        return Style(**{**base.__dict__, "default_locale": dep_locale or base.default_locale})
    return compile_style(xml)


def style_info(style_id: str) -> dict:
    """{"id", "title", "class", "updated"} of a style."""
    st = get_style(style_id)
    return {"id": st.id, "title": st.title, "class": st.cls, "updated": st.updated}


def engine_for(style: Style | str, locale: str | None = None) -> Engine:
    """The shared Engine of a (style, locale) pair (LRU-cached, REFSVC_STYLE_CACHE_SIZE entries)."""
    if not isinstance(style, str):  # an ad-hoc compiled style (tests): not cached
        # as citeproc-js: a style's unknown default-locale falls back to en-US (its in-style terms still apply)
        loc = locale_mod.merge(locale or style.default_locale or "en-US", list(style.locales), fallback=True)
        return Engine(style, loc)
    st = get_style(style)
    lang = locale or st.default_locale or "en-US"
    return _engines.get_or_build((style, lang), lambda: Engine(st, locale_mod.merge(lang, list(st.locales))))


def _refs(items: Iterable) -> list[Ref]:
    if not isinstance(items, list):
        raise InvalidItem("items must be a list of CSL-JSON objects")
    refs = []
    seen = set()
    for i, it in enumerate(items):
        r = Ref(it, strict=True)
        if r.id is None:
            r.id = f"item-{i + 1}"
        if r.id in seen:
            raise InvalidItem(f"duplicate item id {r.id!r}")
        seen.add(r.id)
        refs.append(r)
    return refs


def _formats(formats) -> tuple:
    fs = (formats,) if isinstance(formats, str) else tuple(formats)
    for f in fs:
        if f not in FORMATS:
            raise ValueError(f"unknown format {f!r}; choose from {', '.join(FORMATS)}")
    return fs


def bibliography(items: list[dict], style_id: str, locale: str = "en-US", fmt: str = "text") -> list[str]:
    """Sorted, disambiguated bibliography entries (HTML without the csl-entry wrapper)."""
    eng = engine_for(style_id, locale)
    _formats(fmt)
    return [_entry(eng, seq, fmt) for _, seq in eng.bibliography_entries(_refs(items))]


def _entry(eng: Engine, seq: tuple, fmt: str) -> str:
    """A bibliography entry as citeproc-js writes it inside its csl-entry div."""
    return _entry_layout(eng.finish(seq, fmt), fmt)


def _entry_layout(out: str, fmt: str) -> str:
    if fmt == "html" and out.startswith('<div class="csl-left-margin">'):
        out = "\n    " + out + "\n  "  # second-field-align entries keep citeproc-js's line layout
    return out


def citation(items: list[dict], cites: list[dict], style_id: str, locale: str = "en-US", fmt: str = "text") -> str:
    """One citation of ``cites`` (ids into ``items``) in the style, disambiguated against all items."""
    eng = engine_for(style_id, locale)
    _formats(fmt)
    refs = _refs(items)
    return eng.finish(cluster_seqs(eng, refs, [cites])[0], fmt)


def cluster_seqs(eng: Engine, refs: list[Ref], clusters: list[list[dict]], notes: list[int] | None = None,
                 mode: str = "", force_position: tuple | None = None, strict: bool = True,
                 cited_only: bool = False, number_by_citation: bool = False,
                 document: bool = False, params: dict | None = None,
                 trees: dict | None = None, pools: list | None = None) -> list[tuple]:
    """Render citation clusters in document order (positions, disambiguation, collapsing).

    ``document``: the clusters are a document's citations (citeproc-js processCitationCluster, whose
    cite sorting sees names added for disambiguation), not one-off clusters (makeCitationCluster).
    ``params``: the items' disambiguation when the caller has it already (a reference list), with its
    ambiguity ``pools``; a document in a note style updates it in place with citeproc-js's re-runs
    (rerun.py), which the bibliography made after the citations then sees.
    ``trees``: a cache shared by the forms of one cite, so it is evaluated once."""
    by_id = {r.id: r for r in refs}
    clusters = [[dict(c, id=str(c["id"])) if isinstance(c, dict) and c.get("id") is not None else c for c in cl]
                for cl in clusters]
    if not strict:  # cites of unknown items are dropped (citeproc-js test harness behaviour)
        clusters = [[c for c in cl if isinstance(c, dict) and c.get("id") in by_id] for cl in clusters]
    for cl in clusters:
        for c in cl:
            if not isinstance(c, dict) or c.get("id") not in by_id:
                raise InvalidItem(f"cite refers to unknown item id {c.get('id') if isinstance(c, dict) else c!r}")
    if eng.style.citation is None:
        return [()] * len(clusters)
    cited = []
    for cl in clusters:
        for c in cl:
            if c["id"] not in cited:
                cited.append(c["id"])
    bib_order = [r.id for r in eng.sorted_refs(refs, "bibliography")] if eng.style.bibliography else \
        [r.id for r in refs]
    if (eng.style.bibliography is None or not eng.style.bibliography.sort) and number_by_citation:
        bib_order = cited + [r.id for r in refs if r.id not in cited]  # a document numbered as cited
    numbers = {rid: i + 1 for i, rid in enumerate(bib_order)}
    pool = refs if not cited_only else [r for r in refs if r.id in set(cited)]
    if params is None:
        pools = [] if document else None
        params = eng.disambiguation(pool, [i for i in bib_order if i in {r.id for r in pool}], pools)
    for r in refs:
        params.setdefault(r.id, Params())
    cache: dict = {}
    clusters = [sort_cites(eng, list(cl), by_id, numbers, cache, params if document else None)
                for cl in clusters]
    dist = int(eng.style.citation.options.get("near-note-distance", 5))
    pos = positions(clusters, notes or list(range(1, len(clusters) + 1)), dist)
    if force_position is not None:
        pos = [[force_position] * len(row) for row in pos]
    pos = [[_given_position(c, p) for c, p in zip(cl, row)] for cl, row in zip(clusters, pos)]
    out = []
    collapse = eng.style.citation.options.get("collapse")
    note = eng.style.cls == "note"
    used = [params] * len(clusters)
    if document and pools and note and eng.uses_disamb_cond:
        used = replay(eng, {r.id: r for r in pool}, params, pools, clusters, pos,
                      notes or list(range(1, len(clusters) + 1)), numbers, bib_order)
    for cl, prow, cparams in zip(clusters, pos, used):
        items = []
        # a note style's citation counts its affixes' parentheses from the layout prefix on (braces.py)
        braces = [nest(eng.style.citation.layout.fmt.prefix, 0)[1]] if note else None
        for k, (c, p) in enumerate(zip(cl, prow)):
            ref = by_id[c["id"]]
            seq = render_cite(eng, ref, c, cparams[ref.id], p, numbers[ref.id], mode, first=k == 0, trees=trees,
                              braces=braces)
            key = None
            sup = None
            # what collapsing compares: only a citation of several cites has anything to collapse
            if len(cl) > 1 and (collapse in ("year", "year-suffix", "year-suffix-ranged") or
                                eng.style.citation.options.get("cite-group-delimiter")):
                full = eng.eval_area("citation", ref, params=cparams[ref.id], position=p[0], cite=c,
                                     number=numbers[ref.id])
                nm = _first_names(full)
                if not any(v in ref.vars for v in NAME_VARS):
                    key = None  # a work without names (a title stands in) never collapses as "same author"
                elif nm is not None:
                    key = rt.plain(eng_render(eng, nm))
                else:
                    key = ""  # the style prints no names: all cites alike (magic_ImplicitYearSuffix...)
                # a cite's prefix stays when its names collapse away: "2021a, e.g., 2021c" (citeproc-js)
                sup = render_cite(eng, ref, c, cparams[ref.id], p, numbers[ref.id],
                                  "suppress-author") if collapse else None
            ys = cparams[ref.id].year_suffix
            base = None
            if sup is not None and ys:
                txt = rt.plain(sup)
                base = txt.replace(ys, "", 1) if ys in txt else None
            items.append((c, seq, numbers[ref.id], key, sup, ys, base))
        out.append(render_citation(eng, items, mode, braces))
    return out


_POSITIONS = {"first": 0, "subsequent": 1, "ibid": 2, "ibid-with-locator": 3}


def _given_position(cite: dict, pos: tuple) -> tuple:
    """A cite may state its own position (citeproc-js makeCitationCluster: 0-3 or the CSL names)."""
    p = cite.get("position")
    p = _POSITIONS.get(p, p) if isinstance(p, str) else p
    if not isinstance(p, int) or isinstance(p, bool) or not 0 <= p <= 3:
        return pos
    return (p, bool(cite.get("near-note", pos[1])), pos[2])


def eng_render(eng: Engine, tree) -> tuple:
    from .output import render
    return render(tree, eng.lang)


def cite_item(item: dict, style_id: str, locale: str = "en-US", formats=FORMATS) -> dict:
    """Every form of one item: bibliography entry, parenthetical and narrative cites, notes."""
    fs = _formats(formats)
    eng = engine_for(style_id, locale)
    refs = _refs([item])
    rid = refs[0].id
    result: dict = {}
    entries = eng.bibliography_entries(refs)
    bib = entries[0][1] if entries else ()
    cite = [{"id": rid}]
    trees: dict = {}  # the cite is evaluated once; its forms are edits of that tree
    in_text = cluster_seqs(eng, refs, [cite], trees=trees)[0]
    if eng.style.cls != "note":
        author = cluster_seqs(eng, refs, [cite], mode="author-only", trees=trees)[0]
        rest = cluster_seqs(eng, refs, [cite], mode="suppress-author", trees=trees)[0]
    entry = eng.finish_all(bib, fs)
    result["bibliography"] = {f: _entry_layout(entry[f], f) for f in fs}
    result["in_text"] = eng.finish_all(in_text, fs)
    if eng.style.cls != "note":
        # a note style has no narrative cite: its author-only cluster keeps stray parts of the note
        # ("John Bowlby Attachment, ed. ..."), in citeproc-js as here, so none is served
        if author:
            names, others = eng.finish_all(author, fs), eng.finish_all(rest, fs)
            result["narrative"] = {f: (names[f] + " " + others[f]).strip() for f in fs}
        else:
            result["narrative"] = dict(result["in_text"])
    if eng.style.cls == "note":
        # a later note with no earlier note in the document: no first-reference note number to print
        short = cluster_seqs(eng, refs, [cite], force_position=(1, False, None))[0]
        result["note"] = dict(result["in_text"])
        result["short_note"] = eng.finish_all(short, fs)
    return result
