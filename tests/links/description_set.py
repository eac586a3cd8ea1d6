"""The labelled set of description checks: build its pages, serve them on loopback, judge each case.

Each case (data/descriptions/cases.yaml) is served at its own path of one loopback server: first the
"before" page, checked once (the baseline), then the "after" page, checked twice (a verdict needs two
checks in a row to move). Checks go the whole real way: ``Tracker.check_now`` fetches through the
guarded client, judges, and records into a real SQLite database.
"""
from __future__ import annotations

import html
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import yaml

DATA = Path(__file__).parent / "data" / "descriptions"
LABELS = ("supported", "changed", "unsupported", "unknown")


def load() -> tuple[dict[str, Any], dict[str, str], list[dict[str, Any]]]:
    """(sites, default descriptions, cases)."""
    sites = yaml.safe_load((DATA / "sites.yaml").read_text())
    data = yaml.safe_load((DATA / "cases.yaml").read_text())
    return sites, data["descriptions"], data["cases"]


_COOKIE = ('<div id="cookie-banner" class="cookie-consent"><p>We use cookies to make our site work and to '
           'understand how you use it. Some are optional.</p><button>Accept all cookies</button> '
           '<button>Reject optional cookies</button> <a href="/cookies">Cookie settings</a></div>')


def _edited(site: dict[str, Any], edits: dict[str, Any]) -> dict[str, Any]:
    page = {**site, **{k: v for k, v in edits.items() if k not in ("replace", "append")}}
    main = page["main"]
    for old, new in edits.get("replace", []):
        assert old in main or old in page.get("contact", ""), f"nothing to replace: {old!r}"
        main = main.replace(old, new, 1)
    page["main"] = main + edits.get("append", "")
    return page


def page_html(site: dict[str, Any], edits: dict[str, Any]) -> str:
    """The full HTML of ``site``'s page with ``edits`` applied (see cases.yaml)."""
    p = _edited(site, edits)
    esc = html.escape
    nav = "".join(f'<li><a href="/{esc(item.lower().replace(" ", "-"))}">{esc(item)}</a></li>' for item in p["nav"])
    news = "".join(f'<li><a href="/news/{n}">{esc(item)}</a></li>' for n, item in enumerate(p.get("news", [])))
    date = f'<p class="meta">{esc(p["date"])}</p>' if p.get("date") else ""
    banner = f'<div class="notice"><p>{esc(p["banner"])}</p></div>' if p.get("banner") else ""
    cookie = _COOKIE if p.get("cookie") else ""
    head = (f'<!doctype html><html lang="{p.get("lang", "en")}"><head><meta charset="utf-8">'
            f'<title>{esc(p["title"])}</title><meta name="description" content="{esc(p["meta"])}">'
            f'<meta property="og:description" content="{esc(p["meta"])}">'
            f'<meta property="og:site_name" content="{esc(p["name"])}">'
            '<script>window.dataLayer = window.dataLayer || [];</script></head>')
    if p.get("layout") == "b":  # the redesign: semantic elements, other classes, blocks moved around
        body = (f'<body class="theme-2026">{cookie}<header class="site-header"><nav aria-label="Main">'
                f'<ul class="nav__list">{nav}</ul></nav><a class="brand" href="/">{esc(p["name"])}</a>'
                f'</header>{banner}<main id="content"><article class="prose">{date}{p["main"]}</article>'
                f'<aside class="contact-card"><h2>Get in touch</h2><p>{esc(p["contact"])}</p></aside>'
                f'</main><section class="latest"><h2>Latest</h2><ul>{news}</ul></section>'
                f'<footer class="site-footer"><p>{esc(p["footer"])}</p><ul><li><a href="/privacy">Privacy'
                '</a></li><li><a href="/cookies">Cookies</a></li></ul></footer></body></html>')
    else:
        body = (f'<body>{cookie}<div class="header"><a class="logo" href="/">{esc(p["name"])}</a>'
                f'<ul class="menu">{nav}</ul><form class="search"><input name="q" placeholder="Search">'
                f'</form></div>{banner}<div class="content"><div class="article">{date}{p["main"]}</div>'
                f'<div class="sidebar"><div class="news"><h3>Latest news</h3><ul>{news}</ul></div>'
                f'<div class="contact-box"><h3>Contact us</h3><p>{esc(p["contact"])}</p></div></div></div>'
                f'<div class="footer"><ul><li><a href="/privacy">Privacy</a></li><li><a href="/accessibility">'
                f'Accessibility</a></li></ul><p>{esc(p["footer"])}</p></div></body></html>')
    return head + body


def route_for(site: dict[str, Any], edits: dict[str, Any]) -> Callable:
    """A loopback route serving the page (or a PDF, a script-only page, a bot wall)."""
    from tests.links.servers import reply

    serve = edits.get("serve")
    if serve == "pdf":
        return reply(200, b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF", content_type="application/pdf")
    if serve == "script":
        return reply(200, f'<!doctype html><html><head><title>{html.escape(site["title"])}</title>'
                     '<script src="/static/app.js"></script></head><body><div id="root"></div>'
                     '<noscript>You need to enable JavaScript to run this app.</noscript></body></html>')
    if serve == "blocked":
        return reply(403, "<html><head><title>Just a moment...</title></head><body>Checking your browser"
                     "</body></html>", headers={"Server": "cloudflare", "cf-mitigated": "challenge"})
    return reply(200, page_html(site, edits))


@dataclass
class Outcome:
    """A case's label, the verdict given, and why."""

    case: str
    label: str
    verdict: str
    why: str
    change: float | None
    harmless: bool


def run(cases: list[dict[str, Any]] | None = None) -> list[Outcome]:
    """Judge every case end to end (loopback server, guarded client, SQLite); one Outcome each."""
    from refsvc.config import load_settings
    from refsvc.links.tracking import Tracker
    from refsvc.storage import Database
    from refsvc.storage import descriptions as description_store
    from refsvc.storage import resources as resource_store
    from tests.links.servers import Site

    sites, descriptions, all_cases = load()
    cases = all_cases if cases is None else cases
    routes: dict[str, Callable] = {}
    server = Site(routes)
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings({"DATABASE_URL": f"sqlite:///{tmp}/set.sqlite", "ALLOW_PRIVATE_ADDRESSES": "1",
                                  "CHECK_HOST_SPACING": "0", "CHECK_TIMEOUT": "10"})
        database = Database(settings["DATABASE_URL"])
        database.upgrade()
        tracker = Tracker(database, settings)
        try:
            for case in cases:
                site = sites[case["site"]]
                path = f"/{case['id']}"
                with database.transaction() as session:
                    resource_store.create_resource(session, {
                        "id": case["id"], "name": site["name"], "url": server.url(path),
                        "description": case.get("description") or descriptions[case["site"]]})
                routes[path] = route_for(site, case.get("before") or {})
                tracker.check_now(case["id"])
                routes[path] = route_for(site, {**(case.get("before") or {}), **(case.get("after") or {})})
                tracker.check_now(case["id"])
                tracker.check_now(case["id"])
                with database.transaction() as session:
                    state = description_store.get_state(session, case["id"])
                    verdict = state.verdict if state else "none"
                    why = state.why if state else ""
                    change = (state.change or {}).get("score") if state else None
                outcomes.append(Outcome(case["id"], case["label"], verdict or "none", why, change,
                                        harmless=case["label"] == "supported"))
        finally:
            tracker.close()
            database.dispose()
            server.close()
    return outcomes


def scores(outcomes: list[Outcome], label: str) -> tuple[float, float, int, int, int]:
    """(precision, recall, true positives, false positives, false negatives) of one verdict."""
    tp = sum(o.verdict == label and o.label == label for o in outcomes)
    fp = sum(o.verdict == label and o.label != label for o in outcomes)
    fn = sum(o.verdict != label and o.label == label for o in outcomes)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, tp, fp, fn
