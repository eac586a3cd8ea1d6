"""How much a page's main text changed since its baseline (pure).

``compare`` measures the change on the main text as sets of sentences with dates, numbers and
per-load tokens masked: reordered menus, a new date or a counter do not count, a rewritten paragraph
does; an edited sentence counts for what differs. ``seen_key`` is the cheap fingerprint a check
takes of what a page shows, so the recorder can tell a page that reads the same without reading it.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from refsvc.links.description_words import sentences

if TYPE_CHECKING:
    from refsvc.links.description import PageText

DIFF_LINES = 12  # added/removed sentences shown in a diff
PAIRED = 200  # removed sentences looked up among the added ones as edits (bounds the work per page)


# What changes on every load or every day and says nothing about the content.
_DATE = re.compile(r"\b\d{1,2}(st|nd|rd|th)?\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
                   r"(\s+\d{2,4})?\b|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}"
                   r"(st|nd|rd|th)?,?(\s+\d{2,4})?\b|\b\d{4}-\d{2}-\d{2}(t[\d:.+z-]+)?\b|"
                   r"\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b|\b(mon|tues|wednes|thurs|fri|satur|sun)day\b", re.I)
_TOKEN = re.compile(r"[a-z0-9_-]{16,}", re.I)  # session ids, hashes, nonces (when they hold a digit)
_NUMBER = re.compile(r"\d[\d,.]*")
_DIGIT = re.compile(r"\d")  # each of the three needs one (a token's digits are ASCII), or a weekday's "day"
_WORDS = re.compile(r"[#\w]+")


def mask(sentence: str, *, numbers: bool = True) -> str:
    """A sentence with dates, per-load tokens and (unless told) numbers masked, lowercased, words only."""
    if not _DIGIT.search(sentence) and "day" not in sentence.lower():  # most: nothing to mask
        return " ".join(_WORDS.findall(sentence.lower()))
    text = _DATE.sub(" DATE ", sentence)
    text = _TOKEN.sub(lambda m: " TOKEN " if any(c.isdigit() for c in m.group(0)) else m.group(0), text)
    text = _NUMBER.sub("#", text.lower()) if numbers else text.lower()
    return " ".join(_WORDS.findall(text))


def _units(text: str) -> dict[str, str]:
    """Masked sentence -> original sentence; a sentence that is only a date or number is dropped."""
    units: dict[str, str] = {}
    for sentence in sentences(text):
        key = mask(sentence)
        if len(key.replace("#", "").split()) >= 2:
            units.setdefault(key, sentence)
    return units


def fingerprint(text: str) -> str:
    """A digest of the main text's masked sentences, in any order: equal when nothing that counts changed."""
    keys = sorted(_units(text))
    return hashlib.sha256("\n".join(keys).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Change:
    """How much the main text changed (0 to 1), and what was added and removed."""

    score: float
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    title: tuple[str, str] = ("", "")  # (before, after)
    description: tuple[str, str] = ("", "")  # the meta (else OpenGraph) description
    language: tuple[str, str] = ("", "")

    def changed(self, key: str) -> bool:
        """Did the title, description or language change (beyond dates and numbers)?"""
        a, b = getattr(self, key)
        return bool(a and b and mask(a) != mask(b))

    def to_dict(self) -> dict[str, Any]:
        """The API's ``change`` object: score, diff, and title/description/language before and after."""
        out: dict[str, Any] = {"score": round(self.score, 3),
                               "diff": {"added": list(self.added), "removed": list(self.removed)}}
        for key in ("title", "description", "language"):
            a, b = getattr(self, key)
            out[key] = {"before": a, "after": b, "changed": self.changed(key)}
        return out


def _bag(key: str) -> set[str]:
    return {w for w in key.split() if w != "#"}


def compare(before: PageText, now: PageText) -> Change:
    """The change from ``before`` (the baseline) to ``now``, measured on the masked main text."""
    pairs = {"title": (before.title, now.title), "language": (before.language, now.language),
             "description": (before.meta_description or before.og_description,
                             now.meta_description or now.og_description)}
    if before.fingerprint and before.fingerprint == now.fingerprint:
        return Change(0.0, **pairs)
    old, new = _units(before.main_text), _units(now.main_text)
    gone = [k for k in old if k not in new]
    came = [k for k in new if k not in old]
    weight = lambda key: max(len(key.split()), 1)  # noqa: E731 - a sentence counts by its words
    total = sum(map(weight, old)) + sum(map(weight, new)) or 1
    # an edited sentence (a word or two) pairs with its new form and counts for what differs
    changed, unmatched_new = 0.0, set(came)
    for key in gone[:PAIRED]:
        words = _bag(key)
        best, best_key = 0.0, None
        for other in came[:PAIRED]:
            if other not in unmatched_new:
                continue
            theirs = _bag(other)
            overlap = len(words & theirs) / (len(words | theirs) or 1)
            if overlap > best:
                best, best_key = overlap, other
        if best_key is not None and best >= 0.6:
            unmatched_new.discard(best_key)
            changed += (1 - best) * (weight(key) + weight(best_key))
        else:
            changed += weight(key)
    changed += sum(weight(k) for k in unmatched_new)
    if Change(0.0, language=pairs["language"]).changed("language"):
        changed = max(changed, total * 0.5)  # the same words in another language are new words
    score = min(changed / total, 1.0)
    return Change(score, added=tuple(new[k] for k in came[:DIFF_LINES]),
                  removed=tuple(old[k] for k in gone[:DIFF_LINES]), **pairs)


_MONTH_WORDS = re.compile(r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)[a-z]*")
_DIGITS = str.maketrans("0123456789", "##########")
_SEPARATORS = str.maketrans("", "", ", -()\u00a0")
_FACT = re.compile(r"\d[\d,.\s()-]*")


def seen_key(text: str, description: str = "") -> str:
    """A fingerprint of what a page shows, blind to dates, counters and tokens, but not to the
    figures and numbers the description gives (each: is it still on the page?). String
    translation, not regexes, so it costs a fraction of the check it rides on."""
    flat = text.lower()
    digest = hashlib.sha256(_MONTH_WORDS.sub("M", flat).translate(_DIGITS).encode())
    if any(c.isdigit() for c in description):
        bare = flat.translate(_SEPARATORS)
        for fact in _FACT.findall(description[:5000]):
            wanted = fact.translate(_SEPARATORS).rstrip(".")
            digest.update(b"1" if wanted and wanted in bare else b"0")
    return digest.hexdigest()[:32]
