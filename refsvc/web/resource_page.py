"""/dashboard/resources/<id>: one resource's page: its timeline, 90-day chart, redirects, TLS,
archive snapshot, description beside what the page says now, check now and editing."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from refsvc.links import description_check
from refsvc.storage import get_database, utcnow
from refsvc.storage import events as event_store
from refsvc.storage import resources as store
from refsvc.web import chart, timeline, views
from refsvc.web.dashboard import workspace_headers
from refsvc.web.editor import editor_post
from refsvc.words import outcome_words

bp = Blueprint("resource_page", __name__, template_folder="templates")
bp.after_request(workspace_headers)

DAYS = 90
EDITABLE = ("name", "url", "description", "logo_url", "tags", "expect", "active")


def page_data(session, resource, now) -> dict[str, Any]:
    """Everything the page shows about ``resource``."""
    since = now - timedelta(days=DAYS)
    checks = event_store.checks_since(session, resource.id, since)
    last = store.last_check(session, resource)
    result = (last.result or {}) if last else {}
    cert_days = result.get("cert_days_left")
    state = resource.state
    return {
        "resource": resource, "state": state, "last": last, "result": result,
        "last_words": outcome_words(last.outcome, last.status_code) if last else "Not checked yet",
        "response_ms": views.response_ms(last.outcome, last.status_code, last.elapsed_ms) if last else None,
        "redirects": result.get("redirects") or [], "final_url": result.get("final_url"),
        "tls_expires": last.checked_at + timedelta(days=cert_days) if last and cert_days is not None else None,
        "cert_days": cert_days, "tls_valid": result.get("tls_valid"),
        "chart": chart.response_chart(chart.points_of(checks), now, DAYS),
        "chart_summary": chart.summary(chart.points_of(checks)),
        "events": timeline.timeline(checks, event_store.reports_of(session, resource.id),
                                    event_store.events_since(session, resource.id, since)),
        "content": (result.get("details") or {}).get("content"),
        "description_check": description_check.view(session, resource),  # as the API shows it
    }


@bp.get("/dashboard/resources/<resource_id>")
def resource_page(resource_id: str):
    """One resource's page."""
    now = utcnow()
    with get_database(current_app).transaction() as session:
        resource = store.get_resource(session, resource_id)
        if resource is None:
            return render_template("web/not_found.html",
                                   what=f"No resource with id '{resource_id}'."), 404
        data = page_data(session, resource, now)
        html = render_template("web/resource.html", **data, views=views, now=now, errors={},
                               saved=request.args.get("saved") == "1")
    return html


def _form_entry(form) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    for key in ("name", "url", "description"):
        if key in form:
            entry[key] = form[key]
    if "logo_url" in form:
        entry["logo_url"] = form["logo_url"].strip() or None
    for key in ("tags", "expect"):
        if key in form:
            entry[key] = [part.strip() for part in form[key].replace("\n", ",").split(",") if part.strip()]
    entry["active"] = form.get("active") == "1"
    return entry


@bp.post("/dashboard/resources/<resource_id>/edit")
@editor_post
def edit(resource_id: str):
    """Change the entry's fields (editor), with the same validation as the API and the registry."""
    from refsvc.links.fetchable import refused_fields
    from refsvc.links.registry import validate_entry

    clean, errors = validate_entry(_form_entry(request.form), partial=True)
    errors = errors or refused_fields(clean, current_app.config)
    now = utcnow()
    with get_database(current_app).transaction() as session:
        resource = store.get_resource(session, resource_id)
        if resource is None:
            return render_template("web/not_found.html", what=f"No resource with id '{resource_id}'."), 404
        if errors:
            data = page_data(session, resource, now)
            return render_template("web/resource.html", **data, views=views, now=now, errors=errors,
                                   saved=False), 422
        changed = [key for key in EDITABLE if key in clean and clean[key] != getattr(resource, key)]
        if changed:
            store.update_resource(session, resource, {k: clean[k] for k in changed})
            event_store.add_event(session, resource_id, "edited", "Changed " + ", ".join(changed))
    return redirect(url_for("resource_page.resource_page", resource_id=resource_id, saved=1), 303)


@bp.post("/dashboard/resources/<resource_id>/confirm-description")
@editor_post
def confirm_description(resource_id: str):
    """Confirm the description (editor), edited or suggested text if the form sends one: the page as
    it is now becomes the baseline, as POST /v1/resources/<id>/confirm-description does."""
    from refsvc.links import tracking
    from refsvc.links.registry import validate_entry

    database = get_database(current_app)
    with database.transaction() as session:
        resource = store.get_resource(session, resource_id)
        if resource is None:
            return render_template("web/not_found.html", what=f"No resource with id '{resource_id}'."), 404
        if "description" in request.form:
            clean, errors = validate_entry({"description": request.form["description"]}, partial=True)
            if errors:
                data = page_data(session, resource, utcnow())
                return render_template("web/resource.html", **data, views=views, now=utcnow(),
                                       errors=errors, saved=False), 422
            store.update_resource(session, resource, clean)
        description_check.request_baseline(session, resource_id)
        event_store.add_event(session, resource_id, "edited", "Confirmed the description")
    tracking.tracker_for(current_app).check_now(resource_id)
    return redirect(url_for("resource_page.resource_page", resource_id=resource_id, saved=1), 303)
