"""Registry reads and writes: resources and their health state (one Session, caller's transaction)."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from refsvc.storage.db import row_offset, text_key
from refsvc.storage.models import ENTRY_FIELDS, Check, HealthState, Resource, url_key_of, utcnow


class DuplicateResource(ValueError):
    """A resource with that id already exists."""


def entry_of(resource: Resource) -> dict[str, Any]:
    """The registry fields of ``resource`` (the YAML/import shape)."""
    return {key: getattr(resource, key) for key in ENTRY_FIELDS}


def get_resource(session: Session, resource_id: str) -> Resource | None:
    """The resource with ``resource_id``, or None."""
    if not text_key(resource_id):  # e.g. /v1/resources/%00: no such id, and PostgreSQL would raise
        return None
    return session.get(Resource, resource_id)


def list_resources(session: Session, *, tag: str | None = None, health: str | None = None,
                   active: bool | None = None, ids: Iterable[str] | None = None,
                   offset: int = 0, limit: int | None = None) -> tuple[list[Resource], int]:
    """Resources ordered by name, filtered, one page of them and the total matching."""
    query = select(Resource).join(HealthState, isouter=True)
    if active is not None:
        query = query.where(Resource.active.is_(active))
    if health is not None:
        query = query.where(func.coalesce(HealthState.health, "unknown") == health)
    if ids is not None:
        query = query.where(Resource.id.in_(list(ids)))
    query = query.order_by(Resource.name, Resource.id)
    if tag is None:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        return list(session.scalars(query.offset(row_offset(offset)).limit(limit)).unique()), total
    # Tags live in a JSON list: filtered here, the same way on every database.
    resources = [r for r in session.scalars(query).unique() if tag in (r.tags or [])]
    end = None if limit is None else offset + limit
    return resources[offset:end], len(resources)


def count_resources(session: Session) -> int:
    """How many resources are registered."""
    return session.scalar(select(func.count()).select_from(Resource)) or 0


def find_by_url(session: Session, url: str) -> Resource | None:
    """The resource whose URL is the same link as ``url`` (any spelling: see ``url_key_of``), or
    None; one indexed lookup. Of several such resources, the first by id."""
    key = url_key_of(url)
    if key is None:
        return None
    return session.scalars(select(Resource).where(Resource.url_key == key)
                           .order_by(Resource.id).limit(1)).first()


def create_resource(session: Session, fields: dict[str, Any],
                    now: datetime | None = None) -> Resource:
    """Register a resource, due for its first check at once; DuplicateResource if the id is taken."""
    now = now or utcnow()
    if session.get(Resource, fields["id"]) is not None:
        raise DuplicateResource(fields["id"])
    resource = Resource(**{key: fields.get(key) for key in ENTRY_FIELDS if key in fields},
                        created_at=now, updated_at=now)
    resource.description = resource.description or ""
    resource.tags, resource.expect = list(resource.tags or []), list(resource.expect or [])
    resource.active = True if resource.active is None else resource.active
    resource.state = HealthState(health="unknown", health_since=now, next_check_at=now, failures=0,
                                 successes=0, warnings=[])
    session.add(resource)
    session.flush()
    return resource


def update_resource(session: Session, resource: Resource, fields: dict[str, Any],
                    now: datetime | None = None) -> bool:
    """Apply ``fields``; a new URL starts its health over and is due at once. True if changed."""
    now = now or utcnow()
    changed = {k: v for k, v in fields.items() if k != "id" and getattr(resource, k) != v}
    if not changed:
        return False
    for key, value in changed.items():
        setattr(resource, key, value)
    resource.updated_at = now
    if "url" in changed and resource.state is not None:
        state = resource.state
        state.health, state.health_since, state.failures, state.successes = "unknown", now, 0, 0
        state.first_failure_at, state.warnings, state.next_check_at = None, [], now
        state.wayback_url = state.wayback_timestamp = None
    session.flush()
    return True


def delete_resource(session: Session, resource: Resource) -> None:
    """Remove a resource with its health and checks (reports keep the URL)."""
    session.delete(resource)
    session.flush()


def last_check(session: Session, resource: Resource) -> Check | None:
    """The newest check of ``resource``, or None before its first."""
    if resource.state is not None and resource.state.last_check_id is not None:
        check = session.get(Check, resource.state.last_check_id)
        if check is not None:
            return check
    return session.scalars(select(Check).where(Check.resource_id == resource.id)
                           .order_by(Check.checked_at.desc(), Check.id.desc()).limit(1)).first()


def import_entries(session: Session, entries: list[dict[str, Any]], *, now: datetime | None = None,
                   progress: Callable[[dict[str, Any], str], None] | None = None) -> dict[str, int]:
    """Create or update each entry (validated already); counts of created/updated/unchanged."""
    now = now or utcnow()
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for entry in entries:
        resource = session.get(Resource, entry["id"])
        if resource is None:
            create_resource(session, entry, now)
            action = "created"
        else:
            action = "updated" if update_resource(session, resource, entry, now) else "unchanged"
        counts[action] += 1
        if progress:
            progress(entry, action)
    return counts


def delete_missing(session: Session, keep: Iterable[str]) -> list[str]:
    """Delete every resource whose id is not in ``keep``; the ids deleted."""
    keep = set(keep)
    gone = [r for r in session.scalars(select(Resource).order_by(Resource.id)) if r.id not in keep]
    for resource in gone:
        session.delete(resource)
    session.flush()
    return [r.id for r in gone]


def export_entries(session: Session) -> list[dict[str, Any]]:
    """Every resource as a registry entry, ordered by id."""
    return [entry_of(r) for r in session.scalars(select(Resource).order_by(Resource.id))]
