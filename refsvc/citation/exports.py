"""Exports of CSL-JSON items (one, or a whole list): BibTeX, RIS and CSL-JSON, with their media types."""
from __future__ import annotations

import json
import re
import unicodedata
from typing import Any, Callable

from . import bibtex
from .exports_common import date_parts as _date_parts, name as _name, people as _people, plain as _plain

MEDIA_TYPES = {
    "bibtex": ("application/x-bibtex; charset=utf-8", "bib"),
    "ris": ("application/x-research-info-systems; charset=utf-8", "ris"),
    "csl-json": ("application/vnd.citationstyles.csl+json; charset=utf-8", "json"),
}


def citation_key(item: dict) -> str:
    """A readable key: first author's family name, year, first title word (ASCII)."""
    persons = _people(item, "author") or _people(item, "editor") or [{}]
    first = str(persons[0].get("family") or persons[0].get("literal") or "anon")[:40]
    year = (_date_parts(item, "issued") or ["nd"])[0]
    word = next((w for w in re.findall(r"\w+", _plain(item.get("title", ""))[:200]) if len(w) > 3), "")
    raw = f"{first}{year}{word[:30]}"
    return re.sub(r"[^A-Za-z0-9]", "", unicodedata.normalize("NFKD", raw)).lower() or "item"


def to_bibtex(item: dict, key: str | None = None) -> str:
    """One BibTeX entry (see refsvc.citation.bibtex for the conventions)."""
    return bibtex.to_bibtex(item, key or citation_key(item))


# ---- RIS --------------------------------------------------------------------------------------

_RIS_TYPES = {
    "article-journal": "JOUR", "article-magazine": "MGZN", "article-newspaper": "NEWS",
    "book": "BOOK", "chapter": "CHAP", "paper-conference": "CPAPER", "report": "RPRT",
    "thesis": "THES", "webpage": "ELEC", "post-weblog": "BLOG", "motion_picture": "VIDEO",
    "broadcast": "VIDEO", "dataset": "DATA", "software": "COMP", "legislation": "STAT",
    "legal_case": "CASE", "map": "MAP", "song": "SOUND", "patent": "PAT",
}


def _ris_date(parts: list[int]) -> str:
    padded = [f"{parts[0]:04d}"] + [f"{p:02d}" for p in parts[1:3]]
    return "/".join(padded + [""] * (3 - len(padded))) + "/"


def to_ris(item: dict) -> str:
    """One RIS record, CRLF line ends as the format specifies."""
    lines = [("TY", _RIS_TYPES.get(item.get("type", ""), "GEN"))]
    lines += [("AU", _name(p)) for p in _people(item, "author")]
    lines += [("ED", _name(p)) for p in _people(item, "editor")]
    issued, accessed = _date_parts(item, "issued"), _date_parts(item, "accessed")
    pages = re.split(r"\s*[-–]\s*", str(item.get("page", "")), maxsplit=1)
    for tag, value in [
        ("TI", item.get("title")), ("T2", item.get("container-title")),
        ("PY", issued[0] if issued else None), ("DA", _ris_date(issued) if issued else None),
        ("VL", item.get("volume")), ("IS", item.get("issue")),
        ("SP", pages[0] or None), ("EP", pages[1] if len(pages) > 1 else None),
        ("ET", item.get("edition")), ("PB", item.get("publisher")), ("CY", item.get("publisher-place")),
        ("SN", item.get("ISBN") or item.get("ISSN")), ("DO", item.get("DOI")), ("UR", item.get("URL")),
        ("Y2", _ris_date(accessed) if accessed else None), ("LA", item.get("language")),
        ("AB", item.get("abstract")),
    ]:
        if value not in (None, ""):
            lines.append((tag, _plain(value)))
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {value}\r\n" for tag, value in lines)


def to_csl_json(item: dict) -> str:
    """The item as a CSL-JSON array of one, as reference managers import it."""
    return json.dumps([item], ensure_ascii=False, indent=2) + "\n"


EXPORTERS: dict[str, Callable[[dict], str]] = {"bibtex": to_bibtex, "ris": to_ris,
                                                "csl-json": to_csl_json}


def bibtex_list(items: list[dict]) -> str:
    """A .bib file of many items; keys made unique (smith2021attachment, smith2021attachmentb)."""
    seen: set[str] = set()
    out = []
    for item in items:
        base = key = citation_key(item)
        n = 1
        while key in seen:
            n += 1
            key = base + _suffix(n)
        seen.add(key)
        out.append(to_bibtex(item, key))
    return "\n".join(out)


def _suffix(n: int) -> str:
    """2 -> "b", 27 -> "ab": letters as year suffixes go."""
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(97 + rest) + letters
    return letters


LIST_EXPORTERS: dict[str, Callable[[list[dict]], str]] = {
    "bibtex": bibtex_list,
    "ris": lambda items: "".join(to_ris(item) for item in items),
    "csl-json": lambda items: json.dumps(items, ensure_ascii=False, indent=2) + "\n",
}
