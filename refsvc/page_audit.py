"""The I/O around a link audit, for POST /v1/audits and the dashboard's audit page: the registry's
entries with their health, and the audited page fetched through the guarded client (the matching
itself is pure: refsvc.links.audit)."""
from __future__ import annotations

import time
from typing import Any

from flask import current_app

from refsvc.errors import BadGateway, BadRequest, GatewayTimeout, Unprocessable
from refsvc.metadata.http import FetchError, FetchTimeout, RefusedAddress, client_from_settings
from refsvc.storage import get_database
from refsvc.storage.checks import last_checks
from refsvc.storage.resources import list_resources


def registry_entries() -> list[dict[str, Any]]:
    """Every resource with its health and last outcome, as ``audit_links`` takes them."""
    with get_database(current_app).transaction() as session:
        resources, _ = list_resources(session)
        checks = last_checks(session, resources)  # one query, not one per resource
        entries = []
        for resource in resources:
            check = checks.get(resource.id)
            entries.append({"id": resource.id, "name": resource.name, "url": resource.url,
                            "description": resource.description or "", "health": resource.health,
                            "outcome": check.outcome if check else None,
                            "final_url": (check.result or {}).get("final_url") if check else None})
    return entries


SEND_HTML = "Send its html and base_url instead."


def fetch_page(url: str, instead: str = SEND_HTML) -> tuple[str, str]:
    """The page's HTML and final URL, through the guarded client; API errors on failure, ending
    with ``instead``: what the caller can do next (the API's callers can send the HTML)."""
    config = current_app.config
    client = client_from_settings(config)
    try:
        result = client.fetch(url, deadline=time.monotonic() + config["CHECK_TIMEOUT"])
    except RefusedAddress as exc:
        raise BadRequest(f"That page cannot be fetched: {exc.reason}", code="refused_address") from None
    except FetchTimeout as exc:
        raise GatewayTimeout(f"The page did not answer in time: {exc.reason}. {instead}",
                             code="upstream_timeout") from None
    except FetchError as exc:  # the codes the lookups use for the same failures (refsvc.lookups)
        raise BadGateway(f"The page could not be fetched: {exc.reason}. {instead}",
                         code="upstream_failure") from None
    finally:
        client.close()
    if result.status >= 400:
        raise BadGateway(f"The page answered HTTP {result.status}. {instead}", code="upstream_status")
    if "html" not in (result.content_type or "").lower():
        raise Unprocessable(f"The page is {result.content_type or 'of no stated type'}, not HTML.",
                            code="not_html", errors={"url": ["Not an HTML page."]})
    return result.text, result.final_url
