"""DOI and URL lookups as the API and the web pages answer them: one resolver per app, the domain's
errors mapped to API errors that say what to do."""
from __future__ import annotations

import threading
from urllib.parse import urlsplit

from flask import current_app

from refsvc.errors import BadGateway, BadRequest, GatewayTimeout, NotFound, Unprocessable
from refsvc.metadata import (DOINotFound, InvalidDOI, Lookup, PageNotFound, RefusedAddress, Resolver,
                             UpstreamFailure, UpstreamTimeout)
from refsvc.metadata.urls import url_problem
from refsvc.unicode import clean_text


_resolver_lock = threading.Lock()


def _resolver() -> Resolver:
    """The app's one Resolver (its cache and outbound budget), built on first use."""
    ext = current_app.extensions
    if "refsvc.resolver" not in ext:
        with _resolver_lock:  # a batch's threads arrive together: build it once
            if "refsvc.resolver" not in ext:
                ext["refsvc.resolver"] = Resolver.from_settings(current_app.config)
    return ext["refsvc.resolver"]


def lookup(*, doi: str | None = None, url: str | None = None) -> Lookup:
    """Resolve a DOI or fetch a page; the domain's errors become API errors that say what to do."""
    try:
        found = _resolver().doi(doi) if doi is not None else _resolver().url(url)
    except InvalidDOI as exc:
        raise Unprocessable(str(exc), code="invalid_doi", errors={"doi": [str(exc)]}) from None
    except RefusedAddress as exc:
        reason, host = exc.reason, urlsplit(url or "").hostname
        if host and reason.lower().startswith(f"{host} "):  # a name opens it: it keeps its case
            reason = f"the name {reason}"
        raise BadRequest(_sentence(reason, "give a public http(s) address instead"),
                         code="refused_address") from None
    except DOINotFound as exc:
        raise NotFound(str(exc), code="doi_not_found") from None
    except PageNotFound as exc:
        raise NotFound(str(exc), code="page_not_found") from None
    except UpstreamTimeout as exc:
        raise GatewayTimeout(_sentence(str(exc), "try again later"), code="upstream_timeout") from None
    except UpstreamFailure as exc:
        raise BadGateway(_sentence(str(exc), "check the address, or try again later"),
                         code="upstream_failure") from None
    except ValueError as exc:  # a URL that is not a URL: parse_url's sentence says what to fix
        message = (url_problem(url) if url is not None else None) or str(exc)
        raise Unprocessable(message, code="invalid_url", errors={"url": [message]}) from None
    # a page's JSON-LD may spell a lone surrogate ("\\ud800"), which no UTF-8 download can carry
    found.item, found.provenance = clean_text(found.item), clean_text(found.provenance)
    return found


def _sentence(reason: str, next_step: str) -> str:
    """One sentence: what went wrong, then what to do next."""
    reason = reason.strip().rstrip(".")
    return f"{reason[:1].upper()}{reason[1:]}; {next_step}."


def read_sent_page(html: str, url: str) -> Lookup:
    """A page the caller sent, read as a fetched one is (nothing fetched)."""
    from refsvc.metadata.scrape import cite_page  # extruct: loaded on first use, not at start

    found = cite_page(html, url)
    found.item, found.provenance = clean_text(found.item), clean_text(found.provenance)
    return found


def cache_headers(found: Lookup) -> dict[str, str]:
    """Shared caches may keep a looked-up citation; a stale copy says so."""
    headers = {"Cache-Control": f"public, max-age={current_app.config['CACHE_MAX_AGE']}"}
    if found.stale:
        headers["X-Cache"] = "stale"
        headers["Warning"] = '110 refsvc "Response is stale: the source did not answer"'
    return headers
