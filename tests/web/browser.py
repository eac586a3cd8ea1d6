"""Small waits shared by the browser tests (explicit conditions, never sleeps)."""
from __future__ import annotations

from selenium.common.exceptions import NoAlertPresentException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

WAIT = 20  # seconds before a condition counts as failed; the conditions, not the clock, pace tests


def wait_for(driver, condition, timeout: float = WAIT):
    """Wait until ``condition(driver)`` is truthy and return its value.

    The pages are server-rendered: a condition may read elements of a page that a click is just
    replacing, so a stale element means "not yet", not a failure."""
    return WebDriverWait(driver, timeout, ignored_exceptions=(StaleElementReferenceException,)
                         ).until(condition)


def visible(driver, css: str):
    """The element for ``css`` once it is visible."""
    return wait_for(driver, EC.visibility_of_element_located((By.CSS_SELECTOR, css)))


def text_in(driver, css: str, text: str) -> bool:
    """Wait until the element for ``css`` shows ``text``."""
    return wait_for(driver, EC.text_to_be_present_in_element((By.CSS_SELECTOR, css), text))


def no_alert(driver) -> bool:
    """True when no JavaScript alert is open."""
    try:
        driver.switch_to.alert
    except NoAlertPresentException:
        return True
    return False
