"""Marshmallow schemas of the citation endpoints: friendly metadata, options, and the answer."""
from __future__ import annotations

import re

from marshmallow import (Schema, ValidationError, fields, validate, validates,
                         validates_schema)

from refsvc.api.csl_item import item_problems
from refsvc.api.strict import QuerySchema, StrictSchema
from refsvc.metadata.fields import csl_type, parse_date

DEFAULT_STYLES = ["apa", "mla", "chicago"]
MAX_STYLES = 20  # styles one request may name: a body's "styles", a GET's ?style= (cite_inputs)
FORMATS = ["text", "html", "bibtex", "ris", "csl-json"]
DEFAULT_FORMATS = ["text", "html"]
_text = dict(validate=validate.Length(max=2000))


class DateString(fields.String):
    """An ISO date, partial allowed; CSL seasons (months 21-24) too."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            parse_date(text)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        return text


class PersonSchema(StrictSchema):
    """A person (given/family) or an organisation (name)."""

    error_messages = {"type": 'Give a person as {"family": "Bowlby", "given": "John"}, or an '
                              'organisation as {"name": "Mind"}.'}

    aliases = {"surname": "family", "last": "family", "last_name": "family", "lastname": "family",
               "first": "given", "first_name": "given", "firstname": "given", "forename": "given",
               "literal": "name", "non-dropping-particle": "particle",
               "dropping-particle": "particle"}

    name = fields.String(validate=validate.Length(min=1, max=500),
                         metadata={"description": "An organisation, e.g. 'Harley Therapy Ltd.'"})
    given = fields.String(validate=validate.Length(max=200))
    family = fields.String(validate=validate.Length(min=1, max=200))
    particle = fields.String(validate=validate.Length(max=50))
    suffix = fields.String(validate=validate.Length(max=50))

    @validates_schema
    def one_kind(self, data, **kwargs):
        if bool(data.get("name")) == bool(data.get("family") or data.get("given")):
            raise ValidationError("Give either an organisation's 'name', or a person's 'family' "
                                  "(and 'given') name.")
        if data.get("given") and not data.get("family"):
            raise ValidationError("A person needs a 'family' name.", "family")


class MetadataSchema(StrictSchema):
    """Page metadata as the website knows it."""

    # CSL-JSON's and schema.org's names for these fields, which callers send by habit
    aliases = {"author": "authors", "editor": "editors", "translator": "translators",
               "director": "directors", "issued": "published", "date": "published",
               "datePublished": "published", "year": "published", "dateModified": "modified",
               "updated": "modified", "title-short": "short_title", "publisher-place": "place",
               "page": "pages", "journal": "container_title", "website": "site_name",
               "site": "site_name", "event-title": "event"}

    id = fields.String(validate=validate.Length(max=200))
    type = fields.String(load_default="webpage",
                         metadata={"description": "webpage, article, book, chapter, report, news, "
                                   "video, dataset, software, thesis... or any CSL type"})
    title = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    authors = fields.List(fields.Nested(PersonSchema), validate=validate.Length(max=500))
    editors = fields.List(fields.Nested(PersonSchema), validate=validate.Length(max=500))
    translators = fields.List(fields.Nested(PersonSchema), validate=validate.Length(max=100))
    directors = fields.List(fields.Nested(PersonSchema), validate=validate.Length(max=100))
    site_name = fields.String(**_text)
    container_title = fields.String(**_text)
    collection_title = fields.String(**_text)
    short_title = fields.String(**_text)
    publisher = fields.String(**_text)
    place = fields.String(**_text)
    published = DateString()
    modified = DateString()
    accessed = DateString()
    url = fields.Url(schemes={"http", "https"}, validate=validate.Length(max=2048))
    # flags rather than an inline (?i): the pattern goes into the OpenAPI document, whose regexes are
    # ECMA-262 (no inline flags), so clients and schema tools can read it
    doi = fields.String(validate=validate.Regexp(
        re.compile(r"^(?:doi:|https?://(?:dx\.)?doi\.org/)?10\.\d{4,9}/\S+$", re.IGNORECASE),
        error="A DOI looks like 10.1037/pst0000282."))
    volume = fields.String(validate=validate.Length(max=50))
    issue = fields.String(validate=validate.Length(max=50))
    pages = fields.String(validate=validate.Length(max=50))
    edition = fields.String(validate=validate.Length(max=50))
    number = fields.String(validate=validate.Length(max=100))
    isbn = fields.String(validate=validate.Length(max=50))
    issn = fields.String(validate=validate.Length(max=50))
    language = fields.String(validate=validate.Length(max=35))
    genre = fields.String(validate=validate.Length(max=200))
    medium = fields.String(validate=validate.Length(max=200))
    event = fields.String(**_text)
    note = fields.String(**_text)
    abstract = fields.String(validate=validate.Length(max=20000))

    @validates("type")
    def known_type(self, value, **kwargs):
        try:
            csl_type(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class OptionsSchema(StrictSchema):
    """What to render: styles, locale and formats."""

    styles = fields.List(fields.String(validate=validate.Length(min=1, max=200)),
                         load_default=lambda: list(DEFAULT_STYLES),
                         error_messages={"invalid": 'Give a list of style names, e.g. ["apa"].'},
                         validate=validate.Length(min=1, max=MAX_STYLES),
                         metadata={"description": "Short names (apa, mla, chicago, "
                                   "chicago-author-date) or CSL style ids; see /v1/styles"})
    locale = fields.String(load_default="en-US", metadata={"description": "e.g. en-US, en-GB"})
    formats = fields.List(fields.String(validate=validate.OneOf(FORMATS)),
                          load_default=lambda: list(DEFAULT_FORMATS), validate=validate.Length(min=1),
                          error_messages={"invalid": 'Give a list of formats, e.g. ["text", "bibtex"].'})


class PageSchema(StrictSchema):
    """A page the caller already has (the cite widget sends its own page): read, never fetched."""

    url = fields.Url(required=True, schemes={"http", "https"}, validate=validate.Length(max=2048),
                     metadata={"description": "The page's address (relative links resolve against it)"})
    html = fields.String(required=True, validate=validate.Length(min=1, max=256 * 1024), metadata={
        "description": "The page's HTML, or just its <head> (meta tags and JSON-LD are what is read)"})


class CitationRequestSchema(OptionsSchema):
    """Friendly ``metadata``, a CSL-JSON item in ``csl``, or a ``page``'s HTML."""

    aliases = {"item": "csl", "csl-json": "csl", "csl_item": "csl", "html": "page"}
    advice = {key: f"a POST cites what it is sent; to look a {name} up, use GET /v1/citations?{key}=... "
                   f"(or POST /v1/citations/batch, whose entries may be {{\"{key}\": ...}})."
              for key, name in (("doi", "DOI"), ("url", "page's URL"))}

    metadata = fields.Nested(MetadataSchema)
    csl = fields.Dict(metadata={"description": "A CSL-JSON item, used as it is"})
    page = fields.Nested(PageSchema, metadata={
        "description": "A page's URL and HTML, read as GET ?url= reads a fetched page"})

    @validates_schema
    def one_source(self, data, **kwargs):
        if sum(key in data for key in ("metadata", "csl", "page")) != 1:
            raise ValidationError("Send exactly one of 'metadata' (page metadata), 'csl' "
                                  "(a CSL-JSON item) or 'page' ({url, html}).", "_schema")
        csl = data.get("csl")
        problems = item_problems(csl) if csl is not None else None
        if problems:
            raise ValidationError(problems, "csl")


class LookupArgsSchema(QuerySchema):
    """GET /v1/citations: a DOI or a URL, with the options as query parameters."""

    aliases = {"styles": "style", "format": "formats"}

    doi = fields.String(validate=validate.Length(min=1, max=500))
    url = fields.String(validate=validate.Length(min=1, max=2048))
    style = fields.List(fields.String(), load_default=lambda: list(DEFAULT_STYLES), metadata={
        "description": f"Repeated or comma-separated; at most {MAX_STYLES} styles in all"})
    locale = fields.String(load_default="en-US")
    formats = fields.List(fields.String(validate=validate.OneOf(FORMATS)),
                          load_default=lambda: list(DEFAULT_FORMATS))

    @validates_schema
    def one_source(self, data, **kwargs):
        if ("doi" in data) == ("url" in data):
            raise ValidationError("Give exactly one of 'doi' or 'url'.", "_schema")


class FormsSchema(Schema):
    text = fields.String()
    html = fields.String()


class StyleRefSchema(Schema):
    id = fields.String()
    title = fields.String()
    edition = fields.String(allow_none=True)
    class_ = fields.String(data_key="class", attribute="class", allow_none=True)


class StyleCitationsSchema(Schema):
    style = fields.Nested(StyleRefSchema)
    bibliography = fields.Nested(FormsSchema)
    in_text = fields.Nested(FormsSchema)
    narrative = fields.Nested(FormsSchema)
    note = fields.Nested(FormsSchema)
    short_note = fields.Nested(FormsSchema)


class CitationResponseSchema(Schema):
    csl = fields.Dict()
    citations = fields.Dict(keys=fields.String(), values=fields.Nested(StyleCitationsSchema))
    exports = fields.Dict(keys=fields.String(), values=fields.String())
    provenance = fields.Dict()
    source = fields.String()


class BatchEntrySchema(StrictSchema):
    """One entry of a batch: metadata, a CSL item, a DOI or a URL (exactly one)."""

    aliases = {"item": "csl", "csl-json": "csl", "csl_item": "csl"}

    metadata = fields.Dict()
    csl = fields.Dict()
    doi = fields.String()
    url = fields.String()


class BatchRequestSchema(OptionsSchema):
    aliases = {"items": "entries", "works": "entries"}

    entries = fields.List(fields.Dict(), required=True, validate=validate.Length(min=1, max=100))
