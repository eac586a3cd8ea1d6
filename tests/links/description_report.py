"""Print how the description check does on the labelled set: precision and recall of `unsupported`
and `changed`, the harmless changes flagged, and every case judged wrong.

    .venv/bin/python -m tests.links.description_report          # about half a minute
"""
from __future__ import annotations

import sys
import time
from collections import Counter

from tests.links.description_set import LABELS, run, scores


def main() -> int:
    start = time.perf_counter()
    outcomes = run()
    elapsed = time.perf_counter() - start
    harmless = [o for o in outcomes if o.harmless]
    print(f"{len(outcomes)} page pairs ({len(harmless)} harmless changes, "
          f"{len(outcomes) - len(harmless)} real ones), judged in {elapsed:.1f} s\n")
    print("| verdict | precision | recall | right | wrongly given | missed |")
    print("|---|---|---|---|---|---|")
    for label in ("unsupported", "changed"):
        precision, recall, tp, fp, fn = scores(outcomes, label)
        print(f"| {label} | {precision:.2f} | {recall:.2f} | {tp} | {fp} | {fn} |")
    flagged = sum(o.verdict == "unsupported" for o in harmless)
    print(f"\nharmless changes judged unsupported: {flagged} of {len(harmless)}; "
          f"judged changed: {sum(o.verdict == 'changed' for o in harmless)}")
    confusion = Counter((o.label, o.verdict) for o in outcomes)
    print("\n| label \\ verdict | " + " | ".join(LABELS) + " |")
    print("|---|" + "---|" * len(LABELS))
    for label in LABELS:
        print(f"| {label} | " + " | ".join(str(confusion[(label, v)]) for v in LABELS) + " |")
    wrong = [o for o in outcomes if o.verdict != o.label]
    if wrong:
        print("\njudged wrong:")
        for o in wrong:
            print(f"  {o.case}: labelled {o.label}, judged {o.verdict} (change {o.change}): {o.why}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
