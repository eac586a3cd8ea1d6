"""Friendly page metadata (what the website sends) to a CSL-JSON item.

The website speaks in page terms (``site_name``, ``published``, ``authors`` with organisations as a
single ``name``); CSL speaks in its own variables. This module is the one place that maps the two.
"""
from __future__ import annotations

import calendar
import re
from datetime import datetime, timezone
from typing import Any

from refsvc.metadata.doi import normalize_doi

# Friendly type -> CSL type. CSL types themselves are accepted too.
TYPES = {
    "webpage": "webpage", "article": "article-journal", "journal-article": "article-journal",
    "magazine": "article-magazine", "news": "article-newspaper", "blog": "post-weblog",
    "book": "book", "chapter": "chapter", "report": "report", "thesis": "thesis",
    "video": "motion_picture", "film": "motion_picture", "broadcast": "broadcast",
    "podcast": "broadcast", "dataset": "dataset", "software": "software",
    "conference": "paper-conference", "legislation": "legislation", "post": "post",
}
CSL_TYPES = {
    "article", "article-journal", "article-magazine", "article-newspaper", "bill", "book", "broadcast",
    "chapter", "classic", "collection", "dataset", "document", "entry", "entry-dictionary",
    "entry-encyclopedia", "event", "figure", "graphic", "hearing", "interview", "legal_case",
    "legislation", "manuscript", "map", "motion_picture", "musical_score", "pamphlet",
    "paper-conference", "patent", "performance", "periodical", "personal_communication", "post",
    "post-weblog", "regulation", "report", "review", "review-book", "software", "song", "speech",
    "standard", "thesis", "treaty", "webpage",
}

_DATE = re.compile(r"^(-?\d{1,4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")

# Plain fields copied to a CSL variable of another name.
_SIMPLE = {
    "title": "title", "container_title": "container-title", "publisher": "publisher",
    "place": "publisher-place", "url": "URL", "volume": "volume", "issue": "issue", "pages": "page",
    "edition": "edition", "number": "number", "isbn": "ISBN", "issn": "ISSN", "language": "language",
    "abstract": "abstract", "genre": "genre", "medium": "medium", "note": "note",
    "collection_title": "collection-title", "event": "event-title", "short_title": "title-short",
}
_PEOPLE = {"authors": "author", "editors": "editor", "translators": "translator",
           "directors": "director"}


def csl_type(name: str) -> str:
    """The CSL type for a friendly or CSL type name; ValueError lists the choices."""
    key = name.strip().lower()
    if key in TYPES:
        return TYPES[key]
    if key in CSL_TYPES:
        return key
    raise ValueError(f"Unknown type {name!r}; use one of {', '.join(sorted(TYPES))} or a CSL type.")


def parse_date(text: str) -> dict[str, Any]:
    """An ISO date, partial allowed ("2022", "2022-01", "2022-01-20"), to CSL date-parts.

    Months 21 to 24 are CSL's seasons (spring to winter) and take no day.
    """
    match = _DATE.match(str(text).strip())
    if not match:
        raise ValueError(f"{text!r} is not a date; use YYYY, YYYY-MM or YYYY-MM-DD.")
    year, month, day = (int(g) if g else None for g in match.groups())
    parts = [year]
    if month is not None:
        if not (1 <= month <= 12 or (21 <= month <= 24 and day is None)):
            raise ValueError(f"{text!r} has no month {month}; months are 01-12 (21-24 for seasons).")
        parts.append(month)
    if day is not None:
        if not 1 <= day <= calendar.monthrange(year if year > 0 else 2000, month)[1]:
            raise ValueError(f"{text!r} has no day {day} in that month.")
        parts.append(day)
    return {"date-parts": [parts]}


def person(entry: dict[str, Any]) -> dict[str, Any]:
    """A friendly person or organisation to a CSL name."""
    if entry.get("name"):
        return {"literal": entry["name"].strip()}
    name = {key: entry[key].strip() for key in ("family", "given", "suffix") if entry.get(key)}
    if entry.get("particle"):
        name["non-dropping-particle"] = entry["particle"].strip()
    return name


def to_csl(metadata: dict[str, Any], *, today: datetime | None = None) -> dict[str, Any]:
    """A CSL-JSON item from validated friendly metadata; ``accessed`` defaults to today (UTC)."""
    kind = csl_type(metadata.get("type") or "webpage")
    item: dict[str, Any] = {"id": metadata.get("id") or "item", "type": kind}
    for friendly, csl in _SIMPLE.items():
        if metadata.get(friendly) not in (None, ""):
            item[csl] = metadata[friendly]
    for friendly, csl in _PEOPLE.items():
        if metadata.get(friendly):
            item[csl] = [person(p) for p in metadata[friendly]]
    if metadata.get("site_name"):
        # A web page's site is its container; for other types the site names the publisher.
        key = "container-title" if kind in {"webpage", "post", "post-weblog", "article-newspaper",
                                            "article-magazine"} else "publisher"
        item.setdefault(key, metadata["site_name"])
    if metadata.get("doi"):
        item["DOI"] = normalize_doi(metadata["doi"])  # any pasted form; raises InvalidDOI (ValueError)
    # A page that only shows "updated" is dated by its update, as APA and Chicago ask.
    issued = metadata.get("published") or metadata.get("modified")
    if issued:
        item["issued"] = parse_date(issued)
    today = today or datetime.now(timezone.utc)
    item["accessed"] = parse_date(metadata.get("accessed") or today.strftime("%Y-%m-%d"))
    return item
