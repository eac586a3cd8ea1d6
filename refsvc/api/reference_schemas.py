"""Marshmallow schemas of POST /v1/references: a list of works, the document's citations, the answer."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from refsvc.api.citation_schemas import FormsSchema, OptionsSchema, StyleRefSchema
from refsvc.api.strict import StrictSchema
from refsvc.citation.reflist import LOCATOR_LABELS

MAX_ITEMS = 500
MAX_CITATIONS = 2000


class Locator(fields.String):
    """Text; a whole number is taken as its digits (citeproc-js takes 12 as "12")."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        return super()._deserialize(value, attr, data, **kwargs)


class CiteSchema(StrictSchema):
    """One work cited, with its locator ("page 12") and affixes."""

    aliases = {"page": "locator", "pages": "locator"}

    id = fields.Raw(required=True, metadata={"description": "The id of one of `items`"})
    locator = Locator(validate=validate.Length(max=200), metadata={"example": "12-14"})
    label = fields.String(metadata={"description": "A CSL locator term: " + ", ".join(LOCATOR_LABELS),
                                    "example": "page"})
    prefix = fields.String(validate=validate.Length(max=500))
    suffix = fields.String(validate=validate.Length(max=500))
    suppress_author = fields.Boolean(data_key="suppress-author", attribute="suppress-author")
    author_only = fields.Boolean(data_key="author-only", attribute="author-only")

    @validates_schema
    def known_label(self, data, **kwargs):
        label = data.get("label")
        if label is not None and label not in LOCATOR_LABELS:
            raise ValidationError(f"Unknown locator label {label!r}; use one of "
                                  f"{', '.join(LOCATOR_LABELS)}.", "label")
        if not isinstance(data.get("id"), (str, int)) or isinstance(data.get("id"), bool):
            raise ValidationError("An id is text or a number.", "id")


class CitationInSchema(StrictSchema):
    """One citation of the document: the works it cites, and the footnote it sits in."""

    error_messages = {"type": 'Give each citation as {"cites": [{"id": "..."}]}, with its '
                              '"note_number" in a note style.'}

    aliases = {"citationItems": "cites", "noteIndex": "note_number"}

    cites = fields.List(fields.Nested(CiteSchema), required=True,
                        validate=validate.Length(min=1, max=100))
    note_number = fields.Integer(validate=validate.Range(min=0, max=1_000_000), metadata={
        "description": "The footnote holding the citation; 0 = in the running text. "
                       "Absent: the citation's place in the list (1, 2, ...)."})


class ReferencesRequestSchema(OptionsSchema):
    """The works of a document (CSL-JSON items, or {"metadata": ...}) and its citations in order."""

    aliases = {"works": "items", "references": "items"}

    items = fields.List(fields.Dict(), required=True,
                        validate=validate.Length(min=1, max=MAX_ITEMS),
                        metadata={"description": "CSL-JSON items, each with an `id`, or "
                                  "`{\"metadata\": {...}}` entries as POST /v1/citations takes them "
                                  "(the metadata's `id` is the item's id)"})
    citations = fields.List(fields.Nested(CitationInSchema), load_default=list,
                            validate=validate.Length(max=MAX_CITATIONS))


class EntrySchema(FormsSchema):
    id = fields.String()


class StyleBibliographySchema(Schema):
    style = fields.Nested(StyleRefSchema)
    entries = fields.List(fields.Nested(EntrySchema))


class ReferencesResponseSchema(Schema):
    items = fields.List(fields.Dict())
    bibliography = fields.Dict(keys=fields.String(), values=fields.Nested(StyleBibliographySchema))
    citations = fields.Dict(keys=fields.String(), values=fields.List(fields.Nested(FormsSchema)))
    exports = fields.Dict(keys=fields.String(), values=fields.String())
