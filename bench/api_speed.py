"""Requests/s of POST /v1/citations under gunicorn (2 workers), as a ratio of a bare Flask endpoint.

Run: .venv/bin/python bench/api_speed.py [--seconds 10] [--memory-items 10000]
Needs wrk (Debian package). Three runs, each served the same way (gunicorn, 2 workers, 4 threads):
the bare endpoint (bench/bare_app.py), refsvc with one repeated item (the render cache's job), and
refsvc with a new item every request (the engine's job). Then 10,000 distinct items are sent and the
workers' peak memory (VmHWM) is read: the caches are bounded, so it must stay flat.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
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

    bare = serve("bench.bare_app:app", 8101, env)
    try:
        bare_rps = wrk(8101, REPEATED_LUA, args.seconds)
    finally:
        bare.terminate(), bare.wait()

    service = serve("wsgi:app", 8102, env)
    try:
        repeated_rps = wrk(8102, REPEATED_LUA, args.seconds)
        new_rps = wrk(8102, NEW_ITEM_LUA, args.seconds)
        started = time.monotonic()
        send_distinct(8102, args.memory_items)
        spent = time.monotonic() - started
        peak = worker_peak_mb(service)
    finally:
        service.terminate(), service.wait()

    print(f"POST /v1/citations under gunicorn (2 workers x 4 threads), wrk -t2 -c16 -d{args.seconds}s")
    print(f"{'endpoint':<32}{'req/s':>10}{'ratio to bare':>16}")
    for name, rps in [("bare Flask endpoint", bare_rps), ("refsvc, repeated item", repeated_rps),
                      ("refsvc, new item each request", new_rps)]:
        print(f"{name:<32}{rps:>10.0f}{rps / bare_rps:>15.0%}")
    print(f"{args.memory_items} distinct items in {spent:.1f} s; "
          f"peak worker memory (VmHWM) {peak:.0f} MB")


if __name__ == "__main__":
    main()
