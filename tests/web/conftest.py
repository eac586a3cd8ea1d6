"""Browser-test fixtures: the app served by a real server on loopback, and headless Debian Chromium
driven by Selenium (chromium + chromium-driver from apt; .ci/run installs them)."""
from __future__ import annotations

import os
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest
from werkzeug.serving import make_server

from refsvc.storage import HealthState, get_database
from refsvc.storage.resources import create_resource

SCREENSHOTS = Path(os.environ.get("REFSVC_SCREENSHOTS", "/tmp/refsvc-screens"))
CHROMIUM = os.environ.get("REFSVC_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("REFSVC_CHROMEDRIVER", "/usr/bin/chromedriver")


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """The test app served by werkzeug on 127.0.0.1 (a free port) in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the session, on a fresh profile; each test gets a new origin
    (a new server port), so sessionStorage never leaks between tests."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.path.exists(path):
            pytest.fail(f"{path} is missing: apt-get install -y chromium chromium-driver")
    profile = tempfile.mkdtemp(prefix="refsvc-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,900", f"--user-data-dir={profile}",
                 # pages name real sites (links, logos): no name but localhost resolves, so the
                 # browser can never reach the internet, whatever a page asks for
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # to read script errors
    # Giving the driver's path keeps Selenium Manager from looking for (downloading) one.
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser, live_server):
    """The browser at a fresh origin: ``page(path)`` opens live_server + path and returns the driver."""
    def open_page(path: str):
        browser.get(live_server + path)
        return browser
    browser.set_window_size(1280, 900)
    # Cookies belong to a host, not a port: an editor's sign-in would outlive its test's server.
    browser.execute_cdp_cmd("Network.clearBrowserCookies", {})
    browser.get_log("browser")  # start from an empty log
    yield open_page
    errors = script_errors(browser)
    browser.get("about:blank")
    assert errors == [], "the page's scripts failed"


def script_errors(driver) -> list[str]:
    """Errors the page's scripts raised (network failures such as a missing favicon excluded)."""
    return [entry["message"] for entry in driver.get_log("browser")
            if entry["level"] == "SEVERE" and entry.get("source") != "network"]


def screenshot(driver, name: str) -> Path:
    """Save a full-page screenshot under /tmp (never in the repository) and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    width = driver.get_window_size()["width"]
    driver.set_window_size(width, min(max(height + 140, 600), 4000))
    path = SCREENSHOTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


@pytest.fixture
def add_resource(app):
    """Register a resource: ``add_resource(id, url, name=..., health=..., **fields)``."""
    def add(resource_id: str, url: str, *, health: str = "unknown", **fields: Any) -> None:
        entry = {"id": resource_id, "name": fields.pop("name", resource_id.title()), "url": url,
                 "description": fields.pop("description", f"About {resource_id}."), **fields}
        with get_database(app).transaction() as session:
            resource = create_resource(session, entry)
            # Health is what the checker decides over days; tests set the state it would reach.
            state: HealthState = resource.state
            state.health = health
    return add


WEBSITE = "https://www.harleytherapy.co.uk"


@pytest.fixture
def settings(settings):
    """The shared test settings, with the website's origin allowed by CORS (as deployed)."""
    return {**settings, "CORS_ORIGINS": WEBSITE}


@pytest.fixture
def website() -> Iterator[Any]:
    """The website on its own origin (http://localhost:PORT): a threaded loopback server, since the
    browser keeps idle connections open while refsvc fetches the same pages."""
    from pytest_httpserver import HTTPServer

    server = HTTPServer(host="localhost", threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()
