"""What every export format shares: plain text of a field, dates as numbers, names in order."""
from __future__ import annotations

import re
from typing import Any

from .rawdates import parse_raw

_TAGS = re.compile(r"</?(?:i|b|sup|sub|span)(?:\s[^>]*)?>", re.I)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")  # would break a line-based format or a terminal


def plain(value: Any) -> str:
    """A field as plain text: rich-text tags and control characters dropped, whitespace collapsed."""
    return " ".join(_CONTROL.sub(" ", _TAGS.sub("", str(value))).split())


def date_parts(item: dict, variable: str) -> list[int]:
    """[year, month?, day?] of a CSL date variable as a calendar date, [] when it has none.

    A date given as written (``raw``: "March 2010") is read as the engine reads it, so an export
    carries the date the citation prints. BibTeX and RIS have no seasons: a season (CSL's months
    13-16 and 21-24) keeps only its year.
    """
    date = item.get(variable) or {}
    if not isinstance(date, dict):
        return []
    parts = (date.get("date-parts") or [[]])[0]
    if not parts and isinstance(date.get("raw"), str):
        read = parse_raw(date["raw"])
        parts = [read[key] for key in ("year", "month", "day") if key in read]
    if not isinstance(parts, list):
        return []
    # a year of thousands of digits is no year (and int() of it would raise)
    numbers = [int(p) for p in parts if len(str(p)) <= 6 and str(p).lstrip("-").isdigit()]
    if len(numbers) > 1 and not 1 <= numbers[1] <= 12:
        return numbers[:1]
    return numbers[:3]


def people(item: dict, role: str) -> list[dict]:
    """The names in a role, whatever shape a CSL-JSON item gives them (null, or a stray string)."""
    value = item.get(role)
    return [p for p in value if isinstance(p, dict)] if isinstance(value, list) else []


def name(person: dict, family_first: str = ", ") -> str:
    """A person as "Family, Given, Suffix" (an organisation as it is)."""
    if person.get("literal"):
        return plain(person["literal"])
    family = " ".join(str(p) for p in [person.get("non-dropping-particle"), person.get("family")] if p)
    given = " ".join(str(p) for p in [person.get("given"), person.get("dropping-particle")] if p)
    full = f"{family}{family_first}{given}" if given else family
    return plain(f"{full}, {person['suffix']}" if person.get("suffix") else full)
