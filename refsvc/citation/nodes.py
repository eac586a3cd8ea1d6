"""The frozen node types of a compiled style: formatting, rendering elements, areas, the style."""
from __future__ import annotations

from dataclasses import dataclass, field

@dataclass(frozen=True, slots=True)
class Fmt:
    """Formatting and affixes of one rendering element."""
    prefix: str = ""
    suffix: str = ""
    font_style: str = ""
    font_variant: str = ""
    font_weight: str = ""
    text_decoration: str = ""
    vertical_align: str = ""
    quotes: bool = False
    text_case: str = ""
    strip_periods: bool = False
    display: str = ""
    delimiter: str = ""

    @property
    def plain(self) -> bool:
        """True when the formatting changes nothing but the delimiter."""
        return self == _PLAIN_FMT or (self.delimiter and Fmt(delimiter=self.delimiter) == self)


_PLAIN_FMT = Fmt()



@dataclass(frozen=True, slots=True)
class Text:
    fmt: Fmt
    kind: str  # variable | macro | term | value
    value: str
    form: str = "long"
    plural: bool = False


@dataclass(frozen=True, slots=True)
class Number:
    fmt: Fmt
    variable: str
    form: str = "numeric"


@dataclass(frozen=True, slots=True)
class Label:
    fmt: Fmt
    variable: str
    form: str = "long"
    plural: str = "contextual"


@dataclass(frozen=True, slots=True)
class DatePart:
    name: str
    form: str
    fmt: Fmt
    range_delimiter: str


@dataclass(frozen=True, slots=True)
class Date:
    fmt: Fmt
    variable: str
    form: str  # "" for a non-localized date
    date_parts: str
    parts: tuple


@dataclass(frozen=True, slots=True)
class Names:
    fmt: Fmt
    variables: tuple
    name_attrs: dict | None  # attributes of cs:name (None: no cs:name child)
    name_fmt: Fmt
    name_parts: dict  # "given"/"family" -> Fmt
    et_al: tuple | None  # (term, Fmt) or None when absent
    label: Label | None
    label_after: bool
    substitute: tuple | None
    has_name: bool
    opts: dict = field(default_factory=dict)  # area -> resolved options (filled at compile)


@dataclass(frozen=True, slots=True)
class Group:
    fmt: Fmt
    children: tuple


@dataclass(frozen=True, slots=True)
class Cond:
    match: str
    tests: tuple  # (kind, values)


@dataclass(frozen=True, slots=True)
class Choose:
    branches: tuple  # ((Cond | None, children), ...)


@dataclass(frozen=True, slots=True)
class SortKey:
    variable: str
    macro: str
    descending: bool
    names_min: str | None
    names_first: str | None
    names_last: str | None


@dataclass(frozen=True)
class Area:
    """cs:citation or cs:bibliography: layout plus options."""
    layout: Group
    sort: tuple
    options: dict


@dataclass(frozen=True)
class Style:
    """A compiled, immutable CSL style."""
    id: str
    title: str
    updated: str
    cls: str
    default_locale: str
    demote_ndp: str
    init_hyphen: bool
    page_range_format: str
    macros: dict
    citation: Area | None
    bibliography: Area | None
    locales: tuple  # Layer objects
    root_opts: dict
    uses_year_suffix: bool
