"""Bench what the description check adds to a check on the checker benchmark, in the same run.

    .venv/bin/python bench/description_check.py          # about eight minutes; --help for the knobs

The checker benchmark's farm (bench/link_check.py): 1,000 links over 100 loopback hosts answering in
200 ms, concurrency 32, 2 per host. Each link is a resource of the labelled set
(tests/links/data/descriptions) with its name and description, serving that case's pages, at two
weights: the set's own (~2.4 KB, like link_check.py's pages) and padded to a real home page's
(~88 KB: a 300-link menu, 60 KB of inline script and style, a long footer).

Timed: ``flask check-links --once`` as a whole process (start-up, claims, checks, the description
check's reading and judging, writes), wall and CPU seconds, over three passes on one registry:

    first check   every page new: read, judged, its baseline taken
    re-check      the same pages again: they read as before, the last judgement stands
    changed       the set's "after" pages: those that read differently are read and compared

once with the description check and once without it (``check.page_for`` stubbed out: the check as
it was before issue 12), alternating, so a busy moment on the machine hits both alike. Medians of
the rounds; the ratio with/without is what the description check adds (target: at most +20%).
"""
from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.checker_process import environment  # noqa: E402
from bench.link_check import start_servers  # noqa: E402  (the checker benchmark's farm)

PADDING_NAV = "".join(f'<li><a href="/section/{n}">Section {n} of the site</a></li>' for n in range(300))
PADDING_SCRIPT = "<script>window.__STATE__ = " + json.dumps({"k": ["x" * 60] * 600}) + ";</script>"
PADDING_STYLE = "<style>" + "".join(f".c{n}{{margin:{n}px;padding:{n}px}}" for n in range(800)) + "</style>"
PADDING_FOOTER = "".join(f'<li><a href="/footer/{n}">Footer link {n}</a></li>' for n in range(120))
PASSES = (("first check: every page new", "before"), ("re-check: pages as they were", "before"),
          ("changed: the set's after pages", "after"))
# check-links --once with or without the description check; the same imports either way
RUN = ("import sys\n"
       "import refsvc.links.check as check\n"
       "if sys.argv[1] == 'off':\n"
       "    check.page_for = lambda *args, **kwargs: None  # the check as it was before issue 12\n"
       "from flask.cli import main\n"
       "sys.argv = ['flask', '--app', 'wsgi', 'check-links', '--once']\n"
       "main()\n")
LOAD = ("import json, sys\n"
        "from refsvc import create_app\n"
        "from refsvc.storage import get_database, resources as store\n"
        "app = create_app()\n"
        "with get_database(app).transaction() as session:\n"
        "    for entry in json.load(sys.stdin):\n"
        "        store.create_resource(session, entry)\n")


def pad(page: str) -> str:
    """A labelled-set page with the weight of a real home page around the same content."""
    page = page.replace("</head>", PADDING_STYLE + PADDING_SCRIPT + "</head>", 1)
    page = page.replace("<ul class=\"menu\">", f"<ul class=\"menu\">{PADDING_NAV}", 1)
    page = page.replace("<ul class=\"nav__list\">", f"<ul class=\"nav__list\">{PADDING_NAV}", 1)
    return page.replace("</body>", f"<ul class=\"sitemap\">{PADDING_FOOTER}</ul></body>", 1)


def cases() -> list[dict]:
    """Each readable case: its site's name, its description, its page before and after (unpadded)."""
    from tests.links.description_set import load, page_html

    sites, descriptions, found = load()
    out = []
    for case in found:
        before, after = case.get("before") or {}, {**(case.get("before") or {}), **(case.get("after") or {})}
        if "serve" in after:
            continue
        site = sites[case["site"]]
        out.append({"name": site["name"], "description": case.get("description") or descriptions[case["site"]],
                    "before": page_html(site, before), "after": page_html(site, after)})
    return out


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once, not 40 ms apart (delayed ACK)
    delay = 0.2
    pages: dict[str, list[bytes]] = {}  # "before"/"after" -> the cases' pages
    phase = "before"

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        time.sleep(self.delay)
        pages = self.pages[self.phase]
        body = pages[int(self.path.rsplit("/", 1)[-1]) % len(pages)] if self.path.startswith("/page/") else b""
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _database(env: dict[str, str]) -> sqlite3.Connection:
    return sqlite3.connect(env["REFSVC_DATABASE_URL"][len("sqlite:///"):], timeout=30)


def _timed(cmd: list[str], env: dict[str, str], args: argparse.Namespace) -> tuple[float, float]:
    """Run a process to its end; its wall time and CPU seconds (user + system)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=args.max_seconds)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        sys.exit(f"check-links failed:\n{done.stdout[-1000:]}\n{done.stderr[-3000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def run_passes(mode: str, urls: list[str], found: list[dict], tmp: Path, name: str,
               args: argparse.Namespace) -> list[dict]:
    """A fresh registry of ``urls``, then the three passes of check-links --once (mode 'on'/'off')."""
    env = environment(tmp, name, args)
    entries = [{"id": f"r{n}", "name": found[n % len(found)]["name"], "url": url,
                "description": found[n % len(found)]["description"]} for n, url in enumerate(urls)]
    subprocess.run([sys.executable, "-c", LOAD], input=json.dumps(entries), env=env, cwd=ROOT, check=True,
                   text=True, timeout=300, capture_output=True)
    passes = []
    for n, (_, phase) in enumerate(PASSES):
        _Handler.phase = phase
        with _database(env) as db:  # every resource due now, the next pass's checks newer than these
            db.execute("UPDATE health_states SET next_check_at = "
                       "(SELECT created_at FROM resources WHERE resources.id = health_states.resource_id)")
            last = db.execute("SELECT coalesce(max(id), 0) FROM checks").fetchone()[0]
        wall, cpu = _timed([sys.executable, "-c", RUN, mode], env, args)
        with _database(env) as db:
            rows = db.execute("SELECT json_extract(result, '$.description.verdict'), "
                              "json_extract(result, '$.description.unchanged') FROM checks WHERE id > ?",
                              (last,)).fetchall()
        passes.append({"wall": wall, "cpu": cpu, "checked": len(rows),
                       "read": sum(1 for verdict, unchanged in rows if verdict and not unchanged)})
    return passes


def bench_weight(weight: str, urls: list[str], found: list[dict], tmp: Path, args: argparse.Namespace) -> None:
    """Serve the cases' pages at ``weight``, run the rounds, print the table."""
    shape = pad if weight == "home" else (lambda page: page)
    _Handler.pages = {phase: [shape(c[phase]).encode() for c in found] for phase in ("before", "after")}
    size = statistics.mean(len(p) for p in _Handler.pages["before"]) / 1024
    runs: dict[str, list[list[dict]]] = {"off": [], "on": []}
    for n in range(args.rounds):  # alternating, so a busy moment on the machine hits both alike
        for mode in ("off", "on"):
            runs[mode].append(run_passes(mode, urls, found, tmp, f"{weight}-{mode}-{n}", args))
    print(f"\n### pages of ~{size:.0f} KB ({weight})\n")
    print("| pass | wall without / with (s) | added wall | CPU without / with (s) | added CPU | "
          "checks | pages read |")
    print("|---|---|---|---|---|---|---|")
    for n, (label, _) in enumerate(PASSES):
        off = {k: statistics.median(r[n][k] for r in runs["off"]) for k in ("wall", "cpu", "checked")}
        on = {k: statistics.median(r[n][k] for r in runs["on"]) for k in ("wall", "cpu", "checked", "read")}
        wall, cpu = on["wall"] / off["wall"] - 1, on["cpu"] / off["cpu"] - 1
        verdict = "" if wall <= args.target else " (over)"
        print(f"| {label} | {off['wall']:.2f} / {on['wall']:.2f} | {wall * 100:+.0f}%{verdict} | "
              f"{off['cpu']:.2f} / {on['cpu']:.2f} | {cpu * 100:+.0f}% | {on['checked']:.0f} | {on['read']:.0f} |")


def main() -> None:
    """Serve the pages, run the rounds per page weight, print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--links", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--per-host", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--weights", default="plain,home", help="plain (the set's pages), home (padded), or both")
    parser.add_argument("--target", type=float, default=0.2, help="the most the description check may add")
    parser.add_argument("--max-seconds", type=float, default=300, help="each process's time limit")
    args = parser.parse_args()

    found = cases()
    bases = start_servers(args.hosts, _Handler)
    urls = [f"{bases[n % len(bases)]}/page/{n}" for n in range(args.links)]
    print(f"{args.links} links (the labelled set's {len(found)} readable cases, each with its description) "
          f"over {args.hosts} loopback hosts answering in {_Handler.delay * 1000:.0f} ms; global "
          f"{args.concurrency}, per host {args.per_host}; `flask check-links --once`, whole process, without "
          f"and with the description check; medians of {args.rounds} alternating rounds")
    with tempfile.TemporaryDirectory() as tmp:
        for weight in args.weights.split(","):
            bench_weight(weight.strip(), urls, found, Path(tmp), args)


if __name__ == "__main__":
    main()
