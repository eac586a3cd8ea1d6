"""The registry's link health as a file: CSV for spreadsheets, a Markdown report for a ticket.

Pure functions of the rows ``GET /v1/resources?format=...`` builds (one dict per resource).
"""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from typing import Any, Iterable

from refsvc.words import plural

COLUMNS = ("id", "name", "url", "health", "health_since", "last_outcome", "last_reason",
           "last_status_code", "last_elapsed_ms", "last_checked_at", "open_reports", "tags")
HEALTH_ORDER = ("broken", "failing", "warning", "unknown", "healthy")
ICONS = {"healthy": "✅", "warning": "⚠️", "failing": "🔺", "broken": "❌", "unknown": "❔"}
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def export_row(view: dict[str, Any], open_reports: int | None) -> dict[str, Any]:
    """One resource (as GET /v1/resources shows it) flattened to the export columns."""
    check = view.get("last_check") or {}
    return {"id": view["id"], "name": view["name"], "url": view["url"], "health": view["health"],
            "health_since": _iso(view.get("health_since")), "last_outcome": check.get("outcome") or "",
            "last_reason": check.get("reason") or "", "last_status_code": check.get("status_code") or "",
            "last_elapsed_ms": "" if check.get("elapsed_ms") is None or not check.get("status_code")
            else check["elapsed_ms"],
            "last_checked_at": _iso(view.get("last_checked_at")),
            "open_reports": "" if open_reports is None else open_reports,
            "tags": " ".join(view.get("tags") or [])}


def _iso(value: Any) -> str:
    return value.isoformat(timespec="seconds") if isinstance(value, datetime) else (value or "")


def _cell(value: Any) -> str:
    text = str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def to_csv(rows: Iterable[dict[str, Any]]) -> str:
    """RFC 4180 CSV with a header row; cells a spreadsheet would run as formulas are quoted off."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_cell(row[column]) for column in COLUMNS])
    return out.getvalue()


def _md(text: Any) -> str:
    """Text safe inside Markdown (and one table cell or list item): specials escaped, one line."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def _autolink(url: str) -> str:
    # An autolink's text is literal: only what would end it (or the line) needs encoding.
    return url.replace("<", "%3C").replace(">", "%3E").replace(" ", "%20").replace("\n", "")


def to_markdown(rows: list[dict[str, Any]], generated_at: datetime) -> str:
    """A link report like lychee's: a summary table, then every link that is not healthy."""
    counts = {health: 0 for health in HEALTH_ORDER}
    for row in rows:
        counts[row["health"] if row["health"] in counts else "unknown"] += 1
    lines = [f"# Link report ({generated_at:%Y-%m-%d %H:%M} UTC)", "",
             "| Health | Count |", "|---|---:|", f"| 🔍 Total | {len(rows)} |"]
    lines += [f"| {ICONS[h]} {h.capitalize()} | {counts[h]} |" for h in reversed(HEALTH_ORDER)]
    for health in HEALTH_ORDER[:4]:
        shown = [row for row in rows if row["health"] == health]
        if not shown:
            continue
        lines += ["", f"## {ICONS[health]} {health.capitalize()} ({len(shown)})", ""]
        for row in shown:
            status = f"[{row['last_status_code']}] " if row["last_status_code"] else ""
            detail = _md(row["last_reason"] or row["last_outcome"] or "not checked yet")
            since = (f" · since {row['health_since'][:16].replace('T', ' ')}"
                     if row["health_since"] and health != "unknown" else "")
            count = row["open_reports"]
            reports = f" · {plural(int(count), 'open report')}" if count not in ("", 0) else ""
            lines.append(f"* {status}<{_autolink(row['url'])}> {_md(row['name'])} (`{row['id']}`): "
                         f"{detail}{since}{reports}")
    return "\n".join(lines) + "\n"
