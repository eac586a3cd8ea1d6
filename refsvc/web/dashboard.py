"""The editors' workspace: /dashboard (every resource, sortable and filtered from the URL), the
checker-offline banner, check now, and the exports behind the editor's sign-in."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from marshmallow import ValidationError

from refsvc.links.health import CHECKER_OFFLINE
from refsvc.resource_views import ResourceQuery, export_response
from refsvc.storage import get_database, utcnow
from refsvc.storage import checks as check_store
from refsvc.storage import descriptions as description_store
from refsvc.storage import events as event_store
from refsvc.storage import reports as report_store
from refsvc.storage import resources as store
from refsvc.web import views
from refsvc.web.editor import editor_post, is_editor
from refsvc.words import outcome_words

bp = Blueprint("dashboard", __name__, template_folder="templates")

# The dashboard's pages hold an editor's session: no inline script or style, nothing from elsewhere
# but images.
DASHBOARD_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "
                 "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


@bp.after_request
def workspace_headers(response):
    """Headers of every workspace page: a strict CSP, no caching, no sniffing."""
    response.headers.setdefault("Content-Security-Policy", DASHBOARD_CSP)
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("Cookie")
    response.vary.add("Authorization")
    return response


def verdict_choices(schema: Any = None) -> list[str] | None:
    """The description verdicts GET /v1/resources filters by, when the API lists a ``verdict``
    filter (None when it does not: the dashboard then shows no such control)."""
    field = (schema or ResourceQuery()).fields.get("verdict")
    if field is None:
        return None
    for validator in getattr(field, "validators", []) or []:
        if getattr(validator, "choices", None):
            return [str(choice) for choice in validator.choices]
    return []


def checker_offline_since(session) -> Any:
    """When the checker went offline, if its newest check says it is (None otherwise)."""
    latest = event_store.latest_check_overall(session)
    if latest is None or latest.outcome != CHECKER_OFFLINE:
        return None
    last_good = event_store.latest_check_overall(session, not_outcome=CHECKER_OFFLINE)
    first = event_store.first_check_after(session, last_good.checked_at if last_good else None,
                                          CHECKER_OFFLINE)
    return (first or latest).checked_at


def dashboard_rows(session, query: dict[str, Any], editor: bool) -> list[dict[str, Any]]:
    """One row per resource: health, last check in words, response time, open reports."""
    query = dict(query)
    verdict = query.pop("verdict", None)  # filtered as GET /v1/resources filters it
    ids = None if verdict is None else description_store.ids_with_verdict(session, verdict)
    resources, _ = store.list_resources(session, ids=ids, **query)
    checks = check_store.last_checks(session, resources)
    reports = report_store.open_counts(session) if editor else {}
    rows = []
    for resource in resources:
        check = checks.get(resource.id)
        state = resource.state
        outcome = check.outcome if check else None
        status = check.status_code if check else None
        rows.append({
            "id": resource.id, "name": resource.name, "url": resource.url, "tags": resource.tags or [],
            "active": resource.active, "health": resource.health,
            "health_since": state.health_since if state else None,
            "outcome": outcome, "outcome_words": outcome_words(outcome, status),
            "reason": check.reason if check else "", "checked_at": check.checked_at if check else None,
            "response_ms": views.response_ms(outcome, status, check.elapsed_ms if check else None),
            "open_reports": reports.get(resource.id, 0) if editor else None,
            "warnings": views.warning_words(state.warnings if state else None),
        })
    return rows


def _filters() -> dict[str, Any]:
    args = request.args
    sort = args.get("sort", "health")
    return {"health": args.get("health", "") if args.get("health", "") in views.HEALTH_ORDER else "",
            "tag": args.get("tag", "")[:200], "q": args.get("q", "")[:200],
            "reported": args.get("reported") == "1", "verdict": args.get("verdict", "")[:50],
            "sort": sort if sort in views.SORTS else "health",
            "dir": "desc" if args.get("dir") == "desc" else "asc"}


@bp.get("/dashboard")
def dashboard():
    """Every resource with its health, sortable by any column, filtered by the URL's query."""
    editor = is_editor()
    chosen = _filters()
    verdicts = verdict_choices()
    query: dict[str, Any] = {}
    if verdicts is not None and chosen["verdict"] in verdicts:
        try:  # through the API's own schema, so the filter means what it means there
            query = ResourceQuery().load({"verdict": chosen["verdict"]})
        except ValidationError:
            query = {}
    with get_database(current_app).transaction() as session:
        rows = dashboard_rows(session, query, editor)
        offline_since = checker_offline_since(session)
    tags = sorted({tag for row in rows for tag in row["tags"]})
    counts = {health: sum(1 for r in rows if r["health"] == health) for health in views.HEALTH_ORDER}
    shown = [r for r in rows if views.matches(r, health=chosen["health"], tag=chosen["tag"],
                                              q=chosen["q"], reported=chosen["reported"] and editor)]
    sort = chosen["sort"] if editor or chosen["sort"] != "reports" else "health"
    shown = views.sort_rows(shown, sort, chosen["dir"] == "desc")
    now = utcnow()
    return render_template("web/dashboard.html", rows=shown, total=len(rows), counts=counts, tags=tags,
                           chosen={**chosen, "sort": sort}, verdicts=verdicts, views=views,
                           offline_since=offline_since, now=now, now_date=now.date())


@bp.get("/dashboard/export.<any(csv, markdown):kind>")
def export(kind: str):
    """GET /v1/resources?format=csv|markdown for the signed-in browser (its open report counts
    need the editor, whose token the browser keeps in the dashboard's cookie)."""
    return export_response({}, kind, editor=is_editor())


@bp.route("/dashboard/audit", methods=["GET", "POST"])
def audit():
    """Audit a page's outbound links against the registry (editors; the form posts here)."""
    if request.method == "POST":
        return _audit_post()
    return render_template("web/audit.html", result=None, error=None, url="")


@editor_post
def _audit_post():
    from refsvc.errors import APIError
    from refsvc.links.audit import audit_links, outbound_links, summarise
    from refsvc.links.registry import url_problem
    from refsvc.page_audit import fetch_page, registry_entries

    url = request.form.get("url", "").strip()
    problem = url_problem(url)
    if problem:
        return render_template("web/audit.html", result=None, error=problem, url=url), 422
    try:
        html, base_url = fetch_page(url, instead="Check that the address opens in a browser, "
                                    "then audit it again.")
    except APIError as exc:
        return render_template("web/audit.html", result=None, error=str(exc), url=url), exc.status
    rows = audit_links(outbound_links(html, base_url), registry_entries())
    return render_template("web/audit.html", result={"summary": summarise(rows), "links": rows},
                           error=None, url=url)


@bp.post("/dashboard/resources/<resource_id>/check")
@editor_post
def check_now(resource_id: str):
    """Check a resource at once (editor), record it in the timeline, and go back."""
    from refsvc.links import tracking

    with get_database(current_app).transaction() as session:  # as the API does: an id that cannot
        known = store.get_resource(session, resource_id) is not None  # be one (NUL) meets no query
    check = tracking.tracker_for(current_app).check_now(resource_id) if known else None
    if check is None:
        return render_template("web/not_found.html", what=f"No resource with id '{resource_id}'."), 404
    with get_database(current_app).transaction() as session:
        if store.get_resource(session, resource_id) is not None:  # not deleted meanwhile
            event_store.add_event(session, resource_id, "checked_now",  # the timeline says "Checked now"
                                  outcome_words(check.outcome, check.status_code))
    back = request.form.get("next") or ""
    if not back.startswith("/dashboard"):
        back = url_for("resource_page.resource_page", resource_id=resource_id)
    return redirect(back, 303)
