"""Description checks' storage: baselines (current and pruned history) and each resource's verdict."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from refsvc.storage.models import DescriptionBaseline, DescriptionState, Report


_PRELOADED = "refsvc.descriptions"  # session.info key: states and baselines loaded for a batch


def preload(session: Session, resource_ids: Iterable[str]) -> None:
    """Load the description states and baselines of several resources in two queries; for the rest
    of the session ``get_state``, ``current_baseline`` and ``replaced_baselines`` answer from them
    (a batch of checks recorded in one transaction: no query, and no flush, per check)."""
    ids = list(resource_ids)
    states = states_of(session, ids)
    baselines: dict[str, list[DescriptionBaseline]] = {rid: [] for rid in ids}
    if ids:
        for row in session.scalars(select(DescriptionBaseline).where(DescriptionBaseline.resource_id.in_(ids))
                                   .order_by(DescriptionBaseline.resource_id, DescriptionBaseline.taken_at.desc(),
                                             DescriptionBaseline.id.desc())):
            baselines[row.resource_id].append(row)
    session.info[_PRELOADED] = ({rid: states.get(rid) for rid in ids}, baselines)


def _preloaded(session: Session, resource_id: str) -> tuple[dict, dict] | None:
    loaded = session.info.get(_PRELOADED)
    return loaded if loaded is not None and resource_id in loaded[1] else None


def get_state(session: Session, resource_id: str, *, create: bool = False) -> DescriptionState | None:
    """The description state of a resource (made empty when ``create`` and there is none)."""
    loaded = _preloaded(session, resource_id)
    state = loaded[0][resource_id] if loaded else session.get(DescriptionState, resource_id)
    if state is None and create:
        state = DescriptionState(resource_id=resource_id, pending_count=0, why="", claims=[],
                                 suggested="", rebaseline=False)
        session.add(state)
        if loaded:
            loaded[0][resource_id] = state
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
    loaded = _preloaded(session, resource_id)
    if loaded:
        return next(iter(loaded[1][resource_id]), None)
    return session.scalars(select(DescriptionBaseline).where(DescriptionBaseline.resource_id == resource_id)
                           .order_by(DescriptionBaseline.taken_at.desc(), DescriptionBaseline.id.desc())
                           .limit(1)).first()


def add_baseline(session: Session, resource_id: str, fields: dict[str, Any],
                 now: datetime) -> DescriptionBaseline:
    """Store a new baseline of a resource (the newest is the one compared against)."""
    baseline = DescriptionBaseline(resource_id=resource_id, taken_at=now, **fields)
    session.add(baseline)
    loaded = _preloaded(session, resource_id)
    if loaded:
        loaded[1][resource_id].insert(0, baseline)
    return baseline


def prune_replaced(session: Session, resource_id: str, older_than: datetime) -> int:
    """Delete a resource's baselines taken before ``older_than``, except the current one."""
    loaded = _preloaded(session, resource_id)
    if loaded:  # the common case, one baseline, costs nothing
        rows = loaded[1][resource_id]
        gone = [row for row in rows[1:] if row.taken_at < older_than]
        for row in gone:
            session.delete(row)
            rows.remove(row)
        return len(gone)
    current = current_baseline(session, resource_id)
    if current is None:
        return 0
    result = session.execute(delete(DescriptionBaseline)
                             .where(DescriptionBaseline.resource_id == resource_id,
                                    DescriptionBaseline.taken_at < older_than,
                                    DescriptionBaseline.id != current.id)
                             .execution_options(synchronize_session=False))
    return result.rowcount or 0


def open_inaccurate_reports(session: Session, resource_id: str, limit: int = 5) -> list[Report]:
    """Visitors' open "inaccurate" reports of a resource, newest first."""
    return list(session.scalars(select(Report).where(Report.resource_id == resource_id,
                                                     Report.reason == "inaccurate",
                                                     Report.status == "open")
                                .order_by(Report.last_reported_at.desc()).limit(limit)))
