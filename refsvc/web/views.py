"""What the dashboard pages show, as plain data: warnings and times in words, rows, sorting (pure);
an outcome's words are refsvc.words', shared with the API."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Iterable

from refsvc.words import plural

HEALTH_ORDER = {"broken": 0, "failing": 1, "warning": 2, "unknown": 3, "healthy": 4}
ICONS = {"healthy": "✓", "warning": "!", "failing": "▲", "broken": "✕", "unknown": "?"}
# Outcomes of a check that never reached a server: no response time to show.
NO_ANSWER = frozenset({"dns_error", "tls_error", "connection_error", "timeout", "refused_address",
                       "checker_offline"})
WARNING_WORDS = {"redirected": "redirected within the site", "moved": "moved to another site",
                 "content_drifting": "content drifting from the description", "slow": "slow to answer",
                 "certificate_expiring": "TLS certificate expiring soon", "logo_missing": "logo missing"}
SORTS = {"health": "Health", "name": "Name", "changed": "Last change", "response": "Response time",
         "reports": "Open reports"}


def warning_words(warnings: Iterable[str] | None) -> str:
    """A resource's warnings in a few words each ('' when none)."""
    return "; ".join(WARNING_WORDS.get(w, str(w).replace("_", " ")) for w in warnings or [])


def response_ms(outcome: str | None, status_code: int | None, elapsed_ms: int | None) -> int | None:
    """The response time worth showing: only for a check a server answered."""
    if outcome in NO_ANSWER or status_code is None or elapsed_ms is None:
        return None
    return int(elapsed_ms)


def ago(when: datetime | None, now: datetime | None = None) -> str:
    """'just now', '5 minutes ago', '3 days ago' ('' for None)."""
    if when is None:
        return ""
    seconds = ((now or datetime.now(timezone.utc)) - when).total_seconds()
    if seconds < 60:
        return "just now"
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            n = int(seconds // size)
            return f"{plural(n, unit)} ago"
    return ""


def duration(since: datetime | None, now: datetime | None = None) -> str:
    """How long since ``since``: 'under a minute', '5 minutes', '3 days' ('' for None)."""
    if since is None:
        return ""
    seconds = ((now or datetime.now(timezone.utc)) - since).total_seconds()
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            n = int(seconds // size)
            return plural(n, unit)
    return "under a minute"


def stamp(when: datetime | None) -> str:
    """A UTC time as '2026-12-07 10:42 UTC' ('' for None)."""
    return when.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC") if when else ""


def matches(row: dict[str, Any], *, health: str = "", tag: str = "", q: str = "",
            reported: bool = False) -> bool:
    """Whether a dashboard row passes the filters."""
    if health and row["health"] != health:
        return False
    if tag and tag not in row["tags"]:
        return False
    if reported and not row["open_reports"]:
        return False
    text = f"{row['name']} {row['url']} {row['id']}".lower()
    return not q or q.lower() in text


def _primary(column: str):
    far = datetime.max.replace(tzinfo=timezone.utc)
    return {
        "health": lambda r: HEALTH_ORDER.get(r["health"], 3),
        "name": lambda r: (r["name"].lower(), r["id"]),
        "changed": lambda r: r["health_since"] or far,
        "response": lambda r: r["response_ms"],
        "reports": lambda r: r["open_reports"] or 0,
    }[column]


def sort_rows(rows: Iterable[dict[str, Any]], column: str, descending: bool) -> list[dict[str, Any]]:
    """Rows sorted by a column of SORTS, ties by name (A to Z either way); rows without a value
    (no response time) always last."""
    by_name = sorted(rows, key=lambda r: (r["name"].lower(), r["id"]))
    if column == "name":
        return sorted(by_name, key=_primary(column), reverse=descending)
    if column == "response":
        known = [r for r in by_name if r["response_ms"] is not None]
        return (sorted(known, key=_primary(column), reverse=descending)
                + [r for r in by_name if r["response_ms"] is None])
    return sorted(by_name, key=_primary(column), reverse=descending)
