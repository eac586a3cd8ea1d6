"""Visitors' reports: stored grouped (one open row per link and reason), listed and resolved."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from refsvc.storage.db import row_id, row_offset
from refsvc.storage.models import Report, utcnow

MAX_KEPT = 20  # comments and pages kept per group: enough to judge, bounded against floods


def add_report(session: Session, *, url: str, reason: str, resource_id: str | None = None,
               comment: str = "", page: str | None = None,
               now: datetime | None = None) -> tuple[Report, bool]:
    """File a report, joining the open one for the same link and reason; (report, grouped)."""
    now = now or utcnow()
    report = session.scalars(select(Report).where(Report.url == url, Report.reason == reason,
                                                  Report.status == "open")
                             .order_by(Report.id).limit(1).with_for_update()).first()
    grouped = report is not None
    if report is None:
        report = Report(url=url, reason=reason, resource_id=resource_id, status="open", count=0,
                        comments=[], pages=[], first_reported_at=now, note="")
        session.add(report)
    report.count += 1
    report.last_reported_at = now
    if comment and len(report.comments) < MAX_KEPT:
        report.comments = [*report.comments, {"comment": comment, "page": page,
                                              "at": now.isoformat()}]
    if page and page not in report.pages and len(report.pages) < MAX_KEPT:
        report.pages = [*report.pages, page]
    session.flush()
    return report, grouped


def get_report(session: Session, report_id: int) -> Report | None:
    """One report group by id."""
    if not row_id(report_id):  # /v1/reports/99999999999999999999 is no report, not an overflow
        return None
    return session.get(Report, report_id)


def list_reports(session: Session, *, status: str | None = None, resource_id: str | None = None,
                 reason: str | None = None, offset: int = 0,
                 limit: int = 20) -> tuple[list[Report], int]:
    """Report groups, most recently reported first, and how many match."""
    query = select(Report)
    for column, value in ((Report.status, status), (Report.resource_id, resource_id),
                          (Report.reason, reason)):
        if value is not None:
            query = query.where(column == value)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    reports = list(session.scalars(query.order_by(Report.last_reported_at.desc(), Report.id.desc())
                                   .offset(row_offset(offset)).limit(limit)))
    return reports, total


def update_report(session: Session, report: Report, changes: dict[str, Any],
                  now: datetime | None = None) -> Report:
    """Resolve, dismiss or reopen a report group, with an editor's note."""
    now = now or utcnow()
    if "status" in changes and changes["status"] != report.status:
        report.status = changes["status"]
        report.resolved_at = None if report.status == "open" else now
    if "note" in changes:
        report.note = changes["note"]
    session.flush()
    return report


def open_counts(session: Session) -> dict[str, int]:
    """Open visitor reports per resource id (the sum of the open groups' counts)."""
    rows = session.execute(select(Report.resource_id, func.sum(Report.count))
                           .where(Report.status == "open", Report.resource_id.is_not(None))
                           .group_by(Report.resource_id))
    return {resource_id: int(total or 0) for resource_id, total in rows}
