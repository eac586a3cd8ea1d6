"""/dashboard/reports: visitors' reports grouped by resource; resolve or dismiss each with a note."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from refsvc.links.registry import slug_problem
from refsvc.storage import get_database
from refsvc.storage.db import text_key
from refsvc.storage import reports as report_store
from refsvc.storage import resources as store
from refsvc.web import views
from refsvc.web.dashboard import workspace_headers
from refsvc.web.editor import editor_post, is_editor

bp = Blueprint("inbox", __name__, template_folder="templates")
bp.after_request(workspace_headers)

MAX_GROUPS = 500


def grouped(reports: list[Any], names: dict[str, str]) -> list[dict[str, Any]]:
    """Report groups gathered per resource (links outside the registry last), busiest first."""
    by_resource: dict[str, dict[str, Any]] = {}
    for report in reports:
        key = report.resource_id or ""
        entry = by_resource.setdefault(key, {"id": report.resource_id,
                                             "name": names.get(key) or "Links not in the registry",
                                             "reports": [], "total": 0})
        entry["reports"].append(report)
        entry["total"] += report.count
    return sorted(by_resource.values(), key=lambda e: (e["id"] is None, -e["total"], e["name"].lower()))


@bp.get("/dashboard/reports")
def inbox():
    """The reports inbox (editors): open reports by default, ``?status=resolved|dismissed``."""
    if not is_editor():
        return render_template("web/sign_in.html", next=request.full_path,
                               error="The reports inbox is for editors: sign in first."), 401
    status = request.args.get("status", "open")
    status = status if status in {"open", "resolved", "dismissed"} else "open"
    only = request.args.get("resource") or None
    if only is not None and slug_problem(only):  # not an id (e.g. a NUL, which PostgreSQL refuses)
        only = None
    with get_database(current_app).transaction() as session:
        reports, _ = report_store.list_reports(session, status=status, resource_id=only,
                                               limit=MAX_GROUPS)
        names = {r.id: r.name for r in store.list_resources(session)[0]}
        groups = grouped(reports, names)
        html = render_template("web/inbox.html", groups=groups, status=status, only=only, views=views)
    return html


@bp.post("/dashboard/reports/<int:report_id>")
@editor_post
def settle(report_id: int):
    """Resolve, dismiss or reopen one report group with the editor's note."""
    status = request.form.get("status", "")
    if status not in {"open", "resolved", "dismissed"}:
        return render_template("web/not_found.html", what="Choose resolve, dismiss or reopen."), 422
    note = request.form.get("note", "").strip()[:2000]
    if not text_key(note):  # PostgreSQL text cannot hold a NUL
        return render_template("web/not_found.html", what="The note holds a NUL character; remove it."), 422
    with get_database(current_app).transaction() as session:
        report = report_store.get_report(session, report_id)
        if report is None:
            return render_template("web/not_found.html", what=f"No report with id {report_id}."), 404
        changes: dict[str, Any] = {"status": status}
        if note or status != "open":
            changes["note"] = note
        report_store.update_report(session, report, changes)
    back = request.form.get("next") or ""
    return redirect(back if back.startswith("/dashboard") else url_for("inbox.inbox"), 303)
