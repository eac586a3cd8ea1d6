"""Bytes to text: the charset from the HTTP header, then the page's own declaration, then detection."""
from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
# "[^<>]" not "[^>]": each "<meta" scans only to the next tag, so "<meta<meta<meta..." stays linear
_META_CHARSET = re.compile(rb"<meta[^<>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"^<\?xml[^>]+encoding\s*=\s*[\"']([\w.:-]+)", re.IGNORECASE)


def _known(name: str | bytes | None) -> str | None:
    if not name:
        return None
    text = name.decode("ascii", "ignore") if isinstance(name, bytes) else name
    try:
        return codecs.lookup(text).name
    except LookupError:
        return None


def declared_charset(body: bytes, content_type: str) -> str | None:
    """The charset the response declares: HTTP header first, then a BOM, a meta tag or an XML prolog."""
    match = _HEADER_CHARSET.search(content_type or "")
    charset = _known(match.group(1)) if match else None
    if charset:
        return charset
    if body.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    head = body[:4096]
    for pattern in (_META_CHARSET, _XML_ENCODING):
        found = pattern.search(head)
        if found and _known(found.group(1)):
            return _known(found.group(1))
    return None


def decode_body(body: bytes, content_type: str = "") -> str:
    """Decode a body as text, never failing: undecodable bytes become U+FFFD."""
    if not body:
        return ""
    charset = declared_charset(body, content_type)
    if charset is None:
        if "json" in (content_type or "").lower():
            charset = "utf-8"  # RFC 8259: JSON exchanged between systems is UTF-8
        else:
            try:
                return body.decode("utf-8")
            except UnicodeDecodeError:
                best = from_bytes(body[:65536]).best()
                charset = best.encoding if best else "utf-8"
    return body.decode(charset, errors="replace")
