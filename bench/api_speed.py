"""Requests/s of POST /v1/citations under gunicorn (2 workers), as a ratio of a bare Flask endpoint.

Run: .venv/bin/python bench/api_speed.py [--seconds 10] [--rounds 3] [--memory-items 10000]
Needs wrk (Debian package). Four phases, each served the same way (gunicorn, 2 workers, 4 threads):
the bare endpoint (bench/bare_app.py, sending the same bytes), refsvc with one repeated item (the
caches' job), a cached DOI by GET (doi.org played by a loopback server), and refsvc with a new item
every request (the engine's job). Then 10,000 distinct items are sent and the workers' peak memory
(VmHWM) is read: the caches are bounded, so it must stay flat.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ITEM = {"type": "webpage", "title": "Dynamic Interpersonal Therapy in London",
        "authors": [{"name": "Harley Therapy Ltd."}], "site_name": "Harley Therapy",
        "published": "2022-01-20", "accessed": "2022-08-11",
        "url": "https://www.harleytherapy.co.uk/dynamic-interpersonal-therapy-london.htm"}
BODY = json.dumps({"metadata": ITEM})
NEW_ITEM_LUA = """
local threads = 0
function setup(thread) threads = threads + 1; thread:set("tid", threads) end
local counter = 0
request = function()
  counter = counter + 1
  local body = string.gsub([[BODY]], "Dynamic Interpersonal", "Page " .. tid .. " " .. counter)
  return wrk.format("POST", "/v1/citations", {["Content-Type"] = "application/json"}, body)
end
"""
REPEATED_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[BODY]]
"""


SEED_DOI_CSL = {"type": "article-journal", "DOI": "10.1037/pst0000282", "title": "The impact of brief "
                "dynamic interpersonal therapy (DIT) on veteran depression and anxiety.",
                "container-title": "Psychotherapy", "volume": "57", "issue": "3", "page": "464-468",
                "author": [{"family": "Chen", "given": "Christine K."}, {"family": "Wang", "given": "Bing"}],
                "issued": {"date-parts": [[2020, 9]]}}


def serve_resolver(port: int) -> ThreadingHTTPServer:
    """A loopback stand-in for doi.org answering every DOI with the seed's CSL-JSON."""
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            body = json.dumps(SEED_DOI_CSL).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/vnd.citationstyles.csl+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def wrk_get(port: int, path: str, seconds: int) -> float:
    """Requests per second of a plain GET (2 threads, 16 connections)."""
    out = subprocess.run(["wrk", "-t2", "-c16", f"-d{seconds}s", f"http://127.0.0.1:{port}{path}"],
                         capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out:
        raise SystemExit(f"wrk saw failed responses:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def serve(app: str, port: int, env: dict[str, str]) -> subprocess.Popen:
    """Start gunicorn with 2 workers and wait until it answers."""
    proc = subprocess.Popen([str(BIN / "gunicorn"), "--workers", "2", "--threads", "4",
                             "--bind", f"127.0.0.1:{port}", "--log-level", "warning", app],
                            cwd=ROOT, env=env)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"{app} did not start on port {port}")


def wrk(port: int, lua: str, seconds: int) -> float:
    """Requests per second that wrk measured (2 threads, 16 connections)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua.replace("[[BODY]]", "[[" + BODY + "]]"))
    out = subprocess.run(["wrk", "-t2", "-c16", f"-d{seconds}s", "-s", script.name,
                          f"http://127.0.0.1:{port}/v1/citations"],
                         capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise SystemExit(f"wrk saw {non2xx.group(1)} failed responses:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def worker_peak_mb(master: subprocess.Popen) -> float:
    """The largest VmHWM (peak resident memory) among gunicorn's workers, in MB."""
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    peaks = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        peaks.append(int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024)
    return max(peaks)


def send_distinct(port: int, count: int) -> None:
    def one(n: int) -> None:
        body = json.dumps({"metadata": dict(ITEM, title=f"Distinct page {n}")}).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/citations", data=body,
                                         headers={"Content-Type": "application/json"})
        urllib.request.urlopen(request, timeout=30).read()

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(one, range(count)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--memory-items", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    instance = tempfile.mkdtemp()
    answer_file = os.path.join(instance, "answer.json")
    env = dict(os.environ, REFSVC_INSTANCE_PATH=instance, PYTHONPATH=str(ROOT),
               BENCH_ANSWER_FILE=answer_file)
    os.environ.update(REFSVC_INSTANCE_PATH=instance)
    sys.path.insert(0, str(ROOT))
    from refsvc import create_app  # the answer the baseline will send, byte for byte the same size
    answer = create_app().test_client().post("/v1/citations", data=BODY,
                                             content_type="application/json").get_data()
    Path(answer_file).write_bytes(answer)

    resolver = serve_resolver(8103)
    # every wrk connection comes from one address: the per-client lookup limit (60 a minute) is lifted,
    # since this measures serving, not the limit
    env.update(REFSVC_DOI_RESOLVER="http://127.0.0.1:8103", REFSVC_ALLOW_PRIVATE_ADDRESSES="1",
               REFSVC_LOOKUP_RATE_LIMIT="")
    bare = serve("bench.bare_app:app", 8101, env)
    service = serve("wsgi:app", 8102, env)
    doi_path = "/v1/citations?doi=10.1037/pst0000282"
    phases = {
        "bare Flask endpoint": lambda: wrk(8101, REPEATED_LUA, args.seconds),
        "refsvc, repeated item": lambda: wrk(8102, REPEATED_LUA, args.seconds),
        "refsvc, GET cached DOI": lambda: wrk_get(8102, doi_path, args.seconds),
        "refsvc, new item each request": lambda: wrk(8102, NEW_ITEM_LUA, args.seconds),
    }
    rates: dict[str, list[float]] = {name: [] for name in phases}
    try:
        for _ in range(4):  # each worker resolves the DOI once, then serves it from its cache
            urllib.request.urlopen(f"http://127.0.0.1:8102{doi_path}", timeout=30).read()
        # Interleaved rounds, medians: the machine is shared, so load from elsewhere falls on
        # every phase alike instead of on whichever ran at a bad moment.
        for _ in range(args.rounds):
            for name, run in phases.items():
                rates[name].append(run())
        started = time.monotonic()
        send_distinct(8102, args.memory_items)
        spent = time.monotonic() - started
        peak = worker_peak_mb(service)
    finally:
        for proc in (bare, service):
            proc.terminate(), proc.wait()
        resolver.shutdown()

    median = {name: statistics.median(values) for name, values in rates.items()}
    bare_rps = median["bare Flask endpoint"]
    print(f"gunicorn (2 workers x 4 threads), wrk -t2 -c16 -d{args.seconds}s, "
          f"median of {args.rounds} interleaved rounds")
    print(f"{'endpoint':<32}{'req/s':>10}{'ratio to bare':>16}")
    for name, rps in median.items():
        print(f"{name:<32}{rps:>10.0f}{rps / bare_rps:>15.0%}")
    print(f"GET cached DOI vs repeated POST: "
          f"{median['refsvc, GET cached DOI'] / median['refsvc, repeated item']:.0%} (target: >= 80%)")
    print(f"{args.memory_items} distinct items in {spent:.1f} s; "
          f"peak worker memory (VmHWM) {peak:.0f} MB (target: < 300 MB)")


if __name__ == "__main__":
    main()
