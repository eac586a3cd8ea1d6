"""CSL locales: citeproc-py's locale XML files (data) compiled into immutable term tables, once."""
from __future__ import annotations

import json
import os
import threading
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from types import MappingProxyType

import citeproc

NS = "{http://purl.org/net/xbiblio/csl}"
LOCALES_DIR = os.path.join(os.path.dirname(citeproc.__file__), "data", "locales")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

with open(os.path.join(LOCALES_DIR, "locales.json"), encoding="utf-8") as _fh:
    PRIMARY_DIALECTS: dict[str, str] = json.load(_fh)["primary-dialects"]


class UnknownLocale(LookupError):
    """The requested locale has no locale file."""


def available_locales() -> list[str]:
    """Locale codes that have a locale file, sorted."""
    return sorted(f[8:-4] for f in os.listdir(LOCALES_DIR) if f.startswith("locales-") and f.endswith(".xml"))


@dataclass(frozen=True)
class Term:
    """A localized term: singular and plural text, gender, ordinal match rule."""
    single: str
    multiple: str
    gender: str = ""
    match: str = ""


@dataclass(frozen=True)
class Layer:
    """One parsed <locale> element (file or in-style): terms, date formats and options."""
    lang: str
    terms: dict  # (name, form, gender_form) -> Term
    dates: dict  # "text"/"numeric" -> list of (name, attrs)
    options: dict
    has_ordinals: bool


@dataclass(frozen=True)
class Locale:
    """A merged, read-only locale for one (style, language)."""
    lang: str
    terms: MappingProxyType
    dates: MappingProxyType
    options: MappingProxyType
    quotes: tuple = field(default=("\u201c", "\u201d", "\u2018", "\u2019"))

    def term(self, name: str, form: str = "long", plural: bool = False, gender_form: str = "") -> str | None:
        """Text of a term with CSL form fallback (verb-short > verb > long, symbol > short > long)."""
        t = self.find(name, form, gender_form)
        if t is None:
            return None
        return t.multiple if plural else t.single

    def find(self, name: str, form: str = "long", gender_form: str = "") -> Term | None:
        """The Term object with form fallback, or None."""
        for f in _FALLBACK[form]:
            t = self.terms.get((name, f, gender_form))
            if t is None and gender_form:
                t = self.terms.get((name, f, ""))
            if t is not None:
                return t
        return None

    @property
    def punctuation_in_quote(self) -> bool:
        """Whether the locale moves trailing commas and periods inside quotes."""
        return self.options.get("punctuation-in-quote") == "true"


_FALLBACK = {"long": ("long",), "short": ("short", "long"), "verb": ("verb", "long"),
             "verb-short": ("verb-short", "verb", "long"), "symbol": ("symbol", "short", "long")}


def parse_layer(el: ET.Element) -> Layer:
    """Read one <locale> element."""
    terms: dict = {}
    has_ord = False
    for t in el.iter(NS + "term"):
        name = t.get("name", "")
        form = t.get("form", "long")
        gform = t.get("gender-form", "")
        single = t.find(NS + "single")
        if single is not None:
            s = single.text or ""
            mult = t.find(NS + "multiple")
            m = mult.text or "" if mult is not None else s
        else:
            s = m = t.text or ""
        if not s.strip():  # a term of only whitespace is empty
            s = ""
        if not m.strip():
            m = ""
        if name.startswith("ordinal"):
            has_ord = True
        terms[(name, form, gform)] = Term(s, m, t.get("gender", ""), t.get("match", ""))
    dates = {}
    for d in el.findall(NS + "date"):
        dates[d.get("form")] = [dict(dp.attrib) for dp in d.findall(NS + "date-part")] + \
            [{"__date__": dict(d.attrib)}]
    options = {}
    for o in el.findall(NS + "style-options"):
        options.update(o.attrib)
    return Layer(el.get(XML_LANG, ""), terms, dates, options, has_ord)


_file_layers: dict[str, Layer] = {}
_lock = threading.Lock()


def file_layer(lang: str) -> Layer:
    """The parsed locale file for ``lang`` (cached); raises UnknownLocale."""
    layer = _file_layers.get(lang)
    if layer is not None:
        return layer
    path = os.path.join(LOCALES_DIR, f"locales-{lang}.xml")
    if not os.path.exists(path):
        raise UnknownLocale(lang)
    with _lock:
        if lang not in _file_layers:
            _file_layers[lang] = parse_layer(ET.parse(path).getroot())
    return _file_layers[lang]


def resolve_lang(lang: str) -> str:
    """Map 'en' or 'de' to their primary dialect file; pass full codes through."""
    if os.path.exists(os.path.join(LOCALES_DIR, f"locales-{lang}.xml")):
        return lang
    base = lang.split("-")[0]
    if base in PRIMARY_DIALECTS:
        return PRIMARY_DIALECTS[base]
    raise UnknownLocale(lang)


def merge(lang: str, style_layers: list[Layer], fallback: bool = False) -> Locale:
    """Merge locale files and in-style locales, lowest precedence first (CSL 1.0.2 fallback);
    ``fallback``: a language without a locale file takes en-US's, under the style's own locale for it."""
    try:
        file_lang = resolve_lang(lang)
    except UnknownLocale:
        if not fallback:
            raise
        file_lang = "en-US"
    base = lang.split("-")[0]
    layers: list[Layer] = [file_layer("en-US")]
    primary = PRIMARY_DIALECTS.get(base)
    if primary and primary != file_lang:
        try:
            layers.append(file_layer(primary))
        except UnknownLocale:
            pass
    layers.append(file_layer(file_lang))
    for want in ("", base, lang):
        layers.extend(sl for sl in style_layers if sl.lang == want and (want or True))
    terms: dict = {}
    dates: dict = {}
    options: dict = {}
    for layer in layers:
        if layer.has_ordinals:
            for k in [k for k in terms if k[0].startswith("ordinal")]:
                del terms[k]
        terms.update(layer.terms)
        dates.update(layer.dates)
        options.update(layer.options)
    q = (terms.get(("open-quote", "long", "")), terms.get(("close-quote", "long", "")),
         terms.get(("open-inner-quote", "long", "")), terms.get(("close-inner-quote", "long", "")))
    quotes = tuple(x.single if x else d for x, d in zip(q, ("\u201c", "\u201d", "\u2018", "\u2019")))
    name = file_lang if file_lang == "en-US" and not lang.startswith("en") else lang  # a fallen-back language
    return Locale(name, MappingProxyType(terms), MappingProxyType(dates), MappingProxyType(options), quotes)
