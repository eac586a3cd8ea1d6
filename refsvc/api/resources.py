"""/v1/resources: the registry of outside resources, their health and their check history."""
from __future__ import annotations

from typing import Any

from flask import current_app, url_for
from flask_smorest import Blueprint
from marshmallow import fields, validate

from refsvc.api.auth import editor_required
from refsvc.api.description_schemas import ConfirmIn, DescriptionCheckOut
from refsvc.api.paging import one_page
from refsvc.api.registry_schemas import CheckOut, ResourceIn, ResourceOut, ResourcePatch
from refsvc.editors import is_editor_request
from refsvc.errors import Conflict, NotFound, Unprocessable
from refsvc.links import description_check
from refsvc.links.registry import validate_entry
from refsvc.resource_views import (EXPORT_FORMATS, ResourceQuery, check_view, export_response,
                                   resource_view)
from refsvc.storage import Resource, get_database
from refsvc.storage import checks as check_store
from refsvc.storage import descriptions as description_store
from refsvc.storage import events as event_store
from refsvc.storage import reports as report_store
from refsvc.storage import resources as store

blp = Blueprint("resources", __name__, url_prefix="/v1/resources",
                description="Outside resources the website links to, and their link health.")


def _get_or_404(session, resource_id: str) -> Resource:
    resource = store.get_resource(session, resource_id)
    if resource is None:
        raise NotFound(f"No resource with id '{resource_id}'; GET /v1/resources lists them.")
    return resource


class ResourceListQuery(ResourceQuery):
    format = fields.String(load_default="json", validate=validate.OneOf(EXPORT_FORMATS), metadata={
        "description": "json (default, paged), csv (every matching resource, for a spreadsheet) "
                       "or markdown (a link report for a ticket). open_reports is filled for "
                       "editors only."})


@blp.route("", methods=["GET"])
@blp.arguments(ResourceListQuery, location="query")
@blp.response(200, ResourceOut(many=True), description="JSON by default; text/csv or "
              "text/markdown with ?format=csv|markdown.")
@blp.paginate(page_size=50, max_page_size=500)
@blp.doc(responses={"200": {  # the whole answer: a manual doc replaces the generated one
    "description": "JSON by default (paged); text/csv or text/markdown with ?format=csv|markdown.",
    "content": {"application/json": {"schema": {"type": "array",
                                                "items": {"$ref": "#/components/schemas/ResourceOut"}}},
                "text/csv": {"schema": {"type": "string"}},
                "text/markdown": {"schema": {"type": "string"}}},
    "headers": {"X-Pagination": {"$ref": "#/components/headers/PAGINATION"}}}})
def list_resources(query: dict[str, Any], pagination_parameters):
    """List resources (public), by name; filter by tag, health or active; or export them."""
    page = pagination_parameters
    kind = query.pop("format", "json")
    if kind != "json":
        page.item_count = 0  # flask-smorest insists; _exports_are_not_pages takes its header off
        return export_response(query, kind, editor=is_editor_request())
    verdict = query.pop("verdict", None)
    with get_database(current_app).transaction() as session:
        ids = None if verdict is None else description_store.ids_with_verdict(session, verdict)
        resources, total = store.list_resources(session, offset=page.first_item,
                                                limit=page.page_size, ids=ids, **query)
        checks = check_store.last_checks(session, resources)
        editor = is_editor_request()
        views = _with_description_checks(session, resources, [
            resource_view(r, checks.get(r.id), editor=editor) for r in resources])
        if editor:  # the JSON export carries what the CSV does
            counts = report_store.open_counts(session)
            for view in views:
                view["open_reports"] = counts.get(view["id"], 0)
    if verdict is not None:
        query["verdict"] = verdict
    return one_page(views, page, total, "resources.list_resources", **query)


@blp.after_request
def _exports_are_not_pages(response):
    """An export is every matching resource in one file: no X-Pagination saying it is a page."""
    if response.headers.get("Content-Disposition", "").startswith("attachment"):
        response.headers.pop("X-Pagination", None)
    return response


def _with_description_checks(session, resources: list[Resource],
                             views: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each view with its resource's ``description_check`` (brief: no baseline or reports)."""
    found = description_check.views(session, resources)
    for resource, view in zip(resources, views):
        view["description_check"] = found.get(resource.id)
    return views


@blp.route("", methods=["POST"])
@editor_required
@blp.arguments(ResourceIn)
@blp.response(201, ResourceOut)
def create_resource(fields: dict[str, Any]):
    """Register a resource (editor); it is due for its first check at once."""
    with get_database(current_app).transaction() as session:
        try:
            resource = store.create_resource(session, fields)
        except store.DuplicateResource:
            raise Conflict(f"A resource with id '{fields['id']}' exists already; PATCH it, or "
                           "choose another id.", errors={"id": ["Already taken."]}) from None
        view = resource_view(resource, None, editor=True)
        view["description_check"] = None  # judged at its first check, never waited on here
    location = url_for("resources.get_resource", resource_id=view["id"])
    return view, {"Location": location}


@blp.route("/<resource_id>", methods=["GET"])
@blp.response(200, ResourceOut)
def get_resource(resource_id: str):
    """One resource (public): its fields, health and last check."""
    with get_database(current_app).transaction() as session:
        resource = _get_or_404(session, resource_id)
        view = resource_view(resource, store.last_check(session, resource), editor=is_editor_request())
        view["description_check"] = description_check.view(session, resource)
        return view


@blp.route("/<resource_id>", methods=["PATCH"])
@editor_required
@blp.arguments(ResourcePatch)
@blp.response(200, ResourceOut)
def update_resource(fields: dict[str, Any], resource_id: str):
    """Change a resource (editor); a new URL starts its health over."""
    with get_database(current_app).transaction() as session:
        resource = _get_or_404(session, resource_id)
        before = store.entry_of(resource)
        if store.update_resource(session, resource, fields):
            changed = [key for key, value in store.entry_of(resource).items() if before[key] != value]
            event_store.add_event(session, resource_id, "edited", "Changed " + ", ".join(changed))
        view = resource_view(resource, store.last_check(session, resource), editor=True)
        view["description_check"] = description_check.view(session, resource)
        return view


@blp.route("/<resource_id>", methods=["DELETE"])
@editor_required
@blp.response(204)
def delete_resource(resource_id: str):
    """Remove a resource and its history (editor)."""
    with get_database(current_app).transaction() as session:
        store.delete_resource(session, _get_or_404(session, resource_id))


@blp.route("/<resource_id>/checks", methods=["GET"])
@blp.response(200, CheckOut(many=True))
@blp.paginate(page_size=20, max_page_size=200)
def list_checks(resource_id: str, pagination_parameters):
    """A resource's check history (public), newest first."""
    page = pagination_parameters
    with get_database(current_app).transaction() as session:
        _get_or_404(session, resource_id)
        checks, total = check_store.history(session, resource_id, offset=page.first_item,
                                            limit=page.page_size)
        views = [check_view(c) for c in checks]
    return one_page(views, page, total, "resources.list_checks", resource_id=resource_id)


@blp.route("/<resource_id>/check", methods=["POST"])
@editor_required
@blp.response(200, CheckOut)
def check_now(resource_id: str):
    """Check a resource now (editor); the answer is the check, outcome and reason on top."""
    from refsvc.links import tracking
    from refsvc.words import outcome_words

    database = get_database(current_app)
    with database.transaction() as session:
        _get_or_404(session, resource_id)
    tracker = tracking.tracker_for(current_app)
    check = tracker.check_now(resource_id)
    if check is None:  # deleted while being checked
        raise NotFound(f"No resource with id '{resource_id}'; GET /v1/resources lists them.")
    with database.transaction() as session:  # the resource page's timeline shows it
        if store.get_resource(session, resource_id) is not None:
            # the outcome in words, as the dashboard's button stores it; the timeline adds "Checked now"
            event_store.add_event(session, resource_id, "checked_now",
                                  outcome_words(check.outcome, check.status_code))
    return check_view(check)


@blp.route("/<resource_id>/confirm-description", methods=["POST"])
@editor_required
@blp.arguments(ConfirmIn)
@blp.response(200, DescriptionCheckOut)
@blp.alt_response(202, schema=DescriptionCheckOut, description="Confirmed, but the page could not be "
                  "read now: the baseline is taken at the next check that reads it.")
def confirm_description(data: dict[str, Any], resource_id: str):
    """Confirm a resource's description (editor): the page as it is now becomes the baseline.

    Send `{"description": "..."}` to confirm an edited text, or `{"accept_suggestion": true}` to
    take the description suggested from the page; an empty body confirms the current one."""
    from refsvc.links import tracking

    database = get_database(current_app)
    with database.transaction() as session:
        resource = _get_or_404(session, resource_id)
        text = data.get("description")
        if data.get("accept_suggestion"):
            state = description_store.get_state(session, resource_id)
            text = state.suggested if state is not None else ""
            if not text:
                raise Unprocessable("There is no suggested description yet: it comes from the page at "
                                    "its first check.", errors={"accept_suggestion": ["No suggestion yet."]})
        if text is not None:
            clean, errors = validate_entry({"description": text}, partial=True)
            if errors:
                raise Unprocessable("Some fields are missing or invalid; see errors.",
                                    errors={k: [v] for k, v in errors.items()})
            store.update_resource(session, resource, clean)
        description_check.request_baseline(session, resource_id)
    tracking.tracker_for(current_app).check_now(resource_id)
    with database.transaction() as session:
        view = description_check.view(session, _get_or_404(session, resource_id))
    return view, 202 if view is None or view["baseline_requested"] else 200
