"""Page metadata values to CSL values (pure): names of people and organisations, dates, DOIs in text."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from refsvc.metadata.cleanup import strip_markup

# A credit for building the site is not authorship ("Website by Pixel & Co", "Designed by ...").
_CREDIT = re.compile(r"\b(web\s*design|website\s+by|site\s+by|designed\s+by|developed\s+by|built\s+by|"
                     r"powered\s+by|web\s*development|web\s*developer|webmaster|seo\b|digital\s+agency|"
                     r"hosted\s+by|theme\s+by)", re.IGNORECASE)
_ORG_WORDS = re.compile(r"\b(ltd|limited|inc|llc|llp|plc|gmbh|co\.|company|corporation|corp|group|university|"
                        r"college|school|institute|institution|association|society|foundation|trust|nhs|"
                        r"council|department|ministry|agency|centre|center|clinic|hospital|press|"
                        r"organi[sz]ation|committee|network|team|staff|editors|board|service|services|"
                        r"charity|federation|union|office|government)\b", re.IGNORECASE)
_HONORIFIC = re.compile(r"^(?:by\s+)?(?:(?:dr|prof|professor|mr|mrs|ms|mx|miss|sir|dame|rev)\.?\s+)+",
                        re.IGNORECASE)
# matched against the last word alone: anchored at the end, "\s+...$" searched would be quadratic
_SUFFIX = re.compile(r"(jr\.?|sr\.?|ii|iii|iv|phd|md|psyd|dphil|msc|ma|ba|bsc)\.?", re.IGNORECASE)
_PARTICLES = {"van", "von", "de", "der", "den", "da", "di", "del", "della", "du", "la", "le", "ten", "ter"}
DOI_IN_TEXT = re.compile(r"\b10\.\d{4,9}/[^\s\"'<>]+")

_MONTHS = {m: i for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                        "nov", "dec"], start=1)}


def is_credit(text: str) -> bool:
    """A web developer's or host's credit, an address or a link: not an author."""
    return bool(_CREDIT.search(text)) or "@" in text or text.lower().startswith(("http://", "https://", "www."))


def person(text: str, organisation: bool | None = None) -> dict[str, str] | None:
    """A CSL name from 'Given Family', 'Family, Given' or an organisation's name; None for credits."""
    text = strip_markup(text or "").strip(" ,;")
    if not text or is_credit(text) or len(text) > 200:
        return None
    if organisation is None:
        organisation = bool(_ORG_WORDS.search(text))
    if organisation:
        return {"literal": text}
    text = _HONORIFIC.sub("", text).strip()
    words = text.rsplit(None, 1)
    suffix_match = _SUFFIX.fullmatch(words[1]) if len(words) == 2 else None
    if suffix_match:
        text = words[0]
    text = text.strip(" ,")
    if "," in text:
        family, _, given = text.partition(",")
    else:
        words = text.split()
        if len(words) == 1:
            return {"literal": words[0]}
        cut = len(words) - 1
        while cut > 1 and words[cut - 1].lower() in _PARTICLES:  # "Ludwig van Beethoven"
            cut -= 1
        given, family = " ".join(words[:cut]), " ".join(words[cut:])
    name = {"family": family.strip(), "given": given.strip()}
    if suffix_match and suffix_match.group(1).lower().rstrip(".") in ("jr", "sr", "ii", "iii", "iv"):
        name["suffix"] = suffix_match.group(1)
    return {k: v for k, v in name.items() if v}


def date_parts(text: Any) -> dict[str, Any] | None:
    """A CSL date from '2022-01-20T10:00:00Z', '2022/01/20', '2022-01', '20 January 2022', 'Jan 20, 2022'."""
    if not isinstance(text, str):
        return None
    value = text.strip()
    found = re.match(r"^(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?(?:[T ]|$)", value)
    if found:
        parts = [int(p) for p in found.groups() if p]
    else:
        words = re.findall(r"[A-Za-z]+|\d+", value)
        year = next((int(w) for w in words if w.isdigit() and len(w) == 4), None)
        month = next((_MONTHS[w[:3].lower()] for w in words if w[:3].lower() in _MONTHS), None)
        day = next((int(w) for w in words if w.isdigit() and len(w) <= 2 and 1 <= int(w) <= 31), None)
        if year is None:
            return None
        parts = [year] + ([month] if month else []) + ([day] if month and day else [])
    try:  # refuse impossible dates rather than cite them
        datetime(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return None
    return {"date-parts": [parts]}


def find_doi(text: Any) -> str | None:
    """The first DOI in a string ('doi:10.1/x', 'https://doi.org/10.1/x', '10.1/x')."""
    if not isinstance(text, str):
        return None
    found = DOI_IN_TEXT.search(text)
    return found.group(0).rstrip(".,;") if found else None
