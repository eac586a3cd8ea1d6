"""A resource's timeline (pure): health changes, redirects seen, reports and editor actions."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Sequence

from refsvc.words import outcome_words

ACTION_WORDS = {"checked_now": "Checked now", "edited": "Edited", "report_resolved": "Report resolved",
                "report_dismissed": "Report dismissed", "report_open": "Report reopened"}


@dataclass(frozen=True)
class Event:
    at: datetime
    kind: str  # health, redirect, report, editor
    title: str
    detail: str = ""
    links: tuple[str, ...] = field(default=())


def _final_url(check: Any) -> str | None:
    result = check.result or {}
    final = result.get("final_url")
    return final if final and final != check.url else None


def from_checks(checks: Sequence[Any], previous_health: str = "unknown") -> list[Event]:
    """Health changes and newly seen redirects, from checks oldest first."""
    events, health, target = [], previous_health, None
    for check in checks:
        if check.health != health:
            events.append(Event(check.checked_at, "health", f"Became {check.health}",
                                f"{outcome_words(check.outcome, check.status_code)}: {check.reason}"))
            health = check.health
        final = _final_url(check)
        if final and final != target:
            hops = [hop.get("url", "") for hop in (check.result or {}).get("redirects") or []]
            events.append(Event(check.checked_at, "redirect", "Redirect seen",
                                " → ".join([*hops, final]) if hops else f"{check.url} → {final}"))
        target = final
    return events


def from_reports(reports: Sequence[Any]) -> list[Event]:
    """A report group's first report, and its resolution with the editor's note."""
    events = []
    for report in reports:
        times = f" ×{report.count}" if report.count > 1 else ""
        pages = tuple(report.pages or [])
        comments = "; ".join(c.get("comment", "") for c in (report.comments or [])[-3:] if c.get("comment"))
        events.append(Event(report.first_reported_at, "report",
                            f"Reported {report.reason}{times}", comments, pages))
        if report.resolved_at is not None and report.status != "open":
            events.append(Event(report.resolved_at, "editor", f"Report {report.status}",
                                report.note or ""))
    return events


def from_editor_events(rows: Sequence[Any]) -> list[Event]:
    """What editors did (check now, edits)."""
    return [Event(row.at, "editor", ACTION_WORDS.get(row.action, row.action.replace("_", " ").capitalize()),
                  _detail(row)) for row in rows if not row.action.startswith("report_")]


def _detail(row: Any) -> str:
    # Rows stored before the summary lost its "Checked now: " prefix would read it twice.
    summary = row.summary or ""
    return summary.removeprefix("Checked now: ") if row.action == "checked_now" else summary


def timeline(checks: Sequence[Any], reports: Sequence[Any], editor_rows: Sequence[Any]) -> list[Event]:
    """Every event, newest first."""
    events = from_checks(checks) + from_reports(reports) + from_editor_events(editor_rows)
    return sorted(events, key=lambda e: e.at, reverse=True)
