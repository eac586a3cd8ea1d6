"""Does the page still say what the description says? Each sentence of it judged on the page (pure).

A claim (one sentence of the registry's description) is supported when everything it names is on
the page (the organisation, its acronym, places), every figure in it is there (a number stated
differently is named: "description says 35,402 staff; the page says 21,000"), no sentence on the
page says that what it describes closed, merged or was renamed, and most of its other words are on
the page, several of them close together. The page is everything a reader sees: title, meta
description, headings, main text, navigation, contact and service boxes.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import accumulate
from typing import AbstractSet, Any, Iterable

from refsvc.links.description import PageText
from refsvc.links.description_words import CLOSED, CLOSED_CLUES, content_stem, sentences, squash, words_of
from refsvc.links.description_figures import Figure, FigureIndex, figures_in, phones_in

WORDS_FOUND = 0.6  # share of a claim's words the page must hold somewhere
WORDS_NEARBY = 0.4  # ... and in one passage (a sentence and its neighbours)
EVIDENCE_CHARS = 240


@dataclass(frozen=True)
class Claim:
    """One sentence of the description, whether the page supports it, and the evidence."""

    text: str
    supported: bool | None  # None: not on the page, but an editor vouched for it
    evidence: str

    def to_dict(self) -> dict[str, Any]:
        """The API's claim object."""
        return {"text": self.text, "supported": self.supported, "evidence": self.evidence}


def split_claims(description: str) -> list[str]:
    """The description's sentences (long descriptions: the first 12)."""
    return [s for s in sentences(description, cap=12) if re.search(r"[^\W\d_]{3}", s)]


@lru_cache(maxsize=65536)
def _word_key(word: str) -> str:
    return content_stem(word)[:5]


def _keys(text: str) -> set[str]:
    return {k for k in map(_word_key, words_of(text)) if k}


_POSSESSIVE = re.compile(r"'s\b")
_ALNUM = re.compile(r"[^\W_]+")


def _norm(text: str) -> str:
    text = text.replace("&", " and ").replace("’", "'")
    text = _POSSESSIVE.sub("", text.lower())
    return " " + " ".join(_ALNUM.findall(text)) + " "


_ALIASES = {"uk": ("united kingdom", "britain", "british", "england", "scotland", "wales",
                   "northern ireland"),
            "us": ("united states", "america"), "usa": ("united states", "america"),
            "nhs": ("national health service",), "tv": ("television",)}
_NAME = re.compile(r"[A-Z][\w'’.&-]*+(?:\s++(?:(?:of|for|and|the|&|de|du)\s++)*+[A-Z][\w'’.&-]*+)*+")
_PRONOUNS = frozenset("it its it's they their this these we our he she his her there here a an the "
                      "in on at for with from by as and or but".split())


def names_in(claim: str, name: str = "") -> list[str]:
    """Proper names in a claim: runs of capitalised words, acronyms; a capitalised first word alone
    only when it is (part of) the resource's name."""
    found: list[str] = []
    own = set(re.findall(r"[^\W\d_]+", name.lower()))
    for match in _NAME.finditer(claim):
        phrase = match.group(0).rstrip(".’'-&").removesuffix("’s").removesuffix("'s")
        first = match.start() == 0 or claim[:match.start()].rstrip()[-1:] in ".!?\"“("
        words = phrase.split()
        if first and words and words[0].lower() not in own and words[0].lower() not in _PRONOUNS \
                and not words[0].isupper() and len(words) > 1:
            words = words[1:]  # "Call the BBC": a capitalised first word is a verb more often than a name
        while words and words[0].lower() in _PRONOUNS:
            words = words[1:]
        if not words:
            continue
        if first and len(words) == 1 and not words[0].isupper() and words[0].lower() not in own:
            continue
        found.append(" ".join(words))
    return found


class Page:
    """A page prepared once for judging every claim: its sentences and normalised text. A sentence's
    words are read only when a claim's words occur in its text, and the figures and phone numbers
    only when a claim gives one: most of a long page has nothing in common with a short description."""

    def __init__(self, page: PageText) -> None:
        labels = [page.title, page.meta_description, page.og_description, *page.headings]
        self.sentences = [s for s in labels if s] + sentences(page.visible_text or page.main_text, cap=3000)
        self.whole = " \n ".join(self.sentences)
        self.norm = _norm(self.whole) + _norm(page.final_url.replace(".", " "))
        self.glued = self.norm.replace(" ", "")
        lowered = [s.lower() for s in self.sentences]
        self.lowered = "\n".join(lowered)
        self.starts = list(accumulate((len(s) + 1 for s in lowered), initial=0))  # each sentence's offset
        self._keys: dict[int, set[str]] = {}
        self.language = page.language
        self.links = frozenset(page.links)

    @cached_property
    def figures(self) -> FigureIndex:
        return FigureIndex(self.whole)

    @cached_property
    def phones(self) -> dict[str, str]:
        return phones_in(self.whole)

    def keys_of(self, index: int) -> set[str]:
        """The words of one sentence (read once)."""
        keys = self._keys.get(index)
        if keys is None:
            keys = self._keys[index] = _keys(self.sentences[index])
        return keys

    def holding(self, texts: Iterable[str]) -> list[int]:
        """The sentences (indices, in order) whose lowercased text holds any of ``texts``: every
        sentence with one of a claim's words among its own, a word being the start of one of its
        words, and a few more."""
        found: set[int] = set()
        for text in texts:
            at = self.lowered.find(text)
            while at >= 0:
                index = bisect_right(self.starts, at) - 1
                found.add(index)
                at = self.lowered.find(text, self.starts[index + 1])
        return sorted(found)

    def support(self, keys: AbstractSet[str]) -> tuple[set[str], float, str]:
        """Which of ``keys`` the page holds, and the passage (a sentence with its neighbours)
        holding most of them: (held, share, sentence)."""
        # a sentence's share of the keys; one that holds none of their texts holds none of them
        hits = {i: self.keys_of(i) & keys for i in self.holding(keys)}
        held: set[str] = set().union(*hits.values())
        best, where = 0.0, ""
        for i, own in hits.items():
            if not own:
                continue
            share = len(own.union(hits.get(i - 1, ()), hits.get(i + 1, ()))) / len(keys)
            if share > best:
                best, where = share, self.sentences[i]
        return held, best, where

    def mentions(self, name: str) -> bool:
        """Is ``name`` (or its acronym, or its expansion) on the page?"""
        wanted = _norm(name)
        if wanted.strip() and wanted in self.norm:
            return True
        bare = _norm(re.sub(r"^(the|a|an)\s+", "", name, flags=re.I))
        if bare.strip() and (bare in self.norm or (len(bare) > 7 and bare.replace(" ", "") in self.glued)):
            return True
        if any(f" {alias} " in self.norm for alias in _ALIASES.get(wanted.strip(), ())):
            return True
        capitals = [w for w in re.findall(r"[A-Za-z]+", name) if w[0].isupper() and w.lower() not in _PRONOUNS]
        initials = "".join(w[0] for w in capitals).lower()
        if len(capitals) >= 3 and f" {initials} " in self.norm:
            return True
        parts = re.split(r"\s+(?:and|&)\s+", name)  # "England and Wales" on a page saying "England, Wales"
        return len(parts) > 1 and all(part and self.mentions(part) for part in parts)


_TEMPORARY = re.compile(r"\b(temporar\w*|holidays?|christmas|easter|today|tomorrow|weekend|maintenance|"
                        r"until|refurbish\w*|cookies?|browser|javascript|this (window|banner|message))\b", re.I)


def _cut(text: str) -> str:
    return text if len(text) <= EVIDENCE_CHARS else text[:EVIDENCE_CHARS - 1] + "…"


def _markers(page: Page) -> list[tuple[str, set[str], str]]:
    """Page sentences saying that something closed, ended, merged or was renamed (not for a holiday,
    not in a link)."""
    # a linked headline ("The consultation on the Mental Health Act has closed") lists news; it says
    # nothing of the resource itself
    found = []
    for i in page.holding(CLOSED_CLUES):  # the pattern only where one of its words is
        sentence = page.sentences[i]
        if CLOSED.search(sentence.lower()) and not _TEMPORARY.search(sentence) \
                and sentence.rstrip(".") not in page.links:
            found.append((sentence, page.keys_of(i), _norm(sentence)))
    return found


def _overlap(marker: tuple[str, set[str], str], keys: AbstractSet[str], names: tuple[str, ...]) -> int:
    _, own, norm = marker
    return len(own & keys) + 2 * sum(1 for n in names if _norm(n).strip() and _norm(n) in norm)


def contradictions(page: Page, claims: list[str], name: str = "") -> dict[int, str]:
    """Claim index -> the page sentence that contradicts it. Each such sentence goes to the claims
    it shares most with (two words, a name, or half a short claim's words): "our Infoline has closed" blames the claim
    about the Infoline, not every claim that says "mental health"."""
    found: dict[int, str] = {}
    parts = [_claim_keys(c, name) for c in claims]
    for marker in _markers(page):
        # enough in common: two words or a name, or half the words of a short claim
        scores = [score if score >= 2 or (score and 2 * score >= len(keys)) else 0
                  for score, (keys, _) in ((_overlap(marker, keys, names), (keys, names))
                                           for keys, names in parts)]
        best = max(scores, default=0)
        if not best:
            continue
        for index, score in enumerate(scores):
            if score == best:
                found.setdefault(index, marker[0])
    return found


@lru_cache(maxsize=4096)  # a description's claims are judged on every page read for it
def _claim_keys(claim: str, name: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """A claim's words (names and figures left out) and the names it uses."""
    names = tuple(n for n in names_in(claim, name) if len(n) >= 2)
    named = set().union(*(_keys(n) for n in names)) if names else set()
    return frozenset(_keys(re.sub(r"\d[\d,.]*", " ", claim)) - named), names


def _figure_problem(page: Page, figure: Figure) -> str | None:
    """None when the page gives the figure; else what it says instead, or that it says nothing."""
    if page.figures.same(figure) is not None:
        return None
    rivals = page.figures.rivals(figure)
    if rivals:
        return f"description says {figure.label}; the page says {rivals[0].shown()}"
    return f"description says {figure.label}; the page does not give that figure"


def judge_claim(page: Page, claim: str, *, name: str = "", contradiction: str | None = None) -> Claim:
    """Judge one sentence of the description on ``page`` (``contradiction``: a page sentence against it)."""
    problems: list[str] = []
    keys, names = _claim_keys(claim, name)
    missing = [n for n in names if not page.mentions(n)]
    if missing:
        problems.append("the page does not mention " + ", ".join(f"“{n}”" for n in missing))
    facts: list[str] = []  # figures and phone numbers the page gives exactly, as the page writes them
    for figure in figures_in(claim):
        problem = _figure_problem(page, figure)
        if problem:
            problems.append(problem)
        else:
            facts.append(page.figures.same(figure).text)
    for digits, phone in phones_in(claim).items():
        if digits not in page.phones:
            other = f"; the page gives {next(iter(page.phones.values()))}" if page.phones else ""
            problems.append(f"description gives the number {phone}{other}")
        else:
            facts.append(page.phones[digits])
    if contradiction:
        return Claim(claim, False, f"the page says: “{_cut(contradiction)}”")
    evidence = next((sentence for sentence in page.sentences if facts and facts[0] in sentence), "")
    if keys and not (facts and len(keys) < 3):  # a short claim carrying a fact is about the fact
        held, near, passage = page.support(keys)
        found = len(held) / len(keys)
        evidence = evidence or passage
        # a figure or number found exactly is strong evidence: "Call them on 0300 123 3393" needs no "call"
        wanted, nearby = (WORDS_FOUND / 2, 0.0) if facts else (WORDS_FOUND, WORDS_NEARBY)
        if found < wanted or (near < nearby and len(keys) >= 3):
            absent = sorted(k for k in keys if k not in held)
            lang = f" (the page is in “{page.language}”)" if page.language and page.language != "en" else ""
            problems.append(f"most of what it says is not on the page{lang}; missing: "
                            + ", ".join(absent[:8]))
    if problems:
        return Claim(claim, False, "; ".join(problems))
    return Claim(claim, True, f"the page says: “{_cut(evidence)}”" if evidence else "the page names it")


def judge_claims(description: str, page: PageText, *, name: str = "",
                 vouched: Iterable[str] = ()) -> list[Claim]:
    """Judge each sentence of ``description`` on ``page`` (``vouched``: claims an editor confirmed)."""
    prepared = Page(page)
    claims = split_claims(description)
    against = contradictions(prepared, claims, name)
    return vouch([judge_claim(prepared, claim, name=name, contradiction=against.get(i))
                  for i, claim in enumerate(claims)], vouched)


def vouch(claims: Iterable[Claim], vouched: Iterable[str]) -> list[Claim]:
    """Judged claims, those an editor confirmed (``vouched``) that the page does not show marked so
    (supported None); what the page contradicts, or states otherwise, never is."""
    vouched = set(vouched)
    return [Claim(c.text, None, "not found on the page, but an editor confirmed it: " + c.evidence)
            if c.supported is False and c.text in vouched and "the page says" not in c.evidence else c
            for c in claims]


__all__ = ["Claim", "Page", "judge_claim", "judge_claims", "names_in", "split_claims", "squash", "vouch"]
