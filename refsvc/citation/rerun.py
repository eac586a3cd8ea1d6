"""A note style's document: citeproc-js re-runs disambiguation as the citations come in.

citeproc-js tells the works of a list apart once when they are registered (updateItems). In a note style
whose layout tests ``disambiguate="true"``, processCitationCluster then re-runs the disambiguation of a
work's ambiguity pool (the works whose undisambiguated cites are identical) when the work is first cited
and when it is cited a second time (its citation-count crosses 2). Two things differ in a re-run
(src/disambig_cites.js, Disambiguation.initVars/getCiteData; src/api_cite.js, getAmbiguousCite):

- it starts from the configuration the pool's first-registered work holds (names shown, given names
  expanded), never below it, with ``disambiguate`` and the year-suffix cleared. A pool resolved in the
  first run with two names for some works therefore gives every work two names: Chicago's notes print
  "Mark Smith, Chidi Okafor, et al." where the first run, as MLA's cites keep it, gave "M. Smith et al.";
- a cited work is compared as rendered with its back-reference (first-reference-note-number), when the
  style's given-name rule is by-cite: "Fonagy (n 4)" and "Fonagy (n 6)" already differ, so a short title
  under ``disambiguate="true"`` is no longer added (a pool of two; in a larger pool whose first stage is
  the condition, disExtraText keeps it on).

Each citation keeps the text it was last rendered with: citeproc-js renders again only the citations
it taints (``replay``), so an earlier cite may keep a form a later re-run no longer gives.
"""
from __future__ import annotations

from .disambiguate import ALL, Params, disambiguate


def _floor(base: Params, ref, name_vars) -> Params:
    """The pool's starting configuration for one work: the first work's names and given names, with
    each name list's levels fitted to this work's names."""
    hints = {}
    levels = next(iter(base.hints.values()), None) if base.hints else None
    for v in name_vars(ref):
        own = base.hints.get(v, levels) if base.hints else None
        if own:
            n = len(ref.get(v) or [])
            hints[v] = (list(own) + [0] * n)[:n]
    return Params(add_names=base.add_names, hints=hints)


def _at_least(p: Params, floor: Params) -> Params:
    hints = {v: list(lv) for v, lv in p.hints.items()}
    for v, lv in floor.hints.items():
        mine = hints.get(v) or [0] * len(lv)
        hints[v] = [max(a, b) for a, b in zip(mine, lv)] + mine[len(lv):]
    return Params(add_names=max(p.add_names, floor.add_names), hints=hints, year_suffix=p.year_suffix,
                  disamb=p.disamb)


def _rerun(eng, by_id: dict, params: dict, pool: list, cited: set, backrefs: dict, numbers: dict,
           bib_order: list, seen: dict) -> None:
    """Update ``params`` in place with one re-run of ``pool`` (ids in registration order); ``seen``
    keeps the cites compared, as a pool is re-run with the same configurations time and again."""
    opts = eng.style.citation.options
    by_cite = opts.get("givenname-disambiguation-rule", "by-cite") == "by-cite"
    name_vars = eng.name_vars
    # the stage a re-run starts with (Disambiguation.configModes): the condition comes first when the
    # style adds no names, no by-cite given names and no year-suffix
    condition_first = not (opts.get("disambiguate-add-names") == "true"
                           or by_cite and opts.get("disambiguate-add-givenname") == "true"
                           or opts.get("disambiguate-add-year-suffix") == "true")

    def text(ref, p: Params) -> str:
        first = backrefs.get(ref.id) if by_cite and ref.id in cited else None
        key = (ref.id, p.add_names, tuple((v, tuple(lv)) for v, lv in p.hints.items()), p.year_suffix, p.disamb,
               first)
        got = seen.get(key)
        if got is None:
            got = seen[key] = eng.ambiguity_text(ref, p, numbers.get(ref.id), first_note=first)
        return got

    refs = [by_id[i] for i in pool]
    # by-cite given names belong to the pool's configuration; a global rule's to each work
    floors = {r.id: _floor(params[pool[0]], r, name_vars) if by_cite else
              Params(add_names=params[pool[0]].add_names, hints=params[r.id].hints) for r in refs}
    texts = {r.id: text(r, floors[r.id]) for r in refs}
    distinct = len(set(texts.values())) == len(refs)
    if condition_first:
        # disExtraText counts a pool done at its first scan only when the scanned work differs from the
        # one work left beside it; otherwise it turns the condition on, and keeps it on although the
        # cites may already differ (oscola: three "Jones" works, one of them with "(n 1)")
        on = not (distinct and len(refs) == 2)
        for f in floors.values():
            f.disamb = (1 if eng.disamb_tests > 1 else ALL) if on else 0
        params.update(floors)
        return
    if distinct:  # the first work's configuration tells them all apart: each work registers it
        params.update(floors)
        return
    order = [i for i in bib_order if i in floors]
    again = disambiguate(text, refs, order, opts, name_vars, eng.disamb_tests)
    params.update({i: _at_least(again[i], floors[i]) for i in pool})


def replay(eng, by_id: dict, params: dict, pools: list, clusters: list, pos: list, notes: list,
           numbers: dict, bib_order: list) -> list:
    """The disambiguation each citation of the document is last rendered with, in order; ``params`` is
    left holding the state after the last citation (the bibliography's).

    As processCitationCluster takes citation j: each work cited there for the first or the second time
    re-runs its pool (``rerunAkeys``); citation j is rendered, and so is every earlier citation of such a
    work or of a work whose names or given names the re-run changed (taintedCitationIDs,
    registerAmbigToken); other earlier citations keep their text."""
    pool_of = {i: tuple(p) for p in pools if len(p) > 1 for i in p}
    count: dict = {}
    cited: set = set()
    backrefs: dict = {}  # first-reference-note-number as the registry keeps it
    state = dict(params)
    used: list = []
    seen: dict = {}
    citing: dict = {}  # work id -> the citations citing it so far
    for j, (cl, row, note) in enumerate(zip(clusters, pos, notes)):
        touched = []
        for c in {c["id"]: c for c in cl}.values():
            count[c["id"]] = count.get(c["id"], 0) + 1
            cited.add(c["id"])
            if count[c["id"]] <= 2:
                touched.append(c["id"])
        for c, p in zip(cl, row):
            if p[0] != 0 and p[2] is not None and p[2] != note:
                backrefs.setdefault(c["id"], p[2])
        reruns = list(dict.fromkeys(pool_of[i] for i in touched if i in pool_of))
        tainted = set(touched)
        if reruns:
            before = state
            state = dict(state)  # earlier citations keep the state they were rendered with
            for pool in reruns:
                _rerun(eng, by_id, state, list(pool), cited, backrefs, numbers, bib_order, seen)
            tainted |= {i for pool in reruns for i in pool if _names_differ(before[i], state[i])}
        for c in cl:
            citing.setdefault(c["id"], []).append(j)
        used.append(state)
        for i in tainted:
            for k in citing.get(i, ()):
                used[k] = state
    params.update(state)
    return used


def _names_differ(a: Params, b: Params) -> bool:
    return a.add_names != b.add_names or a.hints != b.hints
