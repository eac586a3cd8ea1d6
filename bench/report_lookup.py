"""How long a visitor's report takes to find its resource by URL: the indexed lookup
(resources.url_key) as a ratio of reading every resource and comparing link keys in Python (the
way before migration 0006), on the same SQLite registry in the same run.

Run: .venv/bin/python bench/report_lookup.py [--resources 5000] [--lookups 200]
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from refsvc.metadata.urls import link_key
from refsvc.storage import Database, Resource
from refsvc.storage import resources as store


def scan(session, url: str):
    """The lookup before 0006: every resource read, its URL's link key compared."""
    wanted = link_key(url)
    for resource in session.scalars(select(Resource)):
        if link_key(resource.url) == wanted:
            return resource
    return None


def timed(database: Database, find, urls: list[str]) -> float:
    start = time.perf_counter()
    for url in urls:
        with database.transaction() as session:
            assert find(session, url) is not None
    return (time.perf_counter() - start) / len(urls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=5000)
    parser.add_argument("--lookups", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database = Database(f"sqlite:///{Path(folder) / 'bench.sqlite'}")
        database.upgrade()
        with database.transaction() as session:
            for n in range(args.resources):
                store.create_resource(session, {"id": f"r{n}", "name": f"Resource {n}",
                                                "url": f"https://www.site{n}.example.org/page/{n}"})
        # spread over the registry, spelled the way visitors do (no www., a trailing slash)
        step = max(1, args.resources // args.lookups)
        urls = [f"http://site{n}.example.org/page/{n}/" for n in range(0, args.resources, step)]
        scanned = timed(database, scan, urls)
        indexed = timed(database, store.find_by_url, urls)
        database.dispose()
    print(f"{args.resources} resources, {len(urls)} lookups")
    print(f"  scan (before 0006):  {scanned * 1000:8.2f} ms per report")
    print(f"  indexed url_key:     {indexed * 1000:8.2f} ms per report   ratio {indexed / scanned:.4f}"
          f" ({scanned / indexed:.0f}x faster)")


if __name__ == "__main__":
    main()
