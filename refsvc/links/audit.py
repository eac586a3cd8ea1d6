"""A page's outbound links matched against the resource registry (pure: no HTTP, no database).

Each link gets the registry entry it matches (the same link as refsvc.metadata.urls.link_key says,
else the same host), that entry's health,
and flags: ``unregistered``, ``broken``, ``moved``, ``description_differs`` (the text the page
shows beside the link no longer matches the registry's description) and ``malformed`` (an http(s)
link with no usable host or port: it leads nowhere). POST /v1/audits serves it.
"""
from __future__ import annotations

import re
from typing import Any, Iterable
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from refsvc.metadata.urls import host_key, link_key

FLAGS = ("unregistered", "broken", "moved", "description_differs", "malformed")
CONTEXT_CHARS = 600
# Below this share of the description's words found beside the link, the page has drifted.
SIMILARITY_THRESHOLD = 0.5
BLOCKS = {"p", "li", "div", "section", "article", "aside", "td", "dd", "figure", "blockquote",
          "header", "footer", "body"}
STOPWORDS = set("""a an and are as at be by for from has have in is it its it's of on or that the their
they this to uk was which with who""".split())


def _words(text: str) -> str:
    return " ".join(text.split())


def _tokens(text: str) -> set[str]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {w.rstrip("s") for w in words if len(w) > 2 and w not in STOPWORDS}


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
        except ValueError:
            continue
        host = host_key(url)  # None for a link that leads nowhere (bad port, host, scheme...)
        malformed = host is None and _web_scheme(url)  # a web link a visitor's click cannot follow
        if (host is None and not malformed) or host == page_host:
            continue  # mailto:, tel:, javascript: ... and the page's own site
        text = _words(anchor.text_content()) or _words(" ".join(anchor.xpath(".//img/@alt"))) \
            or _words(anchor.get("title", ""))
        link = {"url": url.split("#")[0], "href": href, "text": text, "context": _context(anchor, text)}
        if malformed:
            link["malformed"] = True
        links.append(link)
    return links


def _web_scheme(url: str) -> bool:
    return url[:url.find(":") + 1].strip().lower() in ("http:", "https:") or url.startswith("//")


def description_similarity(description: str, context: str) -> float | None:
    """Share of the description's words the page shows beside the link (None: nothing to compare)."""
    wanted = _tokens(description)
    if not wanted or not context:
        return None
    return round(len(wanted & _tokens(context)) / len(wanted), 2)


def audit_links(links: Iterable[dict[str, str]], entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each link with its registry entry (``entries``: id, name, url, description, health, outcome,
    final_url) and its flags."""
    by_url: dict[str, dict[str, Any]] = {}
    by_host: dict[str, dict[str, Any]] = {}
    for entry in entries:  # an entry whose URL cannot be parsed matches nothing, and breaks nothing
        key, host = link_key(entry["url"]), host_key(entry["url"])
        if key is not None and host is not None:
            by_url.setdefault(key, entry)
            by_host.setdefault(host, entry)
    audited = []
    for link in links:
        key, host = link_key(link["url"]), host_key(link["url"])
        entry, match = by_url.get(key) if key else None, "url"
        if entry is None:
            entry, match = by_host.get(host) if host else None, "host"
        row: dict[str, Any] = dict(link, match=None, resource=None, health=None, flags=[],
                                   description_similarity=None)
        if row.pop("malformed", False):
            row["flags"].append("malformed")
        elif entry is None:
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
    for flag in FLAGS:
        summary[flag] = sum(1 for r in rows if flag in r["flags"])
    return summary
