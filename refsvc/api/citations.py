"""/v1/citations: citations of one item (page metadata, a CSL item, a DOI or a URL), and batches."""
from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import ValidationError

from refsvc.api.citation_schemas import (DEFAULT_STYLES, BatchEntrySchema, BatchRequestSchema, CitationRequestSchema,
                                         CitationResponseSchema, LookupArgsSchema, MetadataSchema)
from refsvc.api.styles import style_not_found
from refsvc.citation import InvalidItem, UnknownStyle
from refsvc.citation.exports import EXPORTERS, MEDIA_TYPES, citation_key
from refsvc.citation.service import CitationService
from refsvc import lookups
from refsvc.api.batches import run_batch
from refsvc.api.cite_inputs import body_item, query_styles, require_locale, settle_options
from refsvc.api.csl_item import item_problems
from refsvc.limits import is_editor_request, limiter, lookup_limit
from refsvc.api.replay import replayed
from refsvc.errors import APIError, BadRequest, Unprocessable
from refsvc.metadata.fields import to_csl

# One instance of each schema, shared by every request: building one (with its nested schemas) cost
# several times what loading a body with it costs. Loading keeps no state on the instance.
LOOKUP_ARGS = LookupArgsSchema()
CITATION_REQUEST = CitationRequestSchema()
CITATION_RESPONSE = CitationResponseSchema()
BATCH_REQUEST = BatchRequestSchema()
BATCH_ENTRY = BatchEntrySchema()
METADATA = MetadataSchema()

blp = Blueprint("citations", __name__, url_prefix="/v1/citations",
                description="Citations in APA 7, MLA 9, Chicago 18 and any CSL style, "
                            "with BibTeX, RIS and CSL-JSON exports.")


def _service() -> CitationService:
    ext = current_app.extensions
    if "refsvc.citations" not in ext:
        ext["refsvc.citations"] = CitationService(current_app.config["RENDER_CACHE_SIZE"])
    return ext["refsvc.citations"]


def cite(item: dict[str, Any], styles: list[str], locale: str, formats: list[str]) -> dict[str, Any]:
    """The full answer for one CSL item: citations in every style, and the exports asked for."""
    locale = require_locale(locale)
    try:
        citations = _service().cite(item, styles, locale, formats)
    except UnknownStyle as exc:
        raise style_not_found(str(exc.args[0]) if exc.args else "?") from None
    except InvalidItem as exc:
        raise Unprocessable(f"The item cannot be cited: {exc}", code="invalid_item",
                            errors={"csl": [str(exc)]}) from None
    answer: dict[str, Any] = {"csl": item, "citations": citations}
    exports = {name: EXPORTERS[name](item) for name in formats if name in EXPORTERS}
    if exports:
        answer["exports"] = exports
    return answer


def _answer(answer: dict[str, Any], formats: list[str]):
    """A download when only one export format was asked for, else the JSON answer."""
    if len(formats) == 1 and formats[0] in EXPORTERS:
        media_type, extension = MEDIA_TYPES[formats[0]]
        filename = f"{citation_key(answer['csl'])}.{extension}"
        return Response(answer["exports"][formats[0]], mimetype=None, content_type=media_type,
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})
    # Built in the shape CitationResponseSchema documents: a marshmallow dump would copy it field by
    # field into the same document, at a tenth of a new item's time, so it is sent as it is.
    return jsonify(answer)


@blp.before_request
def _json_only():
    if request.method == "POST" and not request.is_json:
        raise BadRequest("Send the body as JSON with Content-Type: application/json.",
                         code="unsupported_body")


@blp.route("")
class Citations(MethodView):

    decorators = [limiter.limit(lookup_limit, methods=["GET", "HEAD"], exempt_when=is_editor_request)]

    @replayed(max_age=("CACHE_MAX_AGE", "DOI_CACHE_TTL", "PAGE_CACHE_TTL"))
    @blp.arguments(LOOKUP_ARGS, location="query", as_kwargs=True)
    @blp.response(200, CITATION_RESPONSE)
    @blp.alt_response(404, description="Unknown style or DOI")
    @blp.alt_response(429, description="Too many lookups from this client (REFSVC_LOOKUP_RATE_LIMIT)")
    def get(self, style: list[str], locale: str, formats: list[str], doi=None, url=None):
        """Cite a DOI or a web page by URL; `style` may repeat or be comma-separated."""
        locale = require_locale(locale)  # a bad locale is a 422 before anything is fetched
        # and an unknown style a 404; an empty ?style= is the defaults, as on the cite pages
        styles = query_styles(style) or list(DEFAULT_STYLES)
        lookup = lookups.lookup(doi=doi, url=url)
        answer = cite(lookup.item, styles, locale, formats)
        answer.update(provenance=lookup.provenance, source=lookup.source)
        response = _answer(answer, formats)
        return response, 200, lookups.cache_headers(lookup)

    @replayed
    @blp.arguments(CITATION_REQUEST)
    @blp.response(200, CITATION_RESPONSE)
    @blp.alt_response(404, description="Unknown style")
    def post(self, body: dict[str, Any]):
        """Cite page metadata (`metadata`), a CSL-JSON item (`csl`) or a page's HTML (`page`)."""
        settle_options(body)  # a bad locale or style fails before a sent page is read
        item, origin = body_item(body)
        answer = cite(item, body["styles"], body["locale"], body["formats"])
        answer.update(origin)
        return _answer(answer, body["formats"])


def _batch_limit() -> str:
    return current_app.config["BATCH_RATE_LIMIT"]


@blp.route("/batch")
class Batch(MethodView):

    decorators = [limiter.limit(_batch_limit, exempt_when=is_editor_request)]

    @blp.arguments(BATCH_REQUEST)
    @blp.response(200)
    @blp.alt_response(429, description="Too many batches from this client (REFSVC_BATCH_RATE_LIMIT)")
    @blp.alt_response(503, description="Every batch slot of the server is taken; see Retry-After")
    def post(self, body: dict[str, Any]):
        """Cite up to 100 entries (metadata, CSL items, DOIs or URLs, mixed): one result or one
        error per entry, in order. A batch has REFSVC_BATCH_TIMEOUT seconds in all: entries it could
        not reach in time are 504 `batch_deadline` errors."""
        settle_options(body)  # before anything is fetched: one 404 or 422, not one per entry
        found = run_batch(body["entries"], _entry_item)
        return {"results": [{"index": position, **_batch_result(entry, body)}
                            for position, entry in enumerate(found)]}


def _batch_result(found: dict[str, Any] | APIError, body: dict[str, Any]) -> dict[str, Any]:
    """One entry's result: its citations, or the error its lookup or its rendering came to."""
    try:
        if isinstance(found, APIError):
            raise found
        answer = cite(found["item"], body["styles"], body["locale"], body["formats"])
    except APIError as exc:
        return {"status": exc.status, "error": {"code": exc.code, "message": exc.message,
                                                **({"errors": exc.errors} if exc.errors else {})}}
    answer.update({k: v for k, v in found.items() if k in ("provenance", "source")})
    return {"status": 200, **answer}


def _entry_item(entry: dict[str, Any]) -> dict[str, Any]:
    """One batch entry to {"item", "provenance"?, "source"?}; raises APIError for a bad entry."""
    errors = BATCH_ENTRY.validate(entry)
    sources = [k for k in ("metadata", "csl", "doi", "url") if k in entry]
    if errors or len(sources) != 1:
        raise Unprocessable("Each entry needs exactly one of metadata, csl, doi or url.",
                            errors=errors or None)
    if "metadata" in entry:
        try:
            metadata = METADATA.load(entry["metadata"])
        except ValidationError as exc:
            raise Unprocessable("Some metadata fields are missing or invalid; see errors.",
                                errors={"metadata": exc.messages}) from None
        return {"item": to_csl(metadata)}
    if "csl" in entry:
        problems = item_problems(entry["csl"])
        if problems:
            raise Unprocessable("Some fields of the CSL-JSON item are invalid; see errors.",
                                errors={"csl": problems})
        return {"item": entry["csl"]}
    lookup = lookups.lookup(doi=entry.get("doi"), url=entry.get("url"))
    return {"item": lookup.item, "provenance": lookup.provenance, "source": lookup.source}
