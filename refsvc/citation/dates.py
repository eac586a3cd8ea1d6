"""CSL dates: parse CSL-JSON date values and render cs:date (localized and not, ranges, seasons)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from . import richtext as rt
from .output import format_seq, join
from .rawdates import parse_raw
from .style import Date, DatePart, Fmt

_ORDER = {"year": 0, "month": 1, "day": 2}


class BadDate(ValueError):
    """A date value that cannot be read."""


@dataclass(frozen=True, slots=True)
class DateVal:
    """A parsed date: one or two [year, month, day] lists (0 = absent), season, circa, literal."""
    parts: tuple
    season: str = ""
    circa: bool = False
    literal: str = ""


def _int(v) -> int:
    if isinstance(v, bool):
        raise BadDate(f"not a number: {v!r}")
    if isinstance(v, int):
        if v.bit_length() > 60:  # no calendar needs it, and str() refuses ints past 4,300 digits
            raise BadDate("a date part of over 18 digits")
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str) and re.fullmatch(r"\s*+-?\d++\s*+", v):
        if len(v.strip().lstrip("-")) > 18:
            raise BadDate("a date part of over 18 digits")
        return int(v)
    if isinstance(v, str) and not v.strip():
        return 0
    raise BadDate(f"not a number: {v!r}")


def parse_date(value, strict: bool = False) -> DateVal | None:
    """Read a CSL-JSON date object (date-parts, raw, literal, season, circa); None when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = {"raw": value}
    if not isinstance(value, dict):
        raise BadDate(f"a date must be an object, got {type(value).__name__}")
    circa = bool(value.get("circa"))
    season = str(value.get("season") or "")
    if "date-parts" in value and value["date-parts"]:
        dps = value["date-parts"]
        if not isinstance(dps, list):
            raise BadDate("date-parts must be a list of [year, month, day] lists")
        parts = []
        for dp in dps[:2]:
            if not isinstance(dp, list):
                raise BadDate("date-parts must be a list of [year, month, day] lists")
            nums = [_int(x) for x in dp[:3]] + [0, 0, 0]
            parts.append(nums[:3])
        if len(parts) == 2 and any(parts[0]) and not any(parts[1]):
            parts = [parts[0], [0, 0, 0]]  # an open range: "1987–"
        else:
            parts = [p for p in parts if any(p)] or []
        if strict:
            for y, m, d in parts:
                if m and not (1 <= m <= 12 or 21 <= m <= 24):
                    raise BadDate(f"month {m} is out of range (1-12, or 21-24 for seasons)")
                if d and not 1 <= d <= 31:
                    raise BadDate(f"day {d} is out of range")
        if not parts:
            return DateVal((), season, circa, str(value.get("literal") or "")) if value.get("literal") else None
        if len(parts) == 2 and parts[0] == parts[1] and any(parts[1]):
            parts = parts[:1]
        return DateVal(tuple(tuple(p) for p in parts), season, circa)
    if value.get("literal"):
        return DateVal((), season, circa, str(value["literal"]))
    raw = value.get("raw")
    if raw:
        return _from_raw(str(raw))
    return None


@lru_cache(maxsize=64)  # bounded: 64 strings of at most a request body (256 KB) each
def _from_raw(raw: str) -> DateVal | None:
    """A raw date string parsed as citeproc-js parses it (rawdates.py); kept, as every style of
    a request (and the next request for the same item) reads the same string again."""
    d = parse_raw(raw)
    if "literal" in d:
        return DateVal((), "", False, d["literal"]) if d["literal"] else None
    first = (d.get("year", 0), d.get("month", 0), d.get("day", 0))
    parts = [first]
    if "year_end" in d:
        end = (d.get("year_end", 0), d.get("month_end", 0), d.get("day_end", 0))
        if end != first:
            parts.append(end)
    return DateVal(tuple(parts), str(d.get("season") or ""), bool(d.get("circa")))


def _part_text(name: str, form: str, val: tuple, ctx, strip: bool) -> str:
    y, m, d = val
    loc = ctx.locale
    if name == "year":
        if not y:
            return ""
        if form == "short":
            return f"{abs(y) % 100:02d}"
        if y < 0:
            return f"{-y}{loc.term('bc') or 'BC'}"
        if y < 500:  # citeproc-js adds the era term to years 1-499 only
            return f"{y}{loc.term('ad') or 'AD'}"
        return str(y)
    if name == "month":
        if not m:
            return ""
        if m > 12 or m < 0:
            if 13 <= m <= 24:  # citeproc-js reads 13-24 as seasons (21-24 is CSL's own range)
                return loc.term(f"season-{(m - 13) % 4 + 1:02d}") or ""
            return ""
        if form in ("numeric",):
            return str(m)
        if form == "numeric-leading-zeros":
            return f"{m:02d}"
        t = loc.term(f"month-{m:02d}", "short" if form == "short" else "long") or ""
        return t.replace(".", "") if strip else t
    if not d:
        return ""
    if form == "numeric-leading-zeros":
        return f"{d:02d}"
    if form == "ordinal":
        if loc.options.get("limit-day-ordinals-to-day-1") == "true" and d != 1:
            return str(d)
        from .numbers import ordinal
        return ordinal(d, loc, ctx.month_gender(m))
    return str(d)


def _parts_for(node: Date, ctx) -> list[tuple[DatePart, Fmt]]:
    if not node.form:
        return [(p, p.fmt) for p in node.parts]
    spec = ctx.locale.dates.get(node.form) or []
    wanted = {"year-month-day": ("year", "month", "day"), "year-month": ("year", "month"),
              "year": ("year",)}.get(node.date_parts, ("year", "month", "day"))
    overrides = {p.name: p for p in node.parts}
    out = []
    for attrs in spec:
        if "__date__" in attrs or attrs.get("name") not in wanted:
            continue
        name = attrs["name"]
        ov = overrides.get(name)
        form = (ov.form if ov and ov.form else attrs.get("form", ""))
        base = Fmt(attrs.get("prefix", ""), attrs.get("suffix", ""), attrs.get("font-style", ""),
                   attrs.get("font-variant", ""), attrs.get("font-weight", ""), attrs.get("text-decoration", ""),
                   attrs.get("vertical-align", ""), False, attrs.get("text-case", ""),
                   attrs.get("strip-periods") == "true")
        if ov:
            f = ov.fmt
            base = Fmt(base.prefix, base.suffix, f.font_style or base.font_style, f.font_variant or base.font_variant,
                       f.font_weight or base.font_weight, f.text_decoration or base.text_decoration,
                       f.vertical_align or base.vertical_align, False, f.text_case or base.text_case,
                       f.strip_periods or base.strip_periods)
        rd = ov.range_delimiter if ov else attrs.get("range-delimiter", "\u2013")
        out.append((DatePart(name, form, base, rd), base))
    return out


def render_date(node: Date, dv: DateVal, ctx, year_suffix: str = ""):
    """Evaluate a cs:date for a parsed value to an Out node."""
    lang = ctx.lang
    parts = _parts_for(node, ctx)
    if dv.literal and not dv.parts:  # citeproc-js: a literal prints only where the date shows its year
        if not any(dp.name == "year" for dp, _ in parts):
            return None
        return ("L", format_seq(rt.parse(dv.literal), node.fmt, lang))
    if not parts:
        return None
    loc_delim = ""
    if node.form:
        for attrs in ctx.locale.dates.get(node.form) or []:
            if "__date__" in attrs:
                loc_delim = attrs["__date__"].get("delimiter", "")
    first = dv.parts[0]
    second = dv.parts[1] if len(dv.parts) > 1 else None
    if dv.season and not first[1]:
        first = (first[0], _season_month(dv.season), first[2])

    def piece(dp: DatePart, f: Fmt, val, drop_prefix=False, drop_suffix=False):
        txt = _part_text(dp.name, dp.form, val, ctx, f.strip_periods)
        if not txt:
            return ()
        if dp.name == "year" and year_suffix and val is first:
            txt += year_suffix
        seq = format_seq((txt,), f, lang, affixes=False)
        return format_seq(seq, Fmt(f.prefix if not drop_prefix else "", f.suffix if not drop_suffix else ""), lang)

    shown = [(dp, f) for dp, f in parts if _part_text(dp.name, dp.form, first, ctx, False)]
    if not shown:
        return None
    if second is None or not any(second):
        seqs = [piece(dp, f, first) for dp, f in shown]
        out = join(seqs, node.fmt.delimiter if not node.form else loc_delim)
        if second is not None and not any(second):  # open range
            out = out + (shown[-1][0].range_delimiter if False else "\u2013",)
        return ("L", format_seq(out, node.fmt, lang))
    names = [dp.name for dp, _ in shown]
    diff = None
    for nm in ("year", "month", "day"):
        i = _ORDER[nm]
        if nm in names and first[i] != second[i]:
            diff = nm
            break
    if diff is None:
        seqs = [piece(dp, f, first) for dp, f in shown]
        return ("L", format_seq(join(seqs, node.fmt.delimiter if not node.form else loc_delim), node.fmt, lang))
    in_range = [i for i, (dp, _) in enumerate(shown) if _ORDER[dp.name] >= _ORDER[diff]]
    lo, hi = min(in_range), max(in_range)
    delim = next(dp.range_delimiter for dp, _ in shown if dp.name == diff)
    d = node.fmt.delimiter if not node.form else loc_delim
    if diff == "year":
        lo, hi = 0, len(shown) - 1
    seqs = [piece(dp, f, first) for dp, f in shown[:lo]]
    a = join([piece(dp, f, first, drop_suffix=(i == hi)) for i, (dp, f) in enumerate(shown) if lo <= i <= hi], d)
    b = join([piece(dp, f, second, drop_prefix=(i == lo)) for i, (dp, f) in enumerate(shown) if lo <= i <= hi], d)
    seqs.append(a + (delim,) + b)
    seqs += [piece(dp, f, first) for dp, f in shown[hi + 1:]]
    return ("L", format_seq(join(seqs, d), node.fmt, lang))


def _season_month(season: str) -> int:
    s = str(season).strip().lower()
    if s.isdigit() and 1 <= int(s) <= 4:
        return 20 + int(s)
    return {"spring": 21, "summer": 22, "autumn": 23, "fall": 23, "winter": 24}.get(s, 0)
