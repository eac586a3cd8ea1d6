"""CSL text-case transforms on rich text, following citeproc-js (English-only title case, stop words)."""
from __future__ import annotations

import re

STOP_WORDS = frozenset(
    "a an and as at but by down for from in into nor of on onto or over so the till to up via with yet "
    "about above across after against along among around before behind below beneath beside between "
    "beyond during except inside like near off out per since than through toward towards under until "
    "upon versus vs. v. vs v within without".split())

_WORD = re.compile(r"(\s+|[-\u2013\u2014/:])")


def _cap(w: str) -> str:
    for i, ch in enumerate(w):
        if ch.isalpha():
            return w[:i] + ch.upper() + w[i + 1:]
        if ch.isdigit():
            return w
    return w


def _text_leaves(seq, out, skip=("nocase",)):
    for it in seq:
        if isinstance(it, str):
            out.append(it)
        elif it[0] in skip:
            out.append(None)  # an opaque word
        else:
            _text_leaves(it[1], out, skip)


def _rebuild(seq, leaves, skip=("nocase",)):
    res = []
    for it in seq:
        if isinstance(it, str):
            res.append(leaves.pop(0))
        elif it[0] in skip:
            leaves.pop(0)
            res.append(it)
        else:
            res.append((it[0], _rebuild(it[1], leaves, skip)))
    return tuple(res)


def apply_case(seq: tuple, case: str, lang: str = "en") -> tuple:
    """Apply a CSL text-case value to a rich-text sequence."""
    skip = ("nocase",) if case in ("lowercase", "uppercase") else ("nocase", "sup", "sub", "sc")
    leaves: list = []
    _text_leaves(seq, leaves, skip)
    texts = [t for t in leaves if t is not None]
    if not texts:
        return seq
    if case == "lowercase":
        new = [t.lower() if t is not None else None for t in leaves]
    elif case == "uppercase":
        new = [t.upper() if t is not None else None for t in leaves]
    elif case == "capitalize-first":
        new = _first(leaves)
    elif case == "sentence":
        whole = "".join(texts)
        if whole.upper() == whole:
            leaves = [t.lower() if t is not None else None for t in leaves]
        new = _first(leaves)
    elif case == "capitalize-all":
        new = _words(leaves, lambda w, first, after: _cap(w) if w.islower() or not w.isalpha() else w)
    elif case == "title":
        if not lang.lower().startswith("en"):
            return seq
        whole = "".join(texts)
        if whole.upper() == whole and any(c.isalpha() for c in whole):
            leaves = [t.lower() if t is not None else None for t in leaves]
        new = _words(leaves, _title_word)
    else:
        return seq
    return _rebuild(seq, new, skip)


def _first(leaves: list) -> list:
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
                    t = t[:i] + ch.upper() + t[i + 1:]
                    done = True
                    break
                if ch.isdigit():
                    done = True
                    break
        out.append(t)
    return out


def _title_word(w: str, first: bool, after_colon: bool) -> str:
    core = w.strip("([{\u201c\u2018\"'")
    if not core:
        return w
    low = core.lower()
    if not first and not after_colon and low in STOP_WORDS:
        return w[:len(w) - len(core)] + low if w.endswith(core) and core == low else w
    if core == low:
        return _cap(w)
    return w


def _words(leaves: list, fn) -> list:
    out = []
    first = True
    after_colon = False
    for t in leaves:
        if t is None:
            first = False
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
            res.append(fn(p, first, after_colon))
            if any(ch.isalnum() for ch in p):
                first = False
                after_colon = p.endswith(("?", "!", ":"))
        out.append("".join(res))
    return out
