"""GET /v1/styles: the catalogue of styles the service promises, and one style by name."""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from refsvc.citation import UnknownStyle, available_locales
from refsvc.citation.catalogue import catalogue, library_size, resolve
from refsvc.citation.service import describe_style
from refsvc.errors import NotFound

blp = Blueprint("styles", __name__, url_prefix="/v1/styles",
                description="Citation styles: short names, aliases and editions.")


class StyleSchema(Schema):
    name = fields.String(metadata={"description": "Short name to use in requests"})
    id = fields.String(metadata={"description": "CSL style id"})
    title = fields.String()
    edition = fields.String(allow_none=True)
    aliases = fields.List(fields.String())
    class_ = fields.String(data_key="class", attribute="class", allow_none=True)


class FoundStyleSchema(Schema):
    id = fields.String(metadata={"description": "CSL style id: give it as a style name"})
    title = fields.String()


class StyleSearchArgs(Schema):
    q = fields.String(validate=validate.Length(min=1, max=100), metadata={
        "description": "Words of a style's id or title: searches every bundled CSL style"})


class CatalogueSchema(Schema):
    styles = fields.List(fields.Nested(StyleSchema))
    suggestions = fields.List(fields.Nested(FoundStyleSchema), metadata={
        "description": "Styles often wanted after the promised ones (Harvard, Vancouver, ...)"})
    matches = fields.List(fields.Nested(FoundStyleSchema), metadata={
        "description": "With ?q=: bundled styles whose id or title holds every word (at most 20)"})
    other_styles = fields.String()
    locales = fields.List(fields.String())


def style_not_found(name: str) -> NotFound:
    """The 404 for a style name that means nothing: names it and points to the list."""
    return NotFound(f"Unknown style {name!r}. GET /v1/styles lists the short names; any CSL style "
                    "id of the bundled library works too.", code="unknown_style",
                    errors={"style": name, "choices": sorted(catalogue())})


@blp.route("")
@blp.arguments(StyleSearchArgs, location="query", as_kwargs=True)
@blp.response(200, CatalogueSchema)
def list_styles(q: str | None = None):
    """List the promised styles and suggestions; `?q=` searches every bundled CSL style."""
    from refsvc.citation import library

    styles = [{"name": name, **describe_style(entry["id"]), "aliases": entry.get("aliases", [])}
              for name, entry in catalogue().items()]
    extra = {"matches": library.search(q)} if q is not None else {}
    return {"styles": styles, "suggestions": library.suggestions(), **extra,
            "other_styles": f"Any of the {library_size()} CSL styles of the bundled library by "
                            "its id, e.g. 'harvard-cite-them-right'.",
            "locales": available_locales()}


@blp.route("/<name>")
@blp.response(200, StyleSchema)
def get_style(name: str):
    """Describe one style by short name, alias or CSL id."""
    try:
        style_id = resolve(name)
        entry = catalogue().get(name, {})
        return {"name": name, **describe_style(style_id), "aliases": entry.get("aliases", [])}
    except UnknownStyle:
        raise style_not_found(name) from None
