"""BibTeX export of a CSL-JSON item: valid for BibTeX and biblatex, every value escaped for its field.

Conventions, and why:
- Web pages (webpage, post, post-weblog) are ``@misc`` with ``howpublished = {\\url{...}}`` and
  ``note = {Accessed YYYY-MM-DD}``, not biblatex's ``@online``: classic BibTeX styles (plain, alpha,
  unsrt and the journal styles built on them) do not know ``@online`` and drop its address, while the
  ``@misc`` pair is printed by every BibTeX and biblatex style. Such an entry has no ``url`` field, so
  natbib styles do not print the address twice.
- Each entry type keeps only the fields BibTeX defines for it (btxdoc), plus ``doi``, ``url``,
  ``urldate``, ``isbn``/``issn`` where they belong: natbib and biblatex styles print them, classic
  styles ignore them without a warning.
- ``month`` is BibTeX's macro (``month = jan``), so styles print the month in their own language.
- Text fields are LaTeX-escaped, braces included (``\\textbraceleft{}``, which keeps the braces
  balanced, as BibTeX counts ``\\{`` as a brace); verbatim fields (``doi``, ``url``, the address in
  ``\\url{}``) are percent-encoded where a character could end the field or the entry. Control
  characters and line breaks become spaces. No value can add a field or an entry.
"""
from __future__ import annotations

import re
from typing import Any

from .exports_common import date_parts, name, people, plain

TYPES = {
    "article-journal": "article", "article-magazine": "article", "article-newspaper": "article",
    "book": "book", "chapter": "incollection", "paper-conference": "inproceedings",
    "report": "techreport", "thesis": "phdthesis", "manuscript": "unpublished",
}
WEB_TYPES = {"webpage", "post", "post-weblog"}
_STANDARD = {  # the fields BibTeX's standard styles define for each type, in the order written
    "article": ("author", "title", "journal", "year", "month", "volume", "number", "pages", "note"),
    "book": ("author", "editor", "title", "edition", "series", "volume", "publisher", "address",
             "year", "month", "note"),
    "incollection": ("author", "editor", "title", "booktitle", "edition", "series", "volume",
                     "chapter", "pages", "publisher", "address", "year", "month", "note"),
    "inproceedings": ("author", "editor", "title", "booktitle", "series", "volume", "pages",
                      "publisher", "address", "year", "month", "note"),
    "techreport": ("author", "title", "institution", "type", "number", "address", "year", "month",
                   "note"),
    "phdthesis": ("author", "title", "school", "type", "address", "year", "month", "note"),
    "unpublished": ("author", "title", "year", "month", "note"),
    "misc": ("author", "title", "howpublished", "year", "month", "note"),
}
_STANDARD["mastersthesis"] = _STANDARD["phdthesis"]
_LINKS = {"article": ("doi", "url", "urldate", "issn"), "book": ("doi", "url", "urldate", "isbn"),
          "incollection": ("doi", "url", "urldate", "isbn"),
          "inproceedings": ("doi", "url", "urldate", "isbn")}
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_LATEX = {"\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}",
          "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}",
          "^": r"\textasciicircum{}"}
# Characters that could close a braced field or a \url{} argument, or split a line, in a verbatim value.
_UNSAFE = re.compile(r'[{}\\"<>^`|\s]')


def latex(text: Any) -> str:
    """Plain text as LaTeX: every special character escaped, braces kept balanced."""
    return "".join(_LATEX.get(char, char) for char in plain(text))


def verbatim(text: Any) -> str:
    """A DOI or URL as a verbatim field: braces, backslashes, quotes and spaces percent-encoded."""
    return _UNSAFE.sub(lambda m: f"%{ord(m.group()):02X}", plain(text))


def _names(persons: list[dict]) -> str:
    # An organisation goes in braces so BibTeX does not split it into given and family names.
    return " and ".join("{" + latex(p["literal"]) + "}" if p.get("literal") else latex(name(p))
                        for p in persons)


def entry_type(item: dict) -> str:
    """The BibTeX type of a CSL item."""
    kind = TYPES.get(str(item.get("type", "")), "misc")
    if kind == "phdthesis" and "master" in str(item.get("genre", "")).lower():
        kind = "mastersthesis"
    return kind


def _iso(parts: list[int]) -> str:
    return "-".join([f"{parts[0]:04d}"] + [f"{p:02d}" for p in parts[1:3]])


def _candidates(item: dict, kind: str) -> dict[str, str]:
    """Every field the item could give, already escaped (``month`` as a bare macro)."""
    issued, accessed = date_parts(item, "issued"), date_parts(item, "accessed")
    web = item.get("type") in WEB_TYPES
    container = item.get("container-title")
    out: dict[str, Any] = {
        "author": _names(people(item, "author")), "editor": _names(people(item, "editor")),
        "title": "{" + latex(item.get("title")) + "}" if plain(item.get("title", "")) else "",
        "journal": latex(container or ""), "booktitle": latex(container or ""),
        "year": str(issued[0]) if issued else "",
        "month": _MONTHS[issued[1] - 1] if len(issued) > 1 and 1 <= issued[1] <= 12 else "",
        "volume": latex(item.get("volume") or ""),
        "number": latex((item.get("issue") if kind == "article" else item.get("number")) or ""),
        "pages": latex(re.sub(r"\s*[-–—]+\s*", "--", str(item.get("page") or ""))),
        "edition": latex(item.get("edition") or ""),
        "series": latex(item.get("collection-title") or ""),
        "chapter": latex(item.get("chapter-number") or ""),
        "publisher": latex(item.get("publisher") or ""),
        "institution": latex(item.get("publisher") or ""), "school": latex(item.get("publisher") or ""),
        "address": latex(item.get("publisher-place") or ""),
        "type": latex(item.get("genre") or "") if kind in ("techreport", "phdthesis", "mastersthesis") else "",
        "doi": verbatim(item.get("DOI") or ""), "url": verbatim(item.get("URL") or ""),
        "urldate": _iso(accessed) if accessed else "",
        "isbn": latex(item.get("ISBN") or ""), "issn": latex(item.get("ISSN") or ""),
    }
    if web:
        where = [latex(container)] if plain(container or "") else []
        if plain(item.get("URL") or ""):
            where.append(r"\url{" + verbatim(item["URL"]).replace("#", r"\#").replace("%", r"\%") + "}")
        out["howpublished"] = ", ".join(where)
        out["note"] = f"Accessed {_iso(accessed)}" if accessed else ""
    elif kind == "misc":
        out["howpublished"] = latex(container or item.get("publisher") or "")
    return out


def to_bibtex(item: dict, key: str) -> str:
    """One BibTeX entry under ``key`` (letters and digits only)."""
    kind = entry_type(item)
    values = _candidates(item, kind)
    links = _LINKS.get(kind, ("doi",) if item.get("type") in WEB_TYPES else ("doi", "url", "urldate"))
    fields = [(field, values[field]) for field in _STANDARD[kind] + links if values.get(field)]
    body = ",\n".join(f"  {field} = {value}" if field == "month" else f"  {field} = {{{value}}}"
                      for field, value in fields)
    return f"@{kind}{{{key},\n{body}\n}}\n"
