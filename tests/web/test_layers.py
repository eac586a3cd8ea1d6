"""Imports flow one way: the web pages may use the API, never the reverse (the app factory
registers both); and both stand on shared lower modules, the web pages reaching into the API's
internals only where the citation block shares its request path."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from refsvc import create_app

PACKAGE = Path(__file__).resolve().parents[2] / "refsvc"
WEB = PACKAGE / "web"
API = PACKAGE / "api"
# What is left: the block is the citation endpoint's HTML face, so it shares that endpoint's request
# path (``cite()``, its schemas and the body's item in refsvc.api.citations*, cite_inputs); moving
# those down beside refsvc.lookups is the next step.
STILL_FROM_API = {"refsvc.api.citations", "refsvc.api.citation_schemas", "refsvc.api.cite_inputs"}


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, at the top or inside a function, or names for import_module."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names
                         if node.module in {"refsvc", "refsvc.api", "refsvc.web"})
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and node.value.startswith("refsvc."):
            found.add(node.value)  # a module imported by name (importlib.import_module)
    return found


@pytest.mark.parametrize("path", sorted(API.glob("*.py")), ids=lambda p: p.name)
def test_an_api_module_imports_nothing_of_the_web_pages(path):
    from_web = {name for name in imported_modules(path)
                if name == "refsvc.web" or name.startswith("refsvc.web.")}
    assert not from_web, f"{path.name} imports {sorted(from_web)}"


@pytest.mark.parametrize("path", sorted(WEB.glob("*.py")), ids=lambda p: p.name)
def test_a_web_module_imports_no_api_internals(path):
    from_api = {name for name in imported_modules(path)
                if name == "refsvc.api" or name.startswith("refsvc.api.")}
    assert from_api <= STILL_FROM_API, f"{path.name} imports {sorted(from_api - STILL_FROM_API)}"


@pytest.fixture
def blank_token_app(settings, tmp_path, monkeypatch):
    """An app whose token list holds an empty entry (a list given in code, not the environment)."""
    monkeypatch.setenv("REFSVC_INSTANCE_PATH", str(tmp_path / "instance"))
    return create_app({**settings, "EDITOR_TOKENS": ["", "real-token"], "REPORT_RATE_LIMIT": "1 per minute"})


def test_an_empty_bearer_token_is_no_editor_on_the_api_or_the_dashboard(blank_token_app):
    client = blank_token_app.test_client()
    blank = {"Authorization": "Bearer "}
    assert client.get("/dashboard/reports", headers=blank).status_code == 401
    assert client.get("/v1/reports", headers=blank).status_code == 401
    report = {"url": "https://a.example.org/", "reason": "other"}
    # nor does it lift the visitors' rate limit, which editors are exempt from
    assert [client.post("/v1/reports", json=report, headers=blank).status_code
            for _ in range(2)] == [202, 429]


@pytest.mark.parametrize("header", ["Bearer real-token", "Bearer  real-token ", "Bearer real-token\t"])
def test_the_api_and_the_dashboard_take_the_same_token_spellings(blank_token_app, header):
    client = blank_token_app.test_client()
    assert client.get("/v1/reports", headers={"Authorization": header}).status_code == 200
    assert client.get("/dashboard/reports", headers={"Authorization": header}).status_code == 200
