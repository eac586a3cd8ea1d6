"""Exports of one CSL-JSON item: BibTeX, RIS and CSL-JSON, with their media types."""
from __future__ import annotations

import json
import re
import unicodedata
from typing import Any, Callable

MEDIA_TYPES = {
    "bibtex": ("application/x-bibtex; charset=utf-8", "bib"),
    "ris": ("application/x-research-info-systems; charset=utf-8", "ris"),
    "csl-json": ("application/vnd.citationstyles.csl+json; charset=utf-8", "json"),
}

_TAGS = re.compile(r"</?(?:i|b|sup|sub|span)(?:\s[^>]*)?>", re.I)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # would break a line-based format or a terminal


def _plain(value: Any) -> str:
    """A field as plain text: rich-text tags and control characters dropped, whitespace collapsed."""
    return " ".join(_CONTROL.sub(" ", _TAGS.sub("", str(value))).split())


def _date_parts(item: dict, name: str) -> list[int]:
    date = item.get(name) or {}
    parts = (date.get("date-parts") or [[]])[0] if isinstance(date, dict) else []
    return [int(p) for p in parts if str(p).lstrip("-").isdigit()]


def _people(item: dict, role: str) -> list[dict]:
    """The names in a role, whatever shape a CSL-JSON item gives them (null, or a stray string)."""
    value = item.get(role)
    return [p for p in value if isinstance(p, dict)] if isinstance(value, list) else []


def _name(person: dict, family_first: str = ", ") -> str:
    if person.get("literal"):
        return _plain(person["literal"])
    family = " ".join(str(p) for p in [person.get("non-dropping-particle"), person.get("family")] if p)
    given = " ".join(str(p) for p in [person.get("given"), person.get("dropping-particle")] if p)
    name = f"{family}{family_first}{given}" if given else family
    return _plain(f"{name}, {person['suffix']}" if person.get("suffix") else name)


# ---- BibTeX -----------------------------------------------------------------------------------

_BIBTEX_TYPES = {
    "article-journal": "article", "article-magazine": "article", "article-newspaper": "article",
    "book": "book", "chapter": "incollection", "paper-conference": "inproceedings",
    "report": "techreport", "thesis": "phdthesis", "manuscript": "unpublished",
}
_LATEX = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$",
          "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def _latex(text: str) -> str:
    return "".join(_LATEX.get(char, char) for char in _plain(text))


def _bibtex_names(people: list[dict]) -> str:
    # An organisation goes in braces so BibTeX does not split it into given and family names.
    return " and ".join("{" + _latex(p["literal"]) + "}" if p.get("literal") else _latex(_name(p))
                        for p in people)


def citation_key(item: dict) -> str:
    """A readable key: first author's family name, year, first title word (ASCII)."""
    people = _people(item, "author") or _people(item, "editor") or [{}]
    first = str(people[0].get("family") or people[0].get("literal") or "anon")
    year = (_date_parts(item, "issued") or ["nd"])[0]
    word = next((w for w in re.findall(r"\w+", _plain(item.get("title", ""))) if len(w) > 3), "")
    raw = f"{first}{year}{word}"
    return re.sub(r"[^A-Za-z0-9]", "", unicodedata.normalize("NFKD", raw)).lower() or "item"


def to_bibtex(item: dict, key: str | None = None) -> str:
    """One BibTeX entry (biblatex-compatible field names where BibTeX has none)."""
    kind = _BIBTEX_TYPES.get(item.get("type", ""), "misc")
    if kind == "phdthesis" and "master" in str(item.get("genre", "")).lower():
        kind = "mastersthesis"
    container = "journal" if kind == "article" else "booktitle"
    issued, accessed = _date_parts(item, "issued"), _date_parts(item, "accessed")
    fields: list[tuple[str, str]] = []

    def add(name: str, value: Any, convert: Callable[[Any], str] = _latex) -> None:
        if value not in (None, "", []):
            fields.append((name, convert(value)))

    add("author", _people(item, "author"), _bibtex_names)
    add("editor", _people(item, "editor"), _bibtex_names)
    add("title", item.get("title"), lambda t: "{" + _latex(t) + "}")
    add(container, item.get("container-title"))
    add("year", issued[0] if issued else None, str)
    add("month", _MONTHS[issued[1] - 1] if len(issued) > 1 and 1 <= issued[1] <= 12 else None, str)
    add("volume", item.get("volume"))
    add("number", item.get("issue") or item.get("number"))
    add("pages", re.sub(r"\s*[-–—]+\s*", "--", str(item.get("page", ""))))
    add("edition", item.get("edition"))
    add("institution" if kind == "techreport" else "school" if "thesis" in kind else "publisher",
        item.get("publisher"))
    add("address", item.get("publisher-place"))
    add("doi", item.get("DOI"), _plain)
    add("url", item.get("URL"), _plain)
    add("urldate", "-".join(f"{p:02d}" for p in accessed) if accessed else None, str)
    add("isbn", item.get("ISBN"))
    add("issn", item.get("ISSN"))
    add("language", item.get("language"))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{{key or citation_key(item)},\n{body}\n}}\n"


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
