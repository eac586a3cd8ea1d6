"""Visitors' reports: stored grouped (one open row per link and reason), listed and resolved.

One visitor counts once a day per group; the count is exact under concurrency on both databases.
"""
from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session

from refsvc.storage.db import insert_or_skip, row_id, row_offset
from refsvc.storage.models import Report, ReportVisit, utcnow

MAX_KEPT = 20  # comments and pages kept per group: enough to judge, bounded against floods
OPEN = text("status = 'open'")  # the predicate of the partial unique index uq_reports_open_group


def visitor_key(address: str) -> str:
    """A visitor as stored: a hash of the client address, not the address itself."""
    return hashlib.sha256(f"refsvc-visitor:{address}".encode("utf-8", "replace")).hexdigest()[:32]


def add_report(session: Session, *, url: str, reason: str, resource_id: str | None = None,
               comment: str = "", page: str | None = None, visitor: str | None = None,
               now: datetime | None = None) -> tuple[Report, bool]:
    """File a report, joining the open one for the same link and reason; (report, grouped).

    Safe under any concurrency on both databases: the open group is created by an INSERT that a
    unique index lets through once (the others join it), the group row is then locked (PostgreSQL;
    SQLite transactions already hold the write lock) and the count is raised by an atomic UPDATE.
    A ``visitor`` (``visitor_key``) who already reported this group today is not counted again.
    """
    now = now or utcnow()
    created = session.execute(
        insert_or_skip(session, Report).values(
            url=url, reason=reason, resource_id=resource_id, status="open", count=0, comments=[],
            pages=[], first_reported_at=now, last_reported_at=now, note="")
        .on_conflict_do_nothing(index_elements=["url", "reason"], index_where=OPEN)
        .returning(Report.id)).first() is not None
    report = session.scalars(select(Report).where(Report.url == url, Report.reason == reason, OPEN)
                             .with_for_update().execution_options(populate_existing=True)).one()
    counted = True
    if visitor:
        day = now.date().isoformat()
        counted = session.execute(
            insert_or_skip(session, ReportVisit).values(report_id=report.id, visitor=visitor, day=day)
            .on_conflict_do_nothing().returning(ReportVisit.day)).first() is not None
        # Yesterday's visits of this group are done with. Only this group's: its row lock is held,
        # so concurrent reports of other groups never wait on (or deadlock over) the same rows.
        session.execute(delete(ReportVisit).where(ReportVisit.report_id == report.id,
                                                  ReportVisit.day < day))
    if counted:
        session.execute(update(Report).where(Report.id == report.id)
                        .values(count=Report.count + 1, last_reported_at=now))
        if comment and len(report.comments) < MAX_KEPT:
            report.comments = [*report.comments, {"comment": comment, "page": page,
                                                  "at": now.isoformat()}]
    if page and page not in report.pages and len(report.pages) < MAX_KEPT:
        report.pages = [*report.pages, page]
    session.flush()
    session.refresh(report)
    return report, not created


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
        if report.status != "open":  # a closed group counts no one again: its visits can go
            session.execute(delete(ReportVisit).where(ReportVisit.report_id == report.id))
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
