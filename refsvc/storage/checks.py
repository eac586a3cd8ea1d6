"""The checker's storage: claiming due resources, recording checks and health, history, pruning.

A claim is a token in ``health_states.claimed_by`` with a lease (``claim_expires_at``) that the holder
renews while it works. A result is written only by the token's holder, and writing it ends the claim
in the same conditional UPDATE (``end_claim``), so a checker that lost its claim (lease over, taken
over by another) can never write a second result for the same due check.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any, Iterable

from sqlalchemy import case, delete, func, or_, select, update
from sqlalchemy.orm import Session, joinedload

from refsvc.storage.db import row_offset
from refsvc.storage.models import Check, HealthState, Resource


def _claimable(now: datetime):
    return or_(HealthState.claim_expires_at.is_(None), HealthState.claim_expires_at < now)


def new_token(worker: str) -> str:
    """A claim token for ``worker``: unique per claim, and it says who holds it (fits the column)."""
    return f"{worker[:50]}:{uuid.uuid4().hex[:12]}"


def claim_due(session: Session, worker: str, now: datetime, *, limit: int,
              lease_seconds: float) -> tuple[str, list[Resource]]:
    """Claim up to ``limit`` due resources for ``worker``; returns (claim token, resources).

    One conditional UPDATE takes them: a row already claimed by another checker (claim not
    expired) no longer matches, so two checkers never take the same resource.
    """
    token = new_token(worker)
    due = (select(HealthState.resource_id).join(Resource)
           .where(Resource.active.is_(True), HealthState.next_check_at <= now, _claimable(now))
           .order_by(HealthState.next_check_at).limit(limit))
    session.execute(
        update(HealthState)
        .where(HealthState.resource_id.in_(due.scalar_subquery()),
               HealthState.next_check_at <= now, _claimable(now))
        .values(claimed_by=token, claim_expires_at=now + timedelta(seconds=lease_seconds))
        .execution_options(synchronize_session=False))
    resources = list(session.scalars(
        select(Resource).join(HealthState).where(HealthState.claimed_by == token)
        .order_by(HealthState.next_check_at)).unique())
    return token, resources


def claim_ids(session: Session, worker: str, ids: Iterable[str] | None, now: datetime, *,
              lease_seconds: float, force: bool = False) -> tuple[str, list[Resource]]:
    """Claim the resources ``ids`` (None: every active one) whether due or not ("check now").

    A resource claimed by a live checker is left to it, unless ``force``: then the claim moves to
    the new token and the old holder's result will not be written (still one result per claim).
    """
    token = new_token(worker)
    query = update(HealthState)
    if ids is None:
        query = query.where(HealthState.resource_id.in_(
            select(Resource.id).where(Resource.active.is_(True)).scalar_subquery()))
    else:
        query = query.where(HealthState.resource_id.in_(list(ids)))
    if not force:
        query = query.where(_claimable(now))
    session.execute(query.values(claimed_by=token,
                                 claim_expires_at=now + timedelta(seconds=lease_seconds))
                    .execution_options(synchronize_session=False))
    resources = list(session.scalars(select(Resource).join(HealthState)
                                     .where(HealthState.claimed_by == token)
                                     .order_by(Resource.id)).unique())
    return token, resources


def renew(session: Session, tokens: Iterable[str], now: datetime, *, lease_seconds: float) -> dict[str, int]:
    """Extend the leases of ``tokens`` (the heartbeat); how many claims each still holds.

    Only rows still holding the token move, so a claim taken over or ended stays so.
    """
    tokens = list(tokens)
    if not tokens:
        return {}
    session.execute(update(HealthState).where(HealthState.claimed_by.in_(tokens))
                    .values(claim_expires_at=now + timedelta(seconds=lease_seconds))
                    .execution_options(synchronize_session=False))
    held = dict(session.execute(select(HealthState.claimed_by, func.count())
                                .where(HealthState.claimed_by.in_(tokens))
                                .group_by(HealthState.claimed_by)).all())
    return {token: int(held.get(token, 0)) for token in tokens}


def hold(session: Session, resource_id: str, token: str, now: datetime, *, lease_seconds: float) -> bool:
    """Renew one claim if ``token`` still holds it (a queued task starting); False when it does not."""
    result = session.execute(update(HealthState)
                             .where(HealthState.resource_id == resource_id,
                                    HealthState.claimed_by == token)
                             .values(claim_expires_at=now + timedelta(seconds=lease_seconds))
                             .execution_options(synchronize_session=False))
    return bool(result.rowcount)


def hold_many(session: Session, resource_ids: Iterable[str], token: str, now: datetime, *,
              lease_seconds: float) -> set[str]:
    """``hold`` for several resources under one token, in one UPDATE; the ids it still holds."""
    ids = list(resource_ids)
    if not ids:
        return set()
    session.execute(update(HealthState)
                    .where(HealthState.resource_id.in_(ids), HealthState.claimed_by == token)
                    .values(claim_expires_at=now + timedelta(seconds=lease_seconds))
                    .execution_options(synchronize_session=False))
    return set(session.scalars(select(HealthState.resource_id)
                               .where(HealthState.resource_id.in_(ids), HealthState.claimed_by == token)))


def end_claim(session: Session, resource_id: str, token: str) -> bool:
    """End ``token``'s claim on a resource before its result is written (compare-and-set).

    True only for the claim's holder, expired or not, as long as nobody took it over; the UPDATE
    locks the row (and takes SQLite's write lock), so the write that follows is the only one.
    """
    result = session.execute(update(HealthState)
                             .where(HealthState.resource_id == resource_id,
                                    HealthState.claimed_by == token)
                             .values(claimed_by=None, claim_expires_at=None)
                             .execution_options(synchronize_session=False))
    return bool(result.rowcount)


def end_claims(session: Session, claims: Iterable[tuple[str, str]]) -> set[str]:
    """``end_claim`` for many (resource id, token) pairs, one UPDATE per token; the ids it ended."""
    by_token: dict[str, list[str]] = {}
    for resource_id, token in claims:
        by_token.setdefault(token, []).append(resource_id)
    ended: set[str] = set()
    for token, ids in by_token.items():
        ended.update(session.scalars(update(HealthState)
                                     .where(HealthState.claimed_by == token,
                                            HealthState.resource_id.in_(ids))
                                     .values(claimed_by=None, claim_expires_at=None)
                                     .returning(HealthState.resource_id)
                                     .execution_options(synchronize_session=False)))
    return ended


def claimed_elsewhere(session: Session, now: datetime) -> dict[str, tuple[str, datetime]]:
    """Due active resources under a live claim: resource id -> (token, lease end)."""
    rows = session.execute(select(HealthState.resource_id, HealthState.claimed_by,
                                  HealthState.claim_expires_at).join(Resource)
                           .where(Resource.active.is_(True), HealthState.next_check_at <= now,
                                  HealthState.claimed_by.is_not(None),
                                  HealthState.claim_expires_at >= now)).all()
    return {rid: (token, expires) for rid, token, expires in rows}


def count_due(session: Session, now: datetime) -> int:
    """How many active resources ``claim_due`` could take now."""
    return session.scalar(select(func.count()).select_from(HealthState).join(Resource)
                          .where(Resource.active.is_(True), HealthState.next_check_at <= now,
                                 _claimable(now))) or 0


def release(session: Session, token: str, resource_ids: Iterable[str] | None = None) -> int:
    """Give back claims of ``token`` (all, or those of ``resource_ids``) unchecked."""
    query = update(HealthState).where(HealthState.claimed_by == token)
    if resource_ids is not None:
        query = query.where(HealthState.resource_id.in_(list(resource_ids)))
    result = session.execute(query.values(claimed_by=None, claim_expires_at=None)
                             .execution_options(synchronize_session=False))
    return result.rowcount or 0


def get_state(session: Session, resource_id: str, *, for_update: bool = False) -> HealthState | None:
    """The health state of a resource (row-locked on PostgreSQL when ``for_update``)."""
    query = select(HealthState).where(HealthState.resource_id == resource_id)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).first()


def states_of(session: Session, resource_ids: list[str], *,
              for_update: bool = False) -> dict[str, HealthState]:
    """The health states (with their resources) of ``resource_ids``, by id, in one query."""
    if not resource_ids:
        return {}
    query = (select(HealthState).options(joinedload(HealthState.resource))
             .where(HealthState.resource_id.in_(resource_ids)))
    if for_update:
        query = query.with_for_update(of=HealthState)
    return {row.resource_id: row for row in session.scalars(query).unique()}


def record_checks(session: Session, entries: list[tuple[HealthState, dict[str, Any], dict[str, Any], datetime]],
                  now: datetime) -> list[Check]:
    """Store several checks and the health states they led to (state, result, health, next check
    at), in two flushes; each claim ends."""
    checks = [_new_check(state.resource_id, result, now, health["health"])
              for state, result, health, _ in entries]
    session.add_all(checks)
    session.flush()
    for (state, _, health, next_check_at), check in zip(entries, checks):
        for key, value in health.items():
            setattr(state, key, value)
        state.last_check_id, state.last_checked_at = check.id, now
        state.next_check_at = next_check_at
        state.claimed_by = state.claim_expires_at = None
    session.flush()
    return checks


def _new_check(resource_id: str, result: dict[str, Any], now: datetime, health: str) -> Check:
    return Check(resource_id=resource_id, checked_at=now,
                 url=str(result.get("url") or "")[:2048], outcome=str(result.get("outcome")),
                 reason=str(result.get("reason") or ""), status_code=result.get("status_code"),
                 elapsed_ms=_int_or_none(result.get("elapsed_ms")), health=health, result=result)


def record_check(session: Session, state: HealthState, result: dict[str, Any], now: datetime,
                 *, health: dict[str, Any], next_check_at: datetime) -> Check:
    """Store one check and the health state it led to; the claim on the resource ends."""
    return record_checks(session, [(state, result, health, next_check_at)], now)[0]


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(round(float(value)))


def checks_by_id(session: Session, ids: Iterable[int]) -> dict[int, Check]:
    """Checks by id (for a page of resources and their last checks, in one query)."""
    ids = list(ids)
    if not ids:
        return {}
    return {c.id: c for c in session.scalars(select(Check).where(Check.id.in_(ids)))}


def last_checks(session: Session, resources: Iterable[Resource]) -> dict[str, Check]:
    """The last check of each of ``resources`` that has one, by resource id, in one query."""
    wanted = {r.state.last_check_id: r.id for r in resources if r.state and r.state.last_check_id}
    return {wanted[c.id]: c for c in checks_by_id(session, wanted).values()}


def history(session: Session, resource_id: str, *, offset: int = 0,
            limit: int = 20) -> tuple[list[Check], int]:
    """One page of a resource's checks, newest first, and how many there are."""
    total = session.scalar(select(func.count()).select_from(Check)
                           .where(Check.resource_id == resource_id)) or 0
    checks = list(session.scalars(select(Check).where(Check.resource_id == resource_id)
                                  .order_by(Check.checked_at.desc(), Check.id.desc())
                                  .offset(row_offset(offset)).limit(limit)))
    return checks, total


def prune(session: Session, older_than: datetime) -> int:
    """Delete checks made before ``older_than``; how many went."""
    result = session.execute(delete(Check).where(Check.checked_at < older_than)
                             .execution_options(synchronize_session=False))
    return result.rowcount or 0


def make_due(session: Session, resource_id: str, at: datetime) -> bool:
    """Bring a resource's next check forward to ``at`` (never later than planned)."""
    result = session.execute(update(HealthState)
                             .where(HealthState.resource_id == resource_id,
                                    HealthState.next_check_at > at)
                             .values(next_check_at=at).execution_options(synchronize_session=False))
    return bool(result.rowcount)


def next_due_at(session: Session) -> datetime | None:
    """When the next active resource can be claimed (None when there is none).

    A due resource under another checker's claim counts from the end of that lease (renewed by
    its heartbeat), so an idle checker sleeps instead of polling while the work is taken.
    """
    claimed = HealthState.claim_expires_at.is_not(None) & \
        (HealthState.claim_expires_at > HealthState.next_check_at)
    when = case((claimed, HealthState.claim_expires_at), else_=HealthState.next_check_at)
    return session.scalar(select(func.min(when)).join(Resource).where(Resource.active.is_(True)))
