"""Text that cannot be stored or sent on: NUL characters and lone surrogates (pure).

The API refuses such text from its clients (refsvc.api.parsing); text the service read elsewhere (a
page, a resolver) is cleaned instead, by the lookups both the API and the web pages make.
"""
from __future__ import annotations

import re
from typing import Any

# in a Python str every surrogate is a lone one: JSON's escaped pairs are decoded to one character
_BAD_CHARACTER = re.compile("[\x00\ud800-\udfff]")


def text_problem(text: str) -> str | None:
    """Why a string cannot be stored or sent on (None when it is fine)."""
    if "\x00" in text:
        return "Holds a NUL character (\\u0000); remove it."
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"Holds a lone surrogate ({text[exc.start]!r}), which is not valid Unicode text."
    return None


def clean_text(value: Any) -> Any:
    """``value`` with NUL characters and lone surrogates in its strings replaced by U+FFFD.

    For what the service did not get from its client but read from a page or a resolver: there the
    right answer is the text with the bad characters marked, not an error.
    """
    if isinstance(value, str):
        return _BAD_CHARACTER.sub("\ufffd", value) if text_problem(value) else value
    if isinstance(value, dict):
        return {clean_text(key): clean_text(item) for key, item in value.items()}
    if isinstance(value, list):
        return [clean_text(item) for item in value]
    return value
