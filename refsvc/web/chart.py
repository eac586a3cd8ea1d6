"""A resource's response times and outcomes over 90 days as inline SVG (pure, no script).

Readable without colour: each outcome kind has its own mark (circle: up, triangle: warning, cross:
down, square: inconclusive) and the legend names them; every mark has a <title>, and the chart as a
whole a text summary for screen readers.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape
from typing import Any, Sequence

from refsvc.web.views import NO_ANSWER
from refsvc.words import outcome_words, plural

WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 56, 28, 14, 44
UP = {"ok", "redirected", "moved"}
WARN = {"content_mismatch"}
INCONCLUSIVE = {"blocked", "checker_offline"}
KINDS = {"up": ("Answered", "#1a7f37"), "warn": ("Warning", "#7d4e00"),
         "down": ("Failed", "#b42318"), "inconclusive": ("Inconclusive", "#57606a")}


def kind_of(outcome: str) -> str:
    """How a check counts on the chart: up, warn, down or inconclusive."""
    if outcome in INCONCLUSIVE:
        return "inconclusive"
    if outcome in WARN:
        return "warn"
    return "up" if outcome in UP else "down"


@dataclass(frozen=True)
class Point:
    at: datetime
    outcome: str
    status_code: int | None
    elapsed_ms: int | None


def _mark(kind: str, x: float, y: float) -> str:
    colour = KINDS[kind][1]
    if kind == "up":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'
    if kind == "warn":
        return (f'<path d="M{x:.1f} {y - 5:.1f} L{x + 5:.1f} {y + 4:.1f} L{x - 5:.1f} {y + 4:.1f} Z" '
                f'fill="{colour}"/>')
    if kind == "down":
        return (f'<path d="M{x - 4:.1f} {y - 4:.1f} L{x + 4:.1f} {y + 4:.1f} M{x + 4:.1f} {y - 4:.1f} '
                f'L{x - 4:.1f} {y + 4:.1f}" stroke="{colour}" stroke-width="2.5"/>')
    return f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" fill="none" stroke="{colour}" stroke-width="2"/>'


def _nice_top(value: float) -> int:
    for top in (100, 200, 500, 1000, 2000, 5000, 10000, 20000, 60000):
        if value <= top:
            return top
    return int(value) + 1


def summary(points: Sequence[Point]) -> str:
    """The chart in one sentence: how many checks of each kind, and the median response time."""
    if not points:
        return "No checks in the last 90 days."
    counts = {kind: 0 for kind in KINDS}
    for p in points:
        counts[kind_of(p.outcome)] += 1
    times = sorted(p.elapsed_ms for p in points if p.elapsed_ms is not None)
    median = f"; median response {times[len(times) // 2]} ms" if times else ""
    return (f"{plural(len(points), 'check')} in the last 90 days: {counts['up']} answered, {counts['warn']} with "
            f"a warning, {counts['down']} failed, {counts['inconclusive']} inconclusive{median}.")


def response_chart(points: Sequence[Point], now: datetime, days: int = 90) -> str:
    """The SVG: time along x (the last ``days``), response time up y; failures without an answer
    sit on the baseline."""
    start = now - timedelta(days=days)
    span = (now - start).total_seconds()
    answered = [p.elapsed_ms for p in points if p.elapsed_ms is not None]
    top = _nice_top(max(answered, default=100))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    label = escape(summary(points))
    parts = [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'role="img" aria-labelledby="chart-title chart-desc">',
             '<title id="chart-title">Response time and outcome of each check, last 90 days</title>',
             f'<desc id="chart-desc">{label}</desc>',
             f'<g class="chart__axes" stroke="#8c959f" stroke-width="1">'
             f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}"/>'
             f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}"/></g>']
    for fraction in (0, 0.5, 1):
        y = TOP + plot_h * (1 - fraction)
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
                     f'fill="#424a53">{int(top * fraction)} ms</text>')
    for back in (days, days * 2 // 3, days // 3, 0):
        x = LEFT + plot_w * (1 - back / days)
        tick = (now - timedelta(days=back)).strftime("%d %b")
        parts.append(f'<text x="{x:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle" font-size="11" '
                     f'fill="#424a53">{tick}</text>')
    for p in points:
        x = LEFT + plot_w * max(0.0, min(1.0, (p.at - start).total_seconds() / span))
        y = TOP + plot_h * (1 - min(p.elapsed_ms, top) / top) if p.elapsed_ms is not None else TOP + plot_h
        kind = kind_of(p.outcome)
        what = outcome_words(p.outcome, p.status_code)
        time_text = f", {p.elapsed_ms} ms" if p.elapsed_ms is not None else ", no answer"
        parts.append(f'<g class="chart__mark chart__mark--{kind}"><title>{p.at:%Y-%m-%d %H:%M} UTC: '
                     f'{escape(what)}{time_text}</title>{_mark(kind, x, y)}</g>')
    legend_y = HEIGHT - 10
    x = LEFT
    for kind, (name, _) in KINDS.items():
        parts.append(_mark(kind, x + 5, legend_y - 4))
        parts.append(f'<text x="{x + 14}" y="{legend_y}" font-size="12" fill="#1f2328">{name}</text>')
        x += 110
    parts.append("</svg>")
    return "".join(parts)


def points_of(checks: Sequence[Any]) -> list[Point]:
    """Chart points from stored checks; no response time for checks no server answered."""
    return [Point(c.checked_at, c.outcome, c.status_code,
                  None if c.outcome in NO_ANSWER or c.status_code is None else c.elapsed_ms)
            for c in checks]
