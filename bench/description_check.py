"""Bench the description check: what reading and judging a page adds to a check, in the same run.

    .venv/bin/python bench/description_check.py          # about a minute; --help for the knobs

The labelled set's "after" pages (tests/links/data/descriptions), padded to the weight of a real home
page (a 300-link menu, 60 KB of inline script and style, a long footer: ~110 KB), are served by loopback
hosts answering in 200 ms, like bench/link_check.py. Child processes run the checker over them,
alternating: without the description check (the page is not read for it), and with it (read with
trafilatura during the check, then judged against the description and the stored baseline, as the
recorder does). Medians of the rounds; the ratio is the cost the description check adds.
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PADDING_NAV = "".join(f'<li><a href="/section/{n}">Section {n} of the site</a></li>' for n in range(300))
PADDING_SCRIPT = "<script>window.__STATE__ = " + json.dumps({"k": ["x" * 60] * 600}) + ";</script>"
PADDING_STYLE = "<style>" + "".join(f".c{n}{{margin:{n}px;padding:{n}px}}" for n in range(800)) + "</style>"
PADDING_FOOTER = "".join(f'<li><a href="/footer/{n}">Footer link {n}</a></li>' for n in range(120))


def pad(page: str) -> str:
    """A labelled-set page with the weight of a real home page around the same content."""
    page = page.replace("</head>", PADDING_STYLE + PADDING_SCRIPT + "</head>", 1)
    page = page.replace("<ul class=\"menu\">", f"<ul class=\"menu\">{PADDING_NAV}", 1)
    page = page.replace("<ul class=\"nav__list\">", f"<ul class=\"nav__list\">{PADDING_NAV}", 1)
    return page.replace("</body>", f"<ul class=\"sitemap\">{PADDING_FOOTER}</ul></body>", 1)


def cases() -> list[dict]:
    """Each readable case: its name, description, baseline page and the page now (padded)."""
    from tests.links.description_set import load, page_html

    sites, descriptions, found = load()
    out = []
    for case in found:
        before, after = case.get("before") or {}, {**(case.get("before") or {}), **(case.get("after") or {})}
        if "serve" in after:
            continue
        site = sites[case["site"]]
        out.append({"name": site["name"], "description": case.get("description") or descriptions[case["site"]],
                    "before": pad(page_html(site, before)), "after": pad(page_html(site, after))})
    return out


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    delay = 0.2
    pages: list[bytes] = []

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        time.sleep(self.delay)
        body = self.pages[int(self.path.rsplit("/", 1)[-1]) % len(self.pages)] if self.path != "/robots.txt" else b""
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def child(args: argparse.Namespace) -> None:
    """Check the URLs twice (with or without the description check); print each pass's time as JSON.

    With it, each result is judged as the recorder does (refsvc.links.description_check): read and
    judged when the page, description or baseline changed since the last judgement, else the last
    judgement stands. The first pass finds every page new; the second finds them as they were.
    """
    from refsvc.links import check as check_module
    from refsvc.links.description import PageText, pack, read_record, read_text, unpack
    from refsvc.links.description_verdict import observe
    from refsvc.links.runner import LinkJob, check_many
    from refsvc.metadata.http import GuardedClient

    spec = json.loads(Path(args.child).read_text())
    found = cases()
    # baselines as the database holds them: compressed main text, read back per judgement
    baselines = [(c, pack(read_text(c["before"], content_type="text/html").main_text),
                  read_text(c["before"], content_type="text/html")) for c in found]
    if not args.describe:
        check_module.page_for = lambda *a, **k: None  # the check as it was before issue 12
    client = GuardedClient("refsvc-bench (mailto:bench@example.org)", allow_private=True, pool_maxsize=64)
    last: dict[str, str] = {}
    passes = []
    for _ in range(2):
        jobs = (LinkJob(str(n), url, found[n % len(found)]["name"]) for n, url in enumerate(spec["urls"]))
        judged = 0
        start, cpu = time.perf_counter(), time.process_time()
        for result in check_many(jobs, client=client, concurrency=args.concurrency, per_host=2, host_spacing=0,
                                 soft404=False):
            data = result.description_page
            if not args.describe or not data:
                continue
            case, packed, base = baselines[int(result.key) % len(baselines)]
            if last.get(result.key) == data.get("seen"):
                continue  # reads as at the last check: the last judgement stands
            baseline = PageText(**{**base.to_dict(), "main_text": unpack(packed), "headings": base.headings})
            observe(case["description"], read_record(data), baseline, name=case["name"])
            last[result.key] = data.get("seen")
            judged += 1
        passes.append({"elapsed": time.perf_counter() - start, "cpu": time.process_time() - cpu,
                       "judged": judged})
    print(json.dumps({"passes": passes, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def run(listing: Path, describe: bool, args: argparse.Namespace) -> dict:
    """One child run over the URLs; its two passes' times."""
    cmd = [sys.executable, __file__, "--child", str(listing), "--concurrency", str(args.concurrency)]
    done = subprocess.run(cmd + (["--describe"] if describe else []), capture_output=True, text=True,
                          timeout=args.max_seconds)
    if done.returncode:
        sys.exit(f"child failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    """Serve the pages, run the children alternately, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--links", type=int, default=500)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--max-seconds", type=float, default=300)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--describe", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)

    found = cases()
    _Handler.pages = [c["after"].encode() for c in found]
    bases = []
    for i in range(args.hosts):
        server = ThreadingHTTPServer((f"127.0.0.{2 + i}", 0), _Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        bases.append(f"http://127.0.0.{2 + i}:{server.server_address[1]}")
    urls = [f"{bases[n % len(bases)]}/page/{n}" for n in range(args.links)]
    size = statistics.mean(len(p) for p in _Handler.pages) / 1024
    without, with_ = [], []
    with tempfile.TemporaryDirectory() as tmp:
        listing = Path(tmp) / "urls.json"
        listing.write_text(json.dumps({"urls": urls}))
        for _ in range(args.rounds):  # alternating, so a busy moment on the machine hits both alike
            without.append(run(listing, False, args))
            with_.append(run(listing, True, args))
    print(f"{args.links} checks of the labelled set's pages (~{size:.0f} KB each) over {args.hosts} loopback hosts "
          f"answering in {_Handler.delay * 1000:.0f} ms; concurrency {args.concurrency}; medians of "
          f"{args.rounds} alternating rounds\n")
    print("| pass | checker alone (s) | with description check (s) | added time | CPU alone / with (s) | pages judged |")
    print("|---|---|---|---|---|---|")
    verdict = {}
    for n, label in enumerate(("first check: every page new", "next check: pages as they were")):
        alone = {k: statistics.median(r["passes"][n][k] for r in without) for k in ("elapsed", "cpu")}
        both = {k: statistics.median(r["passes"][n][k] for r in with_) for k in ("elapsed", "cpu", "judged")}
        added = both["elapsed"] / alone["elapsed"] - 1
        verdict[n] = added
        print(f"| {label} | {alone['elapsed']:.2f} | {both['elapsed']:.2f} | {added * 100:+.0f}% | "
              f"{alone['cpu']:.2f} / {both['cpu']:.2f} | {both['judged']:.0f} |")
    peak = (statistics.median(r["peak_mb"] for r in without), statistics.median(r["peak_mb"] for r in with_))
    print(f"\npeak RSS {peak[0]:.0f} MB alone, {peak[1]:.0f} MB with the description check")
    print(f"re-checks (the daily case) within +20%: {'PASS' if verdict[1] <= 0.2 else 'MISS'}; "
          f"first checks: {verdict[0] * 100:+.0f}%")


if __name__ == "__main__":
    main()
