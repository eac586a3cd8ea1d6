"""CSL text-case transforms on rich text, following citeproc-js (English-only title case, stop words)."""
from __future__ import annotations

import re

STOP_WORDS = frozenset(
    "a an and as at but by down for from in into nor of on onto or over so the till to up via with yet "
    "about above across after against along among around before behind below beneath beside between "
    "beyond during except inside like near off out per since than through toward towards under until "
    "upon versus vs. v. vs v within without von van de".split())

_SENT = re.compile(r"\b[A-Z][a-z]+\b")
_WORD = re.compile(r"(\s+|[\u2013\u2014/:])")


def _cap(w: str) -> str:
    for i, ch in enumerate(w):
        if ch.isalpha():
            if ch > "\u024f":  # citeproc-js leaves non-Latin letters (Greek, Cyrillic...) alone
                return w
            return w[:i] + ch.upper() + w[i + 1:]
        if ch.isdigit():
            return w
    return w


_KEEP = object()  # a leaf standing for a straight-single-quote mark (title case only)


def _text_leaves(seq, out, skip=("nocase",), marks=False):
    for it in seq:
        if isinstance(it, str):
            out.append(it)
        elif it[0] in skip:
            out.append(None)  # an opaque word
        elif it[0] == "sq":
            if marks:
                out.append(_KEEP)
        else:
            _text_leaves(it[1], out, skip, marks)


def _rebuild(seq, leaves, skip=("nocase",), marks=False):
    leaves = iter(leaves)  # consumed in order (list.pop(0) would make long titles quadratic)
    return _rebuild_from(seq, leaves, skip, marks)


def _rebuild_from(seq, leaves, skip, marks=False):
    res = []
    for it in seq:
        if isinstance(it, str):
            res.append(next(leaves))
        elif it[0] in skip:
            next(leaves)
            res.append(it)
        elif it[0] == "sq":
            if marks:
                next(leaves)
            res.append(it)
        else:
            res.append((it[0], _rebuild_from(it[1], leaves, skip, marks)))
    return tuple(res)


def apply_case(seq: tuple, case: str, lang: str = "en") -> tuple:
    """Apply a CSL text-case value to a rich-text sequence."""
    skip = ("nocase", "nodecor") if case in ("lowercase", "uppercase") else ("nocase", "nodecor", "sup", "sub", "sc")
    if case == "title":
        skip = skip + ("nt",)
    leaves: list = []
    marks = case == "title"
    _text_leaves(seq, leaves, skip, marks)
    texts = [t for t in leaves if t is not None and t is not _KEEP]
    if not texts:
        return seq
    turkic = lang[:2] in ("tr", "az")  # dotted and dotless i (citeproc-js uses the item's language)
    if case == "lowercase":
        new = [(t.replace("I", "\u0131").replace("\u0130", "i") if turkic else t).lower() if t is not None else None
               for t in leaves]
    elif case == "uppercase":
        new = [(t.replace("i", "\u0130") if turkic else t).upper() if t is not None else None for t in leaves]
    elif case == "capitalize-first":
        new = _first(leaves, only_lowercase=True)
    elif case == "sentence":
        whole = "".join(texts)
        if whole.upper() == whole:
            leaves = [t.lower() if t is not None else None for t in leaves]
        else:  # citeproc-js lowercases capitalized words, keeping acronyms
            leaves = [_SENT.sub(lambda m: m.group(0).lower(), t) if t is not None else None for t in leaves]
        new = _first(leaves)
    elif case == "capitalize-all":
        new = _words(leaves, lambda w, first, after: _cap(w) if w.islower() or not w.isalpha() else w)
    elif case == "title":
        if not lang.lower().startswith("en"):
            return seq
        new = _words(leaves, _title_word)
    else:
        return seq
    return _rebuild(seq, new, skip, marks)


def _first(leaves: list, only_lowercase: bool = False) -> list:
    """Capitalize the first letter; ``only_lowercase``: only when its word is all lowercase (citeproc-js's
    capitalize-first leaves "arXiv" and "iPhone" alone)."""
    out = []
    done = False
    for t in leaves:
        if t is None:
            done = True
            out.append(t)
            continue
        if not done:
            for i, ch in enumerate(t):
                if ch.isalpha():
                    end = i
                    while end < len(t) and not t[end].isspace():
                        end += 1
                    word = t[t.rfind(" ", 0, i) + 1:end]
                    if not only_lowercase or word == word.lower():
                        t = t[:i] + ch.upper() + t[i + 1:]
                    done = True
                    break
                if ch.isdigit():
                    done = True
                    break
        out.append(t)
    return out


def _title_word(w: str, first: bool, after_colon: bool, last: bool = False) -> str:
    core = w.lstrip("([{\u201c\u2018\"'")
    if not core or not core[0].isalpha():
        return w
    if "." in core.rstrip(".,;:!?)") and core[0].islower():  # "i.e.", "e.g." stay as written
        return w
    if "-" in core[1:] and core.split("-")[0].isalpha():
        parts = core.split("-")  # citeproc-js: the first and last word rules hold for the compound's ends only
        return "-".join(_title_word(p, first and i == 0, after_colon and i == 0, last and i == len(parts) - 1)
                        if p else p for i, p in enumerate(parts)) if core == w else w
    low = core.lower()
    if len(low.rstrip(".,;:!?)]}\u201d\u2019\"'")) == 1 and not first and not after_colon:
        return w  # citeproc-js capitalizes words of two letters or more ("n." and "p." stay)
    if not first and not after_colon and not last and low.rstrip(".,;:!?)]}\u201d\u2019\"'") in STOP_WORDS:
        return w
    if core == low:
        return _cap(w)
    return w


def _words(leaves: list, fn) -> list:
    lastpos = None
    for li in range(len(leaves) - 1, -1, -1):
        t = leaves[li]
        if t is _KEEP:
            continue
        if t is None:
            break
        parts = _WORD.split(t)
        for pi in range(len(parts) - 1, -1, -1):
            if pi % 2 == 0 and any(ch.isalnum() for ch in parts[pi]):
                lastpos = (li, pi)
                break
        if lastpos:
            break
    out = []
    first = True
    after_colon = False
    keep = False  # the next word follows a straight single quote: its first letter stays as typed
    for li, t in enumerate(leaves):
        if t is _KEEP:
            keep = True
            out.append(t)
            continue
        if t is None:
            first = False
            after_colon = False
            keep = False
            out.append(None)
            continue
        parts = _WORD.split(t)
        res = []
        for i, p in enumerate(parts):
            if not p:
                continue
            if i % 2 == 1:
                res.append(p)
                if p == ":":
                    after_colon = True
                continue
            word = fn(p, first, after_colon, (li, i) == lastpos) if fn is _title_word else fn(p, first, after_colon)
            if keep:
                word = p[:1] + word[1:]
                keep = False
            res.append(word)
            if any(ch.isalnum() for ch in p):
                first = False
                after_colon = p.endswith(("?", "!", ":"))
        out.append("".join(res))
    return out
