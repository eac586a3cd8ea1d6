"""The editors' workspace in a real browser: sign in with the token, sort and filter, a resource's
page (chart, timeline, check now), the reports inbox, the CSV export; axe-core on every page."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from refsvc.links.tracking import Tracker
from refsvc.storage import get_database, utcnow
from tests.conftest import EDITOR_TOKEN
from tests.web.accessibility import assert_accessible
from tests.web.browser import text_in, visible, wait_for
from tests.web.conftest import screenshot

SUPPORT = ("<html><head><title>Loopback Support</title></head><body><h1>Loopback Support</h1>"
           "<p>Help for everyone.</p></body></html>")


def rows(driver) -> list[str]:
    return [tr.get_attribute("data-resource-id")
            for tr in driver.find_elements(By.CSS_SELECTOR, "#resources tbody tr")]


def history(app, resource_id: str, url: str) -> None:
    """Ninety days of checks as the checker would have recorded them: fine, then a bad week."""
    now = utcnow()
    for days in range(88, 0, -4):
        bad = 20 <= days <= 28
        tracker = Tracker(get_database(app), app.config, clock=lambda d=days: now - timedelta(days=d))
        tracker.record(resource_id, {
            "url": url, "outcome": "server_error" if bad else "ok", "status_code": 503 if bad else 200,
            "reason": "The server answered 503." if bad else "Fine.", "elapsed_ms": 900 if bad else 150 + days,
            "cert_days_left": 40, "tls_valid": True, "title": "Loopback Support"})


def sign_in(driver, token: str) -> None:
    driver.find_element(By.ID, "sign-in").click()
    visible(driver, "#token-input").send_keys(token)
    driver.find_element(By.ID, "token-submit").click()


def test_an_editor_works_through_the_dashboard_a_resource_page_and_the_inbox(app, client, page,
                                                                            add_resource, httpserver):
    httpserver.expect_request("/support").respond_with_data(SUPPORT, content_type="text/html")
    add_resource("loopback", httpserver.url_for("/support"), name="Loopback Support", tags=["help"],
                 expect=["Loopback Support"])
    add_resource("mind", "https://www.mind.org.uk/", name="Mind", health="broken", tags=["charity"])
    add_resource("nhs", "https://www.nhs.uk/", name="NHS", health="healthy", tags=["uk"])
    history(app, "loopback", httpserver.url_for("/support"))
    client.post("/v1/reports", json={"resource_id": "mind", "reason": "broken",
                                     "comment": "The page says 404.", "page": "http://localhost/p.htm"})

    driver = page("/dashboard")
    assert driver.find_element(By.ID, "editor-state").text == "Read-only"
    assert driver.find_elements(By.CSS_SELECTOR, ".check-now") == []
    assert_accessible(driver)
    screenshot(driver, "dashboard-read-only")

    sign_in(driver, "not-the-token")
    text_in(driver, "#sign-in-error", "refused")
    assert_accessible(driver)
    token_input = driver.find_element(By.ID, "token-input")
    token_input.send_keys(EDITOR_TOKEN)
    driver.find_element(By.ID, "token-submit").click()
    text_in(driver, "#editor-state", "Editor")
    assert rows(driver) == ["mind", "loopback", "nhs"]  # what needs an editor first
    assert len(driver.find_elements(By.CSS_SELECTOR, ".check-now")) == 3
    assert_accessible(driver)
    screenshot(driver, "dashboard")

    # Sort by a column, then filter: both end up in the address, and survive a reload.
    driver.find_element(By.CSS_SELECTOR, "th a[data-sort='name']").click()
    wait_for(driver, lambda d: rows(d) == ["loopback", "mind", "nhs"])
    driver.find_element(By.CSS_SELECTOR, "th a[data-sort='name']").click()
    wait_for(driver, lambda d: rows(d) == ["nhs", "mind", "loopback"])
    Select(driver.find_element(By.ID, "tag-filter")).select_by_value("help")
    driver.find_element(By.ID, "apply-filters").click()
    wait_for(driver, lambda d: rows(d) == ["loopback"])
    assert "tag=help" in driver.current_url and "sort=name" in driver.current_url
    driver.refresh()
    assert rows(driver) == ["loopback"]

    # The resource's page: the chart and the timeline read as text.
    driver.find_element(By.CSS_SELECTOR, "#resource-loopback a.resource__name").click()
    text_in(driver, "#resource-name", "Loopback Support")
    marks = driver.find_elements(By.CSS_SELECTOR, "svg.chart .chart__mark")
    assert len(marks) == 22
    summary = driver.find_element(By.ID, "chart-summary").text
    assert summary.startswith("22 checks in the last 90 days: 19 answered, 0 with a warning, 3 failed")
    timeline = driver.find_element(By.ID, "timeline").text
    assert "Became failing" in timeline and "Became healthy" in timeline
    assert_accessible(driver)
    screenshot(driver, "resource-page")

    before = len(httpserver.log)
    driver.find_element(By.ID, "check-now").click()
    text_in(driver, "#timeline", "Checked now: OK")
    assert len(httpserver.log) > before
    assert driver.find_element(By.ID, "last-check").text.startswith("OK")

    # The inbox: resolve Mind's report with a note.
    driver.find_element(By.LINK_TEXT, "Reports").click()
    group = visible(driver, "section[data-resource-id='mind']")
    assert "The page says 404." in group.text and "http://localhost/p.htm" in group.text
    assert_accessible(driver)
    screenshot(driver, "reports-inbox")
    group.find_element(By.CSS_SELECTOR, "input[name='note']").send_keys("Linked the archived copy.")
    group.find_element(By.CSS_SELECTOR, "button[value='resolved']").click()
    visible(driver, "#inbox-empty")
    driver.get(driver.current_url.split("/dashboard")[0] + "/dashboard/resources/mind")
    text_in(driver, "#timeline", "Report resolved: Linked the archived copy.")

    # The export, as the signed-in browser downloads it.
    driver.get(driver.current_url.split("/dashboard")[0] + "/dashboard")
    href = driver.find_element(By.ID, "export-csv").get_attribute("href")
    text = driver.execute_async_script(
        "fetch(arguments[0]).then(r => r.text()).then(arguments[arguments.length - 1]);", href)
    exported = {row["id"]: row for row in csv.DictReader(io.StringIO(text))}
    assert set(exported) == {"loopback", "mind", "nhs"}
    assert exported["loopback"]["health"] == "healthy" and exported["loopback"]["last_outcome"] == "ok"
    assert exported["mind"]["open_reports"] == "0"  # resolved a moment ago


def test_one_banner_when_the_checker_is_offline_and_no_response_time_without_an_answer(app, page,
                                                                                     add_resource):
    add_resource("nhs", "https://www.nhs.uk/", name="NHS")
    tracker = Tracker(get_database(app), app.config)
    tracker.record("nhs", {"url": "https://www.nhs.uk/", "outcome": "checker_offline", "status_code": None,
                           "reason": "Inconclusive: the checker looked offline.", "elapsed_ms": 3000})
    driver = page("/dashboard")
    assert driver.find_element(By.ID, "editor-state").text == "Read-only"
    banner = driver.find_elements(By.ID, "offline-banner")
    assert len(banner) == 1 and "Checker offline since" in banner[0].text
    assert driver.find_element(By.CSS_SELECTOR, "#resource-nhs .metric-response").text == "–"
    screenshot(driver, "dashboard-checker-offline")
    driver.set_window_size(420, 900)  # a phone: the table scrolls inside its box, the page does not
    assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")


def test_the_accessibility_check_itself_catches_a_serious_problem(page):
    from tests.web.accessibility import serious_violations

    driver = page("/dashboard")
    assert serious_violations(driver) == []
    driver.execute_script("const img = document.createElement('img'); img.src = 'data:,';"
                          "document.querySelector('main').appendChild(img);")
    assert any(line.startswith("image-alt (critical)") for line in serious_violations(driver))


def test_the_browser_gets_the_sites_icon_and_logs_no_failed_request(app, page):
    """Chromium asks for the icon a page names; it is found, so the console shows no 404."""
    from flask import request as flask_request

    asked: list[tuple[str, int]] = []

    @app.after_request
    def note(response):
        asked.append((flask_request.path, response.status_code))
        return response

    driver = page("/dashboard/sign-in")
    icon = wait_for(driver, lambda _: [hit for hit in asked if "favicon" in hit[0]])
    assert all(status == 200 for _, status in icon), icon
    failed = [entry["message"] for entry in driver.get_log("browser") if entry.get("source") == "network"]
    assert failed == []
