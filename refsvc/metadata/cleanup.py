"""Clean what DOI resolvers are known to send (pure): HTML in titles, ALL-CAPS, doubled subtitles,
hyphenated page ranges, Crossref-only keys that are not CSL variables."""
from __future__ import annotations

import html
import re
from typing import Any

# CSL 1.0.2 variables (plus "id"/"type"); anything else in a resolver's answer (Crossref's "indexed",
# "reference", "link", "license"...) is dropped: it is not citation data and can be large.
CSL_KEYS = {
    "id", "type", "abstract", "annote", "archive", "archive_collection", "archive_location",
    "archive-place", "authority", "call-number", "chapter-number", "citation-key", "citation-label",
    "citation-number", "collection-number", "collection-title", "container-title", "container-title-short",
    "dimensions", "division", "DOI", "edition", "event", "event-title", "event-place", "first-reference-note-number",
    "genre", "ISBN", "ISSN", "issue", "jurisdiction", "keyword", "language", "license", "locator", "medium",
    "note", "number", "number-of-pages", "number-of-volumes", "original-publisher", "original-publisher-place",
    "original-title", "page", "page-first", "part", "part-title", "PMCID", "PMID", "printing", "publisher",
    "publisher-place", "references", "reviewed-genre", "reviewed-title", "scale", "section",
    "status", "supplement", "title", "title-short", "URL", "version", "volume", "volume-title", "year-suffix",
    "accessed", "available-date", "event-date", "issued", "original-date", "submitted",
    "author", "chair", "collection-editor", "compiler", "composer", "container-author", "contributor",
    "curator", "director", "editor", "editorial-director", "executive-producer", "guest", "host",
    "illustrator", "interviewer", "narrator", "organizer", "original-author", "performer", "producer",
    "recipient", "reviewed-author", "script-writer", "series-creator", "translator",
}
NAME_KEYS = {"family", "given", "literal", "suffix", "non-dropping-particle", "dropping-particle",
             "parse-names", "comma-suffix", "static-ordering"}
NAME_VARIABLES = {"author", "chair", "collection-editor", "compiler", "composer", "container-author",
                  "contributor", "curator", "director", "editor", "editorial-director", "executive-producer",
                  "guest", "host", "illustrator", "interviewer", "narrator", "organizer", "original-author",
                  "performer", "producer", "recipient", "reviewed-author", "script-writer", "series-creator",
                  "translator"}
# Markup that sources put inside text (HTML in page metadata, JATS and MathML in Crossref titles),
# optionally namespaced ("jats:italic"). Only tag names of those vocabularies are markup: a title
# such as "Therapy & the <Self>" keeps its angle-bracketed word, as a careful editor would.
_TAG = re.compile(r"</?(?:[a-z][\w-]*:)?(?:a|abbr|b|big|bold|br|cite|code|div|em|ext-link|font|i|"
                  r"inline-formula|italic|label|math|mi|mn|mo|mrow|msub|msup|named-content|p|sc|"
                  r"small|span|strong|sub|sup|tex-math|title|tt|u|underline|xref)(?:\s[^>]{0,200})?/?>",
                  re.IGNORECASE)
_SPACE = re.compile(r"\s+")
# A match starts only where a run of spaces starts, or at the dash itself: "\s*" tried from every
# position of a long run of spaces with no dash after it would take quadratic time.
_DASH = r"(?:-{1,2}|\u2010|\u2011|\u2012|\u2212)"
_PAGE_DASH = re.compile(rf"(?<!\s)\s*{_DASH}\s*|{_DASH}\s*")
_SMALL_WORDS = {"a", "an", "and", "as", "at", "but", "by", "for", "in", "nor", "of", "on", "or", "the",
                "to", "up", "via", "with", "from", "into"}


def strip_markup(text: str) -> str:
    """Text without HTML/JATS tags and entities, spaces collapsed."""
    return _SPACE.sub(" ", html.unescape(_TAG.sub("", text))).strip()


def _is_all_caps(text: str, least: int = 8) -> bool:
    letters = [c for c in text if c.isalpha()]
    # short all-capital titles are usually acronyms ("NHS UK"), not shouting
    return len(letters) >= least and all(c.isupper() for c in letters)


def sentence_case(text: str) -> str:
    """'THE IMPACT OF DIT: A STUDY' -> 'The impact of dit: A study' (for titles shouted in capitals)."""
    lowered = text.lower()
    return re.sub(r"(^|[:?!.]\s+)(\w)", lambda m: m.group(1) + m.group(2).upper(), lowered)


def title_case(text: str) -> str:
    """'JOURNAL OF PSYCHOTHERAPY' -> 'Journal of Psychotherapy' (container titles in capitals)."""
    words = text.lower().split(" ")
    return " ".join(w if (i and w in _SMALL_WORDS) else w[:1].upper() + w[1:] for i, w in enumerate(words))


def clean_title(text: str) -> str:
    """A title without markup, shouting, a doubled subtitle or a closing period."""
    title = strip_markup(text)
    if _is_all_caps(title):
        title = sentence_case(title)
    # "Main: Sub: Sub" (Crossref's CSL joins title and subtitle even when the title already has it)
    parts = [p.strip() for p in title.split(":")]
    if len(parts) >= 3 and parts[-1].lower() == parts[-2].lower():
        title = ": ".join(parts[:-1])
    elif len(parts) == 2 and parts[0].lower() == parts[1].lower():
        title = parts[0]
    if title.endswith(".") and not title.endswith("..."):
        title = title[:-1].rstrip()  # styles add their own punctuation after the title
    return title


def clean_pages(text: str) -> str:
    """'464-468', '464 - 468' or '464--468' -> '464–468' (an en dash)."""
    return _PAGE_DASH.sub("\u2013", str(text).strip())


def clean_name(name: dict[str, Any]) -> dict[str, Any] | None:
    """A CSL name with only CSL keys, markup removed, and capitals tamed."""
    out: dict[str, Any] = {}
    for key, value in name.items():
        if key in NAME_KEYS and isinstance(value, str) and value.strip():
            value = strip_markup(value)
            if key in ("family", "given") and _is_all_caps(value, least=2):
                value = re.sub(r"(^|[\s\-'’])(\w)", lambda m: m.group(1) + m.group(2).upper(), value.lower())
            out[key] = value
        elif key in NAME_KEYS and isinstance(value, bool):
            out[key] = value
    if "name" in name and "literal" not in out and "family" not in out and isinstance(name["name"], str):
        out["literal"] = strip_markup(name["name"])  # Crossref's organisations come as {"name": ...}
    return out if ("family" in out or "literal" in out or "given" in out) else None


def clean_item(item: dict[str, Any]) -> dict[str, Any]:
    """A resolver's CSL item reduced to CSL variables and cleaned for citation."""
    out: dict[str, Any] = {}
    for key, value in item.items():
        if key not in CSL_KEYS or value in (None, "", [], {}):
            continue
        if isinstance(value, list) and key not in NAME_VARIABLES:
            value = next((v for v in value if v), None)  # Crossref sends lists for titles and ISSNs
            if value is None:
                continue
        if key in NAME_VARIABLES:
            names = [clean_name(n) for n in value if isinstance(n, dict)] if isinstance(value, list) else []
            value = [n for n in names if n]
            if not value:
                continue
        elif key in ("title", "title-short", "original-title", "volume-title", "reviewed-title"):
            value = clean_title(str(value))
        elif key in ("container-title", "collection-title", "container-title-short"):
            value = strip_markup(str(value))
            value = title_case(value) if _is_all_caps(value) else value
        elif key == "page":
            value = clean_pages(value)
        elif key == "abstract":
            value = strip_markup(str(value))
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        out[key] = value
    return out
