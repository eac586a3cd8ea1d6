"""Raw date strings ("March 2010", "Summer 2015", "Spring/Summer 2004", "circa 1850") read as citeproc-js reads them.

A port of citeproc-js 1.4.61's CSL.DateParser.parseDateToObject (raw_date_parsing is on by default):
the string is cut into years, numbers, range dashes and words; words name months (any month's first
three letters anywhere in the word: "Sept." is September) or seasons (spring, summer, fall, winter
become months 13-16), "cir..."/"~"/"?" make it approximate, "bc"/"ad" after a number make it a year,
and a dash makes a range whose missing parts come from the other side. Without a year (or with a year
and a day but no month) the string is kept as a literal. The Japanese-era branch is not ported.
Every regex runs in linear time.
"""
from __future__ import annotations

import re

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
           "spr", "sum", "fal", "win")
_TIME = re.compile(r"(?:(?<!\s)|(?!\s))\s*+[0-9]{2}:[0-9]{2}:[0-9]++")
_DOTTED = re.compile(r"([A-Za-z])\.")
# year first ("2010-03-15"), year last ("15-03-2010"), a short number, a dash, a fuzzy mark, or words
_TOKENS = re.compile(r"([?0-9]{4}(?:-[?0-9]{1,2}){0,2}(?![0-9])|(?:[?0-9]{1,2}-){0,2}[?0-9]{4}(?![0-9])"
                     r"|[?0-9]{1,3}|-|[?~]|[^-/~?0-9]++)")
_ELEMENT = re.compile(r"\s*([-/]|[^-/~?0-9]+|[-~?0-9]+)\s*")
_YEAR = re.compile(r"[0-9]{4}")
_SEASON_WORD = re.compile("mic|tri|hil|eas")
_LEADING_INT = re.compile(r"\s*([0-9]+)")


def parse_raw(txt: str) -> dict:
    """{"year", "month", "day", "year_end", ..., "season", "circa"} or {"literal": txt}; numbers as ints."""
    orig = txt
    negative = False
    if txt:
        m = re.match(r"(.*[0-9])T[0-9]", txt)
        if m:
            txt = m.group(1)
        if txt[:1] == "-":
            negative = True
            txt = txt[1:]
        if re.fullmatch(r"[0-9]{1,3}", txt):
            txt = txt.zfill(4)
        txt = _TIME.sub("", txt, count=1)
    txt = _DOTTED.sub(r"\1", txt)
    if txt[:1] == '"' and txt[-1:] == '"':
        return {"literal": txt[1:-1]}
    txt = txt.replace("/", "-").replace("_", "-")
    ret = []
    for piece in _TOKENS.split(txt):
        m = _ELEMENT.fullmatch(piece)
        if m:
            ret.append(m.group(1))
    date: dict = {}
    is_range = "-" in ret
    sides = [ret[:ret.index("-")], ret[ret.index("-") + 1:]] if is_range else [ret]
    number = note = ""
    for suff, side in zip(("", "_end"), sides):
        for element in side:
            if "-" in element:
                _numeric(date, suff, element)
                continue
            if _YEAR.search(element):
                date["year" + suff] = element.lstrip("0")
                continue
            low = element.lower()
            if element in ("~", "?", "c") or element.startswith("cir"):
                date["circa"] = True
            month = next((k for k, name in enumerate(_MONTHS) if name in low), None)
            if month is not None:
                date["month" + suff] = str(month + 1)
                continue
            if element.isdigit() and element.isascii():
                number = element
            if low.startswith("bc") and number:
                date["year" + suff] = str(-int(number))
                number = ""
                continue
            if low.startswith("ad") and number:
                date["year" + suff] = number
                number = ""
                continue
            if _SEASON_WORD.search(low) and not date.get("season" + suff):
                note = element
                continue
        if number:
            date["day" + suff] = number
            number = ""
        if note and not date.get("season" + suff):
            date["season" + suff] = note.strip()
            note = ""
    if is_range:
        for part in ("year", "month", "day", "season"):
            if date.get(part) and not date.get(part + "_end"):
                date[part + "_end"] = date[part]
            elif not date.get(part) and date.get(part + "_end"):
                date[part] = date[part + "_end"]
    if not date.get("year") or (date.get("day") and not date.get("month")):
        return {"literal": orig}
    for part in ("year", "month", "day", "year_end", "month_end", "day_end"):
        value = date.get(part)
        if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,15}", value):
            date[part] = int(value)
        elif isinstance(value, str) and value.isdigit():
            return {"literal": orig}  # a number too long for any calendar
    if negative and "year" in date:
        date["year"] = -date["year"]
    return date


def _numeric(date: dict, suff: str, txt: str) -> None:
    """'2010-03-15', '15-03-2010', '2010-03': the four-digit part is the year, then month before day
    unless the first number is over 12 (citeproc-js's _parseNumericDate with month-day order)."""
    lst = txt.split("-")
    for i, part in enumerate(lst):
        if len(part) == 4:
            date["year" + suff] = part.lstrip("0")
            lst = lst[1:] if i == 0 else lst[:i]
            break
    nums = [_js_int(x) for x in lst]
    if len(nums) == 1 or (len(nums) == 2 and not nums[1]):
        if nums[0]:
            date["month" + suff] = str(nums[0])
    elif len(nums) == 2:
        month, day = (nums[1], nums[0]) if (nums[0] or 0) > 12 else (nums[0], nums[1])
        if month:
            date["month" + suff] = str(month)
            if day:
                date["day" + suff] = str(day)


def _js_int(s: str) -> int | None:
    """parseInt(s, 10): the leading digits, or None (NaN)."""
    m = _LEADING_INT.match(s)
    return int(m.group(1)) if m else None
