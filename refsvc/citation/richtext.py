"""Format-neutral inline rich text: parse CSL-JSON field markup, punctuation helpers, tree edits.

An inline sequence is a tuple of items; an item is a ``str`` or a ``(tag, kids)`` pair where ``kids``
is again a sequence.  Tags: i b sc sup sub u q nocase ns (font-style normal) nw nv nodeco and
``div:<display>``.  Nothing here knows about output formats (see output.py).
"""
from __future__ import annotations

import re
from functools import lru_cache

Seq = tuple

_TAG_RE = re.compile(
    r'(<i>|</i>|<b>|</b>|<sup>|</sup>|<sub>|</sub>|<sc>|</sc>|<span class="nocase">|'
    r'<span style="font-variant:\s*small-caps;?">|<span class="no-case">|<span class="nodecor">|</span>|'
    r'["\u201c\u201d\u2018\u2019\']|\u00ab|\u00bb)'
)
_TAGONLY_RE = re.compile(
    r'(<i>|</i>|<b>|</b>|<sup>|</sup>|<sub>|</sub>|<sc>|</sc>|<span class="nocase">|'
    r'<span style="font-variant:\s*small-caps;?">|<span class="no-case">|<span class="nodecor">|</span>)')
_OPEN = {'<span class="nodecor">': "nodecor", "<i>": "i", "<b>": "b", "<sup>": "sup", "<sub>": "sub", "<sc>": "sc", '<span class="nocase">': "nocase",
         '<span class="no-case">': "nocase"}
_CLOSE = {"</i>": "i", "</b>": "b", "</sup>": "sup", "</sub>": "sub", "</sc>": "sc"}
_WORDCH = re.compile(r"\w", re.UNICODE)


def _is_word(ch: str) -> bool:
    return bool(ch) and bool(_WORDCH.match(ch))


@lru_cache(maxsize=8192)
def parse(text: str, quotes: bool = True) -> Seq:
    """Parse a field value with CSL-JSON's HTML-ish markup and straight/curly quotes into a sequence."""
    if "\u00ab " in text or " \u00bb" in text:  # French guillemets take narrow no-break spaces
        text = text.replace("\u00ab ", "\u00ab\u202f").replace(" \u00bb", "\u202f\u00bb")
    if not any(c in text for c in ("<\"'\u201c\u201d\u2018\u2019" if quotes else "<")):
        return (text,) if text else ()
    parts = (_TAG_RE if quotes else _TAGONLY_RE).split(text)
    # stack of (tag, kids); quotes: tag "q" with the opening char remembered in a side list
    stack: list[tuple[str, list, str]] = [("", [], "")]
    primary = ""  # citeproc-js: the quote kind met first is the main one, the other kind the inner one
    for idx, tok in enumerate(parts):
        if not tok:
            continue
        if idx % 2 == 0:
            stack[-1][1].append(tok)
            continue
        prev = _prev_char(parts, idx)
        nxt = _next_char(parts, idx)
        if tok in _OPEN:
            stack.append((_OPEN[tok], [], tok))
        elif tok.startswith("<span style"):
            stack.append(("sc", [], tok))
        elif tok in _CLOSE or tok == "</span>":
            want = _CLOSE.get(tok)
            pos = _find_open(stack, want if want else None, span=tok == "</span>")
            if pos is None:
                stack[-1][1].append(tok)
            else:
                _close_to(stack, pos)
        elif tok in ("'", "\u2018", "\u2019") and any(t[0] == "nocase" for t in stack[1:]):
            stack[-1][1].append("\u2019" if tok == "'" else tok)  # inside nocase only double quotes pair up
        elif tok in ('"', "\u201c", "\u201d", "\u00ab", "\u00bb"):
            opener = {'"': '"', "\u201d": "\u201c", "\u00bb": "\u00ab"}.get(tok, tok)
            pos = _find_quote(stack, opener) if tok in ('"', "\u201d", "\u00bb") else None
            if pos is not None and prev and not prev.isspace():
                _close_to(stack, pos)
            elif tok in ('"', "\u201c", "\u00ab") and (not prev or not _is_word(prev)) and nxt and not nxt.isspace():
                primary = primary or "double"
                stack.append(("q" if primary == "double" else "q1", [], tok))
            else:
                stack[-1][1].append(tok)
        else:  # single quotes and apostrophes
            pos = _find_quote(stack, "'") if tok in ("'", "\u2019") else None
            if pos is not None and not _is_word(nxt):
                _close_to(stack, pos)
            elif tok in ("'", "\u2018") and (not prev or not (_is_word(prev) or prev in ".,")) and nxt \
                    and not nxt.isspace() and not nxt.isdigit() and \
                    (tok == "'" or any(t[0] in ("q", "q1") for t in stack[1:])):  # a curly ‘ opens only inside quotes
                primary = primary or "single"
                stack.append(("q" if primary == "single" else "q1", [], tok))
            else:
                # an apostrophe, also between spaces ("d ' eau"); a quote mark at an affix's edge stays
                apos = tok == "'" and (_is_word(prev) or _is_word(nxt) or bool(prev and nxt))
                stack[-1][1].append("\u2019" if apos else tok)
    while len(stack) > 1:  # unclosed markup: keep literal text
        tag, kids, tok = stack.pop()
        lit = tok
        stack[-1][1].extend([lit] + kids)
    return _merge(stack[0][1])


def _prev_char(parts: list, idx: int) -> str:
    for j in range(idx - 1, -1, -1):
        if parts[j]:
            if j % 2 == 1 and parts[j].startswith("<"):
                continue
            return parts[j][-1]
    return ""


def _next_char(parts: list, idx: int) -> str:
    for j in range(idx + 1, len(parts)):
        if parts[j]:
            if j % 2 == 1 and parts[j].startswith("<"):
                continue
            return parts[j][0]
    return ""


def _find_open(stack: list, tag: str | None, span: bool) -> int | None:
    for pos in range(len(stack) - 1, 0, -1):
        t = stack[pos][0]
        if t in ("q", "q1"):
            continue
        if (span and t in ("sc", "nocase", "nodecor")) or t == tag:
            return pos
        return None
    return None


def _find_quote(stack: list, opener: str) -> int | None:
    for pos in range(len(stack) - 1, 0, -1):
        if stack[pos][0] in ("q", "q1"):
            if stack[pos][2] == opener or (opener == "\u201c" and stack[pos][2] == '"') or \
                    (opener == "'" and stack[pos][2] == "\u2018"):
                return pos
            return None
    return None


def _close_to(stack: list, pos: int) -> None:
    while len(stack) > pos:
        tag, kids, _ = stack.pop()
        stack[-1][1].append((tag, _merge(kids)))


def _merge(items: list) -> Seq:
    out: list = []
    for it in items:
        if isinstance(it, str):
            if not it:
                continue
            if out and isinstance(out[-1], str):
                out[-1] += it
                continue
        out.append(it)
    return tuple(out)


def plain(seq) -> str:
    """The text of a sequence without any markup (quotes become straight quotes)."""
    out: list[str] = []
    for it in seq:
        if isinstance(it, str):
            out.append(it)
        elif it[0] == "q":
            out.append('"' + plain(it[1]) + '"')
        elif it[0] == "qx":
            out.append('"' + plain(it[1]) + '"')
        elif it[0] == "q1":
            out.append("'" + plain(it[1]) + "'")
        else:
            out.append(plain(it[1]))
    return "".join(out)


def first_char(seq) -> str:
    """First character of the text of ``seq`` (markup looked through), or ''."""
    for it in seq:
        if isinstance(it, str):
            if it:
                return it[0]
        else:
            c = first_char(it[1])
            if c:
                return c
    return ""


def last_char(seq) -> str:
    """Last character of the text of ``seq`` (markup looked through), or ''."""
    for it in reversed(seq):
        if isinstance(it, str):
            if it:
                return it[-1]
        else:
            c = last_char(it[1])
            if c:
                return c
    return ""


def drop_first(seq) -> Seq:
    """``seq`` without its first text character."""
    out = list(seq)
    for i, it in enumerate(out):
        if isinstance(it, str):
            if it:
                out[i] = it[1:]
                return tuple(x for x in out if x != "")
        elif first_char(it[1]):
            out[i] = (it[0], drop_first(it[1]))
            return tuple(out)
    return tuple(out)


def drop_last(seq) -> Seq:
    """``seq`` without its last text character."""
    out = list(seq)
    for i in range(len(out) - 1, -1, -1):
        it = out[i]
        if isinstance(it, str):
            if it:
                out[i] = it[:-1]
                return tuple(x for x in out if x != "")
        elif last_char(it[1]):
            out[i] = (it[0], drop_last(it[1]))
            return tuple(out)
    return tuple(out)


def map_text(seq, fn, skip=("nocase",)) -> Seq:
    """Apply ``fn`` to every text leaf, leaving subtrees tagged in ``skip`` alone."""
    out = []
    for it in seq:
        if isinstance(it, str):
            out.append(fn(it))
        elif it[0] in skip:
            out.append(it)
        else:
            out.append((it[0], map_text(it[1], fn, skip)))
    return tuple(out)


def is_empty(seq) -> bool:
    """True when ``seq`` holds no text at all."""
    for it in seq:
        if isinstance(it, str):
            if it:
                return False
        elif not is_empty(it[1]):
            return False
    return True


def retag(seq, old: str, new: str) -> Seq:
    """``seq`` with every ``old`` tag renamed ``new``."""
    out = []
    for it in seq:
        if isinstance(it, str):
            out.append(it)
        else:
            out.append((new if it[0] == old else it[0], retag(it[1], old, new)))
    return tuple(out)
