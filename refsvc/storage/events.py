"""A resource's story for its page: editor events, and its checks and reports over a span of days."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from refsvc.storage.models import Check, EditorEvent, Report, utcnow

MAX_CHECKS = 3000  # a 90-day chart of a link checked hourly, with room; bounds the page's work
MAX_EVENTS = 200


def add_event(session: Session, resource_id: str, action: str, summary: str = "",
              now: datetime | None = None) -> EditorEvent:
    """Record that an editor did ``action`` to a resource."""
    event = EditorEvent(resource_id=resource_id, action=action, summary=summary[:2000],
                        at=now or utcnow())
    session.add(event)
    session.flush()
    return event


def events_since(session: Session, resource_id: str, since: datetime) -> list[EditorEvent]:
    """Editor events on a resource since ``since``, oldest first (at most MAX_EVENTS, newest kept)."""
    rows = session.scalars(select(EditorEvent).where(EditorEvent.resource_id == resource_id,
                                                     EditorEvent.at >= since)
                           .order_by(EditorEvent.at.desc(), EditorEvent.id.desc()).limit(MAX_EVENTS))
    return list(reversed(list(rows)))


def checks_since(session: Session, resource_id: str, since: datetime) -> list[Check]:
    """A resource's checks since ``since``, oldest first (at most MAX_CHECKS, newest kept)."""
    rows = session.scalars(select(Check).where(Check.resource_id == resource_id,
                                               Check.checked_at >= since)
                           .order_by(Check.checked_at.desc(), Check.id.desc()).limit(MAX_CHECKS))
    return list(reversed(list(rows)))


def reports_of(session: Session, resource_id: str, limit: int = MAX_EVENTS) -> list[Report]:
    """Every report group about a resource, newest first."""
    return list(session.scalars(select(Report).where(Report.resource_id == resource_id)
                                .order_by(Report.last_reported_at.desc(), Report.id.desc())
                                .limit(limit)))


def latest_check_overall(session: Session, *, outcome: str | None = None,
                         not_outcome: str | None = None) -> Check | None:
    """The newest check of any resource (with, or without, a given outcome)."""
    query = select(Check)
    if outcome is not None:
        query = query.where(Check.outcome == outcome)
    if not_outcome is not None:
        query = query.where(Check.outcome != not_outcome)
    return session.scalars(query.order_by(Check.checked_at.desc(), Check.id.desc()).limit(1)).first()


def first_check_after(session: Session, after: datetime | None, outcome: str) -> Check | None:
    """The oldest check with ``outcome`` made after ``after`` (or ever)."""
    query = select(Check).where(Check.outcome == outcome)
    if after is not None:
        query = query.where(Check.checked_at > after)
    return session.scalars(query.order_by(Check.checked_at, Check.id).limit(1)).first()
