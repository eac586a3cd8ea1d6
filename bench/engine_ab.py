"""refsvc's items/s (CPU time) of one code tree against another, over the corpus: before/after a change.

    .venv/bin/python bench/engine_ab.py OLD_ROOT [NEW_ROOT] [--passes 3] [--rounds 2]
    (OLD_ROOT e.g. from: mkdir /tmp/old && git archive 8d7f77a | tar -x -C /tmp/old)

Each root is measured in its own interpreter, alternately, `rounds` times: cite_item(item, style,
formats=("text", "html")) over tests/corpus/items.json (this tree's corpus for both, items renamed each
pass so no cache answers), fastest of `passes` passes. Process CPU time, not wall time, so the other
work on a shared machine weighs little; the figure is the ratio of the two in the same run.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STYLES = ("apa", "modern-language-association", "chicago-notes-bibliography", "chicago-author-date")
MEASURE = r"""
import copy, json, sys, time
sys.path.insert(0, sys.argv[1])
from refsvc.citation import cite_item
items = json.load(open(sys.argv[2]))
out = {}
for st in json.loads(sys.argv[4]):
    for it in items[:5]:
        cite_item(it, st)
    best = 0.0
    for p in range(int(sys.argv[3])):
        batch = []
        for it in items:
            it = copy.deepcopy(it)
            it["id"] = f"{it['id']}-{p}"
            if isinstance(it.get("title"), str):
                it["title"] += f" {p}"
            batch.append(it)
        t = time.process_time()
        for it in batch:
            try:
                cite_item(it, st, formats=("text", "html"))
            except Exception:
                pass
        best = max(best, len(batch) / (time.process_time() - t))
    out[st] = best
print(json.dumps(out))
"""


def measure(root: Path, passes: int) -> dict[str, float]:
    """Items/s per style of the engine in ``root``."""
    out = subprocess.run([sys.executable, "-c", MEASURE, str(root), str(ROOT / "tests" / "corpus" / "items.json"),
                          str(passes), json.dumps(STYLES)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path, nargs="?", default=ROOT)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    best: dict[str, dict[str, float]] = {"old": {}, "new": {}}
    for _ in range(args.rounds):
        for name, root in (("old", args.old), ("new", args.new)):
            for style, rate in measure(root, args.passes).items():
                best[name][style] = max(best[name].get(style, 0.0), rate)
    print("| style | old items/s | new items/s | new/old |\n|---|---|---|---|")
    for style in STYLES:
        old, new = best["old"][style], best["new"][style]
        print(f"| {style} | {old:.0f} | {new:.0f} | {new / old:.2f} |")


if __name__ == "__main__":
    main()
