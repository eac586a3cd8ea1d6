"""A URL to a CSL item: fetch the page, take a DOI it names the DOI way, else read its metadata."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable
from urllib.parse import unquote, urlsplit

from refsvc.metadata.extract import PageMeta, read_page
from refsvc.metadata.http import FetchError, FetchResult, FetchTimeout, GuardedClient, RefusedAddress
from refsvc.metadata.results import (InvalidURL, Lookup, NotFound, PageNotFound, UpstreamFailure,
                                     UpstreamTimeout)
from refsvc.metadata.values import find_doi

ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_NON_HTML_TYPES = {"application/pdf": "document", "image/": "graphic", "video/": "motion_picture",
                   "audio/": "song"}
_FILENAME = re.compile(r"filename\*?=(?:UTF-8'')?\"?([^\";]+)", re.IGNORECASE)


@dataclass
class PageSources:
    """The client pages are fetched with and how long they are kept."""

    client: GuardedClient
    ttl: int = 24 * 3600
    negative_ttl: int = 3600


def _today() -> dict:
    now = datetime.now(timezone.utc)
    return {"date-parts": [[now.year, now.month, now.day]]}


def _is_html(result: FetchResult) -> bool:
    kind = result.content_type.split(";", 1)[0].strip().lower()
    if kind in _HTML_TYPES:
        return True
    return not kind and result.body[:1024].lstrip().lower().startswith((b"<!doctype html", b"<html"))


def cite_non_html(result: FetchResult) -> Lookup:
    """A PDF, image or other file: cited from what is known (its URL, a file name, the access date)."""
    kind = result.content_type.split(";", 1)[0].strip().lower()
    csl_type = next((t for prefix, t in _NON_HTML_TYPES.items() if kind.startswith(prefix)), "document")
    found = _FILENAME.search(result.headers.get("Content-Disposition", ""))
    if found:
        title, source = unquote(found.group(1)).strip(), "content-disposition"
    else:
        last = unquote(urlsplit(result.final_url).path.rstrip("/").rsplit("/", 1)[-1])
        title, source = last or (urlsplit(result.final_url).hostname or result.final_url), "url"
    title = re.sub(r"\.(pdf|docx?|png|jpe?g|gif|svg|webp|mp4|mp3)$", "", title, flags=re.IGNORECASE)
    item = {"type": csl_type, "title": title, "URL": result.final_url, "accessed": _today()}
    if kind:
        item["medium"] = kind
    provenance = {"type": "content-type", "title": source, "URL": "fetch", "accessed": "fetch"}
    if kind:
        provenance["medium"] = "content-type"
    return Lookup(item=item, provenance=provenance, source="file", stale=result.stale)


def fetch_page(url: str, sources: PageSources, deadline: float) -> FetchResult:
    """The page at ``url``, or the lookup error that says why not."""
    parts = urlsplit((url or "").strip())
    if not parts.scheme or (parts.scheme.lower() in ("http", "https") and not parts.netloc):
        raise InvalidURL(f"{url!r} is not a URL: give an absolute address such as https://example.org/page.")
    try:
        result = sources.client.fetch(url.strip(), headers={"Accept": ACCEPT}, deadline=deadline,
                                      expire_after=sources.ttl, negative_expire_after=sources.negative_ttl)
    except RefusedAddress:
        raise
    except FetchTimeout as exc:
        raise UpstreamTimeout(f"The page did not answer in time: {exc.reason}.") from exc
    except FetchError as exc:
        raise UpstreamFailure(f"The page could not be fetched: {exc.reason}.") from exc
    if result.status in (404, 410):
        raise PageNotFound(f"The page answered {result.status}: there is nothing at {url} to cite.")
    if result.status >= 400:
        raise UpstreamFailure(f"The page answered HTTP {result.status}.")
    return result


def lookup_url(url: str, sources: PageSources, deadline: float,
               resolve_doi: Callable[[str], Lookup] | None = None) -> Lookup:
    """A CSL item for the page at ``url``, with the provenance of each field."""
    result = fetch_page(url, sources, deadline)
    if not _is_html(result):
        return cite_non_html(result)
    meta = read_page(result.text, result.final_url)
    if meta.doi and resolve_doi is not None:
        try:
            found = resolve_doi(meta.doi)
        except (ValueError, NotFound, UpstreamFailure):
            found = None  # the page's own metadata still makes a citation
        if found is not None:
            item = dict(found.item)
            item.setdefault("accessed", _today())
            provenance = dict(found.provenance, DOI=meta.doi_source or "page")
            provenance.setdefault("accessed", "fetch")
            return Lookup(item=item, provenance=provenance, source=f"{found.source} (DOI found on the page)",
                          stale=found.stale or result.stale)
    return page_lookup(meta, result.final_url, stale=result.stale)


def cite_page(html: str, url: str) -> Lookup:
    """A CSL item from a page's HTML that the caller already has (the widget sends it): read by the
    same code as a fetched page, nothing fetched (a DOI the page names is kept, not looked up)."""
    return page_lookup(read_page(html, url), url, source="page (sent)")


def page_lookup(meta: PageMeta, url: str, stale: bool = False, source: str = "page") -> Lookup:
    """The Lookup of a page read into ``meta``: its fields, the URL and today's access date."""
    origin = "fetch" if source == "page" else "sent"
    item = dict(meta.fields)
    provenance = {key: meta.provenance.get(key, "page") for key in item}
    provenance["type"] = meta.provenance.get("type", "page type")
    if meta.doi:
        item["DOI"], provenance["DOI"] = (find_doi(meta.doi) or meta.doi), meta.doi_source or "page"
    if "URL" not in item:
        item["URL"], provenance["URL"] = url, origin
    item["accessed"], provenance["accessed"] = _today(), origin
    if not item.get("title"):
        item["title"], provenance["title"] = item["URL"], "url"
    return Lookup(item=item, provenance=provenance, source=source, stale=stale)
