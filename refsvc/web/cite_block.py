"""GET/POST /v1/citations/block: the cite-this-page block as an HTML fragment for server-side includes.

APA, MLA and Chicago unless the request names its styles (``?style=`` or the body's ``styles``, as
/v1/citations takes them): reference entry and in-text citation or note, each with copy buttons that
/static/refsvc-cite.js brings to life (hidden without JavaScript, when the text stays selectable),
and BibTeX and RIS downloads as data: links that work without JavaScript.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import current_app, make_response, render_template
from flask.views import MethodView
from flask_smorest import Blueprint
from markupsafe import Markup

from refsvc.api.citation_schemas import CitationRequestSchema, LookupArgsSchema
from refsvc.limits import limiter, lookup_limit
from refsvc.citation.catalogue import short_name
from refsvc.citation.exports import MEDIA_TYPES, citation_key
from refsvc.editors import is_editor_request

blp = Blueprint("citation_block", __name__, url_prefix="/v1/citations",
                description="The cite-this-page block (an HTML fragment).")

BLOCK_STYLES = ["apa", "mla", "chicago"]
# one instance for every request: building the schema and its nested ones costs more than reading the body
CITATION_REQUEST = CitationRequestSchema()
LABELS = {"apa": "APA", "mla": "MLA", "chicago": "Chicago"}
FORMATS = ["text", "html", "bibtex", "ris"]


class BlockLookupArgs(LookupArgsSchema):
    """A DOI or a URL, the styles and a locale; the formats are the block's own."""

    class Meta(LookupArgsSchema.Meta):
        exclude = ("formats",)


def _ordinal(edition: Any) -> str | None:
    """'7' -> '7th edition'; anything else as it is."""
    text = str(edition or "").strip()
    if not text.isdigit():
        return text or None
    n = int(text)
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix} edition"


def _download(answer: dict[str, Any], name: str) -> dict[str, str] | None:
    text = (answer.get("exports") or {}).get(name)
    if not text:
        return None
    media_type, extension = MEDIA_TYPES[name]  # with its charset already
    return {"href": f"data:{media_type.replace('; ', ';')},{quote(text)}",
            "filename": f"{citation_key(answer['csl'])}.{extension}"}


def render_block(answer: dict[str, Any], styles: list[str]):
    """The fragment for one cited item (``cite()``'s answer), its ``styles`` in order."""
    entries, shown = [], set()
    for name in styles:
        citation = (answer.get("citations") or {}).get(name)
        style = (citation or {}).get("style") or {}
        if not citation or style.get("id") in shown:  # "apa" and "apa7" are one style, shown once
            continue
        shown.add(style.get("id"))
        note = style.get("class") == "note"
        short = (citation.get("note") or citation.get("short_note") if note else citation.get("in_text")) or {}
        # labelled as the widget labels it ("MLA"), whatever the caller called it ("mla9")
        label = LABELS.get(short_name(style.get("id") or "")) or style.get("title") or name
        entries.append({"name": short_name(style.get("id") or "") or name, "label": label, "edition": _ordinal(style.get("edition")),
                        # the engine's HTML: escaped where it was rendered (an allow-list of tags)
                        "html": Markup((citation.get("bibliography") or {}).get("html") or ""),
                        "text": (citation.get("bibliography") or {}).get("text") or "",
                        "short_label": "Note" if note else "In-text citation",
                        "short_text": short.get("text") or ""})
    html = render_template("web/cite_block.html", entries=entries,
                           bibtex=_download(answer, "bibtex"), ris=_download(answer, "ris"),
                           title=(answer.get("csl") or {}).get("title") or "")
    response = make_response(html)
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    response.vary.add("Origin")
    return response


@blp.route("/block")
class CitationBlock(MethodView):

    # a GET may fetch a page or resolve a DOI; a POST cites what it is sent
    decorators = [limiter.limit(lookup_limit, methods=["GET", "HEAD"], exempt_when=is_editor_request)]

    @blp.arguments(BlockLookupArgs, location="query", as_kwargs=True)
    @blp.response(200, {"type": "string"}, content_type="text/html",
                  description="An HTML fragment: APA, MLA and Chicago (or the styles `style` names) "
                              "with copy buttons and downloads.")
    @blp.alt_response(404, description="Unknown style or DOI")
    @blp.alt_response(429, description="Too many lookups from this client (REFSVC_LOOKUP_RATE_LIMIT)")
    def get(self, style: list[str], locale: str, doi=None, url=None):
        """The cite-this-page block for a DOI or a web page's URL; `style` may repeat or be
        comma-separated, as on GET /v1/citations."""
        from refsvc import lookups
        from refsvc.api.cite_inputs import query_styles, require_locale
        from refsvc.api.citations import cite

        locale = require_locale(locale)  # a bad locale is a 422 before any lookup
        styles = query_styles(style) or BLOCK_STYLES  # and an unknown style a 404
        found = lookups.lookup(doi=doi, url=url)
        response = render_block(cite(found.item, styles, locale, FORMATS), styles)
        for key, value in lookups.cache_headers(found).items():
            response.headers[key] = value
        return response

    @blp.arguments(CITATION_REQUEST)
    @blp.response(200, {"type": "string"}, content_type="text/html",
                  description="An HTML fragment: APA, MLA and Chicago (or the body's `styles`) "
                              "with copy buttons and downloads.")
    @blp.alt_response(404, description="Unknown style")
    def post(self, body: dict[str, Any]):
        """The cite-this-page block for page metadata, a CSL-JSON item or a page's HTML (POST
        /v1/citations's body; its `formats` are the block's own)."""
        from refsvc.api.cite_inputs import body_item, settle_options
        from refsvc.api.citations import cite

        settle_options(body)  # a bad locale or style fails before a sent page is read
        item, _ = body_item(body)
        response = render_block(cite(item, body["styles"], body["locale"], FORMATS), body["styles"])
        response.headers["Cache-Control"] = f"private, max-age={current_app.config['CACHE_MAX_AGE']}"
        return response
