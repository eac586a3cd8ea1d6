"""Bench the link checker: 1,000 links over 100 loopback hosts answering in 200 ms, against the bound
the limits imply and against LinkChecker on the same links in the same run; then peak memory for 10,000.

    .venv/bin/pip install -r requirements-bench.txt      # LinkChecker, for the side-by-side run
    .venv/bin/python bench/link_check.py                 # a few minutes; --help for the knobs
    .venv/bin/python bench/link_check.py --redis redis://127.0.0.1:6379/14   # + 1 vs 2 Celery workers

The headline figure is ``python -m refsvc.worker check-links --once`` as a whole process, start to exit (start-up,
claims, checks and database writes included), against the bound and against LinkChecker's whole
process; the runner alone (check_many) is shown too.

Each host is a real HTTP server bound on its own address (127.0.0.2 ...). The checkers run in child
processes (so their peak RSS is their own); the servers run here. Limits: global 32, per host 2,
spacing 0. LinkChecker has no per-host concurrency limit: its closest knob, the per-host request rate,
is lifted (maxrequestspersecond=1000, and the servers send the ``LinkChecker`` header that lets it go
past 10/s), so it is never held to more than our limits.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.checker_process import run_celery, run_check_links  # noqa: E402
PAGE = ("<!doctype html><html><head><title>Example charity: a resource page</title>"
        '<meta name="description" content="Advice and support from an example charity.">'
        "</head><body><h1>Example charity</h1>{body}"
        "<p>Page {n}</p></body></html>")
PARAGRAPH = "<p>Example charity gives advice and support.</p>"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    delay = 0.2
    disable_nagle_algorithm = True  # headers and body go out at once, not 40 ms apart (delayed ACK)

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        if self.path.startswith("/slow/"):
            time.sleep(self.delay)
        # the memory run's pages are larger (about 45 KB, like a real home page); the timed ones small
        paragraphs = 1000 if self.path.startswith("/fast/") else 40
        body = b"" if self.path == "/robots.txt" else PAGE.format(n=self.path, body=PARAGRAPH * paragraphs).encode()
        self.send_response(404 if not body else 200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("LinkChecker", "bench")  # lets LinkChecker past its default 10 requests/s per host
        self.end_headers()
        if self.command == "GET":
            self.wfile.write(body)

    do_HEAD = do_GET


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def handle_error(self, request, client_address) -> None:  # a client hanging up is no news here
        pass


def start_servers(count: int, handler: type = _Handler) -> list[str]:
    """One server per loopback address 127.0.0.2 ...; returns their base URLs (bench/description_check.py
    serves its own pages from the same farm, with its own handler)."""
    bases = []
    for i in range(count):
        server = _Server((f"127.0.0.{2 + i}", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        bases.append(f"http://127.0.0.{2 + i}:{server.server_address[1]}")
    return bases


def make_urls(bases: list[str], links: int, kind: str) -> list[str]:
    # interleaved by host, as a registry listing would be; the runner does not depend on the order
    return [f"{bases[n % len(bases)]}/{kind}/{n}" for n in range(links)]


def child(args: argparse.Namespace) -> None:
    """Run refsvc's checker over the URLs in a file; print elapsed, outcomes and peak RSS as JSON."""
    sys.path.insert(0, str(ROOT))
    from refsvc.links.runner import LinkJob, check_many
    from refsvc.metadata.http import GuardedClient

    urls = Path(args.child).read_text().split()
    client = GuardedClient("refsvc-bench (mailto:bench@example.org)", allow_private=True,
                           pool_maxsize=max(args.concurrency, args.pool))
    jobs = (LinkJob(str(n), url, "Example charity") for n, url in enumerate(urls))
    start = time.perf_counter()
    outcomes = Counter(r.outcome for r in check_many(jobs, client=client, concurrency=args.concurrency,
                                                       per_host=args.per_host, host_spacing=0,
                                                       soft404=args.probe))
    elapsed = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"elapsed": elapsed, "outcomes": outcomes, "peak_mb": peak_mb}))


def _timed(cmd: list[str], args: argparse.Namespace, **kwargs) -> tuple[subprocess.CompletedProcess, float, float]:
    """Run a child; return it with its wall time and CPU seconds (user + system)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=args.max_seconds, **kwargs)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return done, wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def run_refsvc(urls: list[str], tmp: Path, args: argparse.Namespace, probe: bool = False) -> dict:
    listing = tmp / f"urls-{len(urls)}.txt"
    listing.write_text("\n".join(urls))
    cmd = [sys.executable, __file__, "--child", str(listing), "--concurrency", str(args.concurrency),
           "--per-host", str(args.per_host)] + (["--probe"] if probe else [])
    done, wall, cpu = _timed(cmd, args)
    if done.returncode:
        sys.exit(f"refsvc child failed:\n{done.stderr[-2000:]}")
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return {**found, "wall": wall, "cpu": cpu, "checked": sum(found["outcomes"].values())}


def run_linkchecker(urls: list[str], tmp: Path, args: argparse.Namespace) -> dict | None:
    exe = shutil.which("linkchecker", path=str(Path(sys.executable).parent)) or shutil.which("linkchecker")
    if not exe:
        return None
    # LinkChecker drops root privileges to "nobody": its config must be readable by anyone
    home = tmp / "linkchecker-home"
    home.mkdir(mode=0o755, exist_ok=True)
    rc = home / "linkcheckerrc"
    rc.write_text(f"[checking]\nthreads={args.concurrency}\nmaxrequestspersecond=1000\ntimeout=20\n"
                  "robotstxt=0\n[output]\nstatus=0\n")
    rc.chmod(0o644)
    tmp.chmod(0o755)
    # the URLs as start URLs on stdin, recursion 0: each is fetched and judged, nothing more
    cmd = [exe, "-f", str(rc), "--threads", str(args.concurrency), "--no-robots", "-r", "0", "--no-status",
           "-o", "csv", "--verbose", "--stdin"]
    done, wall, cpu = _timed(cmd, args, input="\n".join(urls), env={**os.environ, "HOME": str(home)})
    checked = sum(1 for line in done.stdout.splitlines() if "/slow/" in line and ";200 OK;" in line)
    return {"wall": wall, "cpu": cpu, "checked": checked}


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--links", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--per-host", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3, help="alternating refsvc/LinkChecker runs; medians")
    parser.add_argument("--memory-links", type=int, default=10_000, help="0 to skip the memory run")
    parser.add_argument("--max-seconds", type=float, default=180, help="each child's time limit")
    parser.add_argument("--skip-linkchecker", action="store_true")
    parser.add_argument("--redis", help="a Redis URL (its database is emptied): also time 1 and 2 Celery workers")
    parser.add_argument("--celery-threads", type=int, default=8, help="threads of each Celery worker")
    parser.add_argument("--celery-database", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="a PostgreSQL server URL for the Celery runs (a database is made on it); "
                             "empty: SQLite")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--pool", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)

    bases = start_servers(args.hosts)
    urls = make_urls(bases, args.links, "slow")
    bound = args.links / min(args.concurrency, args.hosts * args.per_host) * _Handler.delay
    ours: list[dict] = []
    theirs: list[dict] = []
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        processes: list[dict] = []
        rechecks: list[dict] = []  # the same registries checked again: the probe answers are kept
        for n in range(args.rounds):  # alternating, so a busy moment on the machine hits both alike
            processes.append(run_check_links(urls, tmp, args, f"once{n}"))
            rechecks.append(run_check_links(urls, tmp, args, f"once{n}", again=True))
            ours.append(run_refsvc(urls, tmp, args))
            found = None if args.skip_linkchecker else run_linkchecker(urls, tmp, args)
            if found:
                theirs.append(found)
        celery_runs = ({workers: run_celery(urls, tmp, args, workers, f"celery{workers}")
                        for workers in (1, 2)} if args.redis else {})
        # check-links' own start-up and exit: the same command on an empty registry
        empty = [run_check_links([], tmp, args, f"empty{n}") for n in range(args.rounds)]
        # LinkChecker's start-up and shut-down: one instant link, so its checking time can be told apart
        idle = [] if args.skip_linkchecker else [run_linkchecker([bases[0] + "/fast/0"], tmp, args)
                                                 for _ in range(args.rounds)]
        probed = run_refsvc(urls, tmp, args, probe=True)
        memory = run_refsvc(make_urls(bases, args.memory_links, "fast"), tmp, args) if args.memory_links else None

    print(f"{args.links} links over {args.hosts} loopback hosts, {_Handler.delay * 1000:.0f} ms each; "
          f"global {args.concurrency}, per host {args.per_host}, spacing 0; medians of {args.rounds} "
          "alternating rounds")
    print(f"bound implied by the limits: {bound:.2f} s (target: within 25%, <= {bound * 1.25:.2f} s)\n")
    # "checking" is refsvc's own clock around check_many; "wall" is the whole child process, start-up
    # included, which is all that can be timed of LinkChecker, so the ratio compares wall times
    print("| run | checking (s) | vs bound | process wall (s) | CPU (s) | links checked |")
    print("|---|---|---|---|---|---|")
    median_ours = {k: _median(ours, k) for k in ("elapsed", "wall", "cpu", "checked")}
    for label, run in (("refsvc check_many", median_ours), ("refsvc + sibling probe (1 run)", probed)):
        print(f"| {label} | {run['elapsed']:.2f} | {run['elapsed'] / bound:.2f}x | {run['wall']:.2f} | "
              f"{run['cpu']:.2f} | {run['checked']:.0f} |")
    if theirs:
        median_theirs = {k: _median(theirs, k) for k in ("wall", "cpu", "checked")}
        checking = median_theirs["wall"] - _median(idle, "wall")
        print(f"| LinkChecker 10.6 --threads {args.concurrency} | {checking:.2f} (wall - start-up) | "
              f"{checking / bound:.2f}x | {median_theirs['wall']:.2f} | {median_theirs['cpu']:.2f} | "
              f"{median_theirs['checked']:.0f} (200 OK rows of its csv) |")
        wall, cpu = (median_theirs[k] / median_ours[k] for k in ("wall", "cpu"))
        print(f"\nLinkChecker / refsvc: checking {checking / median_ours['elapsed']:.2f}x, wall {wall:.2f}x, "
              f"CPU {cpu:.2f}x (above 1: refsvc is faster / leaner)")
    whole = {k: _median(processes, k) for k in ("wall", "cpu", "checked")}
    print(f"\n`python -m refsvc.worker check-links --once`, whole process (start-up, claims, checks, writes): "
          f"{whole['wall']:.2f} s = {whole['wall'] / bound:.2f}x the bound, {whole['cpu']:.2f} s of CPU, "
          f"{whole['checked']:.0f} checks recorded ({processes[-1]['summary'][:80]})")
    again = {k: _median(rechecks, k) for k in ("wall", "cpu", "checked")}
    print(f"`python -m refsvc.worker check-links --once` again on the same registry (a later scheduled run: probe answers "
          f"read, not made): {again['wall']:.2f} s = {again['wall'] / bound:.2f}x the bound, "
          f"{again['cpu']:.2f} s of CPU, {again['checked']:.0f} checks recorded")
    print(f"check-links --once on an empty registry (start-up and exit): {_median(empty, 'wall'):.2f} s, "
          f"{_median(empty, 'cpu'):.2f} s of CPU")
    print(f"check-links --once / check_many alone (same run): wall {whole['wall'] / median_ours['wall']:.2f}x, "
          f"CPU {whole['cpu'] / median_ours['cpu']:.2f}x")
    if theirs:
        print(f"LinkChecker's whole process / check-links --once: first run "
              f"{median_theirs['wall'] / whole['wall']:.2f}x, later run {median_theirs['wall'] / again['wall']:.2f}x "
              "(above 1: check-links is faster)")
    for label, run in (("first run", whole), ("later run", again)):
        verdict = "PASS" if run["wall"] <= bound * 1.25 else "MISS"
        print(f"check-links --once within 25% of the bound, {label}: {verdict}")
    if celery_runs:
        one, two = celery_runs[1], celery_runs[2]
        print(f"\nCelery (check-links loop as scheduler, workers --pool threads --concurrency "
              f"{args.celery_threads}): 1 worker {one['wall']:.2f} s ({one['checked']} recorded), "
              f"2 workers {two['wall']:.2f} s ({two['checked']} recorded): {one['wall'] / two['wall']:.2f}x "
              "(target >= 1.8x)")
    if memory:
        print(f"\npeak memory, {args.memory_links} links of ~45 KB pages (child maxrss): {memory['peak_mb']:.0f} MB "
              f"(target < 250 MB) in {memory['elapsed']:.1f} s")


if __name__ == "__main__":
    main()
