"""The editor dashboard in a real browser: resources with their health, the token prompt, check now."""
from __future__ import annotations

from selenium.webdriver.common.by import By

from tests.conftest import EDITOR_TOKEN
from tests.web.browser import text_in, visible, wait_for
from tests.web.conftest import screenshot


def card(driver, resource_id: str):
    return driver.find_element(By.ID, f"resource-{resource_id}")


def test_dashboard_lists_every_resource_with_its_health_in_words(page, add_resource):
    add_resource("nhs", "https://www.nhs.uk/", name="NHS", health="healthy", tags=["uk"])
    add_resource("mind", "https://www.mind.org.uk/", name="Mind", health="broken", tags=["charity"])
    add_resource("bbc", "https://www.bbc.co.uk/", name="The BBC", health="warning", tags=["uk"])
    driver = page("/dashboard")
    visible(driver, "#token-dialog")
    driver.find_element(By.ID, "token-cancel").click()  # read-only is enough to see health
    wait_for(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#resources > li")) == 3)
    badges = {rid: card(driver, rid).find_element(By.CSS_SELECTOR, ".badge").text
              for rid in ("nhs", "mind", "bbc")}
    assert badges["nhs"].endswith("Healthy") and badges["mind"].endswith("Broken")
    assert badges["bbc"].endswith("Warning")
    # What needs an editor comes first.
    order = [li.get_attribute("data-resource-id")
             for li in driver.find_elements(By.CSS_SELECTOR, "#resources > li")]
    assert order == ["mind", "bbc", "nhs"]
    assert driver.find_element(By.CSS_SELECTOR, "[data-count='broken']").text == "1"
    screenshot(driver, "dashboard-read-only")
    driver.set_window_size(420, 900)  # a phone: one column, nothing wider than the screen
    assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(driver, "dashboard-narrow")
    driver.set_window_size(1280, 900)
    driver.find_element(By.CSS_SELECTOR, ".chip[data-health='broken']").click()
    wait_for(driver, lambda d: [li.get_attribute("data-resource-id") for li in
                                d.find_elements(By.CSS_SELECTOR, "#resources > li")] == ["mind"])
    driver.find_element(By.CSS_SELECTOR, ".chip[data-health='']").click()
    driver.find_element(By.CSS_SELECTOR, "#tag-filter option[value='uk']").click()
    wait_for(driver, lambda d: [li.get_attribute("data-resource-id") for li in
                                d.find_elements(By.CSS_SELECTOR, "#resources > li")] == ["bbc", "nhs"])


def test_a_card_shows_the_last_check_its_history_uptime_response_time_and_tls_days(app, page,
                                                                                  add_resource):
    from datetime import timedelta

    from refsvc.storage import get_database, utcnow
    from refsvc.storage.checks import get_state, record_check

    add_resource("bbc", "https://www.bbc.co.uk/", name="The BBC", health="failing")
    now = utcnow()
    history = [("ok", "Fine.", 200), ("blocked", "A bot wall (403).", 403), ("ok", "Fine.", 200),
               ("server_error", "The server answered 503 three times.", 503)]
    with get_database(app).transaction() as session:
        for hours_ago, (outcome, reason, status) in zip((30, 20, 10, 1), history):
            result = {"url": "https://www.bbc.co.uk/", "outcome": outcome, "reason": reason,
                      "status_code": status, "elapsed_ms": 321, "tls_valid": True, "cert_days_left": 9}
            record_check(session, get_state(session, "bbc"), result, now - timedelta(hours=hours_ago),
                         health={"health": "failing"}, next_check_at=now)
    driver = page("/dashboard")
    visible(driver, "#token-cancel").click()
    text_in(driver, "#resource-bbc .resource__reason", "The server answered 503 three times.")
    bbc = card(driver, "bbc")
    assert bbc.find_element(By.CSS_SELECTOR, ".outcome").text == "server error"
    assert bbc.find_element(By.CSS_SELECTOR, ".metric-response").text == "321 ms"
    assert bbc.find_element(By.CSS_SELECTOR, ".metric-tls").text == "9 days"
    assert "metric--warn" in bbc.find_element(By.CSS_SELECTOR, ".metric-tls").get_attribute("class")
    # The blocked check is inconclusive: 2 of the 3 conclusive checks were up.
    assert bbc.find_element(By.CSS_SELECTOR, ".metric-uptime").text == "66.7%"
    bars = [bar.get_attribute("class").split("--")[-1]
            for bar in bbc.find_elements(By.CSS_SELECTOR, ".history__bar")]
    assert bars == ["up", "inconclusive", "up", "down"]  # oldest first
    summary = bbc.find_element(By.CSS_SELECTOR, ".history-summary").get_attribute("textContent")
    assert summary == "Last 4 checks: 2 ok, 0 with a warning, 1 failed, 1 inconclusive."
    assert bbc.find_element(By.CSS_SELECTOR, ".badge").text.endswith("Failing")


def test_check_now_asks_for_the_token_once_then_checks_the_link(page, add_resource, httpserver):
    httpserver.expect_request("/support").respond_with_data(
        "<html><head><title>Loopback Support</title></head><body><h1>Loopback Support</h1>"
        "<p>Help for everyone.</p></body></html>", content_type="text/html")
    add_resource("loopback", httpserver.url_for("/support"), name="Loopback Support")
    driver = page("/dashboard")
    visible(driver, "#token-dialog")
    driver.find_element(By.ID, "token-cancel").click()
    button = visible(driver, "#resource-loopback .check-now")
    assert "not checked yet" in card(driver, "loopback").text
    button.click()  # read-only: the dashboard asks for the token first
    visible(driver, "#token-input").send_keys("not-the-token")
    screenshot(driver, "dashboard-token-prompt")
    driver.find_element(By.ID, "token-submit").click()
    text_in(driver, "#token-error", "refused")
    token_input = driver.find_element(By.ID, "token-input")
    token_input.clear()
    token_input.send_keys(EDITOR_TOKEN)
    driver.find_element(By.ID, "token-submit").click()
    # The pending "check now" goes on once the token is accepted.
    text_in(driver, "#resource-loopback .outcome", "ok")
    assert len(httpserver.log) >= 1
    assert driver.find_element(By.ID, "editor-state").text == "Editor"
    assert driver.execute_script("return sessionStorage.getItem('refsvc.editorToken')") == EDITOR_TOKEN
    text_in(driver, "#resource-loopback .metric-response", "ms")
    screenshot(driver, "dashboard-after-check")
    # Kept for the tab: a reload neither asks again nor loses editor rights.
    driver.refresh()
    visible(driver, "#resource-loopback .check-now").click()
    wait_for(driver, lambda d: len(httpserver.log) >= 2)
    assert not driver.find_element(By.ID, "token-dialog").is_displayed()


def test_an_editor_sees_reports_and_the_wayback_suggestion_and_resolves_a_report(app, client, page,
                                                                                  add_resource):
    from refsvc.storage import Report, get_database
    from refsvc.storage.checks import get_state

    add_resource("mind", "https://www.mind.org.uk/", name="Mind", health="broken")
    snapshot = "http://web.archive.org/web/20240101000000/https://www.mind.org.uk/"
    with get_database(app).transaction() as session:
        get_state(session, "mind").wayback_url = snapshot
    sent = client.post("/v1/reports", json={"resource_id": "mind", "reason": "broken",
                                            "comment": "<b>Gone</b> since Monday",
                                            "page": "https://www.harleytherapy.co.uk/dit.htm"})
    assert sent.status_code == 202
    driver = page("/dashboard")
    visible(driver, "#token-input").send_keys(EDITOR_TOKEN)
    driver.find_element(By.ID, "token-submit").click()
    text_in(driver, "#resource-mind .reports-count", "1 open visitor report")
    suggestion = visible(driver, "#resource-mind .suggestion-link")
    assert suggestion.get_attribute("href") == snapshot
    card(driver, "mind").find_element(By.CSS_SELECTOR, ".resource__reports summary").click()
    report = visible(driver, "#resource-mind .report")
    assert "<b>Gone</b> since Monday" in report.text  # a visitor's words stay text
    screenshot(driver, "dashboard-reports")
    report.find_element(By.XPATH, ".//button[text()='Mark resolved']").click()
    # The card is rebuilt after the change: ask the live DOM, not an element found before.
    wait_for(driver, lambda d: d.execute_script(
        "return document.querySelector('#resource-mind .resource__reports').hidden"))
    with get_database(app).transaction() as session:
        assert [r.status for r in session.query(Report).all()] == ["resolved"]


def test_an_editor_audits_a_page_and_sees_its_flagged_links(page, add_resource, httpserver):
    add_resource("mind", "https://www.mind.org.uk/", name="Mind", health="broken")
    httpserver.expect_request("/dit.htm").respond_with_data(
        '<p>Read <a href="https://www.mind.org.uk/">Mind</a> and '
        '<a href="https://elsewhere.example/"><script>x</script>Elsewhere</a>.</p>',
        content_type="text/html")
    driver = page("/dashboard")
    visible(driver, "#token-input").send_keys(EDITOR_TOKEN)
    driver.find_element(By.ID, "token-submit").click()
    wait_for(driver, lambda d: not d.find_element(By.ID, "token-dialog").is_displayed())
    driver.find_element(By.ID, "audit-url").send_keys(httpserver.url_for("/dit.htm"))
    driver.find_element(By.CSS_SELECTOR, "#audit-form button").click()
    text_in(driver, "#audit-summary", "2 outbound links: 1 not registered, 1 broken")
    rows = [row.text for row in driver.find_elements(By.CSS_SELECTOR, "#audit-results tbody tr")]
    assert "Mind (url)" in rows[0] and rows[0].endswith("broken")
    assert rows[1].startswith("Elsewhere\nhttps://elsewhere.example/")  # the script's text is no part
    assert rows[1].endswith("not registered")
    screenshot(driver, "dashboard-audit")
