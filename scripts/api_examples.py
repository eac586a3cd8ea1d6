"""Print the README's API examples with their real output (``.venv/bin/python scripts/api_examples.py``).

Starts refsvc under gunicorn on a fresh SQLite file, with doi.org and two web pages played by a
loopback stand-in (the machine that made them has no internet), runs each curl command of
api_example_list.py and prints the README's "## API" section; ``--write README.md`` puts it in place.
"""
from __future__ import annotations

import json
import os
import shlex
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from api_example_list import B, EXAMPLES, INTRO, PAGES, PORT, SEED_DOI, STAND_IN, TOKEN

ROOT = Path(__file__).resolve().parents[1]
KEEP_HEADERS = ("Content-Type", "Content-Disposition", "Location", "Retry-After", "X-Pagination")


def pretty(value, indent: int = 0) -> str:
    """JSON with anything that fits on one line kept on one line, as a reader wants it."""
    flat = json.dumps(value, ensure_ascii=False)
    if len(flat) + indent <= 100 or not isinstance(value, (dict, list)) or not value:
        return flat
    pad = " " * (indent + 2)
    if isinstance(value, dict):
        inner = [f"{pad}{json.dumps(k)}: {pretty(v, indent + 2)}" for k, v in value.items()]
        return "{\n" + ",\n".join(inner) + "\n" + " " * indent + "}"
    inner = [pad + pretty(v, indent + 2) for v in value]
    return "[\n" + ",\n".join(inner) + "\n" + " " * indent + "]"


def abridge(value, keep: int = 3):
    """Lists cut to their first ``keep`` items, the rest counted (for long answers)."""
    if isinstance(value, dict):
        return {k: abridge(v, keep) for k, v in value.items()}
    if isinstance(value, list) and len(value) > keep:
        return [abridge(v, keep) for v in value[:keep]] + [f"... {len(value) - keep} more"]
    return value


def shown(out: str, how: dict) -> str:
    """The body of one answer as the README shows it: JSON laid out, headers kept, cuts marked."""
    head, body = "", out
    if out.startswith("HTTP/"):  # curl -si (text mode turned CRLF into LF)
        head, _, body = out.partition("\n\n")
        head = "\n".join(line for line in head.split("\n")
                         if line.startswith("HTTP/") or line.split(":")[0] in KEEP_HEADERS) + "\n\n"
    try:
        data = json.loads(body)
        body = pretty(abridge(data) if how.get("json_abridge") else data)
    except ValueError:
        lines = body.strip().split("\n")
        if "lines" in how:
            lines = [line for line in lines if line.startswith(how["lines"])]
        if "head" in how and len(lines) > how["head"]:
            lines = lines[:how["head"]] + ["..."]
        body = "\n".join(lines)
    return (head + body).strip()


class StandIn(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        if self.path.startswith("/10."):
            body, kind = json.dumps(SEED_DOI).encode(), "application/vnd.citationstyles.csl+json"
        else:
            body, kind = PAGES.get(self.path, PAGES["/anxiety"]), "text/html; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def run(command: str, locked: Path | None = None) -> str:
    """One curl's output; with ``locked`` (an instance folder) while another connection holds its
    SQLite database's write lock, as a stuck writer would."""
    holder = None
    if locked is not None:
        holder = sqlite3.connect(next(locked.glob("*.sqlite")), timeout=5, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
    try:
        return subprocess.run(shlex.split(command), capture_output=True, text=True,
                              errors="backslashreplace", timeout=60).stdout
    finally:
        if holder is not None:
            holder.execute("ROLLBACK")
            holder.close()


def section() -> str:
    """Start the stand-in and refsvc, run every example, and return the Markdown section."""
    for port in (PORT, STAND_IN):  # else the curls would quietly get another server's answers
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                sys.exit(f"Port {port} is taken (a `make run`?): stop what listens there first.")
    server = ThreadingHTTPServer(("127.0.0.1", STAND_IN), StandIn)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    instance = tempfile.mkdtemp()
    env = dict(os.environ, REFSVC_INSTANCE_PATH=instance, REFSVC_EDITOR_TOKENS=TOKEN,
               REFSVC_ALLOW_PRIVATE_ADDRESSES="1", REFSVC_DOI_RESOLVER=f"http://127.0.0.1:{STAND_IN}",
               REFSVC_CHECK_HOST_SPACING="0", REFSVC_BATCH_RATE_LIMIT="2 per minute")
    env.pop("REFSVC_REDIS_URL", None)
    bin_dir = Path(sys.executable).parent
    # One worker: the batch limit's in-process counter then sees every request. Its logs go to
    # stderr (gunicorn.conf.py sends them to stdout), out of the printed section.
    proc = subprocess.Popen([str(bin_dir / "gunicorn"), "-w", "1", "--threads", "4", "-b", f"127.0.0.1:{PORT}",
                             "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env, stdout=sys.stderr)
    parts = [INTRO]
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{B}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        if proc.poll() is not None:
            sys.exit("gunicorn did not start; its log is above.")
        for title, command, how in EXAMPLES:
            out = run(command, Path(instance) if how.get("lock_database") else None)
            if how.get("hide"):
                continue
            parts.append((f"{title}:\n\n" if title else "")
                         + f"```sh\n{command}\n```\n```\n{shown(out, how)}\n```\n")
    finally:
        proc.terminate()
        proc.wait()
        server.shutdown()
    return "\n".join(parts)


def write(readme: Path, text: str) -> None:
    """Replace the README's "## API" section (up to the next "## " heading) with ``text``."""
    old = readme.read_text()
    start = old.index("## API\n")
    end = old.index("\n## ", start + 1) + 1
    readme.write_text(old[:start] + text.rstrip("\n") + "\n\n" + old[end:])


if __name__ == "__main__":
    result = section()
    if sys.argv[1:2] == ["--write"]:
        write(Path(sys.argv[2]), result)
    else:
        print(result)
