"""What a careful editor does to the fields read from a page before citing it (pure).

APA 7 and Chicago agree on these: business designations are left out of publishers ("Ltd", "Inc.");
a publisher that is the site itself (or, for web pages, the author) is not repeated; an organisation
whose page it is, with no person named, is its author ("Mind", "NHS"); a wiki's "contributors" are no
author and its date is that of the revision; a site name is a web page's container, never a book's or
a report's; a site styled "the Guardian" is The Guardian.
"""
from __future__ import annotations

import re
from typing import Any

_DESIGNATION = re.compile(r",?\s+(?:ltd|limited|inc|incorporated|llc|llp|plc|gmbh|pty)\.?$", re.IGNORECASE)
_WEBSITE = re.compile(r"\s+(?:website|web\s+site|online)$", re.IGNORECASE)
_CONTRIBUTORS = re.compile(r"^(?:contributors\s+to|.*\bcontributors$)", re.IGNORECASE)
WEB_TYPES = {"webpage", "post", "post-weblog", "article-newspaper", "article-magazine", "motion_picture"}
_SITE_SOURCES = {"og:site_name", "<title> site name"}
# No citation needs more: every style stops listing names after 21 (APA), and the API takes metadata
# text fields of 2,000 characters; a page's longer values are cut rather than rendered at length.
MAX_NAMES = 100
MAX_TEXT = 2000


def norm(text: Any) -> str:
    """A name reduced to its letters and digits, for telling two spellings of one name apart."""
    return re.sub(r"[^a-z0-9]", "", str(text).lower())


def organisation_name(text: str, publisher: bool = False) -> str:
    """'NHS website' -> 'NHS'; a publisher also loses its designation: 'Harley Therapy Ltd' ->
    'Harley Therapy' (an author keeps its registered name)."""
    # the rules look at the last words only: linear however long a page makes a name
    name = " ".join(text.split())
    head, tail = name[:-40], name[-40:]
    if publisher:
        tail = _DESIGNATION.sub("", tail)
    return (head + _WEBSITE.sub("", tail)).strip() or name


def is_contributors(name: dict[str, str]) -> bool:
    """'Contributors to Wikimedia projects': a wiki's crowd, which no style cites as an author."""
    return bool(_CONTRIBUTORS.match(name.get("literal", "")))


def tidy(fields: dict[str, Any], provenance: dict[str, str], modified: dict[str, Any] | None) -> None:
    """Apply the editor's rules to ``fields`` in place; ``modified`` is the page's dateModified."""
    for key, value in fields.items():
        if isinstance(value, str) and len(value) > MAX_TEXT:
            fields[key] = value[:MAX_TEXT].rsplit(" ", 1)[0] + "…"
    kind = fields.get("type", "webpage")
    authors = (fields.get("author") or [])[:MAX_NAMES]
    wiki = any(is_contributors(a) for a in authors)
    if wiki:
        authors = [a for a in authors if not is_contributors(a)]
        if modified:  # a wiki page is cited as of its last revision
            fields["issued"], provenance["issued"] = modified, provenance.get("issued", "page") + " dateModified"
    authors = [{"literal": organisation_name(a["literal"])} if "literal" in a else a for a in authors]
    if authors:
        fields["author"] = authors
    else:
        fields.pop("author", None)
    if kind not in WEB_TYPES and provenance.get("container-title") in _SITE_SOURCES:
        site = fields.pop("container-title")
        fields.setdefault("publisher", site)  # a report or book on a site is published by it
        provenance.setdefault("publisher", provenance.pop("container-title"))
    site = fields.get("container-title")
    if isinstance(site, str) and site.startswith(("the ", "a ")):
        fields["container-title"] = site[0].upper() + site[1:]  # "the Guardian": styled, not its name
    publisher = fields.get("publisher")
    if publisher:
        publisher = fields["publisher"] = organisation_name(publisher, publisher=True)
        if kind == "webpage" and not fields.get("author") and not wiki and \
                provenance.get("publisher") not in _SITE_SOURCES:
            fields["author"] = [{"literal": publisher}]  # the organisation's own page: a group author
            provenance["author"] = provenance.get("publisher", "page") + " (group author)"
        same = {norm(fields.get("container-title", ""))}
        if kind in WEB_TYPES:
            same |= {norm(organisation_name(a.get("literal", ""), publisher=True))
                     for a in fields.get("author") or []}
        if norm(publisher) in same:
            del fields["publisher"]

