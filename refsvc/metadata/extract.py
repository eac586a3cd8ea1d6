"""Read a page's metadata into CSL fields with provenance, in order of trust (pure).

Highwire/bePress ``citation_*`` tags, then JSON-LD and microdata schema.org, then Dublin Core, then
OpenGraph, then ``<title>``, ``<link rel=canonical>``, ``<html lang>`` and ``<meta name=author>``: for
each field the first source that has it wins, and ``provenance`` names that source. extruct reads the
structured syntaxes; lxml the plain tags.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import extruct
import lxml.html

from refsvc.metadata.cleanup import clean_title, strip_markup
from refsvc.metadata.sites import MARKS as _MARKS, norm as _norm, split_site
from refsvc.metadata.tidy import MAX_NAMES, tidy
from refsvc.metadata.values import date_parts, find_doi, medline_person, people, person

_HIGHWIRE = ("citation_", "bepress_citation_")
_SCHEMA_TYPES = {  # schema.org type -> CSL type; earlier entries are trusted as the page's main node
    "ScholarlyArticle": "article-journal", "MedicalScholarlyArticle": "article-journal",
    "NewsArticle": "article-newspaper", "ReportageNewsArticle": "article-newspaper",
    "BlogPosting": "post-weblog", "Report": "report", "Book": "book", "Chapter": "chapter",
    "Thesis": "thesis", "Dataset": "dataset", "VideoObject": "motion_picture", "Article": "webpage",
    "MedicalWebPage": "webpage", "WebPage": "webpage", "AboutPage": "webpage", "FAQPage": "webpage",
    "CollectionPage": "webpage", "ItemPage": "webpage",
}
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


@dataclass
class PageMeta:
    """Fields read from one page, where each came from, and a DOI if the page names one."""

    fields: dict[str, Any] = field(default_factory=dict)
    provenance: dict[str, str] = field(default_factory=dict)
    doi: str | None = None
    doi_source: str | None = None

    def offer(self, key: str, value: Any, source: str) -> None:
        """Keep ``value`` for ``key`` unless a more trusted source already gave one."""
        if key not in self.fields and value not in (None, "", [], {}):
            self.fields[key] = value
            self.provenance[key] = source

    def offer_doi(self, text: Any, source: str) -> None:
        if self.doi is None and isinstance(text, str) and (doi := find_doi(text)):
            self.doi, self.doi_source = doi, source


def _schema_nodes(data: dict[str, list]) -> list[tuple[dict, str]]:
    nodes: list[tuple[dict, str]] = []
    for syntax in ("json-ld", "microdata"):
        for block in data.get(syntax) or []:
            for node in (block.get("@graph") or [block]) if isinstance(block, dict) else []:
                if isinstance(node, dict):
                    nodes.append((node, syntax))
    return nodes


def _types(node: dict) -> list[str]:
    kinds = node.get("@type") or []
    return [k.rsplit("/", 1)[-1] for k in ([kinds] if isinstance(kinds, str) else kinds) if isinstance(k, str)]


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if v), None)
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    return strip_markup(value) if isinstance(value, str) and value.strip() else None


def _schema_people(value: Any, by_id: dict[str, dict]) -> list[dict]:
    people = []
    for entry in value[:MAX_NAMES] if isinstance(value, list) else [value]:
        if isinstance(entry, dict) and "@id" in entry and len(entry) == 1:
            entry = by_id.get(entry["@id"], entry)
        if isinstance(entry, str):
            name = person(entry)
        elif isinstance(entry, dict):
            is_org = any(t in ("Organization", "Corporation", "NGO", "MedicalOrganization") for t in _types(entry))
            if not is_org and entry.get("familyName"):
                credit = person(f"{entry.get('givenName', '')} {entry['familyName']}".strip())
                name = {"family": entry["familyName"], "given": entry.get("givenName", "")} if credit else None
                name = {k: v for k, v in (name or {}).items() if v} or None
            else:
                name = person(_text(entry) or "", organisation=True if is_org else None)
        else:
            name = None
        if name:
            people.append(name)
    return people


def _follow(target: Any, by_id: dict[str, dict]) -> Any:
    """A node given by reference ({"@id": ...}) replaced by the node itself."""
    if isinstance(target, dict) and "@id" in target and len(target) == 1:
        return by_id.get(target["@id"], target)
    return target


def _container(target: Any, by_id: dict[str, dict]) -> str | None:
    """The site or periodical a node is part of (Yoast's Article is part of a WebPage, part of a WebSite)."""
    for _ in range(3):
        target = _follow(target, by_id)
        if isinstance(target, dict) and any(t.endswith("Page") for t in _types(target)):
            target = target.get("isPartOf")
            continue
        return _text(target)
    return None


def _title(node: dict, page_title: str) -> str | None:
    """A node's title: its headline, unless only its name is the page's title (Wikipedia's headline
    is a description)."""
    headline, name = _text(node.get("headline")), _text(node.get("name"))
    if headline and name and name in page_title and headline not in page_title:
        return name
    return headline or name


def _read_schema(meta: PageMeta, data: dict[str, list], site_names: list[str], host: str,
                 page_title: str = "") -> tuple[str | None, dict | None]:
    """Fields from JSON-LD and microdata; the page's type and its dateModified (or None)."""
    nodes = _schema_nodes(data)
    by_id = {n["@id"]: n for n, _ in nodes if isinstance(n.get("@id"), str)}
    for node, _ in nodes:
        if "WebSite" in _types(node) and _text(node.get("name")):
            site_names.append(_text(node.get("name")) or "")
    ranked = sorted(((list(_SCHEMA_TYPES).index(t), n, s) for n, s in nodes for t in _types(n)
                     if t in _SCHEMA_TYPES), key=lambda r: r[0])
    for _, node, syntax in ranked:
        title = _title(node, page_title)
        if title:
            meta.offer("title", split_site(title, site_names, host)[0], syntax)
        meta.offer("author", _schema_people(node.get("author") or node.get("creator"), by_id), syntax)
        meta.offer("issued", date_parts(node.get("datePublished") or node.get("dateCreated")
                                        or node.get("uploadDate")), syntax)
        meta.offer("ISBN", _text(node.get("isbn")), syntax)
        meta.offer("publisher", _text(_follow(node.get("publisher"), by_id)), syntax)
        meta.offer("container-title", _container(node.get("isPartOf"), by_id), syntax)
        meta.offer("language", _text(node.get("inLanguage")), syntax)
        for key in ("identifier", "sameAs", "@id", "url"):
            values = node.get(key)
            for value in values if isinstance(values, list) else [values]:
                text = value.get("value") if isinstance(value, dict) else value
                if isinstance(text, str) and "doi" in text.lower():
                    meta.offer_doi(text, syntax)
    modified = next((d for _, node, _ in ranked if (d := date_parts(node.get("dateModified")))), None)
    for _, node, syntax in ranked:  # a modification date only when nothing says when it was published
        meta.offer("issued", date_parts(node.get("dateModified")), f"{syntax} dateModified")
    return (_SCHEMA_TYPES[list(_SCHEMA_TYPES)[ranked[0][0]]] if ranked else None), modified


def _meta_tags(doc: Any) -> dict[str, list[str]]:
    tags: dict[str, list[str]] = {}
    for element in doc.iter("meta"):
        key = (element.get("name") or element.get("property") or "").strip().lower()
        content = (element.get("content") or "").strip()
        if key and content:
            tags.setdefault(key, []).append(content)
    return tags


def _read_highwire(meta: PageMeta, tags: dict[str, list[str]]) -> str | None:
    def get(name: str) -> tuple[list[str], str]:
        for prefix in _HIGHWIRE:
            if tags.get(prefix + name):
                return tags[prefix + name], prefix + name
        return [], ""

    for name, key in (("title", "title"), ("journal_title", "container-title"),
                      ("conference_title", "container-title"), ("inbook_title", "container-title"),
                      ("book_title", "container-title"), ("volume", "volume"), ("issue", "issue"),
                      ("publisher", "publisher"), ("dissertation_institution", "publisher"),
                      ("technical_report_institution", "publisher"), ("technical_report_number", "number"),
                      ("issn", "ISSN"), ("isbn", "ISBN"), ("language", "language")):
        values, source = get(name)
        if values:
            meta.offer(key, clean_title(values[0]) if key == "title" else strip_markup(values[0]), source)
    authors, source = get("author")
    meta.offer("author", [n for n in (person(a) for a in authors[:MAX_NAMES]) if n], source)
    joined, source = get("authors")  # "Kuyken W; Warren FC" (PubMed, older Highwire pages)
    meta.offer("author", [n for a in (joined[0].split(";", MAX_NAMES)[:MAX_NAMES] if joined else [])
                          if (n := medline_person(a))],
               source)
    for name in ("publication_date", "date", "online_date", "cover_date"):
        values, source = get(name)
        meta.offer("issued", date_parts(values[0]) if values else None, source)
    first, source = get("firstpage")
    last, _ = get("lastpage")
    if first:
        meta.offer("page", f"{first[0]}–{last[0]}" if last and last[0] != first[0] else first[0], source)
    values, source = get("doi")
    meta.offer_doi(values[0] if values else None, source)
    for name, kind in (("journal_title", "article-journal"), ("conference_title", "paper-conference"),
                       ("inbook_title", "chapter"), ("dissertation_institution", "thesis"),
                       ("technical_report_institution", "report")):
        if get(name)[0]:
            return kind
    return None


def read_page(html: str, url: str) -> PageMeta:
    """The citation fields of an HTML page at ``url``, with provenance and any DOI it names."""
    meta = PageMeta()
    html = _XML_DECLARATION.sub("", html or "", count=1)  # lxml refuses str input that declares a charset
    try:
        doc = lxml.html.fromstring(html or "<html></html>")
    except (ValueError, lxml.etree.ParserError):
        doc = lxml.html.fromstring("<html></html>")
    data = extruct.extract(html, base_url=url, syntaxes=["json-ld", "microdata", "opengraph", "dublincore"],
                           uniform=True, errors="ignore") if html else {}
    tags = _meta_tags(doc)
    og = next(iter(data.get("opengraph") or []), {})
    canonical = next((urljoin(url, link.get("href")) for link in doc.iter("link")
                      if "canonical" in (link.get("rel") or "").lower().split() and link.get("href")), None)
    canonical = canonical if canonical and canonical.startswith(("http://", "https://")) else None
    og_url = og.get("og:url") if str(og.get("og:url", "")).startswith("http") else None
    host = urlsplit(canonical or og_url or url).hostname or ""  # the page's own name for its site
    site_names = [_MARKS.sub("", og.get("og:site_name", "")).strip(), *(tags.get("application-name") or [])]
    page_title = strip_markup(doc.findtext(".//title") or "")
    highwire_kind = _read_highwire(meta, tags)
    schema_kind, modified = _read_schema(meta, data, site_names, host, page_title)
    kind = highwire_kind or schema_kind
    _read_dublin_core(meta, data, site_names, host)
    if og.get("og:title"):
        meta.offer("title", split_site(strip_markup(og["og:title"]), site_names, host)[0], "og:title")
    meta.offer("container-title", strip_markup(site_names[0]), "og:site_name")
    meta.offer("issued", date_parts(og.get("article:published_time")), "article:published_time")
    if not str(og.get("article:author", "")).startswith("http"):
        meta.offer("author", [n for n in [person(og.get("article:author", ""))] if n], "article:author")
    if page_title:
        title, site = split_site(page_title, site_names, host)
        meta.offer("title", title, "<title>")
        meta.offer("container-title", _MARKS.sub("", site or "").strip(), "<title> site name")
    meta.offer("author", [n for a in tags.get("author", [])[:MAX_NAMES] for n in people(a)], "meta author")
    meta.offer("issued", date_parts(og.get("article:modified_time")), "article:modified_time")
    meta.offer("URL", canonical, "link rel=canonical")
    meta.offer("URL", og_url, "og:url")
    meta.offer("language", doc.get("lang") or doc.get("xml:lang"), "html lang")
    meta.offer("language", str(og.get("og:locale", "")).replace("_", "-"), "og:locale")
    meta.fields["type"] = kind or "webpage"
    _site_as_organisation(meta, site_names)
    tidy(meta.fields, meta.provenance, modified)
    return meta


def _read_dublin_core(meta: PageMeta, data: dict[str, list], site_names: list[str], host: str) -> None:
    creators: list[dict] = []
    creator_source = ""
    for block in data.get("dublincore") or []:
        for element in (block.get("elements") or []) + (block.get("terms") or []):
            term = str(element.get("URI") or element.get("name") or "").rsplit("/", 1)[-1].rsplit(".", 1)[-1]
            value, source = str(element.get("content") or "").strip(), str(element.get("name", "")).lower()
            if term == "title":
                meta.offer("title", split_site(strip_markup(value), site_names, host)[0], source)
            elif term == "creator" and len(creators) < MAX_NAMES and (name := person(value)):
                creators.append(name)
                creator_source = creator_source or source
            elif term in ("date", "issued", "created"):
                meta.offer("issued", date_parts(value), source)
            elif term == "publisher":
                meta.offer("publisher", strip_markup(value), source)
            elif term == "language":
                meta.offer("language", value, source)
            elif term == "identifier" and "10." in value:
                meta.offer_doi(value, source)
    meta.offer("author", creators, creator_source)


def _site_as_organisation(meta: PageMeta, site_names: list[str]) -> None:
    """An author named like the site ("Harley Therapy") is the organisation, not a Mr Therapy."""
    sites = {_norm(n) for n in [*site_names, str(meta.fields.get("container-title", ""))] if n}
    authors = meta.fields.get("author") or []
    for index, name in enumerate(authors):
        full = f"{name.get('given', '')} {name.get('family', '')}".strip()
        if "literal" not in name and _norm(full) in sites:
            authors[index] = {"literal": full}
