"""A document's reference list: every item's bibliography entry and its citations in order, rendered
against the whole list (disambiguation, positions, collapsing), as citeproc-js does for a document."""
from __future__ import annotations

from typing import Any

from .api import _entry, _formats, _refs, cluster_seqs, engine_for

# The CSL 1.0.2 locator terms (citeproc-js also takes "sub verbo", the CSL 1.0 spelling).
LOCATOR_LABELS = ("act", "appendix", "article-locator", "book", "canon", "chapter", "column",
                  "elocation", "equation", "figure", "folio", "issue", "line", "note", "opus", "page",
                  "paragraph", "part", "rule", "scene", "section", "sub-verbo", "sub verbo",
                  "supplement", "table", "timestamp", "title-locator", "verse", "volume")
CITE_KEYS = ("id", "locator", "label", "prefix", "suffix", "suppress-author", "author-only")


def note_numbers(citations: list[dict[str, Any]]) -> list[int]:
    """Each citation's note: its ``note_number`` (0 = in the text), else its place (1, 2, ...)."""
    return [c["note_number"] if c.get("note_number") is not None else i + 1
            for i, c in enumerate(citations)]


def reference_list(items: list[dict], citations: list[dict[str, Any]], style_id: str,
                   locale: str = "en-US", formats: tuple[str, ...] = ("text", "html")) -> dict[str, Any]:
    """{"entries": [{"id", fmt...}] in the style's order, "citations": [{fmt...}] in document order}.

    ``citations`` are ``{"cites": [{"id", "locator"?, ...}], "note_number"?}``; a cite of an unknown
    id raises InvalidItem. Citations are disambiguated against every item, cited or not, so that
    "2014a" in the text is the "2014a" of the list."""
    fs = _formats(formats)
    eng = engine_for(style_id, locale)
    refs = _refs(items)
    # told apart once, for the list and its citations alike (the costliest step of a long list)
    ordered = eng.sorted_refs(refs, "bibliography") if eng.style.bibliography else refs
    pools: list = []
    params = eng.disambiguation(refs, [ref.id for ref in ordered], pools)
    clusters = [[{k: cite[k] for k in CITE_KEYS if cite.get(k) not in (None, "", False)}
                 for cite in c["cites"]] for c in citations]
    # the citations first: in a note style they update ``params`` (rerun.py), and citeproc-js makes
    # the bibliography after them
    seqs = cluster_seqs(eng, refs, clusters, note_numbers(citations), document=True,
                        params=params, pools=pools) if clusters else []
    entries = [{"id": ref.id, **{f: _entry(eng, seq, f) for f in fs}}
               for ref, seq in eng.bibliography_entries(refs, params)]
    return {"entries": entries, "citations": [{f: eng.finish(seq, f) for f in fs} for seq in seqs]}
