"""Counts an operator watches, read from the database (so they hold across every checker and worker)."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from refsvc.storage.checks import count_due
from refsvc.storage.models import Check, HealthState

RECENT = timedelta(hours=24)  # the default check interval: about one check of every resource


def claims_held(session: Session, now: datetime) -> int:
    """Resources claimed by a checker or queued for a worker, whose claim has not expired."""
    return session.scalar(select(func.count()).select_from(HealthState)
                          .where(HealthState.claimed_by.is_not(None),
                                 HealthState.claim_expires_at >= now)) or 0


def due_backlog(session: Session, now: datetime) -> int:
    """Resources due now that nobody holds: the work waiting for a checker."""
    return count_due(session, now)


def recent_outcomes(session: Session, now: datetime) -> dict[str, int]:
    """Checks recorded in the last ``RECENT``, by outcome."""
    rows = session.execute(select(Check.outcome, func.count()).where(Check.checked_at >= now - RECENT)
                           .group_by(Check.outcome))
    return {outcome: count for outcome, count in rows}
