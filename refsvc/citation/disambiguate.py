"""Citation disambiguation: add names, add given names (global rules and by-cite), the disambiguate
condition, then year-suffixes, each stage re-rendering only the still-ambiguous sets."""
from __future__ import annotations

from dataclasses import dataclass, field

from .names import split_particles


ALL = 1 << 20


@dataclass
class Params:
    """Per-item disambiguation state (mutable, per call)."""
    add_names: int = 0
    hints: dict = field(default_factory=dict)
    year_suffix: str = ""
    disamb: int = 0  # disambiguate="true" tests that pass, in render order (ALL: every one)


def _suffix(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(97 + r) + s
    return s


def _groups(texts: dict) -> list[list]:
    by: dict = {}
    for rid, t in texts.items():
        by.setdefault(t, []).append(rid)
    return [g for g in by.values() if len(g) > 1]


def _given_key(n: dict) -> str:
    return (n.get("given") or "").replace(" ", "").replace(".", "")


def _name_key(n: dict) -> tuple:
    n = split_particles(n)
    return (n.get("non-dropping-particle") or "", n.get("family") or n.get("literal") or "")


def _differ(a, b) -> bool:
    if isinstance(a, tuple):
        return a[0] != b[0] or a[1] != b[1]
    return a != b


def _full(ref, name_vars, n: int) -> tuple:
    out = []
    for v in name_vars(ref)[:1]:  # the cite's names: a translator beside the author is not compared
        for nm in (ref.get(v) or [])[:n]:
            out.append((_name_key(nm), nm.get("given") or ""))
    return tuple(out)


def _initials(given: str) -> str:
    return "".join(w[:1] for w in given.replace("-", " ").replace(".", " ").split())


def _level_needed(n: dict, others: list, initials_only: bool = False) -> int:
    """0: family alone is unique; 1: initials separate it; 2: needs the full given name."""
    key = _name_key(n)
    g = (n.get("given") or "")
    lvl = 0
    for o in others:
        if o is n or _name_key(o) != key or _given_key(o) == _given_key(n):
            continue
        if _initials(o.get("given") or "") != _initials(g):
            lvl = max(lvl, 1)
        elif not initials_only:
            lvl = 2
    return lvl


def _expand_given(g: list, by_id: dict, params: dict, name_vars, rule: str, same_level: bool) -> None:
    """Given-name hints for a set found ambiguous; ``same_level``: citeproc-js by-cite expands every
    differing name of a set it resolves to the same level."""
    for v in sorted({v for i in g for v in name_vars(by_id[i])}):
        width = max(len(by_id[i].get(v) or []) for i in g)
        for k in range(width):
            if rule == "primary-name" and k > 0:
                break
            here = {i: by_id[i].get(v)[k] for i in g if len(by_id[i].get(v) or []) > k}
            levels = {i: _level_needed(n, [o for j, o in here.items() if j != i]) for i, n in here.items()}
            top = max(levels.values(), default=0)
            for i, lvl in levels.items():
                if lvl:
                    names = by_id[i].get(v)
                    lv = list(params[i].hints.get(v) or [0] * len(names))
                    lv[k] = max(lv[k], top if same_level else lvl)
                    params[i].hints[v] = lv


def disambiguate(render_text, refs: list, bib_order: list, options: dict, name_vars, max_disamb: int = 1,
                 shows_names=None, pools: list | None = None) -> dict:
    """Compute Params for every ref; ``render_text(ref, params)`` gives a cite's comparison text;
    ``max_disamb`` counts the style's disambiguate="true" tests; ``shows_names(ref)``: whether the cite
    prints a name list before any disambiguation (None: assume it does); ``pools``, when given, receives
    the sets found ambiguous before any step, each in ``refs`` order (citeproc-js's ambiguity pools)."""
    params = {r.id: Params() for r in refs}
    by_id = {r.id: r for r in refs}
    add_names = options.get("disambiguate-add-names") == "true"
    add_given = options.get("disambiguate-add-givenname") == "true"
    rule = options.get("givenname-disambiguation-rule", "by-cite")
    add_ys = options.get("disambiguate-add-year-suffix") == "true"
    if add_given and rule != "by-cite":
        everyone = [n for r in refs for v in name_vars(r) for n in (r.get(v) or [])]
        primary = [(r.get(v) or [None])[0] for r in refs for v in name_vars(r)[:1]]
        pool = primary if rule.startswith("primary") else everyone
        for r in refs:
            for v in name_vars(r):
                names = r.get(v) or []
                lv = []
                for i, n in enumerate(names):
                    need = _level_needed(n, [p for p in pool if p], rule.endswith("with-initials")) \
                        if (i == 0 or not rule.startswith("primary")) else 0
                    if rule.endswith("with-initials"):
                        need = min(need, 1)
                    lv.append(need)
                if any(lv):
                    params[r.id].hints[v] = lv
    texts = {r.id: render_text(r, params[r.id]) for r in refs}
    groups = _groups(texts)
    if pools is not None:
        pools.extend(groups)
    if not groups:
        return params
    # citeproc-js sizes its add-names / by-cite given-name steps (disNames) once, from the names the
    # cite prints before any disambiguation (Disambiguation initVars: namesetsMax, namesMax). A set
    # whose cites print no names there gets neither step, even when disambiguate="true" later
    # exposes names (bugreports_EnvAndUrb).
    if shows_names is not None:
        named = [g for g in groups if any(shows_names(by_id[i]) for i in g)]
    else:
        named = groups
    first_groups = named if rule == "by-cite" else groups  # other rules expand givens outside disNames
    by_given: set = set()
    if add_names:
        for g in named:
            maxn = max((len(by_id[i].get(v) or []) for i in g for v in name_vars(by_id[i])), default=0)
            need = {i: 0 for i in g}
            per_n = []
            for n in range(0, maxn + 1):  # n=0: given names alone may already tell them apart
                for i in g:
                    params[i].add_names = n
                keys = {i: render_text(by_id[i], params[i]) for i in g}
                if add_given:  # names that differ only in given names count too (expanded next)
                    base = int(options.get("et-al-use-first") or 1)
                    keys = {i: (keys[i], _full(by_id[i], name_vars, n + base)) for i in g}
                per_n.append(keys)
            if per_n:
                final = per_n[-1]
                for i in g:
                    others = [j for j in g if j != i and final[j] != final[i]]  # twins never separate
                    for n, keys in enumerate(per_n):
                        if others and all(_differ(keys[i], keys[j]) for j in others):
                            need[i] = n
                            # told apart only by a given name: the given-name step below must expand it
                            if add_given and any(keys[i][0] == keys[j][0] for j in others):
                                by_given.add(i)
                            break
            for i in g:
                params[i].add_names = need[i]
                texts[i] = render_text(by_id[i], params[i])
        groups = _groups(texts)
    if add_given and (groups or by_given) and rule in ("by-cite", "all-names", "primary-name"):
        still = {i for g in groups for i in g} | by_given
        # given names are expanded across the whole set first found ambiguous (citeproc-js by-cite)
        for g in [fg for fg in first_groups if still & set(fg)]:
            saved = {i: dict(params[i].hints) for i in g}
            _expand_given(g, by_id, params, name_vars, rule, same_level=True)
            for i in g:
                texts[i] = render_text(by_id[i], params[i])
            if len({texts[i] for i in g}) < len(g):  # the set stays ambiguous: each name keeps its own level
                for i in g:
                    params[i].hints = saved[i]
                _expand_given(g, by_id, params, name_vars, rule, same_level=False)
                for i in g:
                    texts[i] = render_text(by_id[i], params[i])
        groups = _groups(texts)
    # A set skipped above is still judged, at each disambiguate="true" step, with every name and given
    # name expanded that disNames may add once the condition prints names (citeproc-js re-runs its
    # disambiguation with its base config expanded), yet keeps none of them: it registers the config
    # of its last improvement (betterbase), so the cites print their names unexpanded.
    unnamed = {i for g in groups for i in g} - {i for g in named for i in g}
    if not (add_names or add_given and rule == "by-cite"):
        unnamed = set()

    def judged(i):
        if i not in unnamed:
            return render_text(by_id[i], params[i])
        ref = by_id[i]
        wide = Params(add_names=ALL if add_names else 0, year_suffix=params[i].year_suffix, disamb=params[i].disamb,
                      hints={v: [2] * len(ref.get(v) or []) for v in name_vars(ref)} if add_given else {})
        return render_text(ref, wide)
    level = 0
    while groups and level < max_disamb:  # disambiguate="true" tests, one more at each step
        level += 1
        for g in groups:
            for i in g:
                params[i].disamb = level if level < max_disamb else ALL
                texts[i] = judged(i)
        groups = _groups(texts)
    if add_ys and groups:
        rank = {rid: k for k, rid in enumerate(bib_order)}
        for g in groups:
            for k, i in enumerate(sorted(g, key=lambda x: rank.get(x, 0))):
                params[i].year_suffix = _suffix(k)
    return params
