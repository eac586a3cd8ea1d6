"""axe-core (npm, tests/web/package.json) run inside the page by Selenium: serious or critical
violations fail the test, each named with its rule, help text and the elements it found."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = {"serious", "critical"}


@lru_cache(maxsize=1)
def _axe_source() -> str:
    if not AXE.is_file():
        raise AssertionError(f"{AXE} is missing: run `npm ci` in tests/web (make test does)")
    return AXE.read_text(encoding="utf-8")


def serious_violations(driver, context: str | None = None) -> list[str]:
    """Serious and critical axe-core violations on the current page (or within ``context``, a
    CSS selector), as readable lines."""
    if not driver.execute_script("return !!window.axe"):
        driver.execute_script(_axe_source())
    driver.set_script_timeout(60)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(arguments[0] ? document.querySelector(arguments[0]) : document,"
        " {resultTypes: ['violations']}).then(r => done(r.violations), e => done([{id: 'axe-error',"
        " impact: 'critical', help: String(e), nodes: []}]));", context)
    return [f"{v['id']} ({v['impact']}): {v['help']} at "
            + "; ".join(" ".join(n.get("target", [])) for n in v["nodes"][:5])
            for v in result if v.get("impact") in SERIOUS]


def assert_accessible(driver, context: str | None = None) -> None:
    """Fail with the list of serious or critical violations, if any."""
    problems = serious_violations(driver, context)
    assert problems == [], "axe-core found:\n" + "\n".join(problems)
