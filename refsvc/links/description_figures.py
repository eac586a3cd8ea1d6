"""Figures and phone numbers in text (pure): "35,402 staff", "2 billion visitors", "0300 123 3393".

A figure keeps the words around it, so a description's "35,402 staff" can be told apart from the
page's "21,000 staff" (the same unit, another value) and from an unrelated "21,000 visits".
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from refsvc.links.description_words import STOP, stem

_SCALES = {"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9,
           "b": 1e9, "trillion": 1e12}
# One pass, no nested repetition: linear on any input.
_FIGURE = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
                     r"(?:\s?(thousand|million|billion|trillion|bn|mn|[kmb])\b)?(%?)", re.I)
_PHONE = re.compile(r"(?<![\w,.])\+?\(?\d++\)?(?:[ -]\(?\d++\)?)*+")
_WORD = re.compile(r"[^\W\d_]+")
_CONTEXT = 4  # words either side of a figure that name what it counts


@dataclass(frozen=True)
class Figure:
    """A number as written, its value, and the words after and before it."""

    text: str
    value: float
    after: tuple[str, ...] = ()
    before: tuple[str, ...] = ()
    percent: bool = False
    label: str = ""  # the number with the words that say what it counts ("35,402 staff")

    @property
    def is_year(self) -> bool:
        """A bare four-digit number from 1800 to 2100 (a date, not a count)."""
        return self.value.is_integer() and 1800 <= self.value <= 2100 and "," not in self.text

    @property
    def unit(self) -> tuple[str, ...]:
        """What the figure counts: the words after it, else before it."""
        return self.after[:2] or self.before[-2:]

    def counts_the_same(self, other: Figure) -> bool:
        """Does ``other`` count the same thing: the same word right after it (or before, when none)?"""
        if self.after:
            return bool(other.after) and other.after[0] == self.after[0]
        return bool(self.before and other.before) and other.before[-1] == self.before[-1]

    def shown(self) -> str:
        """The figure as the page writes it."""
        return self.text


def _context(words: list[str]) -> tuple[str, ...]:
    return tuple(stem(w)[:5] for w in words if len(w) >= 3 and w not in STOP and w not in _SCALES)


def phones_in(text: str) -> dict[str, str]:
    """Phone numbers in ``text``: digits only (a leading +44 read as 0) -> as written."""
    found: dict[str, str] = {}
    for match in _PHONE.finditer(text):
        raw = match.group(0)
        if len(raw) < 7:  # too short to hold seven digits: most numbers on a page
            continue
        digits = "".join(filter(str.isdigit, raw))
        if len(digits) < 7 or not (" " in raw or "-" in raw or "(" in raw or raw.startswith(("0", "+"))):
            continue
        if re.fullmatch(r"\d{4}\s?-\s?\d{2,4}", raw.strip()):  # a span of years
            continue
        if digits.startswith("44") and raw.startswith("+"):
            digits = "0" + digits[2:]
        found.setdefault(digits, raw.strip())
    return found


def _blank(match: re.Match[str]) -> str:
    raw = match.group(0)
    if len(raw) >= 7 and sum(map(str.isdigit, raw)) >= 7 and (" " in raw or "-" in raw or "(" in raw):
        return " " * len(raw)
    return raw


def _masked(text: str) -> str:
    """``text`` with phone numbers blanked out (same length), so their digits are no figures."""
    return _PHONE.sub(_blank, text)


def _figure(masked: str, match: re.Match[str]) -> Figure | None:
    number, scale, percent = match.group(1), (match.group(2) or "").lower(), match.group(3)
    try:
        value = float(number.replace(",", "")) * _SCALES.get(scale, 1.0)
    except ValueError:
        return None
    tail = masked[match.end():match.end() + 80]
    head = masked[max(match.start() - 80, 0):match.start()]
    after = _WORD.findall(re.split(r"[.;:!?()]", tail, maxsplit=1)[0].lower())[:_CONTEXT]
    before = _WORD.findall(re.split(r"[.;:!?()]", head)[-1].lower())[-_CONTEXT:]
    shown = match.group(0).strip()
    raw_after = _WORD.findall(re.split(r"[.;:!?(),]", tail, maxsplit=1)[0])[:3]
    unit_words: list[str] = []
    for word in raw_after[:2]:
        if word.lower() in STOP or word.lower() in _SCALES:
            break
        unit_words.append(word)
    return Figure(shown, value, _context(after), _context(before), bool(percent), " ".join([shown, *unit_words]))


def figures_in(text: str, limit: int = 3000) -> list[Figure]:
    """Figures in ``text`` (phone numbers left out), each with the words around it."""
    masked = _masked(text)
    figures: list[Figure] = []
    for match in _FIGURE.finditer(masked):
        figure = _figure(masked, match)
        if figure is not None:
            figures.append(figure)
            if len(figures) >= limit:
                break
    return figures


class FigureIndex:
    """A page's figures found once by value; the words around one are read only when asked for
    (a page lists hundreds of numbers, a description a few)."""

    def __init__(self, text: str, limit: int = 5000) -> None:
        self.masked = _masked(text)
        self.by_value: dict[tuple[float, bool], list[re.Match[str]]] = {}
        self.matches: list[re.Match[str]] = []
        for match in _FIGURE.finditer(self.masked):
            number, scale = match.group(1), (match.group(2) or "").lower()
            try:
                value = float(number.replace(",", "")) * _SCALES.get(scale, 1.0)
            except ValueError:
                continue
            self.by_value.setdefault((value, bool(match.group(3))), []).append(match)
            self.matches.append(match)
            if len(self.matches) >= limit:
                break

    def same(self, figure: Figure) -> Figure | None:
        """The page's figure of the same value, if any."""
        for (value, percent), matches in self.by_value.items():
            if percent == figure.percent and abs(value - figure.value) <= 1e-9 * max(abs(value), abs(figure.value), 1.0):
                return _figure(self.masked, matches[0])
        return None

    def rivals(self, figure: Figure) -> list[Figure]:
        """The page's figures that count what ``figure`` counts (another value, the same word by it)."""
        word = (figure.after or figure.before[-1:] or ("",))[0]
        if not word:
            return []
        found = []
        for match in self.matches:
            around = self.masked[max(match.start() - 80, 0):match.end() + 80].lower()
            if word not in around:  # cheap: most numbers on a page have nothing to do with it
                continue
            other = _figure(self.masked, match)
            if other is not None and figure.counts_the_same(other) and not other.is_year:
                found.append(other)
        return found
