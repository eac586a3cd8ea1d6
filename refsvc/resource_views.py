"""A resource as the API and the dashboard show it: its view, its list filters and its exports.

Both ``refsvc.api.resources`` and ``refsvc.web.dashboard`` answer with these, so a resource reads
the same in JSON, CSV, Markdown and on the dashboard.
"""
from __future__ import annotations

from typing import Any

from flask import current_app, make_response
from marshmallow import Schema, fields, validate

from refsvc.links import exports
from refsvc.storage import Check, Resource, get_database
from refsvc.storage import checks as check_store
from refsvc.storage import descriptions as description_store
from refsvc.storage import reports as report_store
from refsvc.storage import resources as store
from refsvc.storage.models import DESCRIPTION_VERDICTS, HEALTHS

EXPORT_FORMATS = ("json", "csv", "markdown")


class ResourceQuery(Schema):
    tag = fields.String()
    health = fields.String(validate=validate.OneOf(HEALTHS))
    verdict = fields.String(validate=validate.OneOf(DESCRIPTION_VERDICTS), metadata={
        "description": "The description check's verdict ('unknown' includes never judged)."})
    active = fields.Boolean()


def check_view(check: Check) -> dict[str, Any]:
    """A stored check as the API shows it: the checker's result with the stored columns on top."""
    return {**(check.result or {}), "id": check.id, "resource_id": check.resource_id,
            "checked_at": check.checked_at, "url": check.url, "outcome": check.outcome,
            "reason": check.reason, "status_code": check.status_code,
            "elapsed_ms": check.elapsed_ms, "health": check.health}


def resource_view(resource: Resource, check: Check | None, *, editor: bool) -> dict[str, Any]:
    """A resource as the API shows it; the Wayback suggestion only to editors."""
    state = resource.state
    view: dict[str, Any] = store.entry_of(resource)
    view.update({
        "health": resource.health,
        "health_since": state.health_since if state else None,
        "warnings": list(state.warnings or []) if state else [],
        "last_checked_at": state.last_checked_at if state else None,
        "next_check_at": state.next_check_at if state and resource.active else None,
        "last_check": check_view(check) if check else None,
        "created_at": resource.created_at, "updated_at": resource.updated_at,
    })
    if editor and state is not None and state.wayback_url:
        view["suggested_replacement"] = {"url": state.wayback_url,
                                         "timestamp": state.wayback_timestamp}
    return view


def export_response(query: dict[str, Any], kind: str, *, editor: bool):
    """Every resource matching ``query`` as CSV or a Markdown link report (not paged); the
    dashboard's export links answer with this too."""
    from refsvc.storage import utcnow

    query = dict(query)
    verdict = query.pop("verdict", None)
    with get_database(current_app).transaction() as session:
        ids = None if verdict is None else description_store.ids_with_verdict(session, verdict)
        resources, _ = store.list_resources(session, ids=ids, **query)
        checks = check_store.last_checks(session, resources)
        reports = report_store.open_counts(session) if editor else {}
        rows = [exports.export_row(resource_view(r, checks.get(r.id), editor=editor),
                                   reports.get(r.id, 0) if editor else None) for r in resources]
    now = utcnow()
    if kind == "csv":
        response = make_response(exports.to_csv(rows))
        response.headers["Content-Type"] = "text/csv; charset=utf-8"
        name = f"refsvc-resources-{now:%Y%m%d}.csv"
    else:
        response = make_response(exports.to_markdown(rows, now))
        response.headers["Content-Type"] = "text/markdown; charset=utf-8"
        name = f"refsvc-link-report-{now:%Y%m%d}.md"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("Authorization")
    return response
