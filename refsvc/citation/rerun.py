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

Only the state after the last re-run is modelled: every citation of a re-run work is rendered again by
citeproc-js (taintedCitationIDs), so the document's last texts show it.
"""
from __future__ import annotations

from .disambiguate import ALL, Params, disambiguate


def back_references(clusters: list, pos: list, notes: list) -> dict:
    """Work id -> its first-reference-note-number as citeproc-js's registry keeps it: the note of its
    first cite, set once a later (subsequent or ibid) cite of it sits in another note."""
    out: dict = {}
    for cl, row, note in zip(clusters, pos, notes):
        for c, p in zip(cl, row):
            if p[0] != 0 and p[2] is not None and p[2] != note:
                out.setdefault(c["id"], p[2])
    return out


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


def rerun_pools(eng, by_id: dict, params: dict, pools: list, cited: set, backrefs: dict, numbers: dict,
                bib_order: list) -> None:
    """Update ``params`` in place with the re-runs of every pool holding a cited work."""
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
        return eng.ambiguity_text(ref, p, numbers.get(ref.id), first_note=first)

    for pool in pools:
        if len(pool) < 2 or not cited.intersection(pool):
            continue
        refs = [by_id[i] for i in pool]
        # by-cite given names belong to the pool's configuration; a global rule's to each work
        floors = {r.id: _floor(params[pool[0]], r, name_vars) if by_cite else
                  Params(add_names=params[pool[0]].add_names, hints=params[r.id].hints) for r in refs}
        texts = {r.id: text(r, floors[r.id]) for r in refs}
        distinct = len(set(texts.values())) == len(refs)
        if condition_first:
            # disExtraText counts a pool done at its first scan only when the scanned work differs from
            # the one work left beside it; otherwise it turns the condition on, and keeps it on although
            # the cites may already differ (oscola: three "Jones" works, one of them with "(n 1)")
            on = not (distinct and len(refs) == 2)
            for f in floors.values():
                f.disamb = (1 if eng.disamb_tests > 1 else ALL) if on else 0
            params.update(floors)
            continue
        if distinct:  # the first work's configuration tells them all apart: each work registers it
            params.update(floors)
            continue
        order = [i for i in bib_order if i in floors]
        again = disambiguate(text, refs, order, opts, name_vars, eng.disamb_tests)
        params.update({i: _at_least(again[i], floors[i]) for i in pool})
