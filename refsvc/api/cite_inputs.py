"""What a citation request names, settled before any work: its styles, and the item a POST body sends.

Both the JSON endpoints (/v1/citations) and the HTML block (/v1/citations/block) take their item from
here, so a body one accepts the other cites the same way; and a locale or a style name that means
nothing is a 422 or a 404 before a DOI is resolved or a page fetched (a lookup can take seconds, or
fail offline), before a sent page is read, or before a reference list's items are read (/v1/references).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from refsvc import lookups
from refsvc.api.citation_schemas import MAX_STYLES
from refsvc.api.styles import style_not_found
from refsvc.citation import UnknownStyle, available_locales
from refsvc.citation.catalogue import resolve
from refsvc.errors import Unprocessable
from refsvc.metadata.fields import to_csl


@lru_cache(maxsize=1)
def _locales_by_lower_name() -> dict[str, str]:
    return {name.lower(): name for name in available_locales()}


def require_locale(name: str) -> str:
    """The locale ``name`` answers to (any case, ``_`` or ``-``); the 422 ``unknown_locale`` if none."""
    found = _locales_by_lower_name().get(name.strip().lower().replace("_", "-"))
    if not found:
        choices = available_locales()
        raise Unprocessable(f"Unknown locale {name!r}; use one of the listed locales, e.g. en-US "
                            "or en-GB.", code="unknown_locale",
                            errors={"locale": [f"Unknown locale {name!r}."], "choices": choices})
    return found


def require_styles(names: list[str]) -> list[str]:
    """The style id each name answers to; the 404 ``unknown_style`` for the first that none does."""
    found = []
    for name in names:
        try:
            found.append(resolve(name))
        except UnknownStyle:
            raise style_not_found(name) from None
    return found


def query_styles(values: list[str]) -> list[str]:
    """The style names of a GET's ``?style=`` (repeated or comma-separated): no more than a body's
    ``styles`` may name (else a 422 naming ``style``), each one known (else ``require_styles``'s 404)."""
    names = [name.strip() for value in values for name in value.split(",") if name.strip()]
    if len(names) > MAX_STYLES:  # counted before any is looked up
        raise Unprocessable(f"Name at most {MAX_STYLES} styles in ?style=; {len(names)} were named.",
                            errors={"style": [f"At most {MAX_STYLES} styles; {len(names)} were named."]})
    require_styles(names)
    return names


def settle_options(body: dict[str, Any]) -> tuple[str, list[str]]:
    """A POST body's locale and style ids (``require_locale``'s 422 or ``require_styles``'s 404),
    settled before its item is read, looked up or checked."""
    return require_locale(body["locale"]), require_styles(body["styles"])


def body_item(body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The CSL item a POST body sends (``metadata``, ``csl`` or a ``page``'s HTML), and what the
    answer says of where it came from (a page's provenance and source; nothing for the others)."""
    if "page" in body:
        found = lookups.read_sent_page(body["page"]["html"], body["page"]["url"])
        return found.item, {"provenance": found.provenance, "source": found.source}
    return (body["csl"] if "csl" in body else to_csl(body["metadata"])), {}
