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
