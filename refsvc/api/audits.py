"""POST /v1/audits (editor): every outbound link of a page, matched against the resource registry.

A page is given by its ``url`` (fetched with the guarded client) or as ``html`` with its ``base_url``.
Each outbound link gets the registry entry it matches (by normalised URL, else by host), that
entry's health, and flags: ``unregistered``, ``broken``, ``moved`` and ``description_differs`` (the
text the page shows beside the link no longer matches the registry's description).
"""
from __future__ import annotations

import re
import time
from typing import Any, Iterable
from urllib.parse import urljoin, urlsplit

import lxml.html
from flask import current_app
from flask_smorest import Blueprint
from lxml import etree
from marshmallow import Schema, ValidationError, fields, validates_schema

from refsvc.api.auth import editor_required
from refsvc.errors import BadGateway, BadRequest, GatewayTimeout, Unprocessable
from refsvc.links.registry import normalize_url, url_problem
from refsvc.metadata.http import FetchError, FetchTimeout, GuardedClient, RefusedAddress, user_agent
from refsvc.storage import get_database
from refsvc.storage.resources import last_check, list_resources

blp = Blueprint("audits", __name__, url_prefix="/v1/audits",
                description="Audit a page's outbound links against the resource registry (editor).")

MAX_HTML = 2 * 1024 * 1024
CONTEXT_CHARS = 600
# Below this share of the description's words found beside the link, the page has drifted.
SIMILARITY_THRESHOLD = 0.5
BLOCKS = {"p", "li", "div", "section", "article", "aside", "td", "dd", "figure", "blockquote",
          "header", "footer", "body"}
STOPWORDS = set("""a an and are as at be by for from has have in is it its it's of on or that the their
they this to uk was which with who""".split())


class AuditRequest(Schema):
    url = fields.String(metadata={"description": "The page to fetch and audit."})
    html = fields.String(metadata={"description": "The page's HTML, instead of fetching it."})
    base_url = fields.String(metadata={"description": "Where the HTML lives (resolves relative links)."})

    @validates_schema
    def _one_source(self, data: dict[str, Any], **_: Any) -> None:
        if ("url" in data) == ("html" in data):
            raise ValidationError("Give either url (a page to fetch) or html with base_url.", "_schema")
        if "html" in data:
            if "base_url" not in data:
                raise ValidationError("base_url is needed with html, to resolve relative links.",
                                      "base_url")
            if len(data["html"].encode()) > MAX_HTML:
                raise ValidationError(f"At most {MAX_HTML} bytes of HTML.", "html")
        for key in ("url", "base_url"):
            problem = url_problem(data[key]) if key in data else None
            if problem:
                raise ValidationError(problem, key)


class ResourceRef(Schema):
    id = fields.String()
    name = fields.String()
    url = fields.String()
    description = fields.String()


class AuditedLink(Schema):
    url = fields.String(metadata={"description": "The link, absolute, without its fragment."})
    href = fields.String(metadata={"description": "The href as the page wrote it."})
    text = fields.String(metadata={"description": "The link's text (or its image's alt text)."})
    context = fields.String(metadata={"description": "The text the page shows around the link."})
    match = fields.String(allow_none=True, metadata={"enum": ["url", "host", None]})
    resource = fields.Nested(ResourceRef, allow_none=True)
    health = fields.String(allow_none=True)
    flags = fields.List(fields.String(), metadata={
        "description": "unregistered, broken, moved, description_differs"})
    description_similarity = fields.Float(allow_none=True, metadata={
        "description": "Share of the registry description's words found beside the link."})
    moved_to = fields.String(allow_none=True)


class AuditResponse(Schema):
    page = fields.Dict()
    summary = fields.Dict(keys=fields.String(), values=fields.Integer())
    links = fields.List(fields.Nested(AuditedLink))


# ---- pure: links of a page, and their match in the registry -------------------------------------

def _words(text: str) -> str:
    return " ".join(text.split())


def _tokens(text: str) -> set[str]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {w.rstrip("s") for w in words if len(w) > 2 and w not in STOPWORDS}


def host_key(url: str) -> str:
    """The host a link is matched on: lowercase, without a leading ``www.``."""
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def url_key(url: str) -> str:
    """The normalised URL a link is matched on; http and https, www. or not, count as one."""
    normal = urlsplit(normalize_url(url))
    return host_key(url) + (f":{normal.port}" if normal.port else "") + normal.path + \
        (f"?{normal.query}" if normal.query else "")


def _context(anchor: Any, link_text: str) -> str:
    """The text the page shows around ``anchor``: its nearest block that says more than the link."""
    node, levels = anchor.getparent(), 0
    while node is not None and levels < 4:
        text = _words(node.text_content())
        if node.tag in BLOCKS and len(text) > len(link_text) + 20:
            return text[:CONTEXT_CHARS]
        node, levels = node.getparent(), levels + 1
    return ""


def outbound_links(html: str, base_url: str) -> list[dict[str, str]]:
    """Every link of ``html`` to another host, in page order: url, href, text, context."""
    try:
        try:
            document = lxml.html.document_fromstring(html)
        except ValueError:  # a str with an XML encoding declaration: lxml wants bytes then
            document = lxml.html.document_fromstring(html.encode("utf-8"))
    except (etree.ParserError, ValueError):  # nothing to parse: no links
        return []
    for hidden in document.xpath("//script | //style | //template"):
        hidden.drop_tree()  # their text is not what a reader sees beside a link
    base = urljoin(base_url, (document.xpath("//base/@href") or [""])[0].strip())
    page_host = host_key(base_url)  # the page's own site, whatever its <base> says
    links = []
    for anchor in document.xpath("//a[@href] | //area[@href]"):
        href = anchor.get("href", "").strip()
        try:
            url = urljoin(base, href)
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises on a port out of range: such a link leads nowhere
        except ValueError:
            continue
        if parts.scheme not in {"http", "https"} or not parts.hostname or host_key(url) == page_host:
            continue
        text = _words(anchor.text_content()) or _words(" ".join(anchor.xpath(".//img/@alt"))) \
            or _words(anchor.get("title", ""))
        links.append({"url": url.split("#")[0], "href": href, "text": text,
                      "context": _context(anchor, text)})
    return links


def description_similarity(description: str, context: str) -> float | None:
    """Share of the description's words the page shows beside the link (None: nothing to compare)."""
    wanted = _tokens(description)
    if not wanted or not context:
        return None
    return round(len(wanted & _tokens(context)) / len(wanted), 2)


def audit_links(links: Iterable[dict[str, str]], entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each link with its registry entry (``entries``: id, name, url, description, health, outcome,
    final_url) and its flags."""
    by_url = {url_key(e["url"]): e for e in entries}
    by_host: dict[str, dict[str, Any]] = {}
    for entry in entries:
        by_host.setdefault(host_key(entry["url"]), entry)
    audited = []
    for link in links:
        entry, match = by_url.get(url_key(link["url"])), "url"
        if entry is None:
            entry, match = by_host.get(host_key(link["url"])), "host"
        row: dict[str, Any] = dict(link, match=None, resource=None, health=None, flags=[],
                                   description_similarity=None)
        if entry is None:
            row["flags"].append("unregistered")
        else:
            row.update(match=match, health=entry["health"],
                       resource={k: entry[k] for k in ("id", "name", "url", "description")})
            if entry["health"] == "broken":
                row["flags"].append("broken")
            if entry.get("outcome") == "moved":
                row["flags"].append("moved")
                row["moved_to"] = entry.get("final_url")
            similarity = description_similarity(entry["description"], link["context"])
            row["description_similarity"] = similarity
            if similarity is not None and similarity < SIMILARITY_THRESHOLD:
                row["flags"].append("description_differs")
        audited.append(row)
    return audited


def summarise(rows: list[dict[str, Any]]) -> dict[str, int]:
    """Counts of links and of each flag."""
    summary = {"outbound_links": len(rows), "registered": sum(1 for r in rows if r["resource"])}
    for flag in ("unregistered", "broken", "moved", "description_differs"):
        summary[flag] = sum(1 for r in rows if flag in r["flags"])
    return summary


# ---- edges: the registry and the page ----------------------------------------------------------

def registry_entries() -> list[dict[str, Any]]:
    """Every resource with its health and last outcome, as ``audit_links`` takes them."""
    with get_database(current_app).transaction() as session:
        resources, _ = list_resources(session)
        entries = []
        for resource in resources:
            check = last_check(session, resource)
            entries.append({"id": resource.id, "name": resource.name, "url": resource.url,
                            "description": resource.description or "", "health": resource.health,
                            "outcome": check.outcome if check else None,
                            "final_url": (check.result or {}).get("final_url") if check else None})
    return entries


def fetch_page(url: str) -> tuple[str, str]:
    """The page's HTML and final URL, through the guarded client; API errors on failure."""
    config = current_app.config
    client = GuardedClient(user_agent(config["CONTACT_EMAIL"]),
                           allow_private=config["ALLOW_PRIVATE_ADDRESSES"],
                           connect_timeout=config["HTTP_CONNECT_TIMEOUT"],
                           read_timeout=config["HTTP_READ_TIMEOUT"], max_bytes=config["HTTP_MAX_BYTES"],
                           max_redirects=config["HTTP_MAX_REDIRECTS"])
    try:
        result = client.fetch(url, deadline=time.monotonic() + config["CHECK_TIMEOUT"])
    except RefusedAddress as exc:
        raise BadRequest(f"That page cannot be fetched: {exc.reason}", code="refused_address") from None
    except FetchTimeout as exc:
        raise GatewayTimeout(f"The page did not answer in time: {exc.reason}") from None
    except FetchError as exc:
        raise BadGateway(f"The page could not be fetched: {exc.reason}. Send its html and "
                         "base_url instead.") from None
    finally:
        client.close()
    if result.status >= 400:
        raise BadGateway(f"The page answered HTTP {result.status}; send its html and base_url "
                         "instead.", code="upstream_status")
    if "html" not in (result.content_type or "").lower():
        raise Unprocessable(f"The page is {result.content_type or 'of no stated type'}, not HTML.",
                            code="not_html", errors={"url": ["Not an HTML page."]})
    return result.text, result.final_url


@blp.route("", methods=["POST"])
@editor_required  # before the body is read: no token, no validation answers
@blp.arguments(AuditRequest)
@blp.response(200, AuditResponse)
def audit(body: dict[str, Any]):
    """Every outbound link of a page with its registry entry, health and flags (editor)."""
    if "url" in body:
        html, base_url = fetch_page(body["url"])
    else:
        html, base_url = body["html"], body["base_url"]
    rows = audit_links(outbound_links(html, base_url), registry_entries())
    return {"page": {"url": base_url}, "summary": summarise(rows), "links": rows}
