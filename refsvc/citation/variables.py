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
            elif isinstance(v, (str, int, float)) and not isinstance(v, bool):
                vars_[k] = v if isinstance(v, str) else (str(int(v)) if float(v).is_integer() else str(v))
            elif strict and not isinstance(v, (dict, list, bool)):
                raise InvalidItem(f"{k}: unsupported value {v!r}")
        note = item.get("note")
        if isinstance(note, str) and ":" in note:
            _note_fields(note, vars_)
        if "page" in vars_ and "page-first" not in vars_:
            first = str(vars_["page"]).replace("\u2013", "-").split("-")[0].split(",")[0].strip()
            if first:
                vars_["page-first"] = first
        self.vars = vars_

    def get(self, name: str):
        """The value of a variable or None."""
        return self.vars.get(name)


_NOTE_LINE = re.compile(r"^\s*\{?:?([a-z][a-z-]+):\s*(.+?)\}?\s*$")


def _note_fields(note: str, vars_: dict) -> None:
    """citeproc-js reads 'variable: value' lines of the note field for variables the item lacks."""
    for line in note.splitlines():
        m = _NOTE_LINE.match(line)
        if not m:
            continue
        key, value = m.group(1), m.group(2).strip()
        if key in vars_ or key in NAME_VARS or key in ("id", "type"):
            continue
        if key in DATE_VARS:
            try:
                d = parse_date({"raw": value})
            except BadDate:
                continue
            if d is not None:
                vars_[key] = d
        else:
            vars_[key] = value
