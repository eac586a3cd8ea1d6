"""Marshmallow schemas of the registry endpoints: resources, checks, reports (in and out)."""
from __future__ import annotations

from typing import Any

from flask import current_app
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from refsvc.api.description_schemas import DescriptionCheckOut
from refsvc.api.strict import StrictSchema
from refsvc.links.fetchable import refused_fields
from refsvc.links.registry import validate_entry
from refsvc.resource_views import ResourceQuery  # noqa: F401  (the dashboard filters by it too)
from refsvc.storage.models import HEALTHS, REPORT_REASONS, REPORT_STATUSES


class ResourceIn(StrictSchema):
    """A resource as an editor sends it (POST; PATCH takes any subset, id excepted)."""

    aliases = {"link": "url", "href": "url", "address": "url", "logo": "logo_url",
               "title": "name"}

    id = fields.String(metadata={"description": "Slug; made from the name when left out.",
                                 "example": "mental-health-foundation"})
    name = fields.String(metadata={"example": "The Mental Health Foundation"})
    url = fields.String(metadata={"description": "http(s), with a host, at most 2,048 characters.",
                                  "example": "https://www.mentalhealth.org.uk/"})
    description = fields.String()
    logo_url = fields.String(allow_none=True)
    tags = fields.List(fields.String())
    expect = fields.List(fields.String(), metadata={
        "description": "Phrases the page should contain; the name when empty."})
    active = fields.Boolean()

    @post_load
    def _registry_rules(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        # One pass of the registry's rules both validates and cleans (the CLI import uses them too).
        if self.partial and "id" in data:
            raise ValidationError({"id": ["The id cannot be changed; create a new resource and "
                                          "delete this one."]})
        clean, errors = validate_entry(data, partial=bool(self.partial))
        if not errors:  # an address the checker would never fetch is no resource to keep
            errors = refused_fields(clean, current_app.config)
        if errors:
            raise ValidationError({field: [message] for field, message in errors.items()})
        return clean


class ResourcePatch(ResourceIn):
    """Any subset of a resource's fields, the id excepted."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(partial=True, **kwargs)


class CheckOut(Schema):
    """One check: the checker's result with its outcome and reason at the top level."""

    id = fields.Integer()
    resource_id = fields.String()
    checked_at = fields.DateTime()
    url = fields.String()
    outcome = fields.String()
    reason = fields.String()
    health = fields.String(metadata={"description": "The resource's health after this check."})
    status_code = fields.Integer(allow_none=True)
    final_url = fields.String(allow_none=True)
    redirects = fields.List(fields.Dict())
    elapsed_ms = fields.Integer(allow_none=True)
    tls_valid = fields.Boolean(allow_none=True)
    cert_days_left = fields.Integer(allow_none=True)
    title = fields.String(allow_none=True)
    site_name = fields.String(allow_none=True)
    logo_ok = fields.Boolean(allow_none=True)
    logo_status = fields.Integer(allow_none=True)
    retry_after = fields.Float(allow_none=True)
    details = fields.Raw(allow_none=True)
    description = fields.Dict(allow_none=True, metadata={
        "description": "The description check of this check: verdict, why, change score, unsupported claims."})


class WaybackOut(Schema):
    url = fields.String()
    timestamp = fields.String()


class ResourceOut(Schema):
    """A resource, its health as a word and its last check."""

    id = fields.String()
    name = fields.String()
    url = fields.String()
    description = fields.String()
    logo_url = fields.String(allow_none=True)
    tags = fields.List(fields.String())
    expect = fields.List(fields.String())
    active = fields.Boolean()
    health = fields.String(metadata={"enum": list(HEALTHS)})
    health_since = fields.DateTime(allow_none=True)
    warnings = fields.List(fields.String())
    last_checked_at = fields.DateTime(allow_none=True)
    next_check_at = fields.DateTime(allow_none=True)
    last_check = fields.Nested(CheckOut, allow_none=True)
    suggested_replacement = fields.Nested(WaybackOut, allow_none=True, metadata={
        "description": "Editors only: the closest Wayback Machine snapshot of a broken link."})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    description_check = fields.Nested(DescriptionCheckOut, allow_none=True, metadata={
        "description": "Does the page still say what the description says (null before its first check)."})
    open_reports = fields.Integer(metadata={
        "description": "Editors only: visitors' open reports about the resource."})


class ReportIn(StrictSchema):
    """A visitor's report about a link: which (resource_id or url), why, and where it was seen."""

    aliases = {"resource": "resource_id", "id": "resource_id", "link": "url",
               "message": "comment", "text": "comment"}

    resource_id = fields.String()
    url = fields.String(validate=validate.Length(max=2048))
    reason = fields.String(required=True, validate=validate.OneOf(REPORT_REASONS))
    comment = fields.String(load_default="", validate=validate.Length(max=1000))
    page = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2048))

    @validates_schema
    def _which_link(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("resource_id") and not data.get("url"):
            raise ValidationError("Give the resource_id of the link, or its url.", "resource_id")


class ReportOut(Schema):
    id = fields.Integer()
    resource_id = fields.String(allow_none=True)
    url = fields.String()
    reason = fields.String()
    status = fields.String()
    count = fields.Integer(metadata={"description": "How many times this link was reported so."})
    comments = fields.List(fields.Dict())
    pages = fields.List(fields.String())
    first_reported_at = fields.DateTime()
    last_reported_at = fields.DateTime()
    resolved_at = fields.DateTime(allow_none=True)
    note = fields.String()


class ReportQuery(Schema):
    status = fields.String(validate=validate.OneOf(REPORT_STATUSES))
    resource_id = fields.String()
    reason = fields.String(validate=validate.OneOf(REPORT_REASONS))


class ReportPatch(StrictSchema):
    status = fields.String(validate=validate.OneOf(REPORT_STATUSES))
    note = fields.String(validate=validate.Length(max=2000))
