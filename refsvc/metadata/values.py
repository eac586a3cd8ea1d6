"""Page metadata values to CSL values (pure): names of people and organisations, dates, DOIs in text."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from nameparser import HumanName
from nameparser.config import Constants

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
_BY = re.compile(r"^\s*(?:written\s+|reviewed\s+|posted\s+)?by[:\s]+", re.IGNORECASE)
_GENERATIONAL = {"jr", "sr", "ii", "iii", "iv", "v"}  # CSL suffixes; degrees and honours are not cited
_PARTICLES = {"van", "von", "de", "der", "den", "da", "di", "del", "della", "du", "la", "le", "ten", "ter",
              "dos", "das", "do", "des", "vander", "zu", "af", "av", "bin", "ibn", "al", "el", "los", "las"}
# Post-nominals health and charity pages put after names, on top of nameparser's own list.
_POST_NOMINALS = ("mbbs mbchb bmbs frcpsych mrcpsych frcp mrcp frcgp mrcgp frcs rmn rgn rn rnmh ukcp bacp "
                  "mbacp dclinpsy clinpsyd cpsychol afbpss fbpss hcpc nmc obe mbe cbe kbe dbe frsa "
                  "pgdip pgcert dipl msc bsc ba ma mphil mres mpsych")
_NAMES = Constants()
_NAMES.suffix_not_acronyms.add(*_POST_NOMINALS.split())
_NAMES.titles.add("dame", "sir", "lord", "lady", "rev", "revd", "professor", "prof", "dr", "doctor")
DOI_IN_TEXT = re.compile(r"\b10\.\d{4,9}/[^\s\"'<>]+")

_MONTHS = {m: i for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                        "nov", "dec"], start=1)}


# What a CMS writes where nobody filled in the author: no author at all.
_PLACEHOLDERS = {"admin", "administrator", "editor", "webmaster", "user", "guest", "author", "staff",
                 "site admin", "wordpress", "root", "anonymous", "unknown", "n/a", "none"}
_INITIALS_LAST = re.compile(r"^([^\W\d_][\w'’-]*(?:\s+[^\W\d_][\w'’-]*)*)\s+([A-Z]{1,3})$")


def is_credit(text: str) -> bool:
    """A web developer's or host's credit, a CMS placeholder, an address or a link: not an author."""
    return bool(_CREDIT.search(text)) or "@" in text or text.lower().startswith(("http://", "https://", "www.")) \
        or text.strip().lower() in _PLACEHOLDERS


def medline_person(text: str) -> dict[str, str] | None:
    """'Warren FC' (PubMed's family name and initials) -> {"family": "Warren", "given": "F. C."}."""
    text = strip_markup(text or "").strip()
    found = _INITIALS_LAST.match(text) if len(text) <= 200 else None  # no name is longer
    if not found:
        return person(text)
    return {"given": " ".join(f"{letter}." for letter in found.group(2)), "family": found.group(1)}


def person(text: str, organisation: bool | None = None) -> dict[str, str] | None:
    """A CSL name from 'Dr. Given Family', 'Family, Given Jr.' or an organisation's name (kept whole);
    None for credits. Honorifics, degrees and nicknames are dropped; particles ("van", "de la") and
    generational suffixes ("Jr.", "III") get their CSL parts (nameparser splits the name)."""
    text = _BY.sub("", strip_markup(text or "")).strip(" ,;")
    if not text or is_credit(text) or len(text) > 200:
        return None
    if organisation is None:
        organisation = bool(_ORG_WORDS.search(text))
    if organisation:
        return {"literal": text}
    parsed = HumanName(text, constants=_NAMES)
    given = " ".join(p for p in (parsed.first, parsed.middle) if p)
    words = parsed.last.split()
    if not words:  # one word ("Madonna", "Mind"): kept as it is
        return {"literal": given or text}
    cut = 0
    while cut < len(words) - 1 and words[cut].lower() in _PARTICLES and words[cut].islower():
        cut += 1
    name = {"given": given, "non-dropping-particle": " ".join(words[:cut]), "family": " ".join(words[cut:])}
    suffixes = [s for s in parsed.suffix_list if s.lower().rstrip(".") in _GENERATIONAL]
    if suffixes:
        name["suffix"] = suffixes[0]
    return {k: v for k, v in name.items() if v}


_AND = re.compile(r"\s+(?:and|&)\s+|\s*;\s*", re.IGNORECASE)


def people(text: str) -> list[dict[str, str]]:
    """One or more names from a byline: 'Jane Smith and Tom Okoro' is two people, while an
    organisation ('Mind and Body Ltd') or a name in 'Family, Given' order stays one."""
    parts = _AND.split(strip_markup(text or "")) if len(text or "") <= 500 else [text]
    if len(parts) > 1 and all(2 <= len(p.split()) <= 4 and not _ORG_WORDS.search(p) for p in parts):
        return [n for n in (person(p) for p in parts) if n]
    found = person(text)
    return [found] if found else []


def date_parts(text: Any) -> dict[str, Any] | None:
    """A CSL date from '2022-01-20T10:00:00Z', '2022/01/20', '2022-01', '20 January 2022', 'Jan 20, 2022'."""
    if not isinstance(text, str):
        return None
    value = text.strip()
    found = re.match(r"^(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?(?:[T ]|$)", value)
    if found and not found.group(2) and re.search(r"[A-Za-z]{3}", value[4:32]):
        found = None  # "2016 Jun 18": the words say more than the year
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
