r"""CSL numbers: numeric test, ordinals, roman numerals, page-range formats.

Every regex here sees user input (volume, issue, page, number, locator...), so each runs in linear time:
a run of spaces is entered only at its start ((?<!\s)|(?!\s)), quantifiers next to overlapping classes are
possessive, and digit strings are never converted with int() past a few digits (Python refuses more
than 4,300), so a 100,000-character value renders in milliseconds.
"""
from __future__ import annotations

import re
import unicodedata

# joiners as citeproc-js's processNumber has them: a comma joins only when a space follows ("1,024" and
# "8,697,359" are one number each), a slash never joins ("46/47" is one number)
_SPLIT = re.compile(r"((?:(?<!\s)|(?!\s))\s*+(?:[-\u2013&]|,(?=\s)|\band\b)\s*+)")
_NUM_PART = re.compile(r"([A-Za-z]?)(\d++)([A-Za-z]?)")
_THOUSANDS_RANGE = re.compile(r"\d,\d{3}(?!\d)")  # "1,024-1,031": citeproc-js sees no plain numbers, no range
_AMP = re.compile(r"(?:(?<!\s)|(?!\s))\s*+&\s*+")
_SEP = r"[^\s,&\u2013-]"
# a range "A-B": A a whole token ending in a digit, B the next token up to its last digit
_RANGE = re.compile(r"(?<!" + _SEP + r")(" + _SEP + r"*+)(?<=\d)\s*+[-\u2013]++\s*+(" + _SEP + r"*\d)")
_ROMAN_RANGE = re.compile(r"\b([ivxlcdm]++|[IVXLCDM]++)\s*+-\s*+([ivxlcdm]++|[IVXLCDM]++)\b")


def small_int(digits: str, cap: int = 10 ** 9) -> int:
    """A digit string's value, or ``cap`` when it is longer than 9 digits (int() refuses 4,300+)."""
    digits = _ascii_digits(digits).lstrip("0") or "0"
    return int(digits) if len(digits) <= 9 else cap


def _ascii_digits(d: str) -> str:
    return d if d.isascii() else "".join(str(unicodedata.decimal(c)) for c in d)


def digits_less(a: str, b: str) -> bool:
    """Whether the digit string ``a`` is a smaller number than ``b``, at any length and in any script."""
    a, b = _ascii_digits(a).lstrip("0"), _ascii_digits(b).lstrip("0")
    return (len(a), a) < (len(b), b)


def _trailing_digits(s: str) -> int:
    """Where the run of digits that ends ``s`` starts (len(s) when it ends otherwise)."""
    i = len(s)
    while i and s[i - 1].isdecimal():
        i -= 1
    return i
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
    if re.fullmatch(r"\d++(?:st|nd|rd|th)", toks[0].strip()):
        return True  # citeproc-js: "5th, text rev." counts as numeric
    for i, t in enumerate(toks):
        if i % 2 == 0:
            if not _NUM_PART.fullmatch(t.strip()):
                return False
    return True


def is_plural_value(value) -> bool:
    """Whether a number variable holds several numbers (for contextual label plurals)."""
    s = str(value).strip()
    if s.isdecimal():
        return False
    if re.fullmatch(r"[ivxlcdm]+\s*[-\u2013,&]\s*[ivxlcdm]+", s, re.I):
        return True
    if "\\-" in s:
        return False
    # one number with thousands separators or a slash is not several
    return len(re.findall(r"\d++(?:[.,/]\d++)*+", s)) >= 2 and not _THOUSANDS_RANGE.search(s)


def localize_and(value: str, locale) -> str:
    """'&' joining numbers becomes the locale's and-symbol when a style redefines it (citeproc-js)."""
    sym = locale.term("and", "symbol")
    if not sym or sym == "&" or sym == locale.term("and"):
        return value
    return _AMP.sub(f" {sym} ", value)


_LABEL_TERMS = {"p": "page", "pp": "page", "vol": "volume", "ch": "chapter", "sec": "section", "fig": "figure",
                "l": "line", "n": "note", "no": "issue", "para": "paragraph", "pt": "part", "fol": "folio",
                "col": "column", "art": "article", "bk": "book", "op": "opus", "vrs": "verse", "sv": "sub-verbo"}
_EMBEDDED = re.compile(r",\s++(" + "|".join(_LABEL_TERMS) + r")\.\s++(?=\S)")


def split_embedded_label(value: str) -> tuple[str, str, str] | None:
    """'7, p. 3-8' -> ('7', 'page', '3-8'): a number value that goes on under a label (citeproc-js)."""
    if "." not in value:
        return None
    # the text after the label runs to the end without a newline ('.' and '$'): checked once here,
    # not by a '.*$' tried from every comma (quadratic)
    body = value[:-1] if value.endswith("\n") else value
    last_newline = body.rfind("\n")
    for m in _EMBEDDED.finditer(value):
        if m.end() > last_newline:
            return value[:m.start()], _LABEL_TERMS[m.group(1)], body[m.end():]
    return None


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


def ordinal(n: int, locale, gender: str = "", shown: str = "") -> str:
    """Number with the locale's ordinal suffix (CSL 1.0 ordinal-NN matching rules); ``shown`` prints
    instead of ``n`` (a number too long for int(): ``n`` then stands in with its last two digits)."""
    suffix = None
    if True:
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
    return f"{shown or n}{suffix}"


def long_ordinal(n: int, locale, gender: str = "", shown: str = "") -> str:
    """Spelled-out ordinal for 1-10, else the short ordinal."""
    if 1 <= n <= 10 and not shown:
        t = locale.term(f"long-ordinal-{n:02d}", "long", False, gender)
        if t:
            return t
    return ordinal(n, locale, gender, shown)


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
        m = _NUM_PART.fullmatch(t.strip())
        if not m:
            out.append(t)
            continue
        digits = _ascii_digits(m.group(2)).lstrip("0") or "0"
        # past 9 digits a stand-in with the same last two digits picks the ordinal suffix
        n, shown = (int(digits), "") if len(digits) <= 9 else (1000 + int(digits[-2:]), digits)
        if form == "ordinal":
            body = ordinal(n, locale, gender, shown)
        elif form == "long-ordinal":
            body = long_ordinal(n, locale, gender, shown)
        elif form == "roman":
            body = roman(n) if not shown else digits
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
    na = small_int(a[-3:]) + (1000 if len(a.lstrip("0")) > 3 else 0)  # only "< 100" and the last digits count
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
        text = m.string
        if (m.start() > 1 and text[m.start() - 1] == "," and text[m.start() - 2].isdecimal()) or \
                (text[m.end():m.end() + 1] == "," and text[m.end() + 1:m.end() + 2].isdecimal()):
            # "1,024-1,031": ends with thousands separators are no plain numbers to citeproc-js, so no
            # range: printed as typed, with its en dash read as a hyphen
            return m.group(0).replace("\u2013", "-")
        if not fmt:
            if expand_collapsed and a.isdecimal() and b.isdecimal() and digits_less(b, a):  # locator "427-30" -> "427–430"
                return f"{a}{delim}{_expand(a, b)}"
            return f"{a}{delim}{b}"
        ia, ib = _trailing_digits(a), _trailing_digits(b)
        pre_a, pre_b = a[:ia], b[:ib]
        if ia == len(a) or ib == len(b) or (pre_b and pre_a != pre_b) or (pre_a and not pre_b):
            return f"{a}-{b}"  # prefixes that differ: not a range, left as typed (spaces dropped)
        x, y = a[ia:], b[ib:]
        full = _expand(x, y)
        if digits_less(full, x):
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
        return f"{a}{delim}{pre_b if fmt == 'expanded' else ''}{r}"
    if "\\-" in str(value):
        return str(value).replace("\\-", "-")
    value = _ROMAN_RANGE.sub(f"\\1{delim}\\2", str(value))
    return _RANGE.sub(repl, value)
