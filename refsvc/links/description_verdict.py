"""A description's verdict (pure): one check's observation, and the verdict over checks.

    supported    the page says what the description says, and changed little since the baseline
    changed      the main text changed materially since the baseline; the description still holds
    unsupported  a claim is no longer found on the page, or the page contradicts it
    unknown      no readable text (a PDF, a bot wall, a page built by script): why is said

Like health, a verdict needs two checks in a row to move; the first one is taken at once.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Iterable

from refsvc.links.claims import Claim, judge_claims, vouch
from refsvc.links.description import PageText
from refsvc.links.description_change import Change, compare

VERDICTS = ("supported", "changed", "unsupported", "unknown")
CHANGED_AT = 0.35  # share of the main text's words changed that makes a page "changed" (tuned on the set)
CHECKS_TO_MOVE = 2


@dataclass(frozen=True)
class Observation:
    """What one check found: a verdict, why, each claim judged, and the change since the baseline."""

    verdict: str
    why: str
    claims: tuple[Claim, ...] = ()
    change: Change | None = None

    def summary(self) -> dict[str, Any]:
        """The compact record kept with the check itself."""
        return {"verdict": self.verdict, "why": self.why,
                "change": None if self.change is None else round(self.change.score, 3),
                "unsupported": [c.text for c in self.claims if c.supported is False]}


def observe(description: str, page: PageText, baseline: PageText | None, *, name: str = "",
            vouched: Iterable[str] = (), changed_at: float = CHANGED_AT,
            claims: Iterable[Claim] | None = None) -> Observation:
    """Judge one page against the description and the baseline (``claims``: the description
    already judged on this page, as when its baseline was just taken from it)."""
    if not page.readable:
        return Observation("unknown", page.why or "the page has no readable text")
    claims = tuple(judge_claims(description, page, name=name, vouched=vouched) if claims is None
                   else vouch(claims, vouched))
    change = compare(baseline, page) if baseline is not None and baseline.readable else None
    against = [c for c in claims if c.supported is False]
    if against:
        first = against[0]
        why = f"“{first.text}”: {first.evidence}"
        if len(against) > 1:
            why += f" (and {len(against) - 1} more claim{'s' if len(against) > 2 else ''})"
        return Observation("unsupported", why, claims, change)
    if change is not None and change.score >= changed_at:
        return Observation("changed", f"{round(change.score * 100)}% of the page's main text changed "
                           "since the baseline; the description still holds", claims, change)
    if not claims:
        return Observation("supported", "the description has no claim to check", claims, change)
    return Observation("supported", "the page supports every claim of the description", claims, change)


@dataclass(frozen=True)
class VerdictState:
    """Where a description stands: its verdict since when, and a different one seen in a row."""

    verdict: str | None = None
    since: datetime | None = None
    pending: str | None = None
    pending_count: int = 0


def advance(state: VerdictState, observed: str, now: datetime,
            needed: int = CHECKS_TO_MOVE) -> VerdictState:
    """The state after one observation: the first verdict at once, a new one after ``needed`` in a row."""
    if state.verdict is None:
        return VerdictState(observed, now)
    if observed == state.verdict:
        return replace(state, pending=None, pending_count=0)
    count = state.pending_count + 1 if observed == state.pending else 1
    if count >= needed:
        return VerdictState(observed, now)
    return replace(state, pending=observed, pending_count=count)
