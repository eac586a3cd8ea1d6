"""The default citation-label ("trigraph"), built as citeproc-js builds it (Aaaa00:AaAa00:AaAA00:AAAA00)."""
from __future__ import annotations

import re

from .textcase import STOP_WORDS

# letters taken from each name's family, by the number of names (the last row serves longer lists)
_WIDTHS = ((4,), (2, 2), (2, 1, 1), (1, 1, 1, 1))
_NAME_ORDER = (
    "author", "chair", "collection-editor", "compiler", "composer", "container-author", "contributor",
    "curator", "director", "editor", "editor-translator", "editorial-director", "executive-producer", "guest",
    "host", "illustrator", "interviewer", "narrator", "organizer", "original-author", "performer", "producer",
    "recipient", "reviewed-author", "script-writer", "series-creator", "translator")
_NOT_ROMAN = re.compile("[^a-zA-Z\u0e01-\u0e5b\u00c0-\u017f\u0370-\u03ff\u0400-\u052f\u0590-\u05d4\u05d6-\u05ff"
                        "\u1f00-\u1fff\u0600-\u06ff\u200c\u200d\u200e\u0218\u0219\u021a\u021b\u202a-\u202e]")


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:].lower()


def trigraph(ref) -> str | None:
    """'Doe65' (one name), 'RoNo78' (two), 'AbCD00' (three), 'ABCD00' (four or more); else from the title."""
    label = ""
    for var in _NAME_ORDER:
        names = ref.get(var)
        if not names:
            continue
        widths = _WIDTHS[min(len(names), len(_WIDTHS)) - 1]
        for n, width in zip(names, widths):
            if n.get("family"):
                part = re.sub(r"^([ '\u2019a-z]+\s+)", "", str(n["family"]))  # particles go
            else:
                part = str(n.get("literal") or "")
            m = re.match(r"(a\s+|the\s+|an\s+)", part.lower())
            if m:
                part = part[len(m.group(1)):]
            part = _NOT_ROMAN.sub("", part)
            if not part:
                break
            label += _cap(part[:width])
        break
    if not label:
        title = ref.get("title")
        if not title:
            return None
        label = _cap("".join(w for w in str(title).split() if w not in STOP_WORDS)[:4])
    d = ref.get("issued")
    year = str(d.parts[0][0]) if d is not None and d.parts and d.parts[0][0] else "0000"
    return label + year[-2:]
