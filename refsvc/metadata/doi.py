"""DOIs: read every form people paste, then resolve by content negotiation with Crossref as fallback."""
from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import quote, unquote

from refsvc.metadata.cleanup import clean_item
from refsvc.metadata.crossref import work_to_csl
from refsvc.metadata.http import FetchError, FetchResult, FetchTimeout, GuardedClient
from refsvc.metadata.ratelimit import RateLimiter, retry_after_seconds
from refsvc.metadata.results import (DOI_SHAPE, DOINotFound, InvalidDOI, Lookup, UpstreamFailure,
                                     UpstreamTimeout)

CSL_JSON = "application/vnd.citationstyles.csl+json"
RETRY_AFTER_MAX = 5.0  # seconds: a longer Retry-After is not waited for inside one lookup
BACKOFF = (0.25, 0.75)  # waits before the 2nd and 3rd try of a 5xx / 429 answer
CN_SHARE = 0.6  # content negotiation gets this share of the budget, so Crossref can still answer

_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_URL_PREFIX = re.compile(r"^(?:https?://)?(?:dx\.|www\.)?doi\.org/", re.IGNORECASE)
_SCHEME_PREFIX = re.compile(r"^(?:doi|urn:doi|info:doi)\s*[:/]\s*", re.IGNORECASE)
_TRAILING = ".,;:!?'\"”’»>"
_PAIRS = {")": "(", "]": "[", "}": "{"}


def normalize_doi(raw: str) -> str:
    """'https://doi.org/10.1037/PST0000282.' -> '10.1037/pst0000282'; InvalidDOI says what a DOI is."""
    text = (raw or "").strip()
    for _ in range(2):  # pasted from an encoded link, sometimes encoded twice
        if "%" in text:
            text = unquote(text)
    text = text.strip().strip("\"'“”‘’<>").strip()
    for _ in range(2):  # "doi:https://doi.org/10..." happens
        text = _SCHEME_PREFIX.sub("", _URL_PREFIX.sub("", text.lstrip("([{<\"'“‘ "))).strip()
    # Trailing punctuation off, and closing brackets that close nothing in the DOI (SICI DOIs have
    # brackets of their own). Counted once and walked back by index: linear on any length.
    closes = {close: text.count(close) for close in _PAIRS}
    opens = {close: text.count(opening) for close, opening in _PAIRS.items()}
    end = len(text)
    while end:
        last = text[end - 1]
        if not (last in _TRAILING or last.isspace()
                or (last in _PAIRS and closes[last] > opens[last])):
            break
        end -= 1
        if last in closes:
            closes[last] -= 1
        for close, opening in _PAIRS.items():
            if last == opening:
                opens[close] -= 1
    text = text[:end]
    if not _DOI.match(text):
        shown = raw if len(raw or "") <= 80 else raw[:77] + "..."
        raise InvalidDOI(f"{shown!r} is not a DOI: {DOI_SHAPE}.")
    return text.lower()  # DOIs compare case-insensitively; lower case is how resolvers list them


@dataclass
class DOISources:
    """Where DOIs are resolved, through which client and budget, and how long answers are kept."""

    client: GuardedClient
    limiter: RateLimiter
    resolver: str = "https://doi.org"
    crossref: str = "https://api.crossref.org"
    ttl: int = 30 * 24 * 3600
    negative_ttl: int = 3600


@dataclass
class _Outcome:
    item: dict[str, Any] | None = None
    not_found: bool = False
    timed_out: bool = False
    stale: bool = False
    reason: str = ""


def polite_get(sources: DOISources, url: str, accept: str, deadline: float, ttl: int | None = None,
               sleep: Callable[[float], None] = time.sleep) -> FetchResult:
    """GET through the shared budget; a 429 (its Retry-After, bounded) or 5xx is retried with backoff
    while the deadline allows. A loop rather than a urllib3 Retry: each try must pass the shared rate
    limiter and the lookup's deadline, and a 429 must pause the whole budget."""
    for attempt in range(len(BACKOFF) + 1):
        result = sources.client.fetch(url, headers={"Accept": accept}, deadline=deadline,
                                      expire_after=ttl or sources.ttl, negative_expire_after=sources.negative_ttl)
        if result.status != 429 and result.status < 500 or attempt == len(BACKOFF):
            return result
        wait = BACKOFF[attempt]
        if result.status == 429:
            asked = retry_after_seconds(result.headers.get("Retry-After"))
            wait = min(RETRY_AFTER_MAX, asked if asked is not None else wait)
            sources.limiter.pause(wait)  # every lookup holds back, not only this one
        if time.monotonic() + wait >= deadline:
            return result
        if result.status != 429:
            sleep(wait)
    return result


def _try(sources: DOISources, url: str, accept: str, deadline: float,
         parse: Callable[[FetchResult], dict[str, Any]], name: str) -> _Outcome:
    try:
        result = polite_get(sources, url, accept, deadline)
    except FetchTimeout as exc:
        return _Outcome(timed_out=True, reason=f"{name} did not answer in time ({exc.reason})")
    except FetchError as exc:
        return _Outcome(reason=f"{name} could not be reached: {exc.reason}")
    if result.status in (404, 410):
        return _Outcome(not_found=True, stale=result.stale, reason=f"{name} answered {result.status}")
    if result.status != 200:
        return _Outcome(reason=f"{name} answered HTTP {result.status}")
    try:
        item = parse(result)
    except ValueError as exc:
        return _Outcome(reason=f"{name} answered with unusable data: {exc}")
    return _Outcome(item=item, stale=result.stale)


def _parse_csl(result: FetchResult) -> dict[str, Any]:
    if "json" not in result.content_type.lower():
        raise ValueError(f"expected CSL-JSON, got {result.content_type or 'no content type'}")
    data = json.loads(result.text)
    if not isinstance(data, dict) or not (data.get("title") or data.get("type")):
        raise ValueError("the JSON is not a CSL item")
    return clean_item(data)


def _parse_crossref(result: FetchResult) -> dict[str, Any]:
    data = json.loads(result.text)
    message = data.get("message") if isinstance(data, dict) else None
    if not isinstance(message, dict):
        raise ValueError("the JSON has no work message")
    return work_to_csl(message)


def lookup_doi(raw: str, sources: DOISources, deadline: float) -> Lookup:
    """Resolve a DOI to a cleaned CSL item: content negotiation first, then Crossref's /works."""
    doi = normalize_doi(raw)
    path = quote(doi, safe="/")
    start = time.monotonic()
    first = _try(sources, f"{sources.resolver.rstrip('/')}/{path}", CSL_JSON,
                 min(deadline, start + CN_SHARE * (deadline - start)), _parse_csl, "the DOI resolver")
    outcomes = [("doi-resolver", first)]
    if first.item is None:
        second = _try(sources, f"{sources.crossref.rstrip('/')}/works/{path}", "application/json", deadline,
                      _parse_crossref, "Crossref")
        outcomes.append(("crossref", second))
    for source, outcome in outcomes:
        if outcome.item is not None:
            item = dict(outcome.item)
            if str(item.get("DOI", "")).lower() != doi:
                item["DOI"] = doi
            item["id"] = item["DOI"]
            item["URL"] = f"https://doi.org/{item['DOI']}"
            return Lookup(item=item, provenance={key: source for key in item if key != "id"},
                          source=source, stale=outcome.stale)
    reasons = "; ".join(o.reason for _, o in outcomes)
    if all(o.not_found for _, o in outcomes):
        raise DOINotFound(f"The DOI {doi} was not found: {reasons}. Check it against the source you took "
                          "it from.")
    if any(o.timed_out for _, o in outcomes):
        raise UpstreamTimeout(f"The DOI {doi} could not be resolved in time: {reasons}.")
    raise UpstreamFailure(f"The DOI {doi} could not be resolved: {reasons}.")
