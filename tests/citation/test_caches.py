"""Compiled styles and engines are kept in bounded, thread-safe LRU caches; house styles resolve and render."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

from refsvc.citation import api, cite_item
from refsvc.citation.api import LRU
from refsvc.citation.catalogue import resolve, style_file

ROOT = Path(__file__).resolve().parents[2]

# Runs in a fresh interpreter so its memory is this work's alone: renders one item in each of a random
# sample of bundled styles and prints the resident memory after the first and the second half.
MEASURE = r"""
import gc, json, random, sys
from refsvc.citation import cite_item
from refsvc.citation.catalogue import LIBRARY_DIR

def rss_mib():
    gc.collect()
    with open("/proc/self/status") as fh:
        return next(int(l.split()[1]) for l in fh if l.startswith("VmRSS:")) / 1024

count, seed = int(sys.argv[1]), int(sys.argv[2])
ids = sorted(p.stem for p in LIBRARY_DIR.glob("*.csl"))
sample = random.Random(seed).sample(ids, count)
item = {"id": "a", "type": "article-journal", "title": "Therapy outcomes", "container-title": "J",
        "author": [{"family": "Chen", "given": "Christine"}], "issued": {"date-parts": [[2020, 5]]},
        "volume": "3", "page": "1-9"}
marks = [rss_mib()]
for i, style_id in enumerate(sample):
    cite_item(item, style_id)
    if i in (count // 2 - 1, count - 1):
        marks.append(rss_mib())
print(json.dumps(marks))
"""


def _memory_marks(count: int, cache_size: int | None, seed: int = 7) -> list[float]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("REFSVC_STYLE_CACHE_SIZE", None)
    if cache_size is not None:
        env["REFSVC_STYLE_CACHE_SIZE"] = str(cache_size)
    out = subprocess.run([sys.executable, "-c", MEASURE, str(count), str(seed)], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=600, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_memory_stops_growing_once_the_style_cache_is_full() -> None:
    # 800 random bundled styles (the figure) with room for 40: the second 400 only replace
    # cached ones. A small size keeps the first half's growth (what the bound is relative to) modest.
    start, half, end = _memory_marks(800, cache_size=40)
    first, second = half - start, end - half
    assert second < 0.3 * first + 5, f"first half grew {first:.1f} MiB, second half {second:.1f} MiB"


def test_the_lru_keeps_the_most_recently_used_entries_only() -> None:
    cache = LRU(2)
    built = []
    for key in ("a", "b", "a", "c", "a", "b"):
        cache.get_or_build(key, lambda k=key: built.append(k) or k.upper())
    assert built == ["a", "b", "c", "b"]  # "b" was the least recently used when "c" came
    assert len(cache) == 2


def test_the_lru_builds_one_value_that_all_threads_share() -> None:
    cache = LRU(4)
    seen = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        barrier.wait()
        seen.append(cache.get_or_build("k", object))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(v) for v in seen}) == 1


def test_the_style_and_engine_caches_are_bounded_by_the_setting() -> None:
    old = (api._styles, api._engines)
    try:
        api.set_cache_size(3)
        for style_id in ("apa", "modern-language-association", "chicago-author-date", "ieee", "nature",
                         "vancouver"):
            cite_item({"id": "a", "type": "book", "title": "T"}, style_id)
        assert len(api._styles) <= 3 and len(api._engines) <= 3
    finally:
        api._styles, api._engines = old


HOUSE_ITEM = {"id": "seed", "type": "webpage", "title": "Dynamic interpersonal therapy in London",
              "author": [{"literal": "Harley Therapy Ltd."}], "issued": {"date-parts": [[2022, 1, 20]]},
              "accessed": {"date-parts": [[2022, 8, 11]]}, "URL": "https://example.org/dit"}


def test_a_house_style_in_the_styles_folder_resolves_to_its_own_file() -> None:
    assert resolve("house") == "house-author-date"
    assert style_file("house-author-date") == ROOT / "styles" / "house-author-date.csl"


def test_a_house_style_renders_through_the_engine() -> None:
    # the strings citeproc-js 1.4.61 gives for this item and styles/house-author-date.csl (en-GB)
    got = cite_item(HOUSE_ITEM, "house-author-date", "en-GB")
    assert got["bibliography"]["text"] == ("Harley Therapy Ltd. (2022). Dynamic interpersonal therapy in London. "
                                           "https://example.org/dit. Accessed 11 August 2022.")
    assert got["in_text"]["text"] == "(Harley Therapy Ltd., 2022)"


def test_a_house_style_is_served_by_the_citations_endpoint(client) -> None:
    response = client.post("/v1/citations", json={"csl": HOUSE_ITEM, "styles": ["house"], "locale": "en-GB"})
    assert response.status_code == 200, response.json
    body = json.dumps(response.json)
    assert "Harley Therapy Ltd. (2022). Dynamic interpersonal therapy in London." in body
    assert "house-author-date" in body
