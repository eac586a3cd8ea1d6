"""The output tree: render evaluated nodes to rich text (fixPunct, affixes, formatting), then serialize.

Out nodes: None | ("L", seq) | ("F", Fmt, [Out]) | ("T", tag, Out, info).  ``render`` gives a
format-neutral sequence (richtext.py); ``serialize(seq, fmt, quotes)`` writes "text" or "html".
"""
from __future__ import annotations

import re

from . import richtext as rt
from .textcase import apply_case

# fixPunct pair table (citeproc-js queue.js via jgm/citeproc): 1 keep first, 2 keep second, 0 both
_PUNCT = {}
for _pair, _v in {"!.": 1, "!:": 1, "?.": 1, "?:": 1, ":!": 2, ":?": 2, ":.": 1, ";!": 2, ";?": 2,
                  ";:": 1, ";.": 1, "!!": 1, "??": 1, "..": 1, "::": 1, ";;": 1, ",,": 1, "  ": 2,
                  " ,": 2}.items():
    _PUNCT[_pair] = _v


def fix_punct(seqs: list, after_delim: frozenset = frozenset()) -> list:
    """Resolve clashing punctuation between adjacent rendered pieces; a piece whose index is in
    ``after_delim`` follows a group delimiter, which keeps its punctuation: citeproc-js merges a
    piece's end into the delimiter after it ("Life," + ", "), never the delimiter into the piece after
    it ("Life" + ", " + ", 1965" stays ", , 1965"), save a doubled space."""
    if len(seqs) < 2:
        return seqs
    out = [seqs[0]]
    for k, y in enumerate(seqs[1:], 1):
        guarded = k in after_delim
        while True:
            x = out[-1]
            pair = rt.last_char(x) + rt.first_char(y) if x and y else ""
            rule = _PUNCT.get(pair, 0) if not guarded or pair == "  " else 0
            if rule == 1:
                y = rt.drop_first(y)
                continue
            if rule == 2:
                out[-1] = rt.drop_last(x)
                if not out[-1]:
                    out.pop()
                    if not out:
                        break
                continue
            break
        if y:
            out.append(y)
    return out


def _concat(seqs: list) -> tuple:
    out: list = []
    for s in seqs:
        for it in s:
            if isinstance(it, str) and out and isinstance(out[-1], str):
                out[-1] += it
            else:
                out.append(it)
    return tuple(out)


def join(seqs: list, delim: str) -> tuple:
    """Join rendered pieces with a delimiter; a piece opening with punctuation keeps the delimiter
    before it (citeproc-js renderBlobs; only cites drop the layout delimiter, citations.py)."""
    seqs = [s for s in seqs if s]
    if not seqs:
        return ()
    after: set = set()
    if delim and len(seqs) > 1:
        parts = [seqs[0]]
        for s in seqs[1:]:
            d = delim
            if d == " " and rt.last_char(parts[-1]).isspace():
                d = ""  # a no-break space affix already separates the parts
            if d[:1] in ",;" and rt.last_char(parts[-1]) in (",", ";"):
                d = d[1:]  # "source," + "; " -> "source, " (citeproc-js)
            if d:
                parts.append((d,))
                after.add(len(parts))
            parts.append(s)
        seqs = parts
    return _concat(fix_punct(seqs, frozenset(after)))


def splice(seqs: list, delims: list) -> tuple:
    """Join pieces with a delimiter of their own before each but the first (``delims[k]`` goes before
    ``seqs[k + 1]``), which keeps its punctuation as a group delimiter does (citeproc-js cites)."""
    parts: list = []
    after: set = set()
    for k, s in enumerate(seqs):
        if not s:  # an empty piece goes with the delimiter before it
            continue
        if parts and delims[k - 1]:
            parts.append((delims[k - 1],))
            after.add(len(parts))
        parts.append(s)
    return _concat(fix_punct(parts, frozenset(after))) if parts else ()


def render(out, lang: str = "en") -> tuple:
    """Render an Out tree to a rich-text sequence."""
    if out is None:
        return ()
    kind = out[0]
    if kind == "L":
        return out[1]
    if kind == "T":
        return render(out[2], out[3] if out[1] == "lang" else lang)
    fmt = out[1]
    content = join([render(c, lang) for c in out[2]], fmt.delimiter or "")
    return format_seq(content, fmt, lang)


_CASED: dict = {}


def _cased(content: tuple, case: str, lang: str) -> tuple:
    """apply_case, remembered: one item's title is cased again for each of its forms (entry, note,
    short note) and in each style of a request, and constant terms for every item."""
    key = (content, case, lang)
    try:
        found = _CASED.get(key)
    except TypeError:  # a list inside: rich text is tuples, but it costs nothing to be safe
        return apply_case(content, case, lang)
    if found is None:
        found = apply_case(content, case, lang)
        if len(_CASED) > 4096:  # titles come from users: keep the cache bounded
            _CASED.clear()
        _CASED[key] = found
    return found


def format_seq(content: tuple, fmt, lang: str = "en", affixes: bool = True) -> tuple:
    """Apply text-case, decorations, quotes, affixes and display to rendered content."""
    if not content:
        return ()
    if fmt.text_case:
        content = _cased(content, fmt.text_case, lang)
    if fmt.font_style == "italic" or fmt.font_style == "oblique":
        content = (("i", content),)
    elif fmt.font_style == "normal":
        content = (("ns", content),)
    if fmt.font_variant == "small-caps":
        content = (("sc", content),)
    elif fmt.font_variant == "normal":
        content = (("nv", content),)
    if fmt.font_weight == "bold":
        content = (("b", content),)
    elif fmt.font_weight == "normal":
        content = (("nw", content),)
    if fmt.text_decoration == "underline":
        content = (("u", content),)
    elif fmt.text_decoration == "none":
        content = (("nodeco", content),)
    if fmt.vertical_align == "sup":
        content = (("sup", content),)
    elif fmt.vertical_align == "sub":
        content = (("sub", content),)
    elif fmt.vertical_align == "baseline":
        content = (("base", content),)
    if fmt.quotes:
        content = (("q", content),)
    if affixes and (fmt.prefix or fmt.suffix):
        content = affix(content, fmt.prefix, fmt.suffix)
    if fmt.display:
        content = (("div:" + fmt.display, content),)
    return content


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_LATIN = re.compile(r"[A-Za-z]")


def cjk_only(content) -> bool:
    """True for text in CJK scripts with no Latin letters."""
    text = rt.plain(content)
    return bool(_CJK.search(text)) and not _LATIN.search(text)


_AFFIX_CACHE: dict = {}


def _affix_seq(text: str, quotes: bool = True) -> tuple:
    seq = _AFFIX_CACHE.get((text, quotes))
    if seq is None:
        seq = rt.parse(text, quotes) if any(c in text for c in "<\"'") else (text,)
        if len(_AFFIX_CACHE) > 4096:  # cite affixes come from users: keep the cache bounded
            _AFFIX_CACHE.clear()
        _AFFIX_CACHE[(text, quotes)] = seq
    return seq


def affix(content: tuple, prefix: str, suffix: str, cite: bool = False) -> tuple:
    """Add prefix and suffix with punctuation fixing on each seam (``cite``: a cite's own affixes)."""
    parts = []
    if prefix:
        parts.append(rt.retag(_affix_seq(prefix), "q", "qx") if cite else _affix_seq(prefix, False))
    parts.append(content)
    if suffix:
        parts.append(rt.retag(_affix_seq(suffix), "q", "qx") if cite else _affix_seq(suffix, False))
    return _concat(fix_punct(parts))


def _absorb(kids: tuple, ch: str) -> tuple:
    if kids and isinstance(kids[-1], tuple) and kids[-1][0] in ("q", "q1"):
        return kids[:-1] + ((kids[-1][0], _absorb(kids[-1][1], ch)),)
    lc = rt.last_char(kids)
    if ch == lc or (ch == "." and lc in "!?"):
        return kids
    return _concat([kids, (ch,)])


def punct_in_quote(seq: tuple) -> tuple:
    """Move . , ! ? that follow a closing quote inside it (punctuation-in-quote locales)."""
    out = list(seq)
    i = -1
    while i + 1 < len(out):
        i += 1
        it = out[i]
        if isinstance(it, str):
            continue
        kids = punct_in_quote(it[1])
        while i + 1 < len(out):  # every . , ! ? right after the quote moves in, in order
            ch = rt.first_char((out[i + 1],))
            if ch not in _PIQ:
                break
            if it[0] in ("q", "q1"):
                kids = _absorb(kids, ch)
            elif kids and isinstance(kids[-1], tuple) and kids[-1][0] in ("q", "q1"):
                # a quote ending a formatted span: <i>“A”</i>. moves inside both
                kids = kids[:-1] + ((kids[-1][0], _absorb(kids[-1][1], ch)),)
            else:
                break
            rest = rt.drop_first((out[i + 1],))
            out[i + 1:i + 2] = list(rest) or [""]
            if not rest:
                del out[i + 1]
        out[i] = (it[0], kids)
    return tuple(x for x in out if x != "")


_PIQ = (".", ",", "!", "?")

_HTML_OPEN = {"b": "<b>", "sup": "<sup>", "sub": "<sub>", "sc": '<span style="font-variant:small-caps;">',
              "ns": '<span style="font-style:normal;">', "nw": '<span style="font-weight:normal;">',
              "nv": '<span style="font-variant:normal;">', "u": '<span style="text-decoration:underline;">',
              "nodeco": '<span style="text-decoration:none;">', "base": '<span style="baseline">'}
_HTML_CLOSE = {"b": "</b>", "sup": "</sup>", "sub": "</sub>"}


# citeproc-js's CSL.SUPERSCRIPTS: superscript characters printed as <sup>base</sup> in HTML
_SUPERSCRIPTS = dict(zip(
    "\u00aa\u00b2\u00b3\u00b9\u00ba\u02b0\u02b1\u02b2\u02b3\u02b4\u02b5\u02b6\u02b7\u02b8\u02e0\u02e1\u02e2"
    "\u02e3\u02e4\u1d2c\u1d2d\u1d2e\u1d30\u1d31\u1d32\u1d33\u1d34\u1d35\u1d36\u1d37\u1d38\u1d39\u1d3a\u1d3c"
    "\u1d3d\u1d3e\u1d3f\u1d40\u1d41\u1d42\u1d43\u1d44\u1d45\u1d46\u1d47\u1d48\u1d49\u1d4a\u1d4b\u1d4c\u1d4d"
    "\u1d4f\u1d50\u1d51\u1d52\u1d53\u1d54\u1d55\u1d56\u1d57\u1d58\u1d59\u1d5a\u1d5b\u1d5c\u1d5d\u1d5e\u1d5f"
    "\u1d60\u1d61\u2070\u2071\u2074\u2075\u2076\u2077\u2078\u2079\u207a\u207b\u207c\u207d\u207e\u207f\u2120"
    "\u2122\u3192\u3193\u3194\u3195\u3196\u3197\u3198\u3199\u319a\u319b\u319c\u319d\u319e\u319f\u02c0\u02c1"
    "\u06e5\u06e6",
    ("a 2 3 1 o h \u0266 j r \u0279 \u027b \u0281 w y \u0263 l s x \u0295 A \u00c6 B D E \u018e G H I J K L M N O "
     "\u0222 P R T U W a \u0250 \u0251 \u1d02 b d e \u0259 \u025b \u025c g k m \u014b o \u0254 \u1d16 \u1d17 p t u "
     "\u1d1d \u026f v \u1d25 \u03b2 \u03b3 \u03b4 \u03c6 \u03c7 0 i 4 5 6 7 8 9 + \u2212 = ( ) n SM TM \u4e00 \u4e8c "
     "\u4e09 \u56db \u4e0a \u4e2d \u4e0b \u7532 \u4e59 \u4e19 \u4e01 \u5929 \u5730 \u4eba \u0294 \u0295 \u0648 "
     "\u064a").split()))
_SUP_RE = re.compile("[" + "".join(_SUPERSCRIPTS) + "]")


def escape_html(s: str) -> str:
    """Escape text as citeproc-js does for HTML (superscript letters become <sup>)."""
    s = s.replace("&", "&#38;").replace("<", "&#60;").replace(">", "&#62;").replace("  ", "&#160; ")
    if _SUP_RE.search(s):
        s = _SUP_RE.sub(lambda m: f"<sup>{_SUPERSCRIPTS[m.group(0)]}</sup>", s)
    return s


def serialize(seq: tuple, fmt: str, quotes: tuple) -> str:
    """Write a rich-text sequence as 'text' or 'html', flip-flopping nested italics, bold and quotes."""
    buf: list[str] = []
    _ser(seq, fmt == "html", quotes, buf, 0, False, False, False)
    return "".join(buf)


class _Typed(tuple):
    """The locale's quotes, inside quotes typed in a field at the top level (curly ones print as typed)."""


def _ser(seq, html: bool, quotes, buf, qdepth: int, ital: bool, bold: bool, sc: bool) -> None:
    for it in seq:
        if isinstance(it, str):
            buf.append(escape_html(it) if html else it)
            continue
        tag, kids = it
        if tag in ("q", "qx", "q1"):  # qx: typed in a cite affix; q1: single quotes, one level deeper
            # citeproc-js: quotes flip by depth; a field's secondary quote kind is never above the inner level
            d = max(qdepth, 1) if tag == "q1" else qdepth
            o, c = (quotes[0], quotes[1]) if d % 2 == 0 else (quotes[2], quotes[3])
            mark = kids[0][0] if kids and isinstance(kids[0], tuple) else ""
            if mark in ("cq", "cs") and (qdepth == 0 or isinstance(quotes, _Typed)):
                # curly quotes typed in a field and not inside the style's quotes print as typed,
                # and so do the curly quotes inside them (citeproc-js)
                o, c = ("\u201c", "\u201d") if mark == "cq" else ("\u2018", "\u2019")
                inner = _Typed(quotes)
            else:
                inner = quotes
            buf.append(escape_html(o) if html else o)
            _ser(kids, html, inner, buf, d + 1, ital, bold, sc)
            buf.append(escape_html(c) if html else c)
            continue
        if not html:
            if tag == "div:right-inline" and buf and not buf[-1][-1:].isspace():
                buf.append(" ")  # citeproc-js's text output: "[1] J. Smith, ..."
            _ser(kids, html, quotes, buf, qdepth, ital, bold, sc)
            continue
        if tag == "i":
            buf.append('<span style="font-style:normal;">' if ital else "<i>")
            _ser(kids, html, quotes, buf, qdepth, not ital, bold, sc)
            buf.append("</span>" if ital else "</i>")
        elif tag == "ns":
            if ital:
                buf.append('<span style="font-style:normal;">')
                _ser(kids, html, quotes, buf, qdepth, False, bold, sc)
                buf.append("</span>")
            else:
                _ser(kids, html, quotes, buf, qdepth, False, bold, sc)
        elif tag == "b":
            buf.append('<span style="font-weight:normal;">' if bold else "<b>")
            _ser(kids, html, quotes, buf, qdepth, ital, not bold, sc)
            buf.append("</span>" if bold else "</b>")
        elif tag == "sc":
            buf.append('<span style="font-variant:normal;">' if sc else _HTML_OPEN["sc"])
            _ser(kids, html, quotes, buf, qdepth, ital, bold, not sc)
            buf.append("</span>")
        elif tag == "nodecor":
            if ital or bold or sc:
                buf.append('<span style="font-style:normal;">' if ital else
                           '<span style="font-weight:normal;">' if bold else '<span style="font-variant:normal;">')
                _ser(kids, html, quotes, buf, qdepth, False, False, False)
                buf.append("</span>")
            else:
                _ser(kids, html, quotes, buf, qdepth, ital, bold, sc)
        elif tag in ("nocase", "nt", "sq", "cq", "cs"):
            _ser(kids, html, quotes, buf, qdepth, ital, bold, sc)
        elif tag.startswith("div:"):
            buf.append(f'<div class="csl-{tag[4:]}">')
            _ser(kids, html, quotes, buf, qdepth, ital, bold, sc)
            buf.append("</div>")
        elif (tag == "nw" and not bold) or (tag == "nv" and not sc):
            _ser(kids, html, quotes, buf, qdepth, ital, False, False)
        else:
            buf.append(_HTML_OPEN.get(tag, "<span>"))
            _ser(kids, html, quotes, buf, qdepth, ital, bold if tag != "nw" else False, sc if tag != "nv" else False)
            buf.append(_HTML_CLOSE.get(tag, "</span>"))
