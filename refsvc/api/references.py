"""/v1/references: a document's reference list and its citations, told apart across the whole list."""
from __future__ import annotations

from typing import Any

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import ValidationError

from refsvc.api.citation_schemas import MetadataSchema
from refsvc.api.cite_inputs import settle_options
from refsvc.api.csl_item import item_problems
from refsvc.api.reference_schemas import ReferencesRequestSchema, ReferencesResponseSchema
from refsvc.citation import InvalidItem
from refsvc.citation.exports import LIST_EXPORTERS, MEDIA_TYPES
from refsvc.citation.reflist import reference_list
from refsvc.citation.service import RENDER_FORMATS, describe_style
from refsvc.errors import BadRequest, Unprocessable
from refsvc.metadata.fields import to_csl

blp = Blueprint("references", __name__, url_prefix="/v1/references",
                description="A document's reference list and citations (2014a/2014b, ibid, "
                            "locators) in any CSL style, with the list's exports.")


@blp.before_request
def _json_only():
    if request.method == "POST" and not request.is_json:
        raise BadRequest("Send the body as JSON with Content-Type: application/json.",
                         code="unsupported_body")


def _item(entry: dict[str, Any]) -> tuple[dict[str, Any] | None, Any]:
    """A CSL item from one entry of ``items`` (CSL-JSON or friendly metadata), or its problems."""
    if "metadata" in entry:
        if set(entry) != {"metadata"}:
            return None, {"_schema": ["A metadata entry holds only 'metadata'."]}
        try:
            metadata = MetadataSchema().load(entry["metadata"])
        except ValidationError as exc:
            return None, {"metadata": exc.messages}
        if not metadata.get("id"):
            return None, {"metadata": {"id": ["Give each work an id, so citations can name it."]}}
        try:
            return to_csl(metadata), None
        except ValueError as exc:  # a DOI that is none
            return None, {"metadata": {"doi": [str(exc)]}}
    problems = item_problems(entry)
    if entry.get("id") in (None, "") or not isinstance(entry.get("id"), (str, int)) or \
            isinstance(entry.get("id"), bool):
        problems["id"] = ["Give each item an id (text or a number), so citations can name it."]
    return (None, problems) if problems else (entry, None)


def _checked_items(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every entry as a CSL item; one 422 naming each bad entry and each repeated id."""
    errors: dict[str, Any] = {}
    items: list[dict[str, Any]] = []
    first_place: dict[str, int] = {}
    for index, entry in enumerate(entries):
        item, problems = _item(entry)
        if problems:
            errors[str(index)] = problems
            continue
        key = str(item["id"])
        if key in first_place:
            errors[str(index)] = {"id": [f"Duplicate id {key!r}: item {first_place[key]} has it "
                                         "too; ids must be unique."]}
        first_place.setdefault(key, index)
        items.append(item)
    if errors:
        raise Unprocessable("Some items are invalid; see errors.", errors={"items": errors})
    return items


def _check_cites(citations: list[dict[str, Any]], ids: set[str]) -> None:
    """One 422 naming each cite of an id that is not in ``items``."""
    errors: dict[str, Any] = {}
    for ci, citation in enumerate(citations):
        for k, cite in enumerate(citation["cites"]):
            if str(cite["id"]) not in ids:
                errors.setdefault(str(ci), {"cites": {}})["cites"][str(k)] = {
                    "id": [f"Unknown id {cite['id']!r}: no item has it."]}
    if errors:
        raise Unprocessable("Some citations name works that are not in items; see errors.",
                            errors={"citations": errors})


def references(body: dict[str, Any]) -> dict[str, Any]:
    """The answer to a request: bibliography and citations per style, and the exports asked for."""
    # Settled first, as on /v1/citations: a bad locale is a 422 and an unknown style a 404 before
    # up to 500 items are read and checked.
    locale, style_ids = settle_options(body)
    items = _checked_items(body["items"])
    _check_cites(body["citations"], {str(item["id"]) for item in items})
    formats = tuple(f for f in RENDER_FORMATS if f in body["formats"])
    answer: dict[str, Any] = {"items": items, "bibliography": {}, "citations": {}}
    for name, style_id in zip(body["styles"], style_ids):
        try:
            rendered = reference_list(items, body["citations"], style_id, locale, formats) \
                if formats else {"entries": [], "citations": []}
        except InvalidItem as exc:
            raise Unprocessable(f"The items cannot be cited: {exc}", code="invalid_item",
                                errors={"items": [str(exc)]}) from None
        answer["bibliography"][name] = {"style": describe_style(style_id),
                                        "entries": rendered["entries"]}
        answer["citations"][name] = rendered["citations"]
    exports = {name: LIST_EXPORTERS[name](items) for name in body["formats"] if name in LIST_EXPORTERS}
    if exports:
        answer["exports"] = exports
    return answer


@blp.route("")
class References(MethodView):

    @blp.arguments(ReferencesRequestSchema)
    @blp.response(200, ReferencesResponseSchema)
    @blp.alt_response(404, description="Unknown style")
    def post(self, body: dict[str, Any]):
        """A reference list (up to 500 works) and the document's citations in order, in each style;
        a single export format (`"formats": ["bibtex"]`) answers with the file itself."""
        answer = references(body)
        formats = body["formats"]
        if len(formats) == 1 and formats[0] in LIST_EXPORTERS:
            media_type, extension = MEDIA_TYPES[formats[0]]
            return Response(answer["exports"][formats[0]], content_type=media_type,
                            headers={"Content-Disposition":
                                     f'attachment; filename="references.{extension}"'})
        return answer
