"""Pages of the list endpoints: flask-smorest's page parameters, and an RFC 8288 Link header."""
from __future__ import annotations

from typing import Any

from flask import url_for


def link_header(endpoint: str, page: int, page_size: int, total: int, **values: Any) -> str:
    """An RFC 8288 Link header (first/prev/next/last) for a paginated list."""
    last = max(1, -(-total // page_size))
    pages = {"first": 1, "last": last}
    if page > 1:
        pages["prev"] = min(page - 1, last)
    if page < last:
        pages["next"] = page + 1
    return ", ".join(f'<{url_for(endpoint, page=n, page_size=page_size, **values)}>; rel="{rel}"'
                     for rel, n in pages.items())


def one_page(views: list[Any], pagination: Any, total: int, endpoint: str,
             **values: Any) -> tuple[list[Any], dict[str, str]]:
    """The answer of a list view: its page of items, flask-smorest told the total (X-Pagination),
    and the Link header to the other pages."""
    pagination.item_count = total
    return views, {"Link": link_header(endpoint, pagination.page, pagination.page_size, total,
                                       **values)}
