"""100 distinct DOIs through POST /v1/citations/batch against a local resolver answering in 100 ms.

Run: .venv/bin/python bench/doi_batch.py [--dois 100] [--rate 10] [--latency 0.1] [--direct]

The outbound rate limit (LOOKUP_RATE requests/s for resolver and Crossref together) sets the bound:
N / LOOKUP_RATE seconds. The batch must finish within 15% of it (faster is impossible by design:
the limiter spaces request starts 1/rate apart). Measured in the same run, for comparison: the same
batch with the limit lifted (what concurrency and latency alone allow), and the batch again once
cached (no outbound request at all). ``--direct`` drives the Resolver with a thread pool instead of
the endpoint. The resolver stand-in is a threaded loopback server; nothing leaves the machine.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TEMPLATE = {"type": "article-journal", "title": "Brief therapy study number {n}", "container-title": "Psychotherapy",
            "volume": "57", "issue": "3", "page": "464-468", "issued": {"date-parts": [[2020, 9]]},
            "author": [{"family": "Chen", "given": "Christine K."}, {"family": "Wang", "given": "Bing"}]}


class _Resolver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    latency = 0.1
    hits: list[float] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        self.hits.append(time.monotonic())
        time.sleep(self.latency)
        doi = self.path.split("/doi/", 1)[-1]
        item = dict(TEMPLATE, DOI=doi, title=TEMPLATE["title"].format(n=doi.rsplit(".", 1)[-1]))
        body = json.dumps(item).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/vnd.citationstyles.csl+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _settings(base: str, rate: float, workdir: str, tag: str) -> dict:
    return {"DOI_RESOLVER": f"{base}/doi", "CROSSREF_API": f"{base}/crossref", "ALLOW_PRIVATE_ADDRESSES": "1",
            "LOOKUP_RATE": rate, "LOOKUP_CONCURRENCY": 3, "LOOKUP_TIMEOUT": 120.0,
            "HTTP_CACHE_PATH": f"{workdir}/{tag}-cache.sqlite", "DATABASE_URL": f"sqlite:///{workdir}/{tag}.sqlite"}


def run_batch(settings: dict, dois: list[str], direct: bool) -> tuple[float, int, float]:
    """(seconds for the first batch, entries that succeeded, seconds for the same batch again)."""
    if direct:
        from refsvc.metadata import Resolver

        resolver = Resolver.from_settings(settings)

        def once() -> int:
            with ThreadPoolExecutor(max_workers=12) as pool:
                return sum(1 for lookup in pool.map(resolver.doi, dois) if lookup.item)
    else:
        import os

        from refsvc import create_app

        os.environ["REFSVC_INSTANCE_PATH"] = str(Path(settings["HTTP_CACHE_PATH"]).parent / "instance")
        client = create_app(settings).test_client()
        body = {"entries": [{"doi": d} for d in dois], "styles": ["apa"], "formats": ["text"]}

        def once() -> int:
            answer = client.post("/v1/citations/batch", json=body)
            assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
            return sum(1 for r in answer.get_json()["results"] if r["status"] == 200)

    started = time.monotonic()
    ok = once()
    first = time.monotonic() - started
    started = time.monotonic()
    once()
    return first, ok, time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dois", type=int, default=100)
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--direct", action="store_true", help="drive the Resolver, not the endpoint")
    args = parser.parse_args()
    _Resolver.latency = args.latency
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Resolver)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    dois = [f"10.5555/bench.{n}" for n in range(args.dois)]
    way = "Resolver + thread pool" if args.direct else "POST /v1/citations/batch"
    with tempfile.TemporaryDirectory() as workdir:
        unlimited, ok_u, _ = run_batch(_settings(base, 1000.0, workdir, "unlimited"), dois, args.direct)
        _Resolver.hits.clear()
        limited, ok, cached = run_batch(_settings(base, args.rate, workdir, "limited"), dois, args.direct)
        hits = list(_Resolver.hits)
    server.shutdown()
    bound = args.dois / args.rate
    peak = max(sum(1 for t in hits if s <= t < s + 1.0) for s in hits) if hits else 0
    ratio = limited / bound
    print(f"{args.dois} distinct DOIs via {way}; resolver latency {args.latency * 1000:.0f} ms, "
          f"LOOKUP_RATE {args.rate:g}/s, LOOKUP_CONCURRENCY 3")
    print(f"  rate-limited batch:  {limited:6.2f} s  ({ok}/{args.dois} ok)   bound {bound:.2f} s   "
          f"ratio {ratio:.3f}  (target <= 1.15)")
    print(f"  limit lifted:        {unlimited:6.2f} s  ({ok_u}/{args.dois} ok)   (latency x concurrency only)")
    print(f"  same batch, cached:  {cached:6.2f} s  (outbound requests in the limited run: {len(hits)}, "
          f"peak {peak} in any 1 s window)")
    within = ok == args.dois and 0.95 <= ratio <= 1.15
    print("  PASS" if within else "  FAIL")
    return 0 if within else 1


if __name__ == "__main__":
    sys.exit(main())
