"""Progress on the terminal: one line redrawn in place on a tty, plain lines anywhere else.

The tty form is shown for real: `flask check-links --once` and `flask registry import` run in a child
process whose standard output is a pseudo-terminal (the ``pty`` module).
"""
from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from refsvc import create_app
from refsvc.storage import get_database
from refsvc.storage import resources as store
from refsvc.worker.progress import Progress, elapsed_text

ROOT = Path(__file__).resolve().parents[2]
REGISTRY = ROOT / "registry.yaml"
PAGE = "<html><head><title>Mind</title></head><body><h1>Mind</h1><p>Mind.</p></body></html>"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_on_a_tty_the_line_is_redrawn_in_place_with_done_total_outcomes_and_elapsed():
    written, clock = [], Clock()
    progress = Progress(written.append, tty=True, label="Checking links", total=4, clock=clock,
                        tick=None, columns=lambda: 120)
    clock.now += 7
    progress.item("mind", "ok", "(healthy) fine")
    progress.item("nhs", "timeout", "(failing) slow")
    progress.item("bbc", "ok", "(healthy) fine")
    assert all(w.startswith("\r") and w.endswith("\x1b[K") for w in written)
    assert written[-1] == "\rChecking links [###############-----] 3/4  2 ok, 1 timeout  0:07\x1b[K"
    assert not any("\n" in w for w in written)  # one line, never scrolled
    progress.close()
    assert written[-1] == "\n"


def test_on_a_tty_the_line_never_wraps():
    written = []
    progress = Progress(written.append, tty=True, label="Checking links", total=4, tick=None,
                        columns=lambda: 30)
    progress.item("mind", "ok")
    assert len(written[-1]) == len("\r") + 29 + len("\x1b[K")


def test_elsewhere_each_item_is_a_plain_line():
    written = []
    progress = Progress(written.append, tty=False, label="Checking links", total=2, tick=None)
    progress.item("mind", "ok", "(healthy) fine")
    progress.waiting(1)
    progress.item("nhs", "dns_error", "(failing) gone")
    progress.close()
    assert written == ["[1/2] mind: ok (healthy) fine\n", "[2/2] nhs: dns_error (failing) gone\n"]


@pytest.mark.parametrize("seconds, text", [(0, "0:00"), (65, "1:05"), (3725, "1:02:05")])
def test_elapsed_time_reads_as_a_clock(seconds, text):
    assert elapsed_text(seconds) == text


def test_check_links_once_prints_plain_lines_and_a_summary_when_not_on_a_tty(app, runner, httpserver):
    httpserver.expect_request("/mind").respond_with_data(PAGE, content_type="text/html")
    with get_database(app).transaction() as session:
        store.create_resource(session, {"id": "mind", "name": "Mind",
                                        "url": httpserver.url_for("/mind")})
    result = runner.invoke(args=["check-links", "--once"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("[1/1] mind: ok (healthy)")
    assert "\r" not in result.output and "Checked 1 resource: 1 ok." in result.output


def test_registry_import_prints_plain_lines_when_not_on_a_tty(runner):
    result = runner.invoke(args=["registry", "import", str(REGISTRY)])
    lines = result.output.splitlines()
    assert lines[0].startswith("[1/9] ") and lines[0].endswith(": created")
    assert len(lines) == 10 and "9 created" in lines[-1]


def run_in_a_pty(args: list[str], env: dict[str, str]) -> str:
    """Run ``flask --app wsgi ARGS`` with its output on a pseudo-terminal; what the terminal got."""
    master, slave = pty.openpty()
    child = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT,
                             env=env, stdin=slave, stdout=slave, stderr=slave)
    os.close(slave)
    chunks = []
    try:
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(master)
        child.wait(60)
    assert child.returncode == 0, b"".join(chunks).decode(errors="replace")
    return b"".join(chunks).decode()


@pytest.fixture
def tty_env(tmp_path):
    env = {**os.environ, "REFSVC_DATABASE_URL": f"sqlite:///{tmp_path / 'tty.sqlite'}",
           "REFSVC_INSTANCE_PATH": str(tmp_path / "instance"), "REFSVC_ALLOW_PRIVATE_ADDRESSES": "1",
           "COLUMNS": "120", "TERM": "xterm"}
    return env


def test_registry_import_on_a_tty_shows_a_bar_then_the_summary(tty_env):
    shown = run_in_a_pty(["registry", "import", str(REGISTRY)], tty_env)
    assert re.search(r"\rImporting \S+registry\.yaml \[#{20}\] 9/9  9 created  0:\d\d\x1b\[K", shown)
    assert "[1/9]" not in shown  # no plain lines on a terminal
    assert shown.rstrip().endswith("the registry holds 9 resources.")


def test_check_links_once_on_a_tty_shows_a_bar_then_the_summary(tty_env, httpserver):
    httpserver.expect_request("/mind").respond_with_data(PAGE, content_type="text/html")
    httpserver.expect_request("/gone").respond_with_data("no", status=404)
    app = create_app({"DATABASE_URL": tty_env["REFSVC_DATABASE_URL"]})
    with get_database(app).transaction() as session:
        store.create_resource(session, {"id": "mind", "name": "Mind", "url": httpserver.url_for("/mind")})
        store.create_resource(session, {"id": "gone", "name": "Gone", "url": httpserver.url_for("/gone")})
    get_database(app).dispose()
    shown = run_in_a_pty(["check-links", "--once"], tty_env)
    final = re.findall(r"\rChecking links \[([#-]{20})\] (\d)/2  ([^\r]*?)  0:\d\d\x1b\[K", shown)
    assert final and final[-1][:2] == ("#" * 20, "2")
    assert sorted(final[-1][2].split(", ")) == ["1 client_error", "1 ok"]
    assert "[1/2]" not in shown
    assert "Checked 2 resources" in shown.splitlines()[-1]
