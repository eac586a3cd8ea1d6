"""Description checks' storage: baselines (current and pruned history) and each resource's verdict."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from refsvc.storage.models import DescriptionBaseline, DescriptionState, Report


def get_state(session: Session, resource_id: str, *, create: bool = False) -> DescriptionState | None:
    """The description state of a resource (made empty when ``create`` and there is none)."""
    state = session.get(DescriptionState, resource_id)
    if state is None and create:
        state = DescriptionState(resource_id=resource_id, pending_count=0, why="", claims=[],
                                 suggested="", rebaseline=False)
        session.add(state)
        session.flush()
    return state


def states_of(session: Session, resource_ids: Iterable[str]) -> dict[str, DescriptionState]:
    """The description states of several resources, by id, in one query."""
    ids = list(resource_ids)
    if not ids:
        return {}
    return {s.resource_id: s for s in session.scalars(
        select(DescriptionState).where(DescriptionState.resource_id.in_(ids)))}


def ids_with_verdict(session: Session, verdict: str) -> list[str]:
    """Ids of the resources whose description has ``verdict`` ('unknown' includes never judged)."""
    if verdict == "unknown":
        from refsvc.storage.models import Resource

        judged = select(DescriptionState.resource_id).where(DescriptionState.verdict.isnot(None),
                                                            DescriptionState.verdict != "unknown")
        return list(session.scalars(select(Resource.id).where(Resource.id.notin_(judged))))
    return list(session.scalars(select(DescriptionState.resource_id)
                                .where(DescriptionState.verdict == verdict)))


def current_baseline(session: Session, resource_id: str) -> DescriptionBaseline | None:
    """The newest baseline of a resource, or None before its first successful check."""
    return session.scalars(select(DescriptionBaseline).where(DescriptionBaseline.resource_id == resource_id)
                           .order_by(DescriptionBaseline.taken_at.desc(), DescriptionBaseline.id.desc())
                           .limit(1)).first()


def add_baseline(session: Session, resource_id: str, fields: dict[str, Any],
                 now: datetime) -> DescriptionBaseline:
    """Store a new baseline of a resource (the newest is the one compared against)."""
    baseline = DescriptionBaseline(resource_id=resource_id, taken_at=now, **fields)
    session.add(baseline)
    session.flush()
    return baseline


def prune_replaced(session: Session, resource_id: str, older_than: datetime, keep: int) -> int:
    """Delete a resource's baselines taken before ``older_than``, except ``keep`` (the current one)."""
    result = session.execute(delete(DescriptionBaseline)
                             .where(DescriptionBaseline.resource_id == resource_id,
                                    DescriptionBaseline.taken_at < older_than,
                                    DescriptionBaseline.id != keep)
                             .execution_options(synchronize_session=False))
    return result.rowcount or 0


def open_inaccurate_reports(session: Session, resource_id: str, limit: int = 5) -> list[Report]:
    """Visitors' open "inaccurate" reports of a resource, newest first."""
    return list(session.scalars(select(Report).where(Report.resource_id == resource_id,
                                                     Report.reason == "inaccurate",
                                                     Report.status == "open")
                                .order_by(Report.last_reported_at.desc()).limit(limit)))
