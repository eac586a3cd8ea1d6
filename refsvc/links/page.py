"""What a fetched page says about itself (pure): title, site name, description, headings, visible text.

``read_page`` reads these few facts from HTML once; the judge (classify.py) and the sibling-path probe
(soft404.py) work from them, never from the raw HTML again.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import lxml.etree
import lxml.html

TEXT_CAP = 20_000  # visible text kept per page: enough for the judge, small enough for 10,000 links
RAW_SCAN = 200_000  # characters of raw HTML scanned for parking/challenge scripts


@dataclass(frozen=True)
class PageInfo:
    """What a page says about itself: title, site name, description, headings and visible text."""

    html: bool = False
    title: str = ""
    site_name: str = ""
    description: str = ""
    headings: tuple[str, ...] = ()
    text: str = ""
    has_password_field: bool = False
    fingerprints: tuple[str, ...] = ()  # parking/challenge vendors whose scripts the raw HTML holds


def _squash(text: str | None) -> str:
    return " ".join((text or "").split())


_FINGERPRINTS = {  # raw-HTML marker -> vendor; a "park:" vendor means parking, "bot:" a challenge
    "sedoparking": "park:Sedo", "parkingcrew": "park:ParkingCrew", "bodis.com": "park:Bodis",
    "parking.godaddy": "park:GoDaddy", "afternic": "park:Afternic", "hugedomains.com": "park:HugeDomains",
    "adsense/domains/caf.js": "park:AdSense for domains",
    "parklogic": "park:ParkLogic", "undeveloped.com": "park:Undeveloped",
    "_cf_chl_opt": "bot:Cloudflare", "cf-browser-verification": "bot:Cloudflare",
    "_incapsula_resource": "bot:Imperva", "incapsula incident id": "bot:Imperva",
    "ddos-guard": "bot:DDoS-Guard", "sucuri website firewall": "bot:Sucuri",
    "px-captcha": "bot:PerimeterX", "captcha-delivery.com": "bot:DataDome",
    "awswafintegration": "bot:AWS WAF", "challenge-container": "bot:AWS WAF",
}


_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def read_page(html: str, *, is_html: bool = True) -> PageInfo:
    """Read title, og:site_name, description, headings and visible text from an HTML page."""
    if not is_html or not html or not html.strip():
        return PageInfo(html=is_html)
    raw = html[:RAW_SCAN].lower()
    fingerprints = tuple(sorted({v for k, v in _FINGERPRINTS.items() if k in raw}))
    try:  # lxml refuses a str that still carries an XML encoding declaration (XHTML): drop it
        doc = lxml.html.document_fromstring(_XML_DECLARATION.sub("", html, count=1))
    except (ValueError, lxml.etree.ParserError):  # an empty or binary body dressed as HTML
        return PageInfo(html=True, fingerprints=fingerprints)

    def meta(*keys: str) -> str:
        for key in keys:
            for el in doc.xpath(f'//meta[@property="{key}" or @name="{key}"]'):
                if el.get("content"):
                    return _squash(el.get("content"))
        return ""

    titles = doc.xpath("//title")
    title = _squash(titles[0].text_content()) if titles else meta("og:title", "twitter:title")
    headings = tuple(h for h in (_squash(el.text_content()) for el in doc.xpath("//h1|//h2")[:8]) if h)
    has_password = bool(doc.xpath('//input[translate(@type,"PASSWORD","password")="password"]'))
    site_name, description = meta("og:site_name", "application-name"), meta("description", "og:description")
    for el in doc.xpath("//script|//style|//noscript|//template|//head"):
        el.drop_tree()
    parts, size = [], 0
    for piece in doc.itertext():  # joined with spaces: block elements do not glue words together
        parts.append(piece)
        size += len(piece)
        if size > 2 * TEXT_CAP:
            break
    text = _squash(" ".join(parts))[:TEXT_CAP]
    return PageInfo(html=True, title=title[:500], site_name=site_name[:200],
                    description=description[:1000], headings=headings,
                    text=text, has_password_field=has_password, fingerprints=fingerprints)
