"""POST /v1/audits (editor): every outbound link of a page, matched against the resource registry.

A page is given by its ``url`` (fetched with the guarded client) or as ``html`` with its ``base_url``;
the matching itself (links, registry entries, flags) is refsvc.links.audit.
"""
from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validates_schema

from refsvc.api.auth import editor_required
from refsvc.links.audit import audit_links, outbound_links, summarise
from refsvc.page_audit import fetch_page, registry_entries
from refsvc.metadata.urls import url_problem

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
        "description": "unregistered, broken, moved, description_differs, malformed (an http(s) "
                       "link with no usable host or port)"})
    description_similarity = fields.Float(allow_none=True, metadata={
        "description": "Share of the registry description's words found beside the link."})
    moved_to = fields.String(allow_none=True)


class AuditResponse(Schema):
    page = fields.Dict()
    summary = fields.Dict(keys=fields.String(), values=fields.Integer())
    links = fields.List(fields.Nested(AuditedLink))


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
