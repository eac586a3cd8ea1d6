"""Load held: refsvc under gunicorn (2 workers x 4 threads) and wrk on loopback, a mixed load.

Run: .venv/bin/python bench/load.py [--rate 560] [--seconds 60] [--memory-requests 100000]
Needs wrk (Debian package). Phases, each reported with requests/s, p50/p99 and errors:

1. mixed: 84% repeated cite blocks (POST /v1/citations of the same item: the caches' job), 12% new
   items, 4% visitors' reports (each from its own address, through X-Forwarded-For), for --seconds.
   The mix is set by rate, not by connections (open loop): each class has its own wrk process whose
   script sends its share of --rate requests a second on a fixed schedule, whatever the answers'
   speed, so a class that gets cheaper or dearer does not shift the mix. The run prints the mix and
   the rates achieved (a class the service cannot keep up with falls short of its rate: a finding).
2. baseline: the same new items and reports on refsvc, while the cached blocks' rate goes to a bare
   Flask endpoint sending the same bytes (bench/bare_app.py): the target is p99(cached blocks) within
   3x p99(bare) under the same load, measured in the same run.
3. memory: the mix again, in 10 s runs until the request count is reached; the workers' resident memory (VmRSS, summed) after
   a tenth of --memory-requests (10,000) and after all of them (target: within 10%).
4. hostile: 8 clients keep batches of 100 URLs on a hanging loopback site in flight (re-sending as
   soon as one is answered, 503 or not) while wrk asks /healthz: target p99 under 100 ms.

--rate 560 is the rate the 84/12/4 figures were first measured at (468 cached blocks and 90 new
items and reports a second).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.api_speed import BODY, ITEM, serve  # noqa: E402

TOKEN = "bench-editor-token"
SHARES = {"cached blocks": 0.84, "new items": 0.12, "reports": 0.04}
# Sends this thread's requests on a fixed schedule, INTERVAL ms apart, from wrk's delay() hook (called
# before every request): a connection free early waits for its moment, one answered late takes the
# next moment at once. A schedule more than a second behind (every connection busy) drops the missed
# moments rather than bursting to catch up: the achieved rate then says the service fell behind.
PACE_LUA = """
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } pace_timespec;
int clock_gettime(int clk_id, pace_timespec *tp);
]]
local clock = ffi.new("pace_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, clock)  -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end
local interval, next_at = INTERVAL, nil
function delay()
  local now = now_ms()
  next_at = math.max((next_at or now) + interval, now - 1000)
  return math.max(0, math.floor(next_at - now))
end
"""
CLASS_LUA = {
    "cached blocks": """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[BODY]]
""",
    "new items": """
local counter = 0
request = function()
  counter = counter + 1
  local body = string.gsub([[BODY]], "Dynamic Interpersonal", "Page " .. counter)
  return wrk.format("POST", "/v1/citations", {["Content-Type"] = "application/json"}, body)
end
""",
    "reports": """
local counter = 0
request = function()
  counter = counter + 1
  local visitor = "10." .. (math.floor(counter / 65536) % 256) .. "." ..
    (math.floor(counter / 256) % 256) .. "." .. (counter % 256)
  return wrk.format("POST", "/v1/reports", {["Content-Type"] = "application/json",
    ["X-Forwarded-For"] = visitor}, [[{"resource_id": "bench", "reason": "broken"}]])
end
""",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def connections(rate: float) -> int:
    """Enough connections to keep ``rate`` requests a second going while answers take up to a
    quarter of a second each; a connection's requests then come every ~0.25 s, well inside
    gunicorn's keep-alive."""
    return max(1, min(64, math.ceil(rate / 4)))


def start_wrk(port: int, lua: str, seconds: int, connections: int, path: str = "/v1/citations",
              rate: float | None = None) -> subprocess.Popen:
    """Start wrk with a Lua script, paced to ``rate`` requests a second when given (one thread, so
    one schedule); read its report with ``wrk_report``."""
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    paced = PACE_LUA.replace("INTERVAL", repr(1000.0 / rate)) if rate else ""
    script.write(paced + lua.replace("[[BODY]]", "[[" + BODY + "]]"))
    script.close()
    threads = "-t1" if rate else "-t2"
    return subprocess.Popen(["wrk", threads, f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s",
                             "-s", script.name, f"http://127.0.0.1:{port}{path}"],
                            stdout=subprocess.PIPE, text=True)


def start_mix(port: int, bare_port: int | None, rate: float, seconds: int) -> dict[str, subprocess.Popen]:
    """One paced wrk per class of the mix, side by side; the cached blocks go to ``bare_port`` if given."""
    started = {}
    for name, share in SHARES.items():
        target = bare_port if bare_port and name == "cached blocks" else port
        path = "/v1/reports" if name == "reports" else "/v1/citations"
        started[name] = start_wrk(target, CLASS_LUA[name], seconds, connections(rate * share), path,
                                  rate=rate * share)
    return started


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk_report(proc: subprocess.Popen) -> dict[str, float]:
    """Requests, requests/s, p50/p99 (ms) and errors (non-2xx/3xx, socket errors) from wrk's output."""
    out, _ = proc.communicate()
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return {"requests": int(re.search(r"(\d+) requests in", out).group(1)),
            "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50": _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)),
            "p99": _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)), "errors": errors}


def workers_rss_mb(master: subprocess.Popen) -> float:
    """The resident memory (VmRSS) of gunicorn's workers together, in MB."""
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    return sum(int(re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text()).group(1))
               for pid in children) / 1024


def post(url: str, body: dict, headers: dict | None = None, timeout: float = 60) -> int:
    request = urllib.request.Request(url, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


class Hanging:
    """A loopback site that accepts connections and never answers."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1024)
        self.held: list[socket.socket] = []
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                self.held.append(self.sock.accept()[0])
            except OSError:
                return

    def close(self) -> None:
        self.sock.close()
        for conn in self.held:
            conn.close()


def hostile_batches(port: int, hanging: Hanging, stop: threading.Event, answers: list[int]) -> None:
    """One hostile client: a batch of 100 URLs on the hanging site, again and again until ``stop``."""
    body = {"entries": [{"url": f"http://127.0.0.1:{hanging.port}/{n}"} for n in range(100)]}
    while not stop.is_set():
        status = post(f"http://127.0.0.1:{port}/v1/citations/batch", body)
        answers.append(status)
        if status != 200:
            stop.wait(0.2)


def progress(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def line(name: str, report: dict[str, float]) -> str:
    return (f"{name:<34}{report['requests']:>9}{report['rps']:>9.0f}{report['p50']:>9.1f}"
            f"{report['p99']:>9.1f}{report['errors']:>8}")


def mix_line(reports: dict[str, dict[str, float]], rate: float) -> str:
    """The shares and rates the classes achieved, against the ones asked for."""
    total = sum(r["requests"] for r in reports.values()) or 1
    return ", ".join(f"{name} {r['requests'] / total:.0%} ({r['rps']:.0f}/s of {rate * SHARES[name]:.0f})"
                     for name, r in reports.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=560.0,
                        help="requests a second of the whole mix (84%% cached blocks, 12%% new items, 4%% reports)")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--memory-requests", type=int, default=100_000)
    parser.add_argument("--hostile-seconds", type=int, default=30)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    instance = tempfile.mkdtemp()
    answer_file = os.path.join(instance, "answer.json")
    env = dict(os.environ, REFSVC_INSTANCE_PATH=instance, PYTHONPATH=str(ROOT), BENCH_ANSWER_FILE=answer_file,
               REFSVC_ALLOW_PRIVATE_ADDRESSES="1", REFSVC_PROXY_COUNT="1", REFSVC_EDITOR_TOKENS=TOKEN,
               REFSVC_DATABASE_URL=f"sqlite:///{instance}/refsvc.sqlite")
    os.environ.update(REFSVC_INSTANCE_PATH=instance)
    from refsvc import create_app  # the answer the baseline sends, byte for byte the same size
    Path(answer_file).write_bytes(create_app().test_client().post(
        "/v1/citations", data=BODY, content_type="application/json").get_data())

    bare_port, port = free_port(), free_port()
    bare = serve("bench.bare_app:app", bare_port, env)
    service = serve("wsgi:app", port, env)
    hanging = Hanging()
    results: dict[str, dict[str, float]] = {}
    mixes: dict[str, dict[str, dict[str, float]]] = {}
    try:
        progress("started")
        assert post(f"http://127.0.0.1:{port}/v1/resources", {"id": "bench", "name": "Bench",
                    "url": f"http://127.0.0.1:{bare_port}/healthz"},
                    {"Authorization": f"Bearer {TOKEN}"}) == 201
        for _ in range(4):  # each worker renders the block once
            post(f"http://127.0.0.1:{port}/v1/citations", {"metadata": ITEM})

        for phase, bare_blocks in (("mixed", None), ("baseline", bare_port)):
            progress(f"{phase} load, {args.rate:.0f} requests a second")
            running = start_mix(port, bare_blocks, args.rate, args.seconds)
            mixes[phase] = {name: wrk_report(proc) for name, proc in running.items()}
            for name, report in mixes[phase].items():
                label = "bare Flask endpoint" if bare_blocks and name == "cached blocks" else name
                results[f"{phase}: {label}"] = report

        memory: dict[int, float] = {}
        done = 0
        for target in (args.memory_requests // 10, args.memory_requests):  # 10,000 and 100,000
            progress(f"memory: up to {target} requests")
            while done < target:  # wrk runs by time: 10 s chunks of the mix until the count is reached
                running = start_mix(port, None, args.rate, 10)
                done += sum(wrk_report(proc)["requests"] for proc in running.values())
            memory[done] = workers_rss_mb(service)

        progress("hostile batches")
        stop, answers = threading.Event(), []
        clients = [threading.Thread(target=hostile_batches, args=(port, hanging, stop, answers))
                   for _ in range(8)]
        for client in clients:
            client.start()
        time.sleep(2)  # the batches are in and hanging
        health = start_wrk(port, "", args.hostile_seconds, 4, path="/healthz")
        results["healthz, 8 hostile batches in flight"] = wrk_report(health)
        stop.set()
        for client in clients:
            client.join()
    finally:
        for proc in (bare, service):
            proc.terminate()
            proc.wait()
        hanging.close()

    print(f"gunicorn (2 workers x 4 threads), wrk --latency, {args.seconds} s per phase, open loop: "
          f"{args.rate:.0f} requests a second, one paced wrk per class ("
          + ", ".join(f"{name} {share:.0%} on {connections(args.rate * share)} connections"
                      for name, share in SHARES.items()) + ")")
    for phase, reports in mixes.items():
        print(f"{phase} phase, mix achieved: {mix_line(reports, args.rate)}")
    print(f"{'phase':<34}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for name, report in results.items():
        print(line(name, report))
    ratio = results["mixed: cached blocks"]["p99"] / results["baseline: bare Flask endpoint"]["p99"]
    print(f"p99 cached blocks / p99 bare Flask under the same load: {ratio:.2f}x (target: within 3x)")
    (first, first_mb), (last, last_mb) = list(memory.items())[0], list(memory.items())[-1]
    print(f"workers' memory (VmRSS): {first_mb:.0f} MB after {first} requests, {last_mb:.0f} MB after {last} "
          f"({last_mb / first_mb - 1:+.1%}; target: within 10%)")
    health = results["healthz, 8 hostile batches in flight"]
    print(f"/healthz p99 with 8 hostile batches in flight: {health['p99']:.1f} ms (target: under 100 ms); "
          f"batch answers meanwhile: " + ", ".join(f"{s}: {answers.count(s)}" for s in sorted(set(answers))))


if __name__ == "__main__":
    main()
