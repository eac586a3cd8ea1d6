"""A page of the website (another loopback origin) embedding the cite widget, the citation block and
the further-reading block: pick Harvard, copy the in-text citation, download BibTeX, and report a
link with JavaScript off; axe-core on the widget and both blocks."""
from __future__ import annotations

import time
from pathlib import Path

import bibtexparser
import pytest
import requests
from selenium.webdriver.common.by import By

from refsvc.storage import Report, get_database
from tests.web.accessibility import assert_accessible
from tests.web.browser import text_in, visible, wait_for
from tests.web.conftest import screenshot, script_errors

CANONICAL = "https://www.harleytherapy.co.uk/dynamic-interpersonal-therapy-london.htm"
METADATA = {"type": "webpage", "title": "Dynamic Interpersonal Therapy in London",
            "authors": [{"name": "Harley Therapy Ltd."}], "site_name": "Harley Therapy",
            "published": "2022-01-20", "url": CANONICAL}
HARVARD = "harvard-cite-them-right"


@pytest.fixture
def settings(settings, website):
    return {**settings, "CORS_ORIGINS": website.url_for("/").rstrip("/")}


def website_page(service: str, citation_block: str, further_reading: str) -> str:
    """The website's page as its server builds it: both blocks included server-side, the widget
    and the scripts from refsvc."""
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Dynamic Interpersonal Therapy in London</title>
<meta name="author" content="Harley Therapy Ltd.">
<meta property="og:site_name" content="Harley Therapy">
<meta property="article:published_time" content="2022-01-20T09:00:00+00:00">
<link rel="canonical" href="{CANONICAL}">
<link rel="stylesheet" href="{service}/static/refsvc-block.css">
</head><body><main><h1>Dynamic Interpersonal Therapy in London</h1>
<div id="cite" data-refsvc-cite data-refsvc-locale="en-GB"></div>
<div id="citation-block">{citation_block}</div>
<section aria-labelledby="fr"><h2 id="fr">Further reading</h2><div id="block">{further_reading}</div></section>
</main>
<script src="{service}/static/refsvc-cite.js" defer></script>
<script src="{service}/static/refsvc-block.js" defer></script>
</body></html>"""


@pytest.fixture
def site(app, browser, live_server, website, add_resource, tmp_path):
    add_resource("nhs", "https://www.nhs.uk/", name="NHS", health="healthy", tags=["further-reading"],
                 description="The UK's health service.")
    page_url = website.url_for("/dit.htm")
    # What the website's server-side include does: ask refsvc (at its own address) for the fragments.
    citation_block = requests.post(f"{live_server}/v1/citations/block", timeout=10,
                                   json={"metadata": METADATA, "locale": "en-GB"})
    further = requests.get(f"{live_server}/v1/resources/block", timeout=10,
                           params={"tag": "further-reading", "page": page_url})
    assert citation_block.status_code == further.status_code == 200
    html = website_page(live_server, citation_block.text, further.text)
    website.expect_request("/dit.htm").respond_with_data(html, content_type="text/html")
    origin = website.url_for("/").rstrip("/")
    browser.execute_cdp_cmd("Browser.grantPermissions", {
        "origin": origin, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow",
                                                             "downloadPath": str(downloads)})
    browser.get_log("browser")
    yield page_url, downloads
    browser.execute_cdp_cmd("Browser.resetPermissions", {})
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
    browser.get("about:blank")


def ready(driver) -> None:
    wait_for(driver, lambda d: d.find_element(By.ID, "cite").get_attribute("data-refsvc-state")
             in {"ready", "error"})
    assert driver.find_element(By.ID, "cite").get_attribute("data-refsvc-state") == "ready"


def clipboard(driver) -> str:
    return driver.execute_async_script(
        "navigator.clipboard.readText().then(arguments[0], e => arguments[0]('ERROR ' + e));")


def wait_for_file(folder: Path, suffix: str, timeout: float = 20) -> Path:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        done = [p for p in folder.iterdir() if p.suffix == suffix]
        if done:
            return done[0]
        time.sleep(0.1)
    raise AssertionError(f"no {suffix} file was downloaded into {folder}")


def test_a_visitor_picks_harvard_copies_the_in_text_citation_and_downloads_bibtex(browser, site):
    page_url, downloads = site
    browser.get(page_url)
    ready(browser)
    assert [e.get_attribute("data-style") for e in
            browser.find_elements(By.CSS_SELECTOR, "#cite .refsvc-cite__entry")] == ["apa", "mla", "chicago"]
    for region in ("#cite", "#citation-block", "#block"):
        assert_accessible(browser, region)

    visible(browser, f"#cite button[data-style-id='{HARVARD}']").click()
    harvard = visible(browser, "#cite [data-refsvc-chosen]")
    assert harvard.get_attribute("data-style") == HARVARD
    assert "Harley Therapy Ltd. (2022)" in harvard.find_element(By.CSS_SELECTOR, ".refsvc-cite__text").text
    assert browser.execute_script("return localStorage.getItem('refsvc.citeStyle')") == HARVARD
    harvard.find_element(By.CSS_SELECTOR, ".refsvc-cite__copy-short").click()
    text_in(browser, "#cite .refsvc-cite__status", "in-text citation copied")
    assert clipboard(browser) == "(Harley Therapy Ltd., 2022)"
    assert_accessible(browser, "#cite")
    screenshot(browser, "cite-widget-harvard")

    browser.find_element(By.CSS_SELECTOR, "#cite a[download$='.bib']").click()
    entries = bibtexparser.parse_string(wait_for_file(downloads, ".bib").read_text()).entries
    assert len(entries) == 1 and entries[0].entry_type in {"online", "misc"}
    assert entries[0]["title"].strip("{}") == "Dynamic Interpersonal Therapy in London"
    assert "2022" in entries[0]["year"]

    # The choice is remembered on this device: the next page shows Harvard at once.
    browser.refresh()
    ready(browser)
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, f"#cite [data-refsvc-chosen][data-style='{HARVARD}']"))

    # The server-side citation block: its copy buttons work once the script is there.
    block = browser.find_element(By.ID, "citation-block")
    button = block.find_element(By.CSS_SELECTOR, "[data-style='apa'] button[data-refsvc-copy='short']")
    assert button.is_displayed()
    button.click()
    text_in(browser, "#citation-block .refsvc-cite__status", "copied")
    assert clipboard(browser) == "(Harley Therapy Ltd., 2022)"
    assert script_errors(browser) == []


def test_without_javascript_the_blocks_are_text_and_a_report_lands_back_on_the_page(app, browser, site):
    page_url, _ = site
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    browser.get(page_url)
    assert browser.find_element(By.ID, "cite").text == ""  # the widget needs JavaScript
    block = browser.find_element(By.ID, "citation-block")
    assert "Dynamic Interpersonal Therapy in London" in block.find_element(
        By.CSS_SELECTOR, "[data-style='mla'] .refsvc-cite__text").text
    assert not any(b.is_displayed() for b in block.find_elements(By.TAG_NAME, "button"))
    screenshot(browser, "website-without-javascript")

    item = browser.find_element(By.CSS_SELECTOR, "#block li[data-resource-id='nhs']")
    item.find_element(By.CSS_SELECTOR, "summary").click()
    item.find_element(By.CSS_SELECTOR, "input[value='inaccurate']").click()
    item.find_element(By.CSS_SELECTOR, "textarea").send_keys("The NHS page moved.")
    item.find_element(By.CSS_SELECTOR, "button[type='submit']").click()
    text_in(browser, "h1", "Thank you")
    screenshot(browser, "report-thanks")
    browser.find_element(By.LINK_TEXT, "Back to the page you were reading").click()
    wait_for(browser, lambda d: d.current_url == page_url)
    with get_database(app).transaction() as session:
        reports = [(r.resource_id, r.reason, r.pages, [c["comment"] for c in r.comments])
                   for r in session.query(Report).all()]
    assert reports == [("nhs", "inaccurate", [page_url], ["The NHS page moved."])]


def test_when_refsvc_does_not_allow_the_origin_the_widget_links_to_the_citation_page(
        browser, live_server, website):
    page_url = website.url_for("/other.htm")
    # CORS_ORIGINS names the website as http://localhost:PORT; 127.0.0.1:PORT is another origin.
    other = page_url.replace("localhost", "127.0.0.1")
    website.expect_request("/other.htm").respond_with_data(
        f"""<!doctype html><html lang="en"><head><title>Other</title></head><body><main>
<div id="cite" data-refsvc-cite></div>
<div id="cite2" data-refsvc-cite data-refsvc-locale="en-US" data-refsvc-styles="mla, apa"></div></main>
<script src="{live_server}/static/refsvc-cite.js" defer></script></body></html>""", content_type="text/html")
    browser.get_log("browser")
    browser.get(other)
    for widget in ("cite", "cite2"):
        wait_for(browser, lambda d, w=widget: d.find_element(By.ID, w).get_attribute("data-refsvc-state") == "error")
    link = browser.find_element(By.CSS_SELECTOR, "#cite a.refsvc-cite__fallback")
    assert link.get_attribute("href").startswith(f"{live_server}/cite?url=")
    assert "locale=" not in link.get_attribute("href")  # the citation page's own defaults
    assert "style=" not in link.get_attribute("href")
    american = browser.find_element(By.CSS_SELECTOR, "#cite2 a.refsvc-cite__fallback")
    # the site's styles and punctuation kept
    assert american.get_attribute("href").endswith("&style=mla%2Capa&locale=en-US")
    lines = [e["message"] for e in browser.get_log("browser") if "REFSVC_CORS_ORIGINS" in e["message"]]
    origin = other.rsplit("/", 1)[0]
    assert len(lines) == 1 and f"add {origin} to REFSVC_CORS_ORIGINS" in lines[0]
    assert_accessible(browser, "#cite")
    screenshot(browser, "cite-widget-not-allowed")
    link.click()
    text_in(browser, "h1", "How to cite this page")
    assert_accessible(browser)
    browser.get("about:blank")


def test_when_refsvc_does_not_allow_the_origin_the_further_reading_block_says_so_once(
        browser, live_server, website, add_resource):
    add_resource("nhs", "https://www.nhs.uk/", name="NHS", health="healthy", tags=["further-reading"])
    page_url = website.url_for("/reading.htm").replace("localhost", "127.0.0.1")  # not in CORS_ORIGINS
    block_url = f"{live_server}/v1/resources/block?tag=further-reading"
    website.expect_request("/reading.htm").respond_with_data(
        f"""<!doctype html><html lang="en"><head><title>Reading</title></head><body><main>
<div id="one" data-refsvc-block="{block_url}"></div><div id="two" data-refsvc-block="{block_url}"></div></main>
<script src="{live_server}/static/refsvc-block.js" defer></script></body></html>""", content_type="text/html")
    browser.get_log("browser")
    browser.get(page_url)
    for block in ("one", "two"):
        wait_for(browser, lambda d, b=block: d.find_element(By.ID, b).get_attribute("data-refsvc-state") == "error")
    link = browser.find_element(By.CSS_SELECTOR, "#one a.refsvc-block__fallback")
    assert link.get_attribute("href") == block_url and link.is_displayed()
    lines = [e["message"] for e in browser.get_log("browser") if "REFSVC_CORS_ORIGINS" in e["message"]]
    origin = page_url.rsplit("/", 1)[0]
    assert len(lines) == 1 and f"add {origin} to REFSVC_CORS_ORIGINS" in lines[0]
    assert_accessible(browser, "#one")
    browser.get("about:blank")
