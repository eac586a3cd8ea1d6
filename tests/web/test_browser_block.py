"""The further-reading block in a real browser: broken links left out, a visitor's report sent."""
from __future__ import annotations

from selenium.webdriver.common.by import By

from refsvc.storage import Report, get_database
from tests.web.browser import no_alert, text_in, visible, wait_for
from tests.web.conftest import screenshot


def test_block_leaves_out_a_broken_resource_and_sends_a_visitors_report(app, page, add_resource):
    add_resource("nhs", "https://www.nhs.uk/", name="NHS", health="healthy",
                 description="The NHS is the UK's government run medical service.")
    add_resource("mind", "https://www.mind.org.uk/", name="Mind", health="broken")
    add_resource("ukcp", "https://www.psychotherapy.org.uk/", name="UKCP", health="warning",
                 description="<script>window.__pwned = 1</script> regulates psychotherapists.")
    driver = page("/demo/block?ids=nhs,mind,ukcp")
    wait_for(driver, lambda d: d.find_element(By.ID, "block").get_attribute("data-refsvc-state") == "ready")
    shown = [li.get_attribute("data-resource-id")
             for li in driver.find_elements(By.CSS_SELECTOR, "#block li.refsvc-resource")]
    assert shown == ["nhs", "ukcp"]
    assert "Mind" not in driver.find_element(By.ID, "block").text
    assert "<script>window.__pwned = 1</script>" in driver.find_element(By.ID, "block").text
    assert driver.execute_script("return window.__pwned") is None
    screenshot(driver, "block")

    item = driver.find_element(By.CSS_SELECTOR, "li[data-resource-id='nhs']")
    item.find_element(By.CSS_SELECTOR, "summary").click()
    item.find_element(By.CSS_SELECTOR, "input[value='inaccurate']").click()
    visible(driver, "li[data-resource-id='nhs'] textarea").send_keys("The NHS page moved to a new address.")
    screenshot(driver, "block-report-form")
    item.find_element(By.CSS_SELECTOR, "button[type='submit']").click()
    text_in(driver, "li[data-resource-id='nhs'] .refsvc-report__status", "Thank you")
    assert no_alert(driver)
    screenshot(driver, "block-report-sent")

    with get_database(app).transaction() as session:
        reports = [(r.resource_id, r.reason, r.count, [c["comment"] for c in r.comments], r.pages)
                   for r in session.query(Report).all()]
    page_url = driver.current_url.split("#")[0]
    assert reports == [("nhs", "inaccurate", 1, ["The NHS page moved to a new address."], [page_url])]


def test_a_logo_that_cannot_be_loaded_leaves_no_gap(page, add_resource, website):
    from tests.conftest import dead_port

    dead = f"https://127.0.0.1:{dead_port()}/logo.png"  # https: the demo page's CSP allows it
    add_resource("nhs", "https://www.nhs.uk/", name="NHS", health="healthy", logo_url=dead)
    add_resource("mind", "https://www.mind.org.uk/", name="Mind", health="healthy")
    driver = page("/demo/block?ids=nhs,mind")
    wait_for(driver, lambda d: d.find_element(By.ID, "block").get_attribute("data-refsvc-state") == "ready")
    wait_for(driver, lambda d: not d.find_element(By.CSS_SELECTOR, "li[data-resource-id='nhs'] "
                                                  ".refsvc-resource__logo-link").is_displayed())
    heading = driver.find_element(By.CSS_SELECTOR, "li[data-resource-id='nhs'] h3")
    other = driver.find_element(By.CSS_SELECTOR, "li[data-resource-id='mind'] h3")
    assert heading.location["y"] == other.location["y"]  # the title sits where a card without a logo has it


def test_a_logo_that_failed_before_the_script_ran_leaves_no_gap_either(browser, live_server, add_resource,
                                                                       website):
    """A server-side include: the logo may fail while the page is still being read, before the
    deferred script listens for errors."""
    import requests

    from tests.conftest import dead_port

    add_resource("nhs", "https://www.nhs.uk/", name="NHS", health="healthy",
                 logo_url=f"http://127.0.0.1:{dead_port()}/logo.png")
    fragment = requests.get(f"{live_server}/v1/resources/block", params={"ids": "nhs"}, timeout=10).text
    website.expect_request("/page.htm").respond_with_data(
        f"""<!doctype html><html lang="en"><head><title>Page</title>
<link rel="stylesheet" href="{live_server}/static/refsvc-block.css"></head><body>
<div id="block">{fragment.replace('loading="lazy"', '')}</div>
<script>for (let i = 0; i < 3e7; i++) {{}}</script>
<script src="{live_server}/static/refsvc-block.js" defer></script></body></html>""", content_type="text/html")
    browser.get(website.url_for("/page.htm"))
    wait_for(browser, lambda d: d.execute_script("return !!window.refsvcBlock"))
    wait_for(browser, lambda d: not d.find_element(By.CSS_SELECTOR, ".refsvc-resource__logo-link").is_displayed())
    browser.get("about:blank")
