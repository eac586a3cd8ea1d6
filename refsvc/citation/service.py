"""Citations as the API serves them: style names resolved, forms rendered once and cached.

A rendered citation is computed once per (item, style, locale, formats) and kept in a bounded LRU
cache; compiled styles and engines are kept by the engine itself (``get_style``) in bounded LRU caches
(REFSVC_STYLE_CACHE_SIZE).
"""
from __future__ import annotations

import json
from typing import Any, Iterable

from refsvc.citation import cite_item, style_info
from refsvc.citation.catalogue import catalogue, resolve, short_name
from refsvc.metrics import counted_lru

RENDER_FORMATS = ("text", "html")


def canonical(item: dict[str, Any]) -> str:
    """A stable text key of an item: the same item always gives the same key."""
    return json.dumps(item, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def describe_style(style_id: str) -> dict[str, Any]:
    """The ``style`` object of a response: id, title, edition (when the catalogue knows it)."""
    info = style_info(style_id)
    entry = catalogue().get(short_name(style_id), {})
    return {"id": style_id, "title": info.get("title") or entry.get("title"),
            "edition": entry.get("edition"), "class": info.get("class")}


class CitationService:
    """Renders items in several styles with a bounded per-instance cache."""

    def __init__(self, cache_size: int = 4096) -> None:
        self._render = counted_lru("render", cache_size, self._render_uncached)

    @staticmethod
    def _render_uncached(key: str, style_id: str, locale: str, formats: tuple[str, ...]):
        return cite_item(json.loads(key), style_id, locale=locale, formats=formats)

    def cite(self, item: dict[str, Any], styles: Iterable[str], locale: str,
             formats: Iterable[str]) -> dict[str, Any]:
        """Every requested style's forms for one item, keyed by the name the caller used."""
        wanted = tuple(f for f in RENDER_FORMATS if f in set(formats))
        resolved = [(name, resolve(name)) for name in styles]  # raises UnknownStyle first
        key = canonical(item)
        result: dict[str, Any] = {}
        for name, style_id in resolved:
            forms = self._render(key, style_id, locale, wanted) if wanted else {}
            result[name] = {"style": describe_style(style_id), **forms}
        return result

    def cache_info(self):
        """Hits, misses and size of the render cache."""
        return self._render.cache_info()
