"""`make run` on a fresh clone: scripts/run makes an editor token on first start, prints it once
with the dashboard's address, and that token signs the browser in; the next start keeps it unsaid."""
from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from selenium.webdriver.common.by import By

from tests.conftest import dead_port
from tests.web.browser import text_in, visible
from tests.web.conftest import screenshot

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def clone(tmp_path, httpserver) -> Path:
    """A fresh clone: the repository's files (linked), no instance/, a one-entry registry on loopback."""
    httpserver.expect_request("/help").respond_with_data(
        "<html><head><title>Loopback Help</title></head><body><h1>Loopback Help</h1></body></html>",
        content_type="text/html")
    root = tmp_path / "clone"
    root.mkdir()
    for entry in ROOT.iterdir():
        if entry.name not in {"instance", "registry.yaml", ".venv", ".git", "tests", "bench"}:
            (root / entry.name).symlink_to(entry)
    (root / ".venv").symlink_to(Path(sys.prefix))
    (root / "registry.yaml").write_text(
        f"resources:\n- {{id: help, name: Loopback Help, url: '{httpserver.url_for('/help')}'}}\n")
    return root


def start(root: Path, port: int, **extra: str) -> tuple[subprocess.Popen, list[str]]:
    """scripts/run in its own process group; its output lines collected as they come."""
    dead = f"http://127.0.0.1:{dead_port()}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("REFSVC_")}
    env.update({"PORT": str(port), "REFSVC_ALLOW_PRIVATE_ADDRESSES": "1", "REFSVC_DOI_RESOLVER": dead,
                "REFSVC_CROSSREF_API": dead, "REFSVC_WAYBACK_API": f"{dead}/wayback", **extra})
    process = subprocess.Popen(["scripts/run"], cwd=root, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(iter(process.stdout.readline, "")), daemon=True).start()
    return process, lines


def wait_until_serving(port: int, process: subprocess.Popen, lines: list[str], timeout: float = 90) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        assert process.poll() is None, "scripts/run stopped:\n" + "".join(lines)
        if not any("refsvc on http" in line for line in lines):
            time.sleep(0.2)
            continue
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn never listened:\n" + "".join(lines))


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)  # our own group: the script, gunicorn and the checker
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    end = time.monotonic() + 30  # gunicorn's workers let go of the port a moment later
    while time.monotonic() < end:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)


def test_first_start_prints_a_token_once_and_it_signs_the_editor_in(clone, browser):
    port = free_port()
    process, lines = start(clone, port)
    try:
        wait_until_serving(port, process, lines)
        output = "".join(lines)
        token_file = clone / "instance" / "editor-token"
        token = token_file.read_text().strip()
        assert len(token) >= 40
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        assert output.count(token) == 1  # printed once, never logged again
        assert f"http://127.0.0.1:{port}/dashboard" in output

        browser.execute_cdp_cmd("Network.clearBrowserCookies", {})  # no sign-in from other tests
        browser.get(f"http://127.0.0.1:{port}/dashboard")
        browser.find_element(By.ID, "sign-in").click()
        visible(browser, "#token-input").send_keys(token)
        browser.find_element(By.ID, "token-submit").click()
        text_in(browser, "#editor-state", "Editor")
        assert browser.find_elements(By.CSS_SELECTOR, "#resource-help .check-now")
        screenshot(browser, "make-run-signed-in")
        browser.get("about:blank")
    finally:
        stop(process)

    process, lines = start(clone, port)
    try:
        wait_until_serving(port, process, lines)
        output = "".join(lines)
        assert token not in output and "instance/editor-token" in output
        assert (clone / "instance" / "editor-token").read_text().strip() == token
    finally:
        stop(process)


def test_a_deployments_own_tokens_are_used_and_no_token_is_made(clone):
    port = free_port()
    process, lines = start(clone, port, REFSVC_EDITOR_TOKENS="deployment-token")
    try:
        wait_until_serving(port, process, lines)
        assert not (clone / "instance" / "editor-token").exists()
        ok = requests.get(f"http://127.0.0.1:{port}/dashboard/reports", timeout=60,  # workers may still boot
                          headers={"Authorization": "Bearer deployment-token"})
        assert ok.status_code == 200
    finally:
        stop(process)
