"""Print CSL test-suite pass counts by group (file-name prefix): python -m tests.citation.suite_report.

--update-known also rewrites tests/citation/csl_suite_known_failures.txt from the current engine.
"""
from __future__ import annotations

import sys

from tests.citation.csl_suite import report, suite_dir, write_known

FOCUS = ("name nameattr date textcase flipflop quotes punctuation affix substitute group condition "
         "disambiguate sort label number locale position").split()


def main() -> int:
    """Print a Markdown table of passes per group."""
    folder = suite_dir()
    if not folder.is_dir():
        print(f"CSL test suite not found at {folder} (set CSL_TEST_SUITE)", file=sys.stderr)
        return 1
    if "--update-known" in sys.argv:
        print(f"{write_known(folder)} known failures written", file=sys.stderr)
    rows = report(folder)
    print("| group | passed | total | % |\n| --- | ---: | ---: | ---: |")
    for g, p, t in rows:
        mark = " *" if g in FOCUS else ""
        print(f"| {g}{mark} | {p} | {t} | {100 * p / t:.0f} |")
    fp = sum(p for g, p, t in rows if g in FOCUS)
    ft = sum(t for g, p, t in rows if g in FOCUS)
    print(f"\n(* = groups the four main styles rely on: {fp}/{ft} = {100 * fp / max(ft, 1):.1f}%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
