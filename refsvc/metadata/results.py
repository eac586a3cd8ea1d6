"""What a lookup returns (``Lookup``) and how it fails (the errors the API maps to HTTP answers).

    ValueError ── InvalidDOI          not a DOI in any form people paste        (API: 422)
               └─ InvalidURL          not an http(s) URL                         (API: 422)
    LookupError ── NotFound ─┬─ DOINotFound    every source answered 404         (API: 404)
                             └─ PageNotFound   the page answered 404/410         (API: 404)
    UpstreamFailure           a source is down or answered nonsense              (API: 502)
     └── UpstreamTimeout      no answer within the lookup budget                 (API: 504)
    RefusedAddress (refsvc.metadata.http)  the address may not be fetched        (API: 400)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DOI_SHAPE = ("a DOI looks like 10.1037/pst0000282: '10.', a registrant number of 4 to 9 digits, a slash, "
             "then a suffix; 'doi:10.1037/pst0000282' and 'https://doi.org/10.1037/pst0000282' are "
             "accepted too")


class InvalidDOI(ValueError):
    """The text is not a DOI; the message says what a DOI looks like."""


class InvalidURL(ValueError):
    """The text is not an http(s) URL."""


class NotFound(LookupError):
    """The thing looked up does not exist at its source."""


class DOINotFound(NotFound):
    """Neither the DOI resolver nor Crossref knows the DOI."""


class PageNotFound(NotFound):
    """The page answered 404 or 410."""


class UpstreamFailure(Exception):
    """A source failed (5xx, refused connection, invalid answer) and nothing cached could stand in."""


class UpstreamTimeout(UpstreamFailure):
    """A source did not answer within the lookup budget."""


@dataclass
class Lookup:
    """A CSL-JSON item, where each field came from, which source answered, and whether it is stale."""

    item: dict[str, Any]
    provenance: dict[str, str] = field(default_factory=dict)
    source: str = ""
    stale: bool = False  # served from cache after its expiry because the source failed
