"""/v1/reports: visitors report a broken or inaccurate link; editors list and resolve the reports."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app, make_response, render_template, request
from flask_limiter.util import get_remote_address
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from refsvc import metrics
from refsvc.api.auth import editor_required
from refsvc.editors import is_editor_request
from refsvc.limits import limiter
from refsvc.api.paging import one_page
from refsvc.api.registry_schemas import ReportIn, ReportOut, ReportPatch, ReportQuery
from refsvc.errors import NotFound, Unprocessable
from refsvc.metadata.urls import URLProblem, normalize_url, parse_url, url_problem
from refsvc.storage import Report, get_database, utcnow
from refsvc.storage import checks as check_store
from refsvc.storage import reports as report_store
from refsvc.storage import resources as resource_store

blp = Blueprint("reports", __name__, url_prefix="/v1/reports",
                description="Visitors' reports of broken or inaccurate links.")


class ReportAck(Schema):
    """What a visitor gets back: the report group, without other visitors' comments."""

    id = fields.Integer()
    status = fields.String()
    resource_id = fields.String(allow_none=True)
    reason = fields.String()
    count = fields.Integer()
    message = fields.String()


def report_view(report: Report) -> dict[str, Any]:
    """A report group as editors see it."""
    return {key: getattr(report, key) for key in ReportOut().fields}


def _report_limit() -> str:
    return current_app.config["REPORT_RATE_LIMIT"]


def _origin(url: str) -> str | None:
    """``scheme://host[:port]`` of an http(s) URL, lower case, or None."""
    try:
        parsed = parse_url(url)
    except URLProblem:
        return None
    return f"{parsed.scheme}://{parsed.netloc}"


def return_address(page: str | None) -> str | None:
    """Where the thank-you page may send the visitor back: ``page`` when its origin is the site's
    own or one of REFSVC_CORS_ORIGINS (the website's), else None (no open redirect)."""
    origin = _origin(page) if page else None
    if origin is None:
        return None
    allowed = {_origin(o) for o in current_app.config.get("CORS_ORIGINS", [])}
    allowed.add(_origin(request.host_url))
    return page if origin in allowed else None


def _thanks_page(ack: dict[str, Any], page: str | None):
    """The answer to a browser's plain form post (the block without JavaScript): a small HTML page."""
    back = return_address(page)
    return make_response(render_template("web/report_thanks.html", message=ack["message"],
                                         back=back), 202)


@blp.route("", methods=["POST"])
@limiter.limit(_report_limit, exempt_when=is_editor_request)
@blp.arguments(ReportIn, location="json_or_form")
@blp.response(202, ReportAck)
def create_report(data: dict[str, Any]):
    """Report a link (public, rate-limited); a 'broken' report makes the resource due for a check.

    Takes JSON, or a plain HTML form post (answered with a thank-you page)."""
    ack = _record_report(data)
    metrics.report_received(data["reason"])
    if not request.is_json:
        return _thanks_page(ack, data.get("page") or request.referrer)
    return ack


def _record_report(data: dict[str, Any]) -> dict[str, Any]:
    now = utcnow()
    with get_database(current_app).transaction() as session:
        if data.get("resource_id"):
            resource = resource_store.get_resource(session, data["resource_id"])
            if resource is None:
                raise Unprocessable("Some fields are missing or invalid; see errors.", errors={
                    "resource_id": [f"No resource with id '{data['resource_id']}'."]})
        else:
            problem = url_problem(data["url"])
            if problem:
                raise Unprocessable("Some fields are missing or invalid; see errors.",
                                    errors={"url": [problem]})
            resource = resource_store.find_by_url(session, data["url"])
        url = resource.url if resource else normalize_url(data["url"])
        report, _ = report_store.add_report(
            session, url=url, reason=data["reason"], resource_id=resource.id if resource else None,
            comment=data.get("comment", "").strip(), page=data.get("page"),
            visitor=report_store.visitor_key(get_remote_address()), now=now)
        if resource is not None and data["reason"] in ("broken", "inaccurate"):  # checked at once
            due = now + timedelta(seconds=float(current_app.config["REPORT_DUE_SECONDS"]))
            check_store.make_due(session, resource.id, due)
        return {"id": report.id, "status": report.status, "resource_id": report.resource_id,
                "reason": report.reason, "count": report.count,
                "message": "Thank you; the link will be checked and an editor will see your report."
                # others: a count above one (a visitor counts once a day), not merely a group joined
                if report.count <= 1 else "Thank you; others reported this too, and an editor will see it."}


@blp.route("", methods=["GET"])
@editor_required
@blp.arguments(ReportQuery, location="query")
@blp.response(200, ReportOut(many=True))
@blp.paginate(page_size=50, max_page_size=500)
def list_reports(query: dict[str, Any], pagination_parameters):
    """Report groups (editor), most recently reported first; filter by status, resource, reason."""
    page = pagination_parameters
    with get_database(current_app).transaction() as session:
        reports, total = report_store.list_reports(session, offset=page.first_item,
                                                   limit=page.page_size, **query)
        views = [report_view(r) for r in reports]
    return one_page(views, page, total, "reports.list_reports", **query)


@blp.route("/<int:report_id>", methods=["PATCH"])
@editor_required
@blp.arguments(ReportPatch)
@blp.response(200, ReportOut)
def update_report(changes: dict[str, Any], report_id: int):
    """Resolve, dismiss or reopen a report group (editor), with a note."""
    with get_database(current_app).transaction() as session:
        report = report_store.get_report(session, report_id)
        if report is None:
            raise NotFound(f"No report with id {report_id}; GET /v1/reports lists them.")
        return report_view(report_store.update_report(session, report, changes))
