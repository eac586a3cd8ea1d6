"""Search the bundled CSL library by words of a style's id or title (for the widget's style picker)."""
from __future__ import annotations

import os
import re
from functools import lru_cache

from refsvc.citation.catalogue import LIBRARY_DIR

_TITLE = re.compile(r"<title>([^<]{1,300})</title>")
MAX_QUERY = 100
# What a visitor most often wants after APA, MLA and Chicago.
SUGGESTED = ("harvard-cite-them-right", "vancouver-nlm", "ieee", "american-medical-association",
             "american-sociological-association", "nature")


@lru_cache(maxsize=1)
def index() -> tuple[tuple[str, str, bool], ...]:
    """(id, title, independent) of every bundled style, read once (the first 2 KB of each file)."""
    styles = []
    for folder, independent in ((LIBRARY_DIR, True), (LIBRARY_DIR / "dependent", False)):
        if not folder.is_dir():
            continue
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".csl"):
                continue
            with open(folder / name, encoding="utf-8", errors="replace") as handle:
                found = _TITLE.search(handle.read(2048))
            title = found.group(1).replace("&amp;", "&").strip() if found else name[:-4]
            styles.append((name[:-4], title, independent))
    return tuple(styles)


def titles() -> dict[str, str]:
    """Style id -> title, for every bundled style."""
    return {style_id: title for style_id, title, _ in index()}


def search(query: str, limit: int = 20) -> list[dict[str, str]]:
    """Styles whose id or title hold every word of ``query``; exact and leading matches first,
    independent styles before dependent ones."""
    words = [w for w in re.split(r"[\s,]+", query.lower()[:MAX_QUERY]) if w][:8]
    if not words:
        return []
    found = []
    for style_id, title, independent in index():
        hay = f"{style_id} {title.lower()}"
        if all(word in hay for word in words):
            rank = (style_id != words[0], not style_id.startswith(words[0]), not independent, len(style_id))
            found.append((rank, style_id, title))
    found.sort()
    return [{"id": style_id, "title": title} for _, style_id, title in found[:limit]]


def suggestions() -> list[dict[str, str]]:
    """The suggested styles after the catalogue's own (Harvard and Vancouver among them)."""
    known = titles()
    return [{"id": style_id, "title": known.get(style_id, style_id)} for style_id in SUGGESTED
            if style_id in known]
