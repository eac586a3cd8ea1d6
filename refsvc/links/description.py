"""What the description check reads from a page (pure).

``read_text`` turns one fetched page into a ``PageText``: final URL, title, meta and OpenGraph
descriptions, headings, language, the main text with boilerplate removed (trafilatura), everything
a reader sees (for judging claims, see claims.py) and a fingerprint of the main text. How much the
main text changed is measured in description_change.py.
"""
from __future__ import annotations

import logging
import re
import zlib
from dataclasses import asdict, dataclass
from typing import Any

import lxml.etree
import lxml.html

from refsvc.links.description_change import fingerprint, seen_key
from refsvc.links.description_words import language_of, says_closed, sentences, squash

log = logging.getLogger(__name__)
VISIBLE_CAP = 60_000  # characters of visible text kept for judging claims (contact boxes sit late)
MAIN_CAP = 30_000  # characters of main text kept in a baseline
READ_OUTCOMES = frozenset({"ok", "redirected", "moved", "content_mismatch"})  # checks that reached the page
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# lxml.html's parser picks each element's class in Python, once per element every time a walk
# meets it: half the reading of a large page. Every element as a plain HtmlElement (all that this
# module and trafilatura use) is picked in C.
_PARSER = lxml.html.HTMLParser()
_PARSER.set_element_class_lookup(lxml.etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment, pi=lxml.html.HtmlProcessingInstruction,
    entity=lxml.html.HtmlEntity))


@dataclass(frozen=True)
class PageText:
    """A page as the description check reads it; ``why`` says why it is unreadable (then no text)."""

    readable: bool
    why: str = ""
    final_url: str = ""
    title: str = ""
    meta_description: str = ""
    og_description: str = ""
    headings: tuple[str, ...] = ()
    language: str = ""
    main_text: str = ""
    visible_text: str = ""
    fingerprint: str = ""
    # texts of the page's links (headlines, menus): listed, not stated; read only when the page
    # says something closed (claims.py: a linked headline saying so is news, not a statement)
    links: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (travels from the check to the recorder in the result dict)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PageText:
        """The inverse of ``to_dict``; unknown keys are ignored."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["headings"] = tuple(known.get("headings") or ())
        known["links"] = tuple(known.get("links") or ())
        return cls(**known)


def unreadable(why: str, final_url: str = "") -> PageText:
    """A page with no text to judge (a PDF, a bot wall, a page built by script)."""
    return PageText(readable=False, why=why, final_url=final_url)


def read_text(body: str, *, final_url: str = "", content_type: str = "") -> PageText:
    """Read a fetched page for the description check."""
    kind = content_type.lower()
    if "pdf" in kind or body[:5] == "%PDF-":
        return unreadable("the link leads to a PDF, not a web page", final_url)
    if kind and "html" not in kind and "xml" not in kind:
        return unreadable(f"the link leads to {kind.split(';')[0].strip()}, not a web page", final_url)
    if not body.strip():
        return unreadable("the page is empty", final_url)
    try:
        doc = lxml.html.document_fromstring(_XML_DECLARATION.sub("", body, count=1), parser=_PARSER)
    except (ValueError, lxml.etree.ParserError):
        return unreadable("the page could not be read as HTML", final_url)

    # title, meta tags and headings in one walk (an XPath each would walk the whole page)
    titles, metas, found = [], {}, []
    for el in doc.iter("title", "meta", "h1", "h2", "h3"):
        if el.tag == "meta":
            content = el.get("content")
            for key in (el.get("property"), el.get("name")):
                if key and content and key not in metas:
                    metas[key] = squash(content)[:1000]
        elif el.tag == "title":
            titles.append(el)
        elif len(found) < 40:
            found.append(el)
    title = squash(titles[0].text_content())[:500] if titles else metas.get("og:title", "")
    headings = tuple(h for h in (squash(el.text_content())[:300] for el in found) if h)
    declared = (doc.get("lang") or metas.get("content-language", "")).split("-")[0].lower()[:8]
    description, og_description = metas.get("description", ""), metas.get("og:description", "")
    for el in doc.xpath("//script|//style|//noscript|//template|//svg|//head"):
        el.drop_tree()
    visible = "\n".join(_block_texts(doc))[:VISIBLE_CAP]
    if len(visible) < 40 and "<script" in body[:200_000].lower():
        return unreadable("the page shows no text without running its scripts", final_url)
    if not visible:
        return unreadable("the page shows no text", final_url)
    # the links' texts tell a listed headline from a statement ("... has closed"): wanted only when
    # the page says something closed, which few pages do
    links = _link_texts(doc) if says_closed(f"{title}\n{description}\n{og_description}\n{visible}") else ()
    # the same tree goes to trafilatura (one parse; it may mutate it), rid first of what it would
    # throw away anyway: menus, footers and lists of links are most of a real page's elements, and
    # its passes over them most of its time (four-fifths on a home page with a 300-link menu)
    for el in doc.xpath("//nav|//footer|//aside|//form|//*[@role='navigation' or @aria-hidden='true']|"
                        "//header[not(ancestor::main or ancestor::article)]"):
        el.drop_tree()
    for el in _link_lists(doc):
        el.drop_tree()
    main = "\n".join(squash(line) for line in _main_text(doc).splitlines() if line.strip())[:MAIN_CAP]
    main = main or visible[:MAIN_CAP]
    language = declared or language_of(main)
    return PageText(readable=True, final_url=final_url, title=title, meta_description=description,
                    og_description=og_description, headings=headings, language=language,
                    main_text=main, visible_text=visible, fingerprint=fingerprint(main), links=links)


def page_for(outcome: str, reason: str, body: str, *, final_url: str, content_type: str,
             visible: str = "", description: str = "") -> dict[str, Any] | None:
    """What the recorder needs to judge the page a check reached (None for a check that did not).

    The page is not read here: the recorder knows whether it changed since its last reading, and
    reads it (``read_record``) only then. ``visible`` is the text the checker already read from it
    (title, description, body); its fingerprint (``seen_key``) tells a page that reads the same.
    """
    try:
        if outcome == "blocked":
            return unreadable(f"the checker was blocked: {reason}", final_url).to_dict()
        if outcome not in READ_OUTCOMES:
            return None
        return {"readable": True, "html": body, "final_url": final_url, "content_type": content_type,
                "seen": seen_key(visible or body[:VISIBLE_CAP], description)}
    except Exception as exc:  # the description check must never spoil the link check
        log.exception("fingerprinting %s for its description failed", final_url)
        return unreadable(f"the page could not be read ({type(exc).__name__})", final_url).to_dict()


def read_record(record: dict[str, Any]) -> PageText:
    """The page of a ``page_for`` record, read now (or as it was read, for an unreadable one)."""
    if "html" not in record:
        return PageText.from_dict(record)
    return read_text(str(record["html"]), final_url=str(record.get("final_url") or ""),
                     content_type=str(record.get("content_type") or ""))


def _link_texts(doc: Any) -> tuple[str, ...]:
    """The texts of the page's links (the first 400) of three words or more."""
    texts = (squash(el.text_content())[:300] for el in doc.xpath("//body//a")[:400])
    return tuple(dict.fromkeys(t for t in texts if len(t.split()) >= 3))


def _link_lists(doc: Any) -> list[Any]:
    """Lists of more than four items that are each one link and nothing else, of a hundred
    characters at most on average: menus, site maps, headlines. Trafilatura's link-density test
    drops such lists (``htmlprocessing.link_density_test``: over four links, nine-tenths of the
    text in them; it may keep a long one of very short links, navigation to a change measure all
    the same); found here in one walk, they never cost its dozen passes."""
    found = []
    for lst in doc.iter("ul", "ol"):
        items, linked = 0, 0
        for item in lst:
            if item.tag != "li" or len(item) != 1 or item[0].tag != "a" or (item.text or "").strip() \
                    or (item[0].tail or "").strip() or (item.tail or "").strip():
                break
            link = item[0]
            text = ((link.text if len(link) == 0 else link.text_content()) or "").strip()
            if not text:
                break
            items, linked = items + 1, linked + len(text)
        else:
            if items > 4 and linked < 100 * items and not (lst.text or "").strip():
                found.append(lst)
    return found


_EXTRACTOR: Any = None  # trafilatura's settings, read once (each call would read its config again)


def _main_text(doc: Any) -> str:
    # fast and precise: trafilatura's own extractor without its fallbacks and recall retries;
    # what it leaves out (menus, teaser lists) is boilerplate to a change measure anyway
    global _EXTRACTOR
    try:
        import trafilatura  # imported on first use: it costs every process a third of a second
        from trafilatura.settings import Extractor

        if _EXTRACTOR is None:
            _EXTRACTOR = Extractor(fast=True, precision=True, comments=False, tables=True, dedup=False)
        return trafilatura.extract(doc, options=_EXTRACTOR) or ""
    except Exception:  # an extractor crash on a strange page leaves the visible text to judge
        return ""


_BLOCKS = {"p", "div", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
           "header", "footer", "aside", "nav", "address", "dd", "dt", "blockquote", "tr", "br", "main"}


def _block_texts(doc: Any) -> list[str]:
    """The page's text with a full stop between blocks, so a heading never runs into a paragraph."""
    parts: list[str] = []
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag in _BLOCKS:
            parts.append("\n")
        if el.text:
            parts.append(el.text)
        if el.tail:
            parts.append(el.tail)
    text = "".join(parts)
    return [squash(line) for line in text.split("\n") if line.strip()]


def pack(text: str) -> bytes:
    """The main text compressed for storage."""
    return zlib.compress(text.encode(), 9)


def unpack(data: bytes | None) -> str:
    """The inverse of ``pack``."""
    return zlib.decompress(data).decode() if data else ""


def suggested_description(page: PageText, limit: int = 300) -> str:
    """A description drawn from the page: its meta or OpenGraph description, else its opening sentences."""
    for text in (page.meta_description, page.og_description):
        if len(text) >= 40:
            return text[:limit]
    picked: list[str] = []
    for sentence in sentences(page.main_text):
        if len(sentence.split()) < 5:
            continue
        if sum(len(s) + 1 for s in picked) + len(sentence) > limit:
            break
        picked.append(sentence)
        if len(picked) == 2:
            break
    return " ".join(picked) or (page.meta_description or page.og_description)[:limit]


__all__ = ["PageText", "read_text", "page_for", "read_record", "unreadable", "pack", "unpack",
           "suggested_description"]
