"""The pages still work in a real browser under their Content-Security-Policy: no violation
reported, Swagger UI renders, the widgets run."""
from __future__ import annotations

import pytest

from tests.web.browser import visible


@pytest.mark.parametrize("path, ready", [
    ("/docs", ".swagger-ui .info"),
    ("/demo/cite", "body"),
    ("/demo/block", "body"),
    ("/dashboard", "body"),
])
def test_pages_run_under_their_policy_without_a_violation(page, path, ready):
    driver = page(path)
    visible(driver, ready)
    violations = [entry["message"] for entry in driver.get_log("browser")
                  if "Content Security Policy" in entry["message"]]
    assert violations == []
