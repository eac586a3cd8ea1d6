"""Counts in words for pages and terminal summaries (pure): "1 check", "2 checks"."""
from __future__ import annotations


def plural(count: int, word: str, many: str | None = None) -> str:
    """``count`` and the form of ``word`` that agrees with it; ``many`` for an irregular plural
    (``plural(n, "was", "were")``), else an "s" is added."""
    form = word if abs(count) == 1 else (many or f"{word}s")
    return f"{count} {form}"
