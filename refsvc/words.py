"""Words for pages, answers and terminal summaries (pure): counts ("1 check", "2 checks") and a
check's outcome ("Not found (410)"), the same from the API as on the dashboard."""
from __future__ import annotations

OUTCOME_WORDS = {
    "ok": "OK", "redirected": "Redirected", "moved": "Moved elsewhere", "blocked": "Blocked (bot wall)",
    "client_error": "Not found", "server_error": "Server error", "parked": "Parked domain",
    "soft_404": "Soft 404", "content_mismatch": "Content changed", "dns_error": "Name not found",
    "tls_error": "TLS failed", "connection_error": "No connection", "timeout": "Timed out",
    "refused_address": "Address refused", "checker_offline": "Inconclusive (checker offline)",
}


def plural(count: int, word: str, many: str | None = None) -> str:
    """``count`` and the form of ``word`` that agrees with it; ``many`` for an irregular plural
    (``plural(n, "was", "were")``), else an "s" is added."""
    form = word if abs(count) == 1 else (many or f"{word}s")
    return f"{count} {form}"


def outcome_words(outcome: str | None, status_code: int | None = None) -> str:
    """A check's outcome in two or three words, with its HTTP status when there was one."""
    if not outcome:
        return "Not checked yet"
    words = OUTCOME_WORDS.get(outcome, outcome.replace("_", " ").capitalize())
    if outcome == "client_error" and status_code and status_code != 404:
        words = "Client error"
    return f"{words} ({status_code})" if status_code and outcome not in {"ok", "checker_offline"} else words
