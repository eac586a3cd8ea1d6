"""The website on another origin embeds the cite widget and the further-reading block (CORS, real browser)."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from refsvc.storage import Report, get_database
from tests.web.browser import text_in, wait_for
from tests.web.conftest import screenshot, script_errors

CANONICAL = "https://www.harleytherapy.co.uk/dynamic-interpersonal-therapy-london.htm"


@pytest.fixture
def settings(settings, website):
    """The website is the loopback server on its own origin (localhost:PORT, not 127.0.0.1)."""
    return {**settings, "CORS_ORIGINS": website.url_for("/").rstrip("/")}


def website_page(service: str) -> str:
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Dynamic Interpersonal Therapy in London</title>
<meta name="author" content="Harley Therapy Ltd.">
<meta property="og:site_name" content="Harley Therapy">
<meta property="article:published_time" content="2022-01-20T09:00:00+00:00">
<link rel="canonical" href="{CANONICAL}">
<link rel="stylesheet" href="{service}/static/refsvc-block.css">
</head><body><h1>Dynamic Interpersonal Therapy in London</h1>
<h2>Further reading on dynamic interpersonal therapy</h2>
<div id="block" data-refsvc-block="{service}/v1/resources/block?tag=further-reading"></div>
<div id="cite" data-refsvc-cite></div>
<script src="{service}/static/refsvc-cite.js" defer></script>
<script src="{service}/static/refsvc-block.js" defer></script>
</body></html>"""


def test_a_page_on_the_website_shows_citations_and_the_block_and_sends_a_report(
        app, browser, live_server, website, add_resource):
    add_resource("nhs", "https://www.nhs.uk/", name="NHS", health="healthy", tags=["further-reading"])
    add_resource("mind", "https://www.mind.org.uk/", name="Mind", health="broken",
                 tags=["further-reading"])
    website.expect_request("/dit.htm").respond_with_data(website_page(live_server),
                                                             content_type="text/html")
    browser.get_log("browser")
    browser.get(website.url_for("/dit.htm"))
    wait_for(browser, lambda d: d.find_element(By.ID, "cite").get_attribute("data-refsvc-state")
             in {"ready", "error"} and d.find_element(By.ID, "block").get_attribute("data-refsvc-state")
             in {"ready", "error"})
    assert browser.find_element(By.ID, "cite").get_attribute("data-refsvc-state") == "ready"
    apa = browser.find_element(By.CSS_SELECTOR, "[data-style='apa'] .refsvc-cite__text").text
    # Read from the page's own meta tags, across origins.
    assert apa == ("Harley Therapy Ltd. (2022, January 20). Dynamic Interpersonal Therapy in London. "
                   f"Harley Therapy. {CANONICAL}")
    assert [li.get_attribute("data-resource-id")
            for li in browser.find_elements(By.CSS_SELECTOR, "#block li")] == ["nhs"]

    item = browser.find_element(By.CSS_SELECTOR, "#block li[data-resource-id='nhs']")
    item.find_element(By.CSS_SELECTOR, "summary").click()
    item.find_element(By.CSS_SELECTOR, "button[type='submit']").click()
    text_in(browser, "#block .refsvc-report__status", "Thank you")
    screenshot(browser, "website-embedding")
    with get_database(app).transaction() as session:
        reports = [(r.resource_id, r.reason, r.pages) for r in session.query(Report).all()]
    assert reports == [("nhs", "broken", [website.url_for("/dit.htm")])]
    assert script_errors(browser) == []
    browser.get("about:blank")


def test_the_widget_can_let_refsvc_read_the_page_by_its_url(browser, live_server, website):
    page_url = website.url_for("/anxiety.htm")
    website.expect_request("/anxiety.htm").respond_with_data(f"""<!doctype html><html><head>
<title>Anxiety Therapy in London</title>
<meta property="og:title" content="Anxiety Therapy in London">
<meta property="og:site_name" content="Harley Therapy">
<meta name="author" content="Harley Therapy Ltd.">
<meta property="article:published_time" content="2021-03-04">
<link rel="canonical" href="{page_url}"></head><body><h1>Anxiety Therapy in London</h1>
<div id="cite" data-refsvc-cite data-refsvc-lookup="url"></div>
<script src="{live_server}/static/refsvc-cite.js" defer></script></body></html>""",
                                                                  content_type="text/html")
    browser.get_log("browser")
    browser.get(page_url)
    wait_for(browser, lambda d: d.find_element(By.ID, "cite").get_attribute("data-refsvc-state")
             in {"ready", "error"})
    assert browser.find_element(By.ID, "cite").get_attribute("data-refsvc-state") == "ready"
    text = browser.find_element(By.CSS_SELECTOR, "[data-style='mla'] .refsvc-cite__text").text
    assert "Anxiety Therapy in London" in text and page_url in text
    # refsvc fetched the page itself: the browser's visit and the service's.
    assert len([entry for entry, _ in website.log if entry.path == "/anxiety.htm"]) == 2
    assert script_errors(browser) == []
    browser.get("about:blank")
