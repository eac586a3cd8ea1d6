"""What one run of the checker did, and the paragraph that tells the terminal."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from refsvc.links.health import CHECKER_OFFLINE
from refsvc.words import plural


@dataclass
class Summary:
    """What one run did: checks by outcome, health changes, failures to record, pruned history."""

    checked: int = 0
    outcomes: Counter = field(default_factory=Counter)
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    errors: int = 0
    pruned: int = 0
    queued: int = 0
    lost: int = 0  # results not written: their claim was taken over (another checker's result counts)
    offline: list[str] = field(default_factory=list)  # what each offline verdict said

    @property
    def looked_offline(self) -> bool:
        """True when some batch of this run found the checker itself offline."""
        return bool(self.offline)

    def text(self) -> str:
        """One paragraph for the terminal."""
        line = self._counts()
        if self.offline:
            held = self.outcomes.get(CHECKER_OFFLINE, 0)
            line = (f"WARNING: {self.offline[-1]}. {plural(held, 'check was', 'checks were')} "
                    "recorded as checker_offline and count for nothing; what was not checked "
                    "stays due. Check this machine's network and DNS.\n" + line)
        return line

    def _counts(self) -> str:
        if self.queued:
            line = f"Queued {plural(self.queued, 'check')} for the Celery workers."
        elif not self.checked and not self.errors:
            line = "Nothing was due."
        else:
            by_outcome = ", ".join(f"{n} {o}" for o, n in self.outcomes.most_common())
            line = f"Checked {plural(self.checked, 'resource')}: {by_outcome or 'none recorded'}."
        if self.changes:
            line += " Health changed: " + ", ".join(f"{i} {a} -> {b}" for i, a, b in self.changes) + "."
        if self.errors:
            line += f" {plural(self.errors, 'result')} could not be recorded (see the log); they stay due."
        if self.lost:
            line += (f" {plural(self.lost, 'result')} not written: their claim had passed to another "
                     "checker, whose result counts.")
        if self.pruned:
            line += f" Pruned {plural(self.pruned, 'old check')}."
        return line
