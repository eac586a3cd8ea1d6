"""CSL names: one name and name lists (et al., and, initials, particles, sort order, hints)."""
from __future__ import annotations

import re
from functools import lru_cache

from . import richtext as rt
from .output import format_seq, join
from .style import Fmt

_ROMANESQUE = re.compile(r"^[\u0000-\u024F\u0370-\u03FF\u0400-\u052F\u1E00-\u1EFF\u2000-\u206F'\u2019\s.,-]*$")
_PLAIN = Fmt()


def is_romanesque(name: dict) -> bool:
    """Latin, Greek or Cyrillic names are written with spaces and may be inverted."""
    return bool(_ROMANESQUE.match((name.get("family") or "") + (name.get("given") or "")))


_ROMAN_AND = re.compile("[&a-zA-Z\u0e01-\u0e5b\u00c0-\u017f\u0370-\u03ff\u0400-\u052f\u0590-\u05d4\u05d6-\u05ff"
                        "\u1f00-\u1fff\u0600-\u06ff\u200c\u200d\u200e\u0218\u0219\u021a\u021b\u202a-\u202e]")
_OPEN_TAG = re.compile(r"<[^>/]++>")
_SUFFIX = re.compile(r",\s*+(!)?\s*+(Jr\.?|Sr\.?|I{2,3}|IV|V|VI{1,3})$")


def _untag(part: str) -> tuple[str, str, str]:
    """'<b>Jean</b>' -> ('<b>', 'Jean', '</b>'): the opening tags, the text, the closing tags.
    In linear time, as the regex ((?:<[^>/]+>)*)(.*?)((?:</[^>]+>)*) would match it."""
    if "<" not in part:
        return "", part, ""
    i = 0
    while (m := _OPEN_TAG.match(part, i)) is not None:
        i = m.end()
    end = len(part)  # walk back over closing tags "</x>" (none of them holds a ">" before its end)
    while end > i and part[end - 1] == ">":
        gt = part.rfind(">", i, end - 1)
        seg_start = max(gt + 1, i)
        if part.startswith("</", seg_start) and end - seg_start > 3:
            end = seg_start
            continue
        lt = part.find("</", seg_start, end - 1)
        if lt != -1 and end - lt > 3:
            end = lt
        break
    return part[:i], part[i:end], part[end:]


def _split_suffix(given: str):
    """'John, Jr.' -> ('John', None, 'Jr.'); '!' in 'John,! Jr.' asks for a comma before the suffix."""
    m = _SUFFIX.search(given) if "," in given else None
    head = given[:m.start()].rstrip() if m else "\n"
    return None if "\n" in head else (head, m.group(1), m.group(2))  # no newline before, as '.' in the regex


def split_particles(name: dict) -> dict:
    """Move lowercase particles out of family/given as citeproc-js does (parse-names)."""
    if name.get("literal") or name.get("parse-names") in (False, "false"):
        return name
    fam = name.get("family") or ""
    given = name.get("given") or ""
    out = dict(name)
    if len(fam) > 2 and fam[0] == fam[-1] == '"':  # a quoted family name is taken as it is
        out["family"] = fam[1:-1]
        fam = ""
    m = re.match(r"^([a-z]+['\u2019-])(\w.*)$", fam) if fam and "non-dropping-particle" not in name else None
    if m:
        out["non-dropping-particle"] = m.group(1).replace("'", "\u2019")
        out["family"] = fam = m.group(2)
    elif fam and "non-dropping-particle" not in name and " " in fam:
        words = fam.split(" ")
        i = 0
        while i < len(words) - 1 and words[i] and (words[i][0].islower() or words[i] in ("'t",)):
            i += 1
        if i:  # "de' Frinkle" keeps its space after the apostrophe (a trailing space marks it)
            out["non-dropping-particle"] = " ".join(words[:i]) + (" " if words[i - 1][-1] in "'\u2019" else "")
            out["family"] = " ".join(words[i:])
    if given and "dropping-particle" not in name and " " in given:
        words = given.split(" ")
        j = len(words)
        while j > 1 and words[j - 1] and words[j - 1][0].islower() and words[j - 1].rstrip("'\u2019").isalpha():
            j -= 1
        if j < len(words):
            out["dropping-particle"] = " ".join(words[j:])
            out["given"] = " ".join(words[:j])
    m = _split_suffix(given) if given and "suffix" not in name else None
    if m:  # "John, Jr." or "John,! Jr." (the "!" asks for a comma before the suffix)
        out["given"] = m[0]
        out["suffix"] = m[2]
        if m[1]:
            out["comma-suffix"] = True
    return out


@lru_cache(maxsize=64)  # bounded: 64 names of at most a request body (256 KB); each style of a
def initialize(given: str, with_: str, hyphen: bool, full: bool = True) -> str:  # request asks again
    """Initials of a given name ('Jean-Luc' -> 'J.-L.'); full=False only normalizes existing initials."""
    buf: list[str] = []  # pieces joined once at the end (a growing string would make long names quadratic)
    for tok in re.findall(r"[^\s.]+\.?", given):
        abbrev = tok.endswith(".")
        core = tok.rstrip(".")
        if core[:1].islower() and not abbrev and "-" not in core:  # a particle inside the given name
            if buf:
                _rstrip(buf)
                buf.append(" ")
            buf.append(core + " ")
            continue
        pieces = []
        parts = core.split("-")
        for j, tagged in enumerate(parts):
            o, p, c = _untag(tagged)  # markup around a name part stays around its initial
            if not p:
                continue
            if (abbrev and j == len(parts) - 1) or len(p) == 1:
                pieces.append((p, True, o, c))
            elif full:
                if j > 0 and p[0].islower():  # "Guo-ping" -> "G." (citeproc-js)
                    continue
                if len(p) > 2 and p[0].isupper() and p[1].isupper() and p[2].islower():
                    pieces.append((p[0] + p[1].lower(), True, o, c))  # Mongolian "TSerendorjiin" -> "Ts."
                else:
                    pieces.append((p[0].upper(), True, o, c))
            else:
                pieces.append((p, False, o, c))
        for j, (p, is_init, o, c) in enumerate(pieces):
            tail = with_ if is_init else " "
            body = tail.rstrip()
            if j > 0 and hyphen:
                _rstrip(buf)
                buf.append("-")
            elif not is_init and buf and not buf[-1][-1:].isspace():
                buf.append(" ")  # "J. Stuart" kept whole with initialize-with="": "J Stuart" (citeproc-js)
            buf.append(o + p + body + c + tail[len(body):])
    _rstrip(buf)
    return "".join(buf)


def _rstrip(buf: list[str]) -> None:
    """Strip trailing whitespace off the text ``buf`` joins to, in place."""
    while buf and not buf[-1].rstrip():
        buf.pop()
    if buf:
        buf[-1] = buf[-1].rstrip()


def format_name(name: dict, idx: int, opts: dict, parts: dict, ctx, hint: int = 0) -> tuple:
    """Render one name; ``hint`` 1 adds initials, 2 the full given name (disambiguation)."""
    lang = ctx.lang
    if name.get("literal") is not None and not name.get("family"):
        return format_seq(rt.parse(str(name["literal"])), parts.get("family", _PLAIN), ctx.lang)
    if not name.get("family"):
        return rt.parse(str(name.get("given") or ""))
    name = split_particles(name)
    family = name.get("family") or ""
    given = name.get("given") or ""
    dp = name.get("dropping-particle") or ""
    ndp = name.get("non-dropping-particle") or ""
    suffix = name.get("suffix") or ""
    if suffix and opts.get("initialize-with") is not None and not ctx.sort_mode:
        # citeproc-js (NameOutput._nameSuffix) normalizes a suffix's abbreviations with initialize-with:
        # "Jr." is "Jr" in a style initializing with "" (OSCOLA)
        suffix = initialize(suffix, opts["initialize-with"], False, False)
    form = opts.get("form", "long")
    ndp = ndp.replace("'", "\u2019")
    dp = dp.replace("'", "\u2019")
    if not ctx.sort_mode:  # particles are never case-transformed (wrapped as nocase)
        ndp = (("nt", (ndp,)),) if ndp else ""
        dp = (("nt", (dp,)),) if dp else ""
    init_with = opts.get("initialize-with")
    if ctx.sort_mode:
        if form == "short":
            given = ""
        elif init_with is not None and given and opts.get("initialize") != "false":
            given = initialize(given, init_with, ctx.style.init_hyphen)
        return (_sort_name(family, given, dp, ndp, ctx),)
    if hint >= 1 and form == "short":
        form = "long"
        if hint >= 2:
            init_with = None
    elif hint >= 2:
        init_with = None
    fam_fmt = parts.get("family", _PLAIN)
    giv_fmt = parts.get("given", _PLAIN)
    if form == "short" or not given:
        body = join([format_seq(_p(ndp), fam_fmt, lang) if ndp else (), format_seq(rt.parse(family), fam_fmt, lang)],
                    "" if _endq(ndp) else " ")
        if not given and form != "short" and suffix:
            body = join([body, (suffix,)], " ")
        return body
    roman = is_romanesque(name)
    mixed = not roman and bool(_ROMAN_AND.match(given))  # "王 Zed": a CJK family with a Latin given name
    if init_with is not None and given and (roman or mixed):
        given = initialize(given, init_with, ctx.style.init_hyphen, opts.get("initialize") != "false")
    if mixed or (roman and getattr(ctx, "foreign", "") in ("ja", "zh", "ko")):
        # citeproc-js writes mixed names, and Latin names of CJK-language items, family first without a comma
        fam = join([_p(ndp) if ndp else (), rt.parse(family)], "" if _endq(ndp) else " ")
        return join([format_seq(fam, fam_fmt, lang), format_seq(rt.parse(given), giv_fmt, lang)], " ")
    nso = opts.get("name-as-sort-order")
    inverted = nso == "all" or (nso == "first" and idx == 0)
    if not roman:
        g = format_seq((given,), giv_fmt, lang)
        f = format_seq((family,), fam_fmt, lang)
        return f + g if not inverted or True else f + g
    demote = ctx.style.demote_ndp
    fdeco, gdeco = _deco(fam_fmt), _deco(giv_fmt)  # decorations per token, affixes around the part
    fam_tok = format_seq(rt.parse(family), fdeco, lang)
    ndp_tok = format_seq(_p(ndp), fdeco, lang) if ndp else ()
    dp_tok = format_seq(_p(dp), gdeco, lang) if dp else ()
    giv_tok = format_seq(rt.parse(given), gdeco, lang)
    if inverted:
        sep = opts.get("sort-separator", ", ")
        fam_part = join([ndp_tok if demote != "display-and-sort" else (), fam_tok], "" if _endq(ndp) else " ")
        giv_part = join([giv_tok, dp_tok, ndp_tok if demote == "display-and-sort" else ()], " ")
        out = join([format_seq(fam_part, _aff(fam_fmt), lang), format_seq(giv_part, _aff(giv_fmt), lang)], sep)
        if suffix:
            out = join([out, (suffix,)], sep)
        return out
    # citeproc-js: the family part holds the particles and the suffix ("[Jean] (de La Fontaine III)")
    fam_part = join([dp_tok, ndp_tok], " ")
    fam_part = join([fam_part, fam_tok], "" if _endq(ndp or dp) else " ")
    if suffix:
        fam_part = join([fam_part, (suffix,)], ", " if name.get("comma-suffix") else " ")
    return join([format_seq(giv_tok, _aff(giv_fmt), lang), format_seq(fam_part, _aff(fam_fmt), lang)], " ")


def _deco(f: Fmt) -> Fmt:
    return Fmt("", "", f.font_style, f.font_variant, f.font_weight, f.text_decoration, f.vertical_align,
               f.quotes, f.text_case, f.strip_periods)


def _aff(f: Fmt) -> Fmt:
    return Fmt(f.prefix, f.suffix) if f.prefix or f.suffix else _PLAIN

def _p(x) -> tuple:
    return x if isinstance(x, tuple) else (x,)


def _endq(x) -> bool:
    return bool(x) and rt.last_char(_p(x)) in ("'", "\u2019", "-", " ")


def _sort_name(family, given, dp, ndp, ctx) -> str:
    if ctx.style.demote_ndp in ("sort-only", "display-and-sort"):
        return " ".join(x.strip() for x in (family, dp, ndp, given) if x)
    return " ".join(x.strip() for x in (ndp, family, dp, given) if x)


def render_list(names: list, opts: dict, node, ctx, hints: list | None = None, add: int = 0):
    """Render a list of names with et-al truncation and delimiters; returns (seq, shown_count)."""
    n = len(names)
    et_min = opts.get("et-al-min")
    use_first = opts.get("et-al-use-first")
    if ctx.position and ctx.area == "citation" and opts.get("et-al-subsequent-min"):
        et_min = opts.get("et-al-subsequent-min")
        use_first = opts.get("et-al-subsequent-use-first", use_first)
    use_last = opts.get("et-al-use-last")
    if ctx.sort_key is not None:
        sk = ctx.sort_key
        et_min = sk.names_min or et_min
        use_first = sk.names_first or use_first
        use_last = sk.names_last or use_last
    shown = n
    if et_min and use_first and n >= int(et_min):
        shown = min(n, max(int(use_first) + add, ctx.min_names))
    truncated = shown < n
    if shown == 0:
        return (), 0
    if opts.get("form") == "count":
        return (), shown
    delim = opts.get("delimiter", ", ")
    rendered = [format_name(names[i], i, opts, node.name_parts, ctx, hints[i] if hints else 0) for i in range(shown)]
    rendered = [format_seq(r, node.name_fmt, ctx.lang) if not node.name_fmt.plain else r for r in rendered]
    nso = opts.get("name-as-sort-order")
    last_inverted = nso == "all" or (nso == "first" and shown == 2)
    use_last = use_last == "true" and truncated and n >= shown + 2
    if use_last:
        last = format_name(names[-1], n - 1, opts, node.name_parts, ctx, hints[n - 1] if hints and len(hints) >= n else 0)
        return join([join(rendered, delim), last], delim + "\u2026 "), shown
    and_opt = opts.get("and")
    and_term = None
    if and_opt == "text":
        and_term = ctx.locale.term("and") or "and"
    elif and_opt == "symbol":
        and_term = ctx.locale.term("and", "symbol") or "&"
    if ctx.sort_mode:  # citeproc-js keys a truncated list by its shown names only
        return join(rendered, " "), shown
    if len(rendered) == 1:
        out = rendered[0]
    elif truncated or not and_term:
        out = join(rendered, delim)
    else:
        dpl = opts.get("delimiter-precedes-last", "contextual")
        use_delim = (dpl == "always" or (dpl == "contextual" and len(rendered) > 2)
                     or (dpl == "after-inverted-name" and last_inverted))
        if names[shown - 1].get("literal") and not names[shown - 1].get("family"):
            use_delim = len(rendered) > 2  # citeproc-js: "A & Institution", "A, B, & Institution"
        head = join(rendered[:-1], delim)
        gap = "" if and_term[-1:].isspace() else " "  # an "and" term ending in a space needs no other
        if not _ROMAN_AND.match(and_term):  # citeproc-js: a non-Latin "and" brings no spaces ("A和B")
            out = head + ((delim if dpl == "always" else "") + and_term,) + rendered[-1]
        elif use_delim:
            out = head + (delim + and_term + gap,) + rendered[-1]
        else:
            out = join([join([head, (and_term,)], " "), rendered[-1]], gap)
    if truncated:
        term, et_fmt = node.et_al if node.et_al else ("et-al", _PLAIN)
        txt = ctx.locale.term(term) or ""
        if txt:
            dpe = opts.get("delimiter-precedes-et-al", "contextual")
            use_delim = (dpe == "always" or (dpe == "contextual" and shown > 1)
                         or (dpe == "after-inverted-name" and (nso == "all" or (nso == "first" and shown == 1))))
            gap = delim if use_delim else " " if _ROMAN_AND.match(txt) else ""  # "Zither等" (citeproc-js)
            out = out + ((gap,) if gap else ()) + format_seq((txt,), et_fmt, ctx.lang)
    return out, shown
