"""Marshmallow schemas of description checks: the ``description_check`` object and the confirm call."""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from refsvc.storage.models import DESCRIPTION_VERDICTS


class ClaimOut(Schema):
    """One sentence of the description, whether the page supports it, and the evidence."""

    text = fields.String()
    supported = fields.Boolean(allow_none=True, metadata={
        "description": "null: not on the page, but an editor confirmed the description with it."})
    evidence = fields.String()


class ReportSeenOut(Schema):
    """Visitors' open "inaccurate" reports of the resource, shown beside the evidence."""

    id = fields.Integer()
    count = fields.Integer()
    last_reported_at = fields.DateTime()
    comments = fields.List(fields.String())


class BaselineOut(Schema):
    """The page as it was when its description was last taken as true."""

    taken_at = fields.DateTime()
    confirmed = fields.Boolean(metadata={"description": "By an editor (else the first successful check)."})
    title = fields.String()
    final_url = fields.String()
    claims = fields.List(fields.Nested(ClaimOut), metadata={
        "description": "The description's claims as judged then, with the sentences they relied on."})


class DescriptionCheckOut(Schema):
    """Whether the page still says what the description says, and what changed since the baseline."""

    verdict = fields.String(metadata={"enum": list(DESCRIPTION_VERDICTS)})
    since = fields.DateTime(allow_none=True)
    why = fields.String()
    observed = fields.String(allow_none=True, metadata={
        "description": "The last check's verdict; it becomes the verdict after two checks in a row."})
    pending = fields.String(allow_none=True)
    pending_count = fields.Integer()
    checked_at = fields.DateTime(allow_none=True)
    description = fields.String()
    claims = fields.List(fields.Nested(ClaimOut))
    change = fields.Dict(allow_none=True, metadata={
        "description": "score (0-1) of the main text changed since the baseline, diff {added, removed}, "
                       "and title/description/language {before, after} when they changed."})
    suggested_description = fields.String(metadata={
        "description": "A description drawn from the page (meta description or opening sentences)."})
    baseline = fields.Nested(BaselineOut, allow_none=True)
    baseline_requested = fields.Boolean(metadata={
        "description": "An editor confirmed; the next check that reads the page takes the baseline."})
    reports = fields.List(fields.Nested(ReportSeenOut), metadata={
        "description": "Visitors' open 'inaccurate' reports, beside the evidence."})


class ConfirmIn(Schema):
    """Confirm the description as it is, or with a new text (edited, or the suggestion accepted)."""

    description = fields.String(validate=validate.Length(min=1, max=5000), metadata={
        "description": "A new description to confirm instead of the current one."})
    accept_suggestion = fields.Boolean(load_default=False, metadata={
        "description": "Take the suggested description drawn from the page."})

    @validates_schema
    def _one_source(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("accept_suggestion") and "description" in data:
            raise ValidationError("Send either a description or accept_suggestion, not both.",
                                  "accept_suggestion")
