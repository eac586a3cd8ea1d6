"""Where CSL items come from: DOIs (content negotiation, Crossref), scraped pages, the guarded client.

    resolver = Resolver.from_settings(settings)      # one per app: cache, rate limit, clients
    lookup = resolver.doi("doi:10.1037/PST0000282")  # -> Lookup(item, provenance, source, stale)
    lookup = resolver.url("https://example.org/page")
"""
from __future__ import annotations

import threading
import time
from typing import Any, Mapping

from refsvc.config import SETTINGS
from refsvc.metadata.doi import DOISources, lookup_doi, normalize_doi
from refsvc.metadata.http import RefusedAddress, client_from_settings
from refsvc.metadata.ratelimit import RateLimiter, RedisRateLimiter
from refsvc.metadata.results import (DOINotFound, InvalidDOI, InvalidURL, Lookup, NotFound, PageNotFound,
                                     UpstreamFailure, UpstreamTimeout)

__all__ = ["Resolver", "Lookup", "normalize_doi", "lookup_doi", "lookup_url", "cite_page", "InvalidDOI", "InvalidURL",
           "NotFound", "DOINotFound", "PageNotFound", "UpstreamFailure", "UpstreamTimeout", "RefusedAddress"]


# Page scraping (extruct) and the HTTP cache (requests_cache) cost half a second to import: loaded
# when first used, so a process that never looks a page up (the link checker) does not pay for them.
_LAZY = {"lookup_url": "refsvc.metadata.scrape", "cite_page": "refsvc.metadata.scrape",
         "PageSources": "refsvc.metadata.scrape"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_LIMITERS: dict[tuple, RateLimiter] = {}
_LIMITERS_LOCK = threading.Lock()


def shared_limiter(settings: Mapping[str, Any]) -> RateLimiter:
    """The one budget of these upstreams in this process, however many Resolvers are built (with
    Redis, shared by every process too)."""
    key = (settings["DOI_RESOLVER"], settings["CROSSREF_API"], float(settings["LOOKUP_RATE"]),
           int(settings["LOOKUP_CONCURRENCY"]), settings["REDIS_URL"])
    with _LIMITERS_LOCK:
        if key not in _LIMITERS:
            rate, concurrency, redis_url = key[2], key[3], key[4]
            _LIMITERS[key] = (RedisRateLimiter(rate, concurrency, redis_url) if redis_url
                              else RateLimiter(rate, concurrency))
        return _LIMITERS[key]


class Resolver:
    """DOI and URL lookups sharing one cache, one outbound budget and the lookup deadline."""

    def __init__(self, doi_sources: DOISources, page_sources: PageSources, timeout: float = 10.0):
        self.doi_sources = doi_sources
        self.page_sources = page_sources
        self.timeout = timeout

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> "Resolver":
        """Build from refsvc settings (``app.config`` or ``load_settings()``); missing keys take defaults."""
        from refsvc.metadata.cache import cache_backend, cached_session
        from refsvc.metadata.scrape import PageSources

        s = {name: default for name, (_, default) in SETTINGS.items()}
        s.update({k: settings[k] for k in SETTINGS if k in settings})
        backend = cache_backend(s)
        limiter = shared_limiter(s)
        total = float(s["LOOKUP_TIMEOUT"])
        # two clients over one cache: only DOI traffic (resolver, Crossref) passes the shared budget
        doi_client = client_from_settings(s, session=cached_session(backend, int(s["DOI_CACHE_TTL"])),
                                          gate=limiter.slot, total_timeout=total)
        page_client = client_from_settings(s, session=cached_session(backend, int(s["PAGE_CACHE_TTL"])),
                                           total_timeout=total)
        doi_sources = DOISources(client=doi_client, limiter=limiter, resolver=s["DOI_RESOLVER"],
                                 crossref=s["CROSSREF_API"], ttl=int(s["DOI_CACHE_TTL"]),
                                 negative_ttl=int(s["NEGATIVE_CACHE_TTL"]))
        page_sources = PageSources(client=page_client, ttl=int(s["PAGE_CACHE_TTL"]),
                                   negative_ttl=int(s["NEGATIVE_CACHE_TTL"]))
        return cls(doi_sources, page_sources, timeout=total)

    def doi(self, raw: str) -> Lookup:
        """The cleaned CSL item of a DOI in any pasted form."""
        return lookup_doi(raw, self.doi_sources, time.monotonic() + self.timeout)

    def url(self, url: str) -> Lookup:
        """A CSL item for a page; a DOI found on the page is resolved instead."""
        from refsvc.metadata.scrape import lookup_url

        deadline = time.monotonic() + self.timeout
        return lookup_url(url, self.page_sources, deadline,
                          resolve_doi=lambda doi: lookup_doi(doi, self.doi_sources, deadline))

    def close(self) -> None:
        """Close pooled connections."""
        self.doi_sources.client.close()
        self.page_sources.client.close()
