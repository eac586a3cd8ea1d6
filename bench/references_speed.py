"""Reference lists of 50, 200 and 500 works in every style: refsvc against citeproc-js, in one run.

    .venv/bin/python bench/references_speed.py [--sizes 50,200,500] [--passes 3] [--locale en-US]

Needs node and tools/citeproc-js/node_modules (cd tools/citeproc-js && npm ci). The lists are made
here, the same for both engines: surnames shared by many works, few years (so 2014a/2014b, added
initials and added names have work to do), books, articles and web pages, and one citation per work
in clusters of one to three, with locators and repeats (ibid, subsequent). The timed work is what
POST /v1/references does: the bibliography and every citation in order, in text and in HTML
(refsvc: refsvc.citation.reflist.reference_list; citeproc-js: tools/citeproc-js/reflist_bench.js).
Each pass renames the works, so no cache keyed by item helps; the figure is the fastest of the passes
after one warm-up. Styles are measured one at a time, citeproc-js then refsvc, so both meet the same
load on a shared machine. Growth: how time grows from the smallest to the largest list, as the exponent k of
time ~ n^k (n log n from 50 to 500 is k ~ 1.2). Not a test: a figure.
"""
from __future__ import annotations

import argparse
import copy
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

from refsvc.citation.reflist import reference_list  # noqa: E402

STYLES = ("apa", "modern-language-association", "chicago-notes-bibliography", "chicago-author-date",
          "chicago-notes-bibliography-subsequent-ibid", "oscola", "ieee")
SURNAMES = ["Smith", "Jones", "Patel", "Brown", "Khan", "Taylor", "Wilson", "Evans", "Roberts",
            "Walker", "Wright", "Thompson", "White", "Hughes", "Edwards", "Green", "Hall", "Wood"]
GIVEN = ["Anna", "Alan", "Beth", "Ben", "Chloe", "Carl", "Dina", "David", "Emma", "Eric"]
WORDS = ["therapy", "anxiety", "care", "outcomes", "groups", "waiting", "lists", "alliance", "stepped",
         "primary", "trauma", "sleep", "mood", "practice", "review", "trial", "young", "adults"]


def make_list(n: int, seed: int = 7) -> dict:
    """n works with shared surnames and years, and their citations (a document citing each once)."""
    rng = random.Random(seed * 1000 + n)
    people = [(rng.choice(SURNAMES[: max(4, n // 25)]), rng.choice(GIVEN[:4])) for _ in range(n)]
    items = []
    for k in range(n):
        authors = [people[k]] + [people[rng.randrange(n)] for _ in range(rng.choice([0, 0, 1, 2, 3]))]
        kind = rng.choice(["article-journal", "article-journal", "book", "webpage"])
        item = {"id": f"w{k}", "type": kind,
                "author": [{"family": f, "given": g} for f, g in authors],
                "title": " ".join(rng.choice(WORDS) for _ in range(4)).capitalize(),
                "issued": {"date-parts": [[rng.choice([2014, 2014, 2015, 2016])]]}}
        if kind == "article-journal":
            item.update({"container-title": "Journal of Counselling", "volume": str(rng.randint(1, 40)),
                         "page": f"{rng.randint(1, 90)}-{rng.randint(91, 200)}"})
        elif kind == "book":
            item.update({"publisher": "Routledge", "publisher-place": "London"})
        else:
            item.update({"container-title": "Mind", "URL": f"https://www.mind.org.uk/page-{k}/"})
        items.append(item)
    order = list(range(n))
    rng.shuffle(order)
    citations, k = [], 0
    while k < n:
        size = rng.choice([1, 1, 2, 3])
        cites = [{"id": f"w{j}"} for j in order[k:k + size]]
        if rng.random() < 0.3:
            cites[0].update(locator=str(rng.randint(1, 300)), label="page")
        citations.append({"cites": cites})
        if rng.random() < 0.2:  # the same work again: ibid or subsequent
            citations.append({"cites": [dict(cites[0], locator=str(rng.randint(1, 300)))]})
        k += size
    return {"items": items, "citations": citations}


def renamed(work: dict, n: int) -> dict:
    """The same list with ids and titles never used before (pass n)."""
    items = []
    for item in work["items"]:
        twin = copy.deepcopy(item)
        twin["id"] = f"{item['id']}~p{n}"
        twin["title"] = f"{twin['title']} {n}"
        items.append(twin)
    citations = [dict(c, cites=[dict(x, id=f"{x['id']}~p{n}") for x in c["cites"]])
                 for c in work["citations"]]
    return {"items": items, "citations": citations}


def time_refsvc(work: dict, style: str, locale: str, passes: int) -> float:
    """Fastest of `passes` renderings (after one warm-up) of the whole list, text and HTML."""
    best = math.inf
    for k in range(passes + 1):
        fresh = renamed(work, k)
        start = time.perf_counter()
        reference_list(fresh["items"], fresh["citations"], style, locale, ("text", "html"))
        if k:
            best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50,200,500")
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--locale", default="en-US")
    parser.add_argument("--styles", default=",".join(STYLES))
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    styles = args.styles.split(",")
    lists = {str(n): make_list(n) for n in sizes}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(lists, fh)
    print(f"Reference lists, text + HTML, {args.locale}: seconds per list (fastest of {args.passes} "
          "passes), refsvc vs citeproc-js 1.4.61 in the same run, style by style")
    print("| style | works | refsvc s | citeproc-js s | citeproc-js / refsvc |")
    print("|---|---:|---:|---:|---:|")
    growth = {}
    for style in styles:
        # one style at a time, citeproc-js then refsvc, so both see the same load on a shared machine
        js = json.loads(subprocess.run(
            ["node", str(ROOT / "tools" / "citeproc-js" / "reflist_bench.js"), "--input", fh.name,
             "--styles", style, "--locale", args.locale, "--passes", str(args.passes)],
            check=True, capture_output=True, text=True,
            env={**os.environ, "PYTHON": sys.executable}).stdout)[style]  # where the style files are
        ours = {n: time_refsvc(lists[str(n)], style, args.locale, args.passes) for n in sizes}
        for n in sizes:
            theirs = js[str(n)]
            print(f"| {style} | {n} | {ours[n]:.3f} | {theirs:.3f} | {theirs / ours[n]:.1f}x |", flush=True)
        lo, hi = sizes[0], sizes[-1]
        if lo == hi:  # one size: no growth to tell
            continue
        growth[style] = (math.log(ours[hi] / ours[lo]) / math.log(hi / lo),
                         math.log(js[str(hi)] / js[str(lo)]) / math.log(hi / lo))
    Path(fh.name).unlink()
    if not growth:
        return
    nlogn = math.log((sizes[-1] * math.log(sizes[-1])) / (sizes[0] * math.log(sizes[0]))) / \
        math.log(sizes[-1] / sizes[0])
    print(f"\nGrowth from {sizes[0]} to {sizes[-1]} works as the exponent k of time ~ n^k "
          f"(n log n: k = {nlogn:.2f}; n^2: k = 2)")
    print("| style | refsvc k | citeproc-js k |")
    print("|---|---:|---:|")
    for style, (ours_k, theirs_k) in growth.items():
        print(f"| {style} | {ours_k:.2f} | {theirs_k:.2f} |")


if __name__ == "__main__":
    main()
