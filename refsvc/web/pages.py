"""HTML pages: the root and the demos of the cite-this-page widget and the block."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, send_from_directory, url_for
from markupsafe import Markup

from refsvc.editors import is_editor_request
from refsvc.limits import limiter, lookup_limit

bp = Blueprint("web", __name__, template_folder="templates")

# The seed page of the website (../shared/seed/) as the widget would read it from the page.
SEED_METADATA: dict[str, Any] = {
    "type": "webpage",
    "title": "Dynamic Interpersonal Therapy in London",
    "authors": [{"name": "Harley Therapy Ltd."}],
    "site_name": "Harley Therapy",
    "published": "2022-01-20",
    "accessed": "2022-08-11",
    "url": "https://www.harleytherapy.co.uk/dynamic-interpersonal-therapy-london.htm",
}


@bp.get("/")
def index():
    """The service's root: editors land on the dashboard."""
    return redirect(url_for("dashboard.dashboard"))


@bp.get("/favicon.ico")
def favicon():
    """The icon browsers ask every site for (its SVG twin is /static/favicon.svg); it never changes
    between releases, so caches keep it a week."""
    from refsvc.web import STATIC

    return send_from_directory(STATIC, "favicon.ico", mimetype="image/vnd.microsoft.icon",
                               max_age=7 * 24 * 3600)


@bp.get("/demo/cite")
def demo_cite():
    """The cite-this-page widget on the seed page's metadata; ``?title=`` tries another title and
    ``?source=page`` leaves the widget to read the page's own meta tags."""
    metadata = dict(SEED_METADATA)
    if request.args.get("title"):
        metadata["title"] = request.args["title"][:500]
    return render_template("web/demo_cite.html", metadata=metadata,
                           from_page=request.args.get("source") == "page")


@bp.get("/demo/block")
def demo_block():
    """The further-reading block as the website embeds it; ``?ids=`` or ``?tag=`` as the block takes."""
    query = {k: v for k, v in request.args.items() if k in {"ids", "tag"}}
    return render_template("web/demo_block.html", query=query)


MAX_URL = 2048  # as GET /v1/citations takes a URL
DEFAULT_LOCALE = "en-GB"  # the website's own; the widget's link passes its data-refsvc-locale


def _cite_url() -> str:
    return request.args.get("url", "")


def _link(url: str) -> str | None:
    """The page's address as a link only when it is one refsvc would cite (http or https, not too
    long); anything else (javascript:, data:) is never put in an href."""
    return url if len(url) <= MAX_URL and urlsplit(url).scheme.lower() in {"http", "https"} else None


@bp.get("/cite")
@limiter.limit(lookup_limit, exempt_when=is_editor_request)  # each may fetch a page or a DOI
def cite_page():
    """The citation page the widget links to when it cannot load: the cite-this-page block for
    ``?url=`` (a page refsvc reads) or ``?doi=``, as a page of its own; APA, MLA and Chicago unless
    ``?style=`` names others, in en-GB unless ``?locale=`` names another (as GET /v1/citations
    takes them)."""
    from refsvc.api.cite_inputs import query_styles, require_locale
    from refsvc.api.citations import cite
    from refsvc import lookups
    from refsvc.errors import APIError
    from refsvc.web.cite_block import BLOCK_STYLES, FORMATS, render_block

    url, doi = _cite_url(), request.args.get("doi", "")[:500]
    link = _link(url)
    if url and doi:
        return _cite_error(link, "Give the page as ?url= or a DOI as ?doi=, not both.", 422)
    if not (url or doi):
        return _cite_error(link, "Give the page as ?url= or a DOI as ?doi=.", 422)
    if len(url) > MAX_URL:
        return _cite_error(None, f"The address is longer than {MAX_URL:,} characters; give the "
                                 "page's address as the browser shows it.", 422)
    try:
        # a bad locale or style is the API's 422 or 404, said on the page, before any lookup
        locale = require_locale(request.args.get("locale") or DEFAULT_LOCALE)
        styles = query_styles(request.args.getlist("style")) or BLOCK_STYLES
        found = lookups.lookup(doi=doi or None, url=url or None)
        block = render_block(cite(found.item, styles, locale, FORMATS), styles).get_data(as_text=True)
    except APIError as exc:
        return _cite_error(link, exc.message, exc.status)
    return render_template("web/cite_page.html", block=Markup(block), url=link, error=None)


def _cite_error(link: str | None, message: str, status: int):
    return render_template("web/cite_page.html", block=None, url=link, error=message), status


@bp.errorhandler(429)
def too_many_lookups(exc):
    """Over the lookup limit, /cite is still the page a visitor's browser came to (as its other
    errors are): the API's message, naming the wait its Retry-After gives; other pages keep the
    one error shape."""
    from refsvc.errors import http_error, rate_limited_message

    if request.endpoint != "web.cite_page":
        return http_error(exc)
    return _cite_error(_link(_cite_url()), rate_limited_message(), 429)
