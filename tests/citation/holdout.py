"""A held-out check: new items the engine was never tuned on, rendered by citeproc-js and by refsvc.

    .venv/bin/python -m tests.citation.holdout [--seed 1] [--count 200] [--out DIR]

Builds `count` items by recombining the corpus (fields swapped between items of one type, names, titles
and dates drawn from pools of awkward cases), plus bibliography and citation cases over them, renders
them with tools/citeproc-js/render.js (needs node and `npm ci` there), and prints the match table and
the differing text outputs. A corpus that is matched 100% can still hide rules fitted to its items;
this shows them. Not a test (it needs node): a tool for the engine's authors.
"""
from __future__ import annotations

import argparse
import copy
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.citation import corpus_harness as h
from tests.citation import corpus_report

ROOT = Path(__file__).resolve().parents[2]
NAMES = [
    {"family": "Nguyen", "given": "Thi Mai"}, {"family": "García Márquez", "given": "Ana"},
    {"family": "Okafor", "given": "Chidi"}, {"family": "Meer", "given": "Jan", "non-dropping-particle": "van der"},
    {"family": "Clarke", "given": "E. J."}, {"literal": "Samaritans"}, {"family": "李", "given": "娜"},
    {"family": "MacDonald", "given": "Iain"}, {"family": "Beauvoir", "given": "Simone", "non-dropping-particle": "de"},
    {"family": "Humboldt", "given": "Wilhelm", "dropping-particle": "von"}, {"family": "Lewis", "given": "John",
                                                                           "suffix": "Jr."},
    {"family": "O'Brien", "given": "Aoife"}, {"literal": "Royal College of Psychiatrists"},
    {"family": "Müller-Lüdenscheidt", "given": "Hans-Peter"}, {"family": "Smith", "given": "J."},
    {"family": "Banksy"}, {"literal": "The King's Fund"}, {"family": "Ng", "given": "Wai-Ling"},
    {"family": "Alighieri", "given": "Dante", "dropping-particle": "degli"}, {"family": "Smith", "given": "Jane A."},
]
TITLES = [
    "Why do I feel numb? Understanding emotional blunting", "Grief, loss and the holidays: A guide",
    'Living with OCD: "Intrusive thoughts" explained', "The role of sleep in recovery from burnout!",
    "Panic disorder in teenagers: Signs and support", "Co-design in mental health services: Lessons from the UK",
    "Self-harm and young people: What parents can do", "<i>Mens sana</i>: Exercise and the anxious mind",
    'Apps vs. therapists: Is <span class="nocase">eHealth</span> enough?', "Loneliness in later life",
    "What is cognitive analytic therapy (CAT)?", "Men's mental health: The silent crisis",
]
DATES = [[[2018]], [[2020, 3]], [[2023, 11, 5]], [[2017, 21]], [[2019, 24]], [[2022, 1, 1]], [[2015, 12]],
         [[2021, 6, 30], [2021, 7, 2]], [[2010], [2012]]]
SWAPPABLE = ["webpage", "post-weblog", "article-magazine", "article-newspaper", "post", "report", "book"]
FIELDS = ("container-title", "publisher", "publisher-place", "volume", "issue", "page", "DOI", "URL",
          "edition", "genre", "number", "accessed", "editor", "translator")


def make_items(base: list[dict], count: int, rng: random.Random) -> list[dict]:
    """`count` new items recombined from the corpus."""
    by_type: dict[str, list[dict]] = {}
    for item in base:
        by_type.setdefault(item["type"], []).append(item)
    out = []
    for n in range(count):
        item = copy.deepcopy(rng.choice(base))
        item["id"] = f"held-{n}"
        if item["type"] in SWAPPABLE and rng.random() < 0.2:  # the same fields under a neighbouring type
            item["type"] = rng.choice(SWAPPABLE)
        donor = rng.choice(by_type[item["type"]])
        if rng.random() < 0.5:
            item["title"] = rng.choice(TITLES)
        if "author" in item and rng.random() < 0.6:
            item["author"] = rng.sample(NAMES, rng.choice([1, 2, 3, 4, 7]))
        roll = rng.random()
        if roll < 0.4:
            item["issued"] = {"date-parts": rng.choice(DATES)}
        elif roll < 0.5:
            item.pop("issued", None)
        for field in FIELDS:
            if field in donor and rng.random() < 0.3:
                item[field] = copy.deepcopy(donor[field])
        out.append(item)
    return out


def make_cases(items: list[dict], rng: random.Random) -> list[dict]:
    """Bibliographies and citations over random groups of the new items."""
    ids = [item["id"] for item in items]
    cases = []
    for k in range(3):
        cases.append({"id": f"held-bib-{k}", "kind": "bibliography", "items": rng.sample(ids, min(15, len(ids)))})
        group = rng.sample(ids, min(8, len(ids)))
        cites = [{"id": i} for i in rng.sample(group, min(3, len(group)))]
        cites[0].update(locator="12", label="page")
        cases.append({"id": f"held-cite-{k}", "kind": "citation", "items": group, "cites": cites})
    return cases


def main() -> int:
    """Builds, renders with citeproc-js, compares; prints the table and the differences."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--out", type=Path, help="folder for items, cases and fixtures (default: a temp dir)")
    parser.add_argument("--show", type=int, default=30, help="how many differing text outputs to print")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    out = args.out or Path(tempfile.mkdtemp(prefix="refsvc-holdout-"))
    out.mkdir(parents=True, exist_ok=True)
    items = make_items(list(h.load_items().values()), args.count, rng)
    (out / "items.json").write_text(json.dumps(items, ensure_ascii=False, indent=1), encoding="utf-8")
    (out / "cases.json").write_text(json.dumps(make_cases(items, rng), indent=1), encoding="utf-8")
    subprocess.run(["node", "render.js", "--corpus", str(out)], cwd=ROOT / "tools" / "citeproc-js",
                   check=True, stdout=subprocess.DEVNULL)
    h.use_corpus(out)
    results = h.run_all()
    print(f"held-out items (seed {args.seed}) in {out}\n")
    print(corpus_report.render_table(corpus_report.tally(results)))
    shown = 0
    for case in h.all_cases():
        ok, why = results[case.id]
        if not ok and case.fmt == "text" and shown < args.show:
            shown += 1
            print(f"- {case.id}: {why}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
