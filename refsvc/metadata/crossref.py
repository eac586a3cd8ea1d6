"""A Crossref REST API ``/works`` message to a CSL-JSON item (pure)."""
from __future__ import annotations

from typing import Any

from refsvc.metadata.cleanup import clean_item

# Crossref work types to CSL types (https://api.crossref.org/types lists Crossref's).
TYPES = {
    "journal-article": "article-journal", "book-chapter": "chapter", "book-section": "chapter",
    "book-part": "chapter", "proceedings-article": "paper-conference", "posted-content": "article",
    "dataset": "dataset", "report": "report", "report-component": "report", "book": "book",
    "monograph": "book", "edited-book": "book", "reference-book": "book", "book-set": "book",
    "book-series": "book", "book-track": "book", "dissertation": "thesis", "reference-entry": "entry",
    "peer-review": "review", "standard": "standard", "component": "document", "other": "document",
    "journal": "periodical", "journal-issue": "periodical", "proceedings": "book", "grant": "document",
}
_PEOPLE = ("author", "editor", "translator", "chair")


def _first(value: Any) -> Any:
    if isinstance(value, list):
        return next((v for v in value if v), None)
    return value


def _date(message: dict[str, Any], *keys: str) -> dict[str, Any] | None:
    for key in keys:
        parts = (message.get(key) or {}).get("date-parts")
        if parts and parts[0] and parts[0][0] is not None:
            return {"date-parts": [[int(p) for p in parts[0] if p is not None]]}
    return None


def work_to_csl(message: dict[str, Any]) -> dict[str, Any]:
    """CSL-JSON for a Crossref work message (the ``message`` of ``/works/{doi}``), cleaned."""
    title = _first(message.get("title")) or ""
    subtitle = _first(message.get("subtitle"))
    if subtitle and subtitle.lower() not in title.lower():  # Crossref repeats subtitles inside titles
        title = f"{title}: {subtitle}"
    item: dict[str, Any] = {
        "type": TYPES.get(message.get("type", ""), "article"),
        "title": title,
        "container-title": _first(message.get("container-title")),
        "container-title-short": _first(message.get("short-container-title")),
        "volume": message.get("volume"),
        "issue": message.get("issue") or (message.get("journal-issue") or {}).get("issue"),
        "page": message.get("page") or message.get("article-number"),
        "publisher": message.get("publisher"),
        "publisher-place": message.get("publisher-location"),
        "DOI": message.get("DOI"),
        "ISSN": _first(message.get("ISSN")),
        "ISBN": _first(message.get("ISBN")),
        "language": message.get("language"),
        "abstract": message.get("abstract"),
        "edition": message.get("edition-number"),
        "issued": _date(message, "issued", "published-print", "published-online", "published", "created"),
        "source": "Crossref",
    }
    for role in _PEOPLE:
        people = message.get(role)
        if people:
            item[role] = people
    return clean_item(item)
