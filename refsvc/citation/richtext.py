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


# a mark (no text) at the start of a straight-single-quoted span: citeproc-js's title case reads those
# quotes as apostrophes and keeps the first letter after them as typed ("and 'rupture' repair")
SQ = "sq"
_TYPED_MARKS = {"\u201c": "cq", "\u2018": "cs"}  # marks of curly quotes typed in a field (output.py)
MAX_DEPTH = 24  # markup nested deeper stays literal text, so later recursive walks stay shallow
MAX_MARKS = 1000  # tags and quote marks read as markup; the rest of a (hostile) value stays literal text


def parse(text: str, quotes: bool = True) -> Seq:
    """Parse a field value with CSL-JSON's HTML-ish markup and straight/curly quotes into a sequence."""
    # cached for ordinary field lengths; a long value is parsed each time, so the cache stays small in bytes
    return _parse_cached(text, quotes) if len(text) <= 1000 else _parse(text, quotes)


@lru_cache(maxsize=8192)
def _parse_cached(text: str, quotes: bool) -> Seq:
    return _parse(text, quotes)


def _parse(text: str, quotes: bool = True) -> Seq:
    if "\u00ab " in text or " \u00bb" in text:  # French guillemets take narrow no-break spaces
        text = text.replace("\u00ab ", "\u00ab\u202f").replace(" \u00bb", "\u202f\u00bb")
    if not any(c in text for c in ("<\"'\u201c\u201d\u2018\u2019" if quotes else "<")):
        return (text,) if text else ()
    parts = (_TAG_RE if quotes else _TAGONLY_RE).split(text, MAX_MARKS)
    prevs, nexts = _neighbours(parts)
    # stack of (tag, kids); quotes: tag "q" with the opening char remembered in a side list.
    # Linear time on any input: where the quotes and the other tags sit in the stack is kept in two
    # lists (no scan of the stack per token), neighbours are found in one pass.
    stack = _Stack()
    primary = ""  # citeproc-js: the quote kind met first is the main one, the other kind the inner one
    for idx, tok in enumerate(parts):
        if not tok:
            continue
        if idx % 2 == 0:
            stack.top.append(tok)
            continue
        prev, nxt = prevs[idx], nexts[idx]
        deep = len(stack.items) > MAX_DEPTH
        if tok in _OPEN and not deep:
            stack.push(_OPEN[tok], tok)
        elif tok.startswith("<span style") and not deep:
            stack.push("sc", tok)
        elif tok in _CLOSE or tok == "</span>":
            want = _CLOSE.get(tok)
            pos = stack.find_open(want if want else None, span=tok == "</span>")
            if pos is None:
                stack.top.append(tok)
            else:
                stack.close_to(pos)
        elif tok in ("'", "\u2018", "\u2019") and stack.nocase:
            stack.top.append("\u2019" if tok == "'" else tok)  # inside nocase only double quotes pair up
        elif tok in ('"', "\u201c", "\u201d", "\u00ab", "\u00bb"):
            opener = {'"': '"', "\u201d": "\u201c", "\u00bb": "\u00ab"}.get(tok, tok)
            pos = stack.find_quote(opener) if tok in ('"', "\u201d", "\u00bb") else None
            if pos is not None and prev and not prev.isspace():
                stack.close_to(pos)
            elif tok in ('"', "\u201c", "\u00ab") and (not prev or not _is_word(prev)) and nxt and \
                    not nxt.isspace() and not deep:
                primary = primary or "double"
                stack.push("q" if primary == "double" else "q1", tok)
            else:
                stack.top.append(tok)
        else:  # single quotes and apostrophes
            pos = stack.find_quote("'") if tok in ("'", "\u2019") else None
            if pos is not None and not _is_word(nxt):
                stack.close_to(pos)
            elif tok in ("'", "\u2018") and (not prev or not (_is_word(prev) or prev in ".,")) and nxt \
                    and not nxt.isspace() and not nxt.isdigit() and not deep and \
                    (tok == "'" or bool(stack.quotes)):  # a curly ‘ opens only inside quotes
                primary = primary or "single"
                stack.push("q" if primary == "single" else "q1", tok)
            else:
                # an apostrophe, also between spaces ("d ' eau"); a quote mark at an affix's edge stays
                apos = tok == "'" and (_is_word(prev) or _is_word(nxt) or bool(prev and nxt))
                stack.top.append("\u2019" if apos else tok)
    items = stack.items
    while len(items) > 1:  # unclosed markup: keep literal text
        tag, kids, tok = items.pop()
        items[-1][1].extend([tok] + kids)
    return _merge(items[0][1])


def _neighbours(parts: list) -> tuple[list, list]:
    """For each token, the text character before and after it (markup tags looked through)."""
    prevs, nexts = [""] * len(parts), [""] * len(parts)
    last = ""
    for j, p in enumerate(parts):
        prevs[j] = last
        if p and not (j % 2 == 1 and p.startswith("<")):
            last = p[-1]
    last = ""
    for j in range(len(parts) - 1, -1, -1):
        nexts[j] = last
        p = parts[j]
        if p and not (j % 2 == 1 and p.startswith("<")):
            last = p[0]
    return prevs, nexts


class _Stack:
    """The open markup while parsing: (tag, kids, opening token) entries, root first."""

    def __init__(self) -> None:
        self.items: list[tuple[str, list, str]] = [("", [], "")]
        self.quotes: list[int] = []  # positions of open quotes
        self.others: list[int] = []  # positions of open tags that are not quotes
        self.nocase = 0

    @property
    def top(self) -> list:
        return self.items[-1][1]

    def push(self, tag: str, tok: str) -> None:
        (self.quotes if tag in ("q", "q1") else self.others).append(len(self.items))
        self.nocase += tag == "nocase"
        self.items.append((tag, [], tok))

    def find_open(self, tag: str | None, span: bool) -> int | None:
        """The open tag a closing tag closes: the innermost non-quote, if it is of the right kind."""
        if not self.others:
            return None
        pos = self.others[-1]
        t = self.items[pos][0]
        return pos if (span and t in ("sc", "nocase", "nodecor")) or t == tag else None

    def find_quote(self, opener: str) -> int | None:
        """The innermost open quote, if ``opener`` matches it."""
        if not self.quotes:
            return None
        pos = self.quotes[-1]
        got = self.items[pos][2]
        if got == opener or (opener == "\u201c" and got == '"') or (opener == "'" and got == "\u2018"):
            return pos
        return None

    def close_to(self, pos: int) -> None:
        items = self.items
        while len(items) > pos:
            tag, kids, tok = items.pop()
            lst = self.quotes if tag in ("q", "q1") else self.others
            lst.pop()
            self.nocase -= tag == "nocase"
            if tok == "'":  # straight single quotes: title case leaves the next letter as typed (SQ)
                kids = [(SQ, ())] + kids
            elif tok in _TYPED_MARKS:  # curly quotes keep their own marks outside the style's quotes
                kids = [(_TYPED_MARKS[tok], ())] + kids
            items[-1][1].append((tag, _merge(kids)))


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
