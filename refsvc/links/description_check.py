"""Description checks at the edges: read the page during a check, judge and store it when recorded.

    check_link ──page_for()──> result["description_page"] ──Tracker.record──> after_check()
                                                         baseline, verdict, webhook event

``page_for`` runs in the check (no database); ``read_ahead`` reads the pages that changed just before
the recording transaction (no lock held while parsing); ``after_check`` runs in that transaction: it
takes the baseline at the first readable check (or when an editor asked for one), compares, moves the
verdict (two checks in a row) and keeps a compact summary with the check. Judging is pure
(description.py, claims.py, description_verdict.py); only this module reads and writes their state.
"""
from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta
from typing import Any, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from refsvc.links import description_verdict as verdicts
from refsvc.links.claims import Claim, judge_claims
from refsvc.links.description import PageText, pack, read_record, suggested_description, unpack
from refsvc.links.reading import PagePool, read_safely
from refsvc.storage import checks as check_store
from refsvc.storage import descriptions as store
from refsvc.storage.models import DescriptionBaseline, DescriptionState, Resource

log = logging.getLogger(__name__)

PAGE_KEY = "description_page"  # the page read during a check (description.page_for), on its way here
READ_KEY = "read"  # in that record: the page as read_ahead read it (a PageText, or None: nothing to judge)


def baseline_page(row: DescriptionBaseline) -> PageText:
    """A stored baseline as the page it was."""
    return PageText(readable=True, final_url=row.final_url, title=row.title,
                    meta_description=row.meta_description, og_description=row.og_description,
                    headings=tuple(row.headings or ()), language=row.language,
                    main_text=unpack(row.main_text), fingerprint=row.fingerprint)


def _take_baseline(session: Session, resource: Resource, page: PageText, now: datetime, confirmed: bool,
                   claims: list[Claim]) -> DescriptionBaseline:
    # what an editor confirms that the page does not show is vouched for; a contradiction never is
    vouched = [c.text for c in claims if c.supported is False and "the page says" not in c.evidence] \
        if confirmed else []
    fields = dict(confirmed=confirmed, description=resource.description or "", final_url=page.final_url[:2048],
                  title=page.title, meta_description=page.meta_description,
                  og_description=page.og_description, headings=list(page.headings),
                  language=page.language[:16], fingerprint=page.fingerprint,
                  main_text=pack(page.main_text), claims=[c.to_dict() for c in claims], vouched=vouched)
    return store.add_baseline(session, resource.id, fields, now)


def prepare(session: Session, resource_ids: list[str]) -> None:
    """Load what ``after_check`` needs of a batch of resources in two queries (called by the
    recorder at the start of its transaction; without it, each check queries its own)."""
    store.preload(session, resource_ids)


def after_check(session: Session, resource: Resource, result: dict[str, Any], now: datetime,
                settings: Mapping[str, Any]) -> dict[str, Any] | None:
    """Judge the page a check reached (its record popped from ``result``); the webhook event when
    the verdict moved."""
    data = result.pop(PAGE_KEY, None)
    if not isinstance(data, dict):
        return None
    state = store.get_state(session, resource.id, create=True)
    seen = _seen(data, resource, now)
    if seen is not None and seen == state.seen and not state.rebaseline and state.observed:
        # the page reads as at the last check, for the same description and baseline: so does the verdict
        result["description"] = {"verdict": state.observed, "why": state.why, "unchanged": True}
        return _advance(state, resource, state.observed, state.why, now, [])
    # replaced baselines go with the history (REFSVC_HISTORY_DAYS); the current one stays
    store.prune_replaced(session, resource.id, now - timedelta(days=int(settings.get("HISTORY_DAYS", 400))))
    row = store.current_baseline(session, resource.id)
    page = data.pop(READ_KEY) if READ_KEY in data else _read(data, resource.id)
    if page is None:
        return None
    claims = None
    if page.readable and (row is None or state.rebaseline):
        confirmed = bool(state.rebaseline)
        claims = judge_claims(resource.description or "", page, name=resource.name)
        row = _take_baseline(session, resource, page, now, confirmed, claims)
        state.rebaseline = False
        if confirmed:  # an editor's word starts the verdict over
            state.verdict = state.since = state.pending = None
            state.pending_count = 0
    observation = _observe(resource, page, row, settings, claims)
    state.claims = [c.to_dict() for c in observation.claims]
    state.change = observation.change.to_dict() if observation.change is not None else None
    state.seen = seen if page.readable else None
    if page.readable:
        state.suggested = suggested_description(page)
    result["description"] = observation.summary()
    return _advance(state, resource, observation.verdict, observation.why, now, state.claims)


def _read(data: dict[str, Any], resource_id: str) -> PageText | None:
    """The page of a record, read here (None for a record that is not what page_for makes)."""
    return _judged(read_safely(read_record, data), resource_id)


def _judged(page: PageText | Exception, resource_id: str) -> PageText | None:
    """A page as read (here or in a reading process), or what became of a reader that raised."""
    if not isinstance(page, Exception):
        return page
    if isinstance(page, (TypeError, ValueError)):  # not what page_for makes: nothing to judge
        log.warning("check of %s carried an unreadable page record", resource_id)
        return None
    # a page that breaks the reader must not cost the check its health
    log.error("reading the page of %s for its description failed", resource_id, exc_info=page)
    return PageText(readable=False, why=f"the page could not be read ({type(page).__name__})")


def read_ahead(database: Any, results: list[tuple[str, dict[str, Any]]], now: datetime,
               pages: PagePool | None = None) -> None:
    """Read, before the recording transaction, the pages ``after_check`` will judge (those that do
    not read as at their last check): parsing a page is CPU work that, inside the transaction,
    would hold SQLite's write lock, and every writer of this process, meanwhile. A page whose
    state moves in between is read in the transaction as before. With ``pages``, the pages are read
    in its worker processes, off this interpreter's GIL (refsvc.links.reading)."""
    records = {rid: r[PAGE_KEY] for rid, r in results
               if isinstance(r.get(PAGE_KEY), dict) and "html" in r[PAGE_KEY] and READ_KEY not in r[PAGE_KEY]}
    if not records:
        return
    try:
        with database.transaction() as session:
            states = store.states_of(session, records)
            resources = {r.id: r for r in session.scalars(select(Resource).where(Resource.id.in_(list(states))))} \
                if states else {}
            unchanged = set()
            for rid, data in records.items():
                state, resource = states.get(rid), resources.get(rid)
                if state is None or resource is None or state.rebaseline or not state.observed:
                    continue
                seen = _seen(data, resource, now)
                if seen is not None and seen == state.seen:
                    unchanged.add(rid)
    except Exception:  # the recording transaction meets (and reports) the same trouble
        log.warning("could not tell which pages changed; reading them while recording", exc_info=True)
        return
    changed = [(rid, data) for rid, data in records.items() if rid not in unchanged]
    if pages is None:
        for rid, data in changed:
            data[READ_KEY] = _read(data, rid)
        return
    for (rid, data), page in zip(changed, pages.read_many([data for _, data in changed])):
        data[READ_KEY] = _judged(page, rid)


def _seen(data: dict[str, Any], resource: Resource, now: datetime) -> str | None:
    """What a judgement rests on: the page as shown and the description (and the week: the page is
    read in full at least weekly, past what the fingerprint sees). The baseline too, though it
    needs no part here: a new one is only ever taken by ``after_check``, which then sets the
    state's key anew, or asked for by an editor, which the state says (``rebaseline``)."""
    if not data.get("seen"):
        return None
    key = f"{data['seen']}|{resource.name}|{resource.description}|{now:%G-%V}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _observe(resource: Resource, page: PageText, row: DescriptionBaseline | None,
             settings: Mapping[str, Any], claims: list[Claim] | None = None) -> verdicts.Observation:
    try:
        vouched = row.vouched if row is not None and row.description == resource.description else []
        return verdicts.observe(resource.description or "", page,
                                baseline_page(row) if row is not None else None,
                                name=resource.name, vouched=vouched or (),
                                changed_at=float(settings.get("DESCRIPTION_CHANGED_AT", verdicts.CHANGED_AT)),
                                claims=claims)
    except Exception as exc:  # a bug in judging must not lose the check's health
        log.exception("judging the description of %s failed", resource.id)
        return verdicts.Observation("unknown", f"the description could not be judged ({type(exc).__name__})")


def _advance(state: DescriptionState, resource: Resource, observed: str, why: str, now: datetime,
             claims: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Move the verdict after one observation; the webhook event when it moved."""
    before = state.verdict
    moved = verdicts.advance(verdicts.VerdictState(state.verdict, state.since, state.pending,
                                                   state.pending_count), observed, now)
    state.verdict, state.since = moved.verdict, moved.since
    state.pending, state.pending_count = moved.pending, moved.pending_count
    state.observed, state.why, state.checked_at = observed, why, now
    if before is None or before == moved.verdict:
        return None
    return {"event": "resource.description_changed",
            "resource": {"id": resource.id, "name": resource.name, "url": resource.url},
            "previous": before, "verdict": moved.verdict, "why": why, "at": now.isoformat(),
            "claims": [c for c in (claims or state.claims or []) if c.get("supported") is False]}


def request_baseline(session: Session, resource_id: str) -> None:
    """An editor confirmed the description: the next check that reads the page takes a new baseline."""
    # the health row's lock is the one a recorder takes: no recorder makes the state row meanwhile
    check_store.get_state(session, resource_id, for_update=True)
    store.get_state(session, resource_id, create=True).rebaseline = True
    session.flush()


def views(session: Session, resources: list[Resource]) -> dict[str, dict[str, Any]]:
    """``description_check`` objects of a page of resources (without baseline and reports: 1 query)."""
    states = store.states_of(session, [r.id for r in resources])
    return {r.id: view(session, r, states[r.id], brief=True) for r in resources if r.id in states}


def view(session: Session, resource: Resource, state: DescriptionState | None = None,
         *, brief: bool = False) -> dict[str, Any] | None:
    """The ``description_check`` object of the API and the resource page (None before any check)."""
    if state is None:
        state = store.get_state(session, resource.id)
    if state is None:
        return None
    row = None if brief else store.current_baseline(session, resource.id)
    reports = [] if brief else store.open_inaccurate_reports(session, resource.id)
    return {
        "verdict": state.verdict or "unknown", "since": state.since,
        "why": state.why or ("waiting for a check that reads the page" if state.rebaseline else ""),
        "observed": state.observed, "pending": state.pending, "pending_count": state.pending_count,
        "checked_at": state.checked_at, "description": resource.description or "",
        "claims": list(state.claims or []), "change": state.change,
        "suggested_description": state.suggested or "",
        "baseline": None if row is None else {
            "taken_at": row.taken_at, "confirmed": row.confirmed, "title": row.title,
            "final_url": row.final_url, "claims": list(row.claims or [])},
        "baseline_requested": bool(state.rebaseline),
        "reports": [{"id": r.id, "count": r.count, "last_reported_at": r.last_reported_at,
                     "comments": [c.get("comment", "") if isinstance(c, dict) else str(c)
                                  for c in (r.comments or [])][-5:]} for r in reports],
    }
