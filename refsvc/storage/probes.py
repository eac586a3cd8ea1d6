"""Sibling-path probe answers (refsvc.links.soft404) kept for every checker: read, write, prune."""
from __future__ import annotations

from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from refsvc.storage.db import insert_or_skip
from refsvc.storage.models import SiteProbe

FIELDS = ("probe_url", "status", "final_url", "sketch", "text_len", "error", "fetched_at")


def load(session: Session, key: str) -> dict[str, Any] | None:
    """The stored answer for ``key`` (its FIELDS), or None."""
    row = session.get(SiteProbe, key)
    return None if row is None else {name: getattr(row, name) for name in FIELDS}


def save(session: Session, key: str, answer: dict[str, Any]) -> None:
    """Store ``answer`` for ``key``; a newer probe replaces an older one, never the reverse."""
    values = {name: answer[name] for name in FIELDS}
    statement = insert_or_skip(session, SiteProbe).values(key=key, **values)
    session.execute(statement.on_conflict_do_update(
        index_elements=["key"], set_=values, where=SiteProbe.fetched_at < answer["fetched_at"]))


def prune(session: Session, before: float) -> int:
    """Delete answers fetched before ``before`` (epoch seconds); how many went."""
    result = session.execute(delete(SiteProbe).where(SiteProbe.fetched_at < before)
                             .execution_options(synchronize_session=False))
    return result.rowcount or 0

