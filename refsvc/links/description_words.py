"""Words for the description check (pure): sentences, content words, a rough language guess."""
from __future__ import annotations

import re
from functools import lru_cache

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)]?\s+(?=[\"'“‘(]?[A-Z0-9À-Ý])|\n+")


def squash(text: str | None) -> str:
    """Whitespace runs to one space, ends trimmed."""
    return " ".join((text or "").split())


def sentences(text: str, cap: int = 2000) -> list[str]:
    """Sentences of ``text`` (at most ``cap``), each squashed; lines count as sentence ends."""
    out: list[str] = []
    for piece in _SENTENCE_END.split(text or ""):
        piece = squash(piece)
        if piece:
            out.append(piece)
            if len(out) >= cap:
                break
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


def words_of(text: str) -> list[str]:
    """Lowercased words of ``text`` (letters only; apostrophes kept inside words)."""
    return re.findall(r"[^\W\d_]+(?:['’][^\W\d_]+)*", text.lower())


def content_words(text: str) -> set[str]:
    """Stems of the words that carry meaning (no stop words, three letters or more)."""
    return {stem(w.replace("’", "'").split("'")[0]) for w in words_of(text)
            if len(w) >= 3 and w not in STOP}
