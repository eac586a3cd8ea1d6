"""The cite-this-page widget in a real browser: three citations, copy and downloads, no injection."""
from __future__ import annotations

from urllib.parse import quote

from selenium.webdriver.common.by import By

from tests.web.browser import no_alert, text_in, wait_for
from tests.web.conftest import screenshot

TITLE = "Dynamic Interpersonal Therapy in London"


def ready(driver):
    wait_for(driver, lambda d: d.find_element(By.ID, "cite").get_attribute("data-refsvc-state")
             in {"ready", "error"})
    assert driver.find_element(By.ID, "cite").get_attribute("data-refsvc-state") == "ready"
    return {entry.get_attribute("data-style"): entry
            for entry in driver.find_elements(By.CSS_SELECTOR, "#cite .refsvc-cite__entry")}


def test_widget_shows_apa_mla_and_chicago_with_copy_buttons_and_downloads(page):
    driver = page("/demo/cite")
    entries = ready(driver)
    assert list(entries) == ["apa", "mla", "chicago"]
    mla = entries["mla"].find_element(By.CSS_SELECTOR, ".refsvc-cite__text").text
    assert mla == ("Harley Therapy Ltd. ‘Dynamic Interpersonal Therapy in London’. Harley Therapy, "
                   "20 Jan. 2022, https://www.harleytherapy.co.uk/dynamic-interpersonal-therapy-london.htm.")
    for entry in entries.values():
        assert TITLE in entry.text
    # The service's italics survive; nothing else does.
    assert entries["apa"].find_element(By.CSS_SELECTOR, ".refsvc-cite__text i").text == TITLE
    downloads = {a.text: a for a in driver.find_elements(By.CSS_SELECTOR, "#cite a[download]")}
    assert set(downloads) == {"Download BibTeX", "Download RIS"}
    assert downloads["Download BibTeX"].get_attribute("download").endswith(".bib")
    assert downloads["Download RIS"].get_attribute("href").startswith("blob:")
    entries["apa"].find_element(By.CSS_SELECTOR, "button").click()
    text_in(driver, "#cite .refsvc-cite__status", "APA reference copied")
    screenshot(driver, "cite-widget")


def test_a_script_title_renders_as_text_and_runs_nothing(page):
    title = '<script>window.__pwned=1;alert(1)</script><img src=x onerror="window.__pwned=2">'
    driver = page("/demo/cite?title=" + quote(title))
    entries = ready(driver)
    assert no_alert(driver)
    assert driver.execute_script("return window.__pwned") is None
    widget = driver.find_element(By.ID, "cite")
    assert widget.find_elements(By.CSS_SELECTOR, "script, img, [onerror]") == []
    apa = entries["apa"].find_element(By.CSS_SELECTOR, ".refsvc-cite__text").text
    assert "<script>window.__pwned=1;alert(1)</script>" in apa
    screenshot(driver, "cite-widget-script-title")


def test_without_metadata_the_widget_reads_the_pages_own_meta_tags(page):
    driver = page("/demo/cite?source=page&title=" + quote("Therapy & the <Self>"))
    entries = ready(driver)
    apa = entries["apa"].find_element(By.CSS_SELECTOR, ".refsvc-cite__text").text
    assert apa == ("Harley Therapy Ltd. (2022, January 20). Therapy & the <Self>. Harley Therapy. "
                   "https://www.harleytherapy.co.uk/dynamic-interpersonal-therapy-london.htm")
