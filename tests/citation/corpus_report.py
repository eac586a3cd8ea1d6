"""Prints how many corpus cases refsvc's engine renders exactly as citeproc-js, per style and locale.

    python -m tests.citation.corpus_report          (a Markdown table for the README)
    python -m tests.citation.corpus_report --engine tests.citation.citeproc_py_baseline   (the baseline)
"""
from __future__ import annotations

import argparse
import sys
from collections import defaultdict

from tests.citation import corpus_harness as h

FORMS = ("bibliography", "in_text", "narrative", "note", "short_note", "case")


def tally(results: dict[str, tuple[bool, str]]) -> dict[tuple[str, str], dict[str, list[int]]]:
    """(style, locale) -> column -> [matched, total]; columns are the forms, each format, and all."""
    table: dict[tuple[str, str], dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for case in h.all_cases():
        ok = results[case.id][0]
        row = table[(case.style, case.locale)]
        for column in (case.form, case.fmt, "all"):
            row[column][0] += ok
            row[column][1] += 1
    return table


def render_table(table: dict[tuple[str, str], dict[str, list[int]]]) -> str:
    """The tally as a Markdown table; a dash where a style has no such form."""
    columns = FORMS + h.FORMATS + ("all",)
    head = ["style", "locale", *("cases (multi-item)" if c == "case" else c for c in columns)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    grand = [0, 0]
    for (style, locale), row in table.items():
        cells = [f"{row[c][0]}/{row[c][1]}" if c in row else "-" for c in columns]
        lines.append(f"| {style} | {locale} | " + " | ".join(cells) + " |")
        grand[0] += row["all"][0]
        grand[1] += row["all"][1]
    share = 100.0 * grand[0] / grand[1] if grand[1] else 0.0
    lines.append(f"\nAll: {grand[0]}/{grand[1]} identical to citeproc-js ({share:.1f}%), "
                 f"text and HTML, {len(h.load_items())} items + {len(h.load_multi_cases())} multi-item cases.")
    return "\n".join(lines)


def raising_items() -> dict[str, int]:
    """style-locale -> how many corpus items make cite_item raise."""
    counts: dict[str, int] = {}
    for style in h.STYLES:
        for locale in h.LOCALES:
            failed = 0
            for item_id in h.load_items():
                try:
                    h.rendered_item(style, locale, item_id)
                except h.EngineMissing:
                    raise
                except Exception:  # counted, as the report's job is to show them
                    failed += 1
            counts[f"{style}-{locale}"] = failed
    return counts


def main() -> int:
    """Prints the table; exit status 2 while the engine does not exist."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", default="refsvc.citation", help="module with the engine interface")
    h.use_engine(parser.parse_args().engine)
    try:
        results = h.run_all()
        raised = raising_items()
    except h.EngineMissing as exc:
        print(f"no report: {exc}", file=sys.stderr)
        return 2
    print(render_table(tally(results)))
    bad = {key: n for key, n in raised.items() if n}
    print("Items raising an exception: " + (", ".join(f"{k} {n}" for k, n in bad.items()) if bad else "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
