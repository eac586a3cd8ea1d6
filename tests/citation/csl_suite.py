"""Read and run CSL test-suite fixtures (MODE, CSL, INPUT, RESULT, CITATION-ITEMS, CITATIONS, BIBENTRIES,
BIBSECTION, OPTIONS) through refsvc.citation, producing citeproc-js's test-harness output format."""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEFAULT_DIR = (REPO / ".." / "shared" / "csl-test-suite" / "humans").resolve()
KNOWN_FILE = Path(__file__).with_name("csl_suite_known_failures.txt")
_SECTION = re.compile(r">>=+ *([A-Z-]+) *=+>>\n?(.*?)\n?<<=+ *\1 *=+<<", re.S)


def suite_dir() -> Path:
    """The fixture folder: $CSL_TEST_SUITE or ../shared/csl-test-suite/humans beside the repo."""
    return Path(os.environ.get("CSL_TEST_SUITE") or DEFAULT_DIR)


@dataclass
class Fixture:
    name: str
    sections: dict

    @property
    def group(self) -> str:
        return self.name.split("_", 1)[0]


def load(path: Path) -> Fixture:
    """Parse one fixture file."""
    text = path.read_text(encoding="utf-8-sig")
    return Fixture(path.stem, {m.group(1): m.group(2) for m in _SECTION.finditer(text)})


def fixtures(folder: Path | None = None) -> list[Path]:
    """Fixture files at the top of the folder, sorted."""
    folder = folder or suite_dir()
    return sorted(p for p in folder.glob("*.txt") if p.is_file())


def read_known() -> dict[str, str]:
    """Known failures: name -> reason."""
    known = {}
    if KNOWN_FILE.exists():
        for line in KNOWN_FILE.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                name, _, why = line.partition(" ")
                known[name] = why.strip() or "no reason given"
    return known


def run(fx: Fixture) -> str:
    """Render a fixture as citeproc-js's test harness prints it."""
    from refsvc.citation.api import engine_for
    from refsvc.citation.style import compile_style
    from refsvc.citation.variables import Ref

    style = compile_style(fx.sections["CSL"].encode("utf-8"))
    eng = engine_for(style, None)
    items = json.loads(fx.sections["INPUT"])
    refs: list = []
    for it in items:  # a repeated id: the later item replaces the earlier one (citeproc-js registry)
        r = Ref(it)
        refs = [r if o.id == r.id else o for o in refs] if any(o.id == r.id for o in refs) else refs + [r]
    mode = fx.sections["MODE"].strip()
    if "BIBSECTION" in fx.sections:
        raise NotImplementedError("BIBSECTION is not supported")
    if mode == "bibliography":
        if "BIBENTRIES" in fx.sections:
            ids = json.loads(fx.sections["BIBENTRIES"])[-1]
            by = {r.id: r for r in refs}
            refs = [by[str(i)] for i in ids if str(i) in by]
        cited = None
        if "CITATIONS" in fx.sections:  # the document after the last update: its items alone are registered
            cited = _final_clusters(json.loads(fx.sections["CITATIONS"]))
            if "BIBENTRIES" not in fx.sections:
                ids = {str(c["id"]) for cl in cited for c in cl}
                refs = [r for r in refs if r.id in ids]
        elif "CITATION-ITEMS" in fx.sections:
            cited = _clusters(fx)[0]
        if cited is not None:
            order = []
            for cl in cited:
                for c in cl:
                    if str(c["id"]) not in order:
                        order.append(str(c["id"]))
            by = {r.id: r for r in refs}
            refs = [by[i] for i in order if i in by] + [r for r in refs if r.id not in order]
        entries = eng.bibliography_entries(refs)
        lines = ['<div class="csl-bib-body">']
        for _, seq in entries:
            html = _js_divs(eng.finish(seq, "html"))
            lines.append(f'  <div class="csl-entry">{html}</div>')
        lines.append("</div>")
        return "\n".join(lines)
    if "CITATIONS" in fx.sections:
        return _run_citations(eng, refs, json.loads(fx.sections["CITATIONS"]))
    clusters, notes, _ = _clusters(fx)
    if clusters is None:  # one cluster of every item, in registry (bibliography-sorted) order
        order = eng.sorted_refs(refs, "bibliography") if eng.style.bibliography else refs
        clusters = [[{"id": r.id} for r in order]]
        notes = [1]
    return "\n".join(eng.finish(s, "html") for s in _clusters_as_harness(eng, refs, clusters, notes, False))


_BLOCK = re.compile(r'<div class="csl-block">(.*?)</div>', re.S)
_INLINE = re.compile(r'<div class="csl-(right-inline|indent)">(.*?)(\s*)</div>', re.S)


def _js_divs(html: str) -> str:
    """Lay out display divs as citeproc-js's HTML format does (its line breaks and indents; trailing
    space of a right-inline div goes after it)."""
    html = _BLOCK.sub(lambda m: f'\n\n    <div class="csl-block">{m.group(1)}</div>\n', html)
    html = html.replace('<div class="csl-left-margin">', '\n    <div class="csl-left-margin">')
    return _INLINE.sub(lambda m: f'<div class="csl-{m.group(1)}">{m.group(2)}</div>\n  {m.group(3)}', html)


def _clusters_as_harness(eng, refs, clusters, notes, cited_only: bool = True) -> list:
    """Render clusters as citeproc-js's test harness (citeproc-test-runner lib/sys.js) does: CITATIONS
    register the cited items only, numbered as cited; otherwise every INPUT item is registered."""
    from refsvc.citation.api import cluster_seqs
    return cluster_seqs(eng, refs, clusters, notes, strict=False, cited_only=cited_only,
                        number_by_citation=cited_only)


def _run_citations(eng, refs, data: list) -> str:
    """citeproc-js processCitationCluster semantics: each entry inserts a citation between pre and post."""
    by_id: dict = {}
    states = []
    for entry in data:
        cit, pre, post = entry[0], entry[1] if len(entry) > 1 else [], entry[2] if len(entry) > 2 else []
        cid = cit.get("citationID") or f"cit-{len(by_id)}"
        by_id[cid] = cit
        note = (cit.get("properties") or {}).get("noteIndex") or 0
        states.append([(p[0], p[1]) for p in pre] + [(cid, note)] + [(p[0], p[1]) for p in post])

    def render(state):
        clusters = [list(by_id[c].get("citationItems", [])) for c, _ in state]
        notes = [n or 0 for _, n in state]
        return {c: eng.finish(s, "html") for (c, _), s in zip(state, _clusters_as_harness(eng, refs, clusters, notes))}
    final = render(states[-1])
    before = render(states[-2]) if len(states) > 1 else {}
    last_id = states[-1][len([p for p in data[-1][1]])][0] if data[-1] else None
    tainted = set()
    if len(states) > 1:
        ambiguous, peers = _ambiguity(eng, refs, by_id, states[-2], states[-1])
        tainted = _tainted(by_id, states[-2], states[-1], ambiguous, peers)
    lines = []
    for i, (c, _) in enumerate(states[-1]):
        changed = c == last_id or before.get(c) != final[c] or c in tainted
        lines.append(f"{'>>' if changed else '..'}[{i}] {final[c]}")
    return "\n".join(lines)


def _tainted(by_id: dict, old: list, new: list, ambiguous: set, peers: set) -> set:
    """Citations citeproc-js re-renders (and reports) though their text may not change: those whose
    cites changed position or near-note, and every citation of an item whose later cites' first-reference
    note number moved (processCitationCluster's taint rules)."""
    from refsvc.citation.citations import positions

    def pos_of(state):
        clusters = [list(by_id[c].get("citationItems", [])) for c, _ in state]
        rows = positions(clusters, [n or 0 for _, n in state], 5)
        return {c: (cl, row) for (c, _), cl, row in zip(state, clusters, rows)}
    before, after = pos_of(old), pos_of(new)
    out, items = set(), set(peers)
    cited_later = {str(x["id"]) for cl, row in before.values() for x, r in zip(cl, row) if r[0]}
    for c, (cl, row) in after.items():
        if c not in before:  # an item's first later cite gives it a first-reference note number
            items.update(str(x["id"]) for x, r in zip(cl, row)
                         if r[0] and str(x["id"]) not in cited_later and str(x["id"]) in ambiguous)
            continue
        if len(before[c][1]) != len(row):
            continue
        for cite, (p, near, first), (p0, near0, first0) in zip(cl, row, before[c][1]):
            if (p, near) != (p0, near0):
                out.add(c)
            if p and first != first0:
                items.add(str(cite["id"]))
    return out | {c for c, (cl, _) in after.items() if {str(x["id"]) for x in cl} & items}


def _ambiguity(eng, refs, by_id: dict, old: list, new: list) -> tuple[set, set]:
    """Ids of the cited items that disambiguation touched, and of those whose undisambiguated cite reads
    as that of an item first cited in the last update (citeproc-js re-runs that ambiguity set).
    A model of citeproc-js's bookkeeping, for the '>>' markers of CITATIONS fixtures only."""
    from refsvc.citation.disambiguate import Params

    def cited(state):
        return {str(x["id"]) for c, _ in state for x in by_id[c].get("citationItems", [])}
    now, before = cited(new), cited(old)
    pool = [r for r in refs if r.id in now]
    params = eng.disambiguation(pool, [r.id for r in pool])
    base = {r.id: eng.ambiguity_text(r, Params()) for r in pool} if eng.style.citation else {}
    # only a new item that needed more than a year-suffix makes citeproc-js re-run its ambiguity set
    fresh = {base[i] for i in now - before if i in base and params[i] != Params(year_suffix=params[i].year_suffix)}
    return ({rid for rid, p in params.items() if p != Params()},
            {rid for rid, t in base.items() if t in fresh and rid in before})


def _final_clusters(data: list) -> list:
    """The citations of the document after the last processCitationCluster call, in order."""
    by_id = {}
    for entry in data:
        by_id[entry[0].get("citationID")] = entry[0]
    last = data[-1]
    order = [p[0] for p in (last[1] if len(last) > 1 else [])] + [last[0].get("citationID")] + \
        [p[0] for p in (last[2] if len(last) > 2 else [])]
    return [list(by_id[c].get("citationItems", [])) for c in order]


def _clusters(fx: Fixture):
    if "CITATIONS" in fx.sections:
        data = json.loads(fx.sections["CITATIONS"])
        clusters, notes = [], []
        for entry in data:
            cit = entry[0] if isinstance(entry, list) else entry
            clusters.append(list(cit.get("citationItems", [])))
            notes.append((cit.get("properties") or {}).get("noteIndex") or len(notes) + 1)
        return clusters, notes, True
    if "CITATION-ITEMS" in fx.sections:
        clusters = json.loads(fx.sections["CITATION-ITEMS"])
        return clusters, list(range(1, len(clusters) + 1)), None
    return None, None, None


def outcome(path: Path) -> tuple[bool, str]:
    """(passed, detail) for one fixture file."""
    fx = load(path)
    want = fx.sections.get("RESULT", "")
    try:
        got = run(fx)
    except Exception as exc:  # a crash is a failure with its reason
        return False, f"{type(exc).__name__}: {exc}"
    return got == want, f"expected:\n{want}\ngot:\n{got}"


def report(folder: Path | None = None) -> list[tuple[str, int, int]]:
    """(group, passed, total) for every group, plus a TOTAL row."""
    counts: dict[str, list[int]] = {}
    for p in fixtures(folder):
        ok, _ = outcome(p)
        c = counts.setdefault(load(p).group, [0, 0])
        c[0] += ok
        c[1] += 1
    rows = [(g, c[0], c[1]) for g, c in sorted(counts.items())]
    rows.append(("TOTAL", sum(r[1] for r in rows), sum(r[2] for r in rows)))
    return rows


_REASONS = (
    ("BIBSECTION", "BIBSECTION (bibliography filtering) is not supported"),
    ("citation-label", "citation-label trigraph generation is not implemented"),
    ("CSL STYLE ERROR", "citeproc-js error-message output for items with no printed form is not reproduced"),
)


def _reason(path: Path, detail: str) -> str:
    text = path.read_text(encoding="utf-8-sig")
    for needle, why in _REASONS:
        if needle in text or needle in detail:
            return why
    if detail.startswith(("NotImplementedError", "ValueError", "KeyError", "TypeError", "AttributeError")):
        return "raises " + detail.splitlines()[0][:120]
    exp, _, got = detail.partition("\ngot:\n")
    exp = exp.replace("expected:\n", "")
    i = next((k for k, (a, b) in enumerate(zip(exp, got)) if a != b), min(len(exp), len(got)))
    return f"output differs from citeproc-js at char {i}: expected {exp[i:i + 40]!r}, got {got[i:i + 40]!r}"


def write_known(folder: Path | None = None) -> int:
    """Rewrite the known-failures file from the current engine, keeping hand-written reasons."""
    old = read_known()
    lines = ["# CSL test-suite fixtures refsvc.citation does not yet render as citeproc-js does.",
             "# One per line: <fixture> <reason>. Regenerate: python -m tests.citation.suite_report --update-known",
             "# (hand-edited reasons, i.e. those not starting with 'output differs', are kept)."]
    n = 0
    for p in fixtures(folder):
        ok, detail = outcome(p)
        if ok:
            continue
        why = old.get(p.stem, "")
        if not why or why.startswith(("output differs", "raises")):
            why = _reason(p, detail)
        lines.append(f"{p.stem} {why}")
        n += 1
    KNOWN_FILE.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return n
