"""Words for the description check (pure): sentences, content words, a rough language guess."""
from __future__ import annotations

import re
from functools import lru_cache

# A sentence saying that something closed, ended, merged or was renamed (claims.py judges what),
# looked for in lowercased text: matching case-insensitively costs Python's re ten times as much.
CLOSED = re.compile(
    r"\b(has|have|had|was|were|is|are|will be|been)\s+(now\s+)?(permanently\s+)?(closed|closing|ended|"
    r"ceased|discontinued|withdrawn|stopped|merged|replaced|renamed|rebranded|decommissioned)\b|"
    r"\bno longer\b|\bclosed (down|its doors|permanently|for good)\b|\bmerged (with|into)\b|"
    r"\bnow (part of|called|known as)\b|\bour new name\b|\bchanged (its|our) name\b|\bceased (operating|"
    r"trading)\b|\bformed (from|by)\b|\bformerly\b|\bpreviously (known as|called)\b|\bwill close\b|\bwound up\b|"
    r"\bshut down\b|\bhave (joined|come) together\b")
# Every match of CLOSED holds one of these: found with str.find, they say where to look for it (the
# pattern alone costs a millisecond on a long page).
CLOSED_CLUES = ("clos", "ended", "ceased", "discontinued", "withdrawn", "stopped", "merged", "replaced",
                "renamed", "rebranded", "decommissioned", "no longer", "now ", "new name", "changed ",
                "formed ", "formerly", "previously ", "wound up", "shut down", "together")


def says_closed(text: str) -> bool:
    """Does a line of ``text`` say that something closed, ended, merged or was renamed?"""
    low = text.lower()
    for clue in CLOSED_CLUES:
        at = low.find(clue)
        while at >= 0:
            end = low.find("\n", at)
            end = len(low) if end < 0 else end
            if CLOSED.search(low, low.rfind("\n", 0, at) + 1, end):
                return True
            at = low.find(clue, end)
    return False


_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)]?\s+(?=[\"'“‘(]?[A-Z0-9À-Ý])|\n+")
_STOPS = re.compile(r"[.!?…][\"'”’)]?\s")  # where a sentence may end inside a line
_QUOTE_ENDS_LINE = re.compile(r"[.!?…][\"'”’)][^\S\n]*\n")


def squash(text: str | None) -> str:
    """Whitespace runs to one space, ends trimmed."""
    return " ".join((text or "").split())


def sentences(text: str, cap: int = 2000) -> list[str]:
    """Sentences of ``text`` (at most ``cap``), each squashed; lines count as sentence ends."""
    out: list[str] = []
    text = text or ""
    # line by line: most lines of a page (menus, headings, links) end no sentence inside them, and
    # need no pattern; all at once only where a closing quote ends a line (the split drops it)
    lines = [text] if _QUOTE_ENDS_LINE.search(text) else text.split("\n")
    for line in lines:
        pieces = _SENTENCE_END.split(line) if len(lines) == 1 or _STOPS.search(line) else (line,)
        for piece in pieces:
            piece = squash(piece)
            if piece:
                out.append(piece)
                if len(out) >= cap:
                    return out
    return out


STOP = frozenset("""a an the and or but if of to in on at by for with from as into onto about over under
than then so too very can could will would shall should may might must do does did done be is are was
were been being am has have had having it its it's itself this that these those there here their they
them we our us you your yours he she his her i me my who whom whose which what when where why how all
any both each few more most other some such no nor not only own same just also s t up out off again
further once per via within without across including around upon among while during before after
them also well like get got make made every many much one two three uk www com org http https
page pages site website home""".split())

_LANGUAGES = {
    "en": "the and of to in is for that with are on as by this it from be or have you your our not",
    "fr": "le la les des et est pour que dans une un du sur avec par pas vous nous sont ce qui au",
    "de": "der die das und ist für mit den von zu ein eine auf nicht sie wir ihr sind auch im dem",
    "es": "el la los las y es para que en una un del por con no su se al lo como más",
    "it": "il lo la gli le e è per che in una un del della con non sono da al si come",
    "nl": "de het een en van is voor dat met op te in zijn niet ook aan wij u er",
    "pt": "o a os as e é para que em uma um do da com não por se mais como ao",
    "cy": "y yr a ac yn i o ar am mae gyda ein eich chi ni eu hyn sy bod hefyd",
}
_LANGUAGE_WORDS = {code: frozenset(words.split()) for code, words in _LANGUAGES.items()}


def language_of(text: str) -> str:
    """A two-letter guess from common words ('' when too little text to tell)."""
    words = re.findall(r"[^\W\d_]+", text[:5000].lower())
    if len(words) < 8:
        return ""
    scores = {code: sum(w in common for w in words) for code, common in _LANGUAGE_WORDS.items()}
    best = max(scores, key=lambda code: scores[code])
    return best if scores[best] >= max(3, len(words) // 20) else ""


@lru_cache(maxsize=65536)  # words repeat across sentences and pages; bounded
def stem(word: str) -> str:
    """A light English stem, enough to match 'services' with 'service' and 'offers' with 'offering'."""
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ied", "ers", "er", "es", "ed", "ly", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    return word.rstrip("e") if len(word) > 4 else word


_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


def words_of(text: str) -> list[str]:
    """Lowercased words of ``text`` (letters only; apostrophes kept inside words)."""
    return _WORD.findall(text.lower())


@lru_cache(maxsize=65536)  # one look-up a word, not four steps
def content_stem(word: str) -> str:
    """The stem of a lowercased word that carries meaning ('' for a stop word or a short one)."""
    if len(word) < 3 or word in STOP:
        return ""
    return stem(word.replace("’", "'").split("'")[0])
