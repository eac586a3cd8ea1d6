"""CSL numbers: numeric test, ordinals, roman numerals, page-range formats."""
from __future__ import annotations

import re

_NUM_TOKEN = re.compile(r"^(?:[A-Za-z]?\d+[A-Za-z]?|[ivxlcdmIVXLCDM]+)$")
_SPLIT = re.compile(r"(\s*(?:[-\u2013,&]|\band\b)\s*)")
_ROMAN = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
          (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]


def is_numeric(value) -> bool:
    """CSL is-numeric: numbers, optionally with letter affixes, joined by '-', ',', '&'."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return True
    s = str(value).strip()
    if not s:
        return False
    toks = _SPLIT.split(s)
    if re.fullmatch(r"\d+(?:st|nd|rd|th)", toks[0].strip()):
        return True  # citeproc-js: "5th, text rev." counts as numeric
    for i, t in enumerate(toks):
        if i % 2 == 0:
            if not re.fullmatch(r"[A-Za-z]?\d+[A-Za-z]?", t.strip()):
                return False
    return True


def is_plural_value(value) -> bool:
    """Whether a number variable holds several numbers (for contextual label plurals)."""
    s = str(value).strip()
    if re.fullmatch(r"\d+", s):
        return False
    if re.fullmatch(r"[ivxlcdm]+\s*[-\u2013,&]\s*[ivxlcdm]+", s, re.I):
        return True
    if "\\-" in s:
        return False
    return len(re.findall(r"\d+(?:\.\d+)*", s)) >= 2


def localize_and(value: str, locale) -> str:
    """'&' joining numbers becomes the locale's and-symbol when a style redefines it (citeproc-js)."""
    sym = locale.term("and", "symbol")
    if not sym or sym == "&" or sym == locale.term("and"):
        return value
    return re.sub(r"\s*&\s*", f" {sym} ", value)


_LABEL_TERMS = {"p": "page", "pp": "page", "vol": "volume", "ch": "chapter", "sec": "section", "fig": "figure",
                "l": "line", "n": "note", "no": "issue", "para": "paragraph", "pt": "part", "fol": "folio",
                "col": "column", "art": "article", "bk": "book", "op": "opus", "vrs": "verse", "sv": "sub-verbo"}
_EMBEDDED = re.compile(r",\s+(" + "|".join(_LABEL_TERMS) + r")\.\s+(\S.*)$")


def split_embedded_label(value: str) -> tuple[str, str, str] | None:
    """'7, p. 3-8' -> ('7', 'page', '3-8'): a number value that goes on under a label (citeproc-js)."""
    m = _EMBEDDED.search(value) if "." in value else None
    return (value[:m.start()], _LABEL_TERMS[m.group(1)], m.group(2)) if m else None


def roman(n: int) -> str:
    """Lowercase roman numeral."""
    if n <= 0 or n >= 4000:
        return str(n)
    out = []
    for v, s in _ROMAN:
        while n >= v:
            out.append(s)
            n -= v
    return "".join(out)


def ordinal(n: int, locale, gender: str = "") -> str:
    """Number with the locale's ordinal suffix (CSL 1.0 ordinal-NN matching rules)."""
    suffix = None
    if n < 100 or True:
        two = n % 100
        t = locale.find(f"ordinal-{two:02d}", "long", gender) if two >= 10 else None
        if t is not None and (t.match in ("", "last-two-digits") or (t.match == "whole-number" and n == two)):
            suffix = t.single
        if suffix is None:
            t = locale.find(f"ordinal-{n % 10:02d}", "long", gender)
            if t is not None and (t.match in ("", "last-digit") or (t.match == "whole-number" and n < 10)):
                suffix = t.single
        if suffix is None:
            suffix = locale.term("ordinal", "long", False, gender) or ""
    return f"{n}{suffix}"


def long_ordinal(n: int, locale, gender: str = "") -> str:
    """Spelled-out ordinal for 1-10, else the short ordinal."""
    if 1 <= n <= 10:
        t = locale.term(f"long-ordinal-{n:02d}", "long", False, gender)
        if t:
            return t
    return ordinal(n, locale, gender)


def format_number(value, form: str, locale, gender: str = "") -> str:
    """Render a number variable in a cs:number form, number by number."""
    s = str(value).strip()
    toks = _SPLIT.split(s)
    out = []
    for i, t in enumerate(toks):
        if i % 2 == 1:
            sep = t.strip()
            out.append("\u2013" if sep in ("-", "\u2013") else (", " if sep == "," else f" {sep} "))
            continue
        m = re.fullmatch(r"([A-Za-z]?)(\d+)([A-Za-z]?)", t.strip())
        if not m:
            out.append(t)
            continue
        n = int(m.group(2))
        if form == "ordinal":
            body = ordinal(n, locale, gender)
        elif form == "long-ordinal":
            body = long_ordinal(n, locale, gender)
        elif form == "roman":
            body = roman(n)
        else:
            body = m.group(2)
        out.append(m.group(1) + body + m.group(3))
    return "".join(out)


def _expand(a: str, b: str) -> str:
    if len(b) < len(a):
        return a[:len(a) - len(b)] + b
    return b


def _minimal(a: str, b: str, keep: int = 1) -> str:
    if len(a) != len(b):
        return b
    i = 0
    while i < len(a) - keep and a[i] == b[i]:
        i += 1
    return b[i:]


def _chicago(a: str, b: str, fifteenth: bool = False) -> str:
    na = int(a)
    if na < 100 or na % 100 == 0:
        return b
    if na % 100 < 10:
        return _minimal(a, b, 0)
    res = _minimal(a, b, 2)
    if fifteenth and len(a) == 4 and len(res) >= 3:  # chicago-15: 1496-1504 prints in full
        return b
    return res


def page_range(value: str, fmt: str, delim: str = "\u2013", expand_collapsed: bool = False) -> str:
    """Apply a page-range-format (expanded, minimal, minimal-two, chicago, chicago-15, chicago-16)."""
    def repl(m: re.Match) -> str:
        a, b = m.group(1), m.group(2)
        if not fmt:
            if expand_collapsed and a.isdigit() and b.isdigit() and int(b) < int(a):  # locator "427-30" -> "427–430"
                return f"{a}{delim}{_expand(a, b)}"
            return f"{a}{delim}{b}"
        pa = re.fullmatch(r"(.*?)(\d+)", a)
        pb = re.fullmatch(r"(.*?)(\d+)", b)
        if not pa or not pb or (pb.group(1) and pa.group(1) != pb.group(1)) or (pa.group(1) and not pb.group(1)):
            return f"{a}-{b}"  # prefixes that differ: not a range, left as typed (spaces dropped)
        x, y = pa.group(2), pb.group(2)
        full = _expand(x, y)
        if int(full) < int(x):
            return f"{a}{delim}{b}"
        if fmt == "expanded":
            r = full
        elif fmt == "minimal":
            r = _minimal(x, full, 0)
        elif fmt == "minimal-two":
            r = _minimal(x, full, 2) if len(x) > 1 else _minimal(x, full, 0)
            if len(r) < 2 and len(full) >= 2:
                r = full[-2:]
        elif fmt == "chicago-16":
            r = _chicago(x, full)
        else:
            r = _chicago(x, full, True)
        return f"{a}{delim}{pb.group(1) if fmt == 'expanded' else ''}{r}"
    if "\\-" in str(value):
        return str(value).replace("\\-", "-")
    value = re.sub(r"\b([ivxlcdm]+|[IVXLCDM]+)\s*-\s*([ivxlcdm]+|[IVXLCDM]+)\b", f"\\1{delim}\\2", str(value))
    return re.sub(r"([^\s,&\u2013-]*\d+)\s*[-\u2013]+\s*([^\s,&\u2013-]*\d+)", repl, value)
