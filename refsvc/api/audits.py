"""POST /v1/audits (editor): every outbound link of a page, matched against the resource registry.

A page is given by its ``url`` (fetched with the guarded client) or as ``html`` with its ``base_url``;
the matching itself (links, registry entries, flags) is refsvc.links.audit.
"""
from __future__ import annotations

import time
from typing import Any

from flask import current_app
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validates_schema

from refsvc.api.auth import editor_required
from refsvc.errors import BadGateway, BadRequest, GatewayTimeout, Unprocessable
from refsvc.links.audit import audit_links, outbound_links, summarise
from refsvc.metadata.urls import url_problem
from refsvc.metadata.http import FetchError, FetchTimeout, RefusedAddress, client_from_settings
from refsvc.storage import get_database
from refsvc.storage.checks import last_checks
from refsvc.storage.resources import list_resources

blp = Blueprint("audits", __name__, url_prefix="/v1/audits",
                description="Audit a page's outbound links against the resource registry (editor).")

MAX_HTML = 2 * 1024 * 1024


class AuditRequest(Schema):
    url = fields.String(metadata={"description": "The page to fetch and audit."})
    html = fields.String(metadata={"description": "The page's HTML, instead of fetching it."})
    base_url = fields.String(metadata={"description": "Where the HTML lives (resolves relative links)."})

    @validates_schema
    def _one_source(self, data: dict[str, Any], **_: Any) -> None:
        if ("url" in data) == ("html" in data):
            raise ValidationError("Give either url (a page to fetch) or html with base_url.", "_schema")
        if "html" in data:
            if "base_url" not in data:
                raise ValidationError("base_url is needed with html, to resolve relative links.",
                                      "base_url")
            if len(data["html"].encode()) > MAX_HTML:
                raise ValidationError(f"At most {MAX_HTML} bytes of HTML.", "html")
        for key in ("url", "base_url"):
            problem = url_problem(data[key]) if key in data else None
            if problem:
                raise ValidationError(problem, key)


class ResourceRef(Schema):
    id = fields.String()
    name = fields.String()
    url = fields.String()
    description = fields.String()


class AuditedLink(Schema):
    url = fields.String(metadata={"description": "The link, absolute, without its fragment."})
    href = fields.String(metadata={"description": "The href as the page wrote it."})
    text = fields.String(metadata={"description": "The link's text (or its image's alt text)."})
    context = fields.String(metadata={"description": "The text the page shows around the link."})
    match = fields.String(allow_none=True, metadata={"enum": ["url", "host", None]})
    resource = fields.Nested(ResourceRef, allow_none=True)
    health = fields.String(allow_none=True)
    flags = fields.List(fields.String(), metadata={
        "description": "unregistered, broken, moved, description_differs"})
    description_similarity = fields.Float(allow_none=True, metadata={
        "description": "Share of the registry description's words found beside the link."})
    moved_to = fields.String(allow_none=True)


class AuditResponse(Schema):
    page = fields.Dict()
    summary = fields.Dict(keys=fields.String(), values=fields.Integer())
    links = fields.List(fields.Nested(AuditedLink))


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
        raise GatewayTimeout(f"The page did not answer in time: {exc.reason}") from None
    except FetchError as exc:
        raise BadGateway(f"The page could not be fetched: {exc.reason}. {instead}") from None
    finally:
        client.close()
    if result.status >= 400:
        raise BadGateway(f"The page answered HTTP {result.status}. {instead}", code="upstream_status")
    if "html" not in (result.content_type or "").lower():
        raise Unprocessable(f"The page is {result.content_type or 'of no stated type'}, not HTML.",
                            code="not_html", errors={"url": ["Not an HTML page."]})
    return result.text, result.final_url


@blp.route("", methods=["POST"])
@editor_required  # before the body is read: no token, no validation answers
@blp.arguments(AuditRequest)
@blp.response(200, AuditResponse)
def audit(body: dict[str, Any]):
    """Every outbound link of a page with its registry entry, health and flags (editor)."""
    if "url" in body:
        html, base_url = fetch_page(body["url"])
    else:
        html, base_url = body["html"], body["base_url"]
    rows = audit_links(outbound_links(html, base_url), registry_entries())
    return {"page": {"url": base_url}, "summary": summarise(rows), "links": rows}
