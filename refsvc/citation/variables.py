"""CSL-JSON items as typed references: the variable table, date and name parsing, validation."""
from __future__ import annotations

import re

from .dates import BadDate, parse_date

DATE_VARS = frozenset(("accessed", "available-date", "event-date", "issued", "original-date", "submitted"))
NAME_VARS = frozenset((
    "author", "chair", "collection-editor", "compiler", "composer", "container-author", "contributor",
    "curator", "director", "editor", "editorial-director", "editor-translator", "executive-producer",
    "guest", "host", "illustrator", "interviewer", "narrator", "organizer", "original-author",
    "performer", "producer", "recipient", "reviewed-author", "script-writer", "series-creator",
    "translator"))
NUMBER_VARS = frozenset((
    "chapter-number", "citation-number", "collection-number", "edition", "first-reference-note-number",
    "issue", "locator", "number", "number-of-pages", "number-of-volumes", "page", "page-first", "part-number",
    "printing-number", "section", "supplement-number", "version", "volume"))
_ALIASES = {"shortTitle": "title-short", "journalAbbreviation": "container-title-short",
            "journal-abbreviation": "container-title-short"}


class InvalidItem(ValueError):
    """A CSL-JSON item that cannot be rendered; the message says what to fix."""


class Ref:
    """One reference: variables looked up by CSL name, dates and names parsed once."""
    __slots__ = ("id", "type", "vars", "raw")

    def __init__(self, item: dict, strict: bool = False) -> None:
        if not isinstance(item, dict):
            raise InvalidItem(f"an item must be a JSON object (dict), got {type(item).__name__}")
        self.raw = item
        self.id = None if item.get("id") is None else str(item["id"])  # citeproc-js compares ids as strings
        self.type = str(item.get("type") or "article")
        vars_: dict = {}
        for k, v in item.items():
            k = _ALIASES.get(k, k)
            if k in DATE_VARS:
                try:
                    d = parse_date(v, strict)
                except BadDate as exc:
                    raise InvalidItem(f"{k}: {exc}") from None
                if d is not None:
                    vars_[k] = d
            elif k in NAME_VARS:
                if v in (None, "", []):
                    continue
                if not isinstance(v, list):
                    raise InvalidItem(f"{k}: names must be a list of objects with family/given or literal")
                names = []
                for n in v:
                    if not isinstance(n, dict):
                        raise InvalidItem(f"{k}: each name must be an object, got {type(n).__name__}")
                    if strict and not any(n.get(x) for x in ("family", "given", "literal")):
                        raise InvalidItem(f"{k}: a name needs family, given or literal")
                    if any(n.get(x) for x in ("family", "given", "literal")):
                        names.append(n)
                if names:
                    vars_[k] = names
            elif v is None or v == "" or k in ("id", "type"):
                continue
            elif isinstance(v, int) and not isinstance(v, bool) and v.bit_length() > 13_000:
                # str() refuses ints past 4,300 digits: such a value can only come as a string
                raise InvalidItem(f"{k}: a number of over 3,900 digits; send it as a string")
            elif isinstance(v, (str, int, float)) and not isinstance(v, bool):
                vars_[k] = v if isinstance(v, str) else (str(int(v)) if float(v).is_integer() else str(v))
            elif strict and not isinstance(v, (dict, list, bool)):
                raise InvalidItem(f"{k}: unsupported value {v!r}")
        note = item.get("note")
        if isinstance(note, str) and ":" in note:
            self.type = _note_fields(note, vars_) or self.type
        if "page" in vars_ and "page-first" not in vars_:
            first = str(vars_["page"]).replace("\u2013", "-").split("-")[0].split(",")[0].strip()
            if first:
                vars_["page-first"] = first
        self.vars = vars_

    def get(self, name: str):
        """The value of a variable or None."""
        return self.vars.get(name)


# linear time: the value is taken whole and stripped (not '\s*' before '[^}]+', which backtracks), and
# inline fields are looked for only up to the last '}' (a '{:x:' with no '}' after it never matches)
_FIELD = re.compile(r"^([-_a-z]+|[A-Z]+):([^}]++)$")
_INLINE = re.compile(r"\{:(?:[-_a-z]++|[A-Z]++):[^}]++\}")
_NAME_SPLIT = re.compile(r"(?:(?<!\s)|(?!\s))\s*+\|\|\s*+")


def _note_lines(note: str) -> list[str]:
    """The note's lines with inline '{:var: value}' fields put on lines of their own (citeproc-js)."""
    lines = note.split("\n")
    for i, line in enumerate(lines):
        cut = line.rfind("}") + 1
        found = _INLINE.findall(line, 0, cut)
        if not found:
            continue
        parts = _INLINE.split(line[:cut])
        parts[-1] += line[cut:]
        elems = [x for pair in zip(parts, found) for x in pair] + [parts[-1]]
        for j in range(1, len(elems), 2):  # text before a field that is not a field stops the conversion
            if elems[j - 1].strip() and (i > 0 or j > 1) and not _FIELD.match(elems[j - 1]):
                break
            elems[j] = "\n" + elems[j][2:-1].strip() + "\n"
        lines[i] = "".join(elems)
    return "\n".join(lines).split("\n")


def _note_fields(note: str, vars_: dict) -> str | None:
    """citeproc-js's field hack: leading 'variable: value' lines of the note fill variables the item
    lacks ('name: Family || Given' for names); returns a 'type:' override, if any."""
    kind = None
    names: dict = {}
    for i, line in enumerate(_note_lines(note)):
        m = _FIELD.match(line)
        if not line.strip():
            continue
        if not m:
            if i == 0:
                continue
            break
        key, value = m.group(1), m.group(2).strip()
        key = _ALIASES.get(key, key)
        if key == "type":
            kind = value
        elif key in DATE_VARS:
            if key not in vars_:
                try:
                    d = parse_date({"raw": value})
                except BadDate:
                    continue
                if d is not None:
                    vars_[key] = d
        elif key in vars_ or key == "id":
            continue
        elif key in NAME_VARS:
            parts = _NAME_SPLIT.split(value)
            if len(parts) <= 2:
                names.setdefault(key, []).append({"literal": parts[0]} if len(parts) == 1
                                                 else {"family": parts[0], "given": parts[1]})
        else:
            vars_[key] = value
    vars_.update(names)
    return kind
