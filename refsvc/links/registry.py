"""The resource registry as data: validation of one entry, and the YAML file (import/export).

Pure: no database access, no Flask. The API's schemas and the CLI both validate through here, so an entry
that one accepts the other accepts too.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any, Callable, Iterable
import yaml

from refsvc.metadata.urls import link_key, normalize_url, url_problem  # the one place URLs are read
from refsvc.storage.db import text_key
from refsvc.storage.models import ENTRY_FIELDS

__all__ = ["RegistryError", "slug_problem", "url_problem", "slugify", "normalize_url", "link_key",
           "validate_entry", "parse_registry", "dump_registry"]
STORABLE = "Holds a NUL character or a lone surrogate, which the database cannot store; remove it."
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_ID, MAX_NAME, MAX_DESCRIPTION, MAX_LIST, MAX_ITEM = 64, 200, 5000, 20, 200


class RegistryError(ValueError):
    """A registry file that cannot be imported; ``problems`` lists each one as a sentence."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


def slug_problem(value: Any) -> str | None:
    """Why ``value`` is not a valid resource id, or None."""
    if not isinstance(value, str) or not value:
        return "Give an id: lowercase letters, digits and single hyphens, e.g. 'mental-health-foundation'."
    if len(value) > MAX_ID:
        return f"The id is {len(value)} characters long; at most {MAX_ID} are allowed."
    if not SLUG.match(value):
        return (f"'{value}' is not a slug: use lowercase letters, digits and single hyphens, "
                f"e.g. '{slugify(value) or 'nhs'}'.")
    return None


def slugify(text: str) -> str:
    """A slug made from a name: 'The Mental Health Foundation' -> 'the-mental-health-foundation'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:MAX_ID].strip("-")


def _string_list(value: Any, what: str) -> tuple[list[str], str | None]:
    if value is None:
        return [], None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        return [], f"Give {what} as a list of non-empty strings."
    if not all(text_key(v) for v in value):
        return [], STORABLE
    if len(value) > MAX_LIST or any(len(v) > MAX_ITEM for v in value):
        return [], f"At most {MAX_LIST} {what} of at most {MAX_ITEM} characters each."
    return [v.strip() for v in value], None


def validate_entry(entry: Any, *, partial: bool = False) -> tuple[dict[str, Any], dict[str, str]]:
    """Check one registry entry; return (clean fields, {field: what is wrong}).

    With ``partial`` (an update) only the fields present are checked and returned.
    """
    if not isinstance(entry, dict):
        return {}, {"_entry": "Each resource must be a mapping of fields (id, name, url, ...)."}
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key in sorted(set(entry) - set(ENTRY_FIELDS)):
        errors[key] = f"Unknown field; the fields are {', '.join(ENTRY_FIELDS)}."
    if "id" in entry or not partial:
        value = entry.get("id")
        if value is None and not partial and isinstance(entry.get("name"), str):
            value = slugify(entry["name"])  # an id may be left to the name
        problem = slug_problem(value)
        if problem:
            errors["id"] = problem
        else:
            clean["id"] = value
    if "name" in entry or not partial:
        value = entry.get("name")
        if not isinstance(value, str) or not value.strip():
            errors["name"] = "Give the resource's name, e.g. 'Mind'."
        elif len(value) > MAX_NAME:
            errors["name"] = f"At most {MAX_NAME} characters."
        elif not text_key(value):
            errors["name"] = STORABLE
        else:
            clean["name"] = value.strip()
    for key in ("url", "logo_url"):
        if key in entry or (key == "url" and not partial):
            value = entry.get(key)
            if key == "logo_url" and value in (None, ""):
                clean[key] = None
                continue
            problem = url_problem(value)
            if problem:
                errors[key] = problem
            else:
                clean[key] = value.strip()
    if "description" in entry or not partial:
        value = entry.get("description") or ""
        if not isinstance(value, str):
            errors["description"] = "Give the description as text."
        elif len(value) > MAX_DESCRIPTION:
            errors["description"] = f"At most {MAX_DESCRIPTION} characters."
        elif not text_key(value):
            errors["description"] = STORABLE
        else:
            clean["description"] = " ".join(value.split())
    for key, what in (("tags", "tags"), ("expect", "expected phrases")):
        if key in entry or not partial:
            value, problem = _string_list(entry.get(key), what)
            if problem:
                errors[key] = problem
            else:
                clean[key] = value
    if "active" in entry or not partial:
        value = entry.get("active", True)
        if not isinstance(value, bool):
            errors["active"] = "Give true or false."
        else:
            clean["active"] = value
    return clean, errors


def _yaml_problem(source: str, exc: yaml.YAMLError) -> str:
    """Where and what, in the file's terms: PyYAML's own text names "<unicode string>"."""
    mark = getattr(exc, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    what = " ".join(str(part) for part in (getattr(exc, "context", None),
                                           getattr(exc, "problem", None)) if part)
    return f"{source} is not valid YAML{where}: {what or exc}."


def parse_registry(text: str, source: str = "the registry file",
                   refuse: Callable[[dict[str, Any]], dict[str, str]] | None = None
                   ) -> list[dict[str, Any]]:
    """Parse and validate a registry YAML document; raise RegistryError listing every problem.

    ``refuse`` adds the caller's own rules for a clean entry ({field: why}; the importer's are the
    checker's address rules), so one run lists every problem of the file."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RegistryError(_yaml_problem(source, exc)) from None
    if isinstance(data, dict) and "resources" in data:
        data = data["resources"]
    if not isinstance(data, list):
        raise RegistryError(f"{source} must hold a list under 'resources:' "
                            "(see registry.yaml in the repository for the format).")
    entries, problems, seen = [], [], {}
    for number, entry in enumerate(data, 1):
        clean, errors = validate_entry(entry)
        if refuse is not None:
            errors.update({field: why for field, why in refuse(clean).items() if field not in errors})
        label = f"entry {number}" + (f" ({entry.get('id') or entry.get('name')})"
                                     if isinstance(entry, dict) else "")
        problems += [f"{label}: {field}: {message}" for field, message in errors.items()]
        if "id" in clean:
            if clean["id"] in seen:
                problems.append(f"{label}: id: '{clean['id']}' is also used by entry "
                                f"{seen[clean['id']]}; ids must be unique.")
            seen.setdefault(clean["id"], number)
        entries.append(clean)
    if problems:
        raise RegistryError(f"{source} has {len(problems)} problem(s); nothing was imported.",
                            problems)
    return entries


def dump_registry(entries: Iterable[dict[str, Any]]) -> str:
    """The registry YAML document for ``entries`` (the import format, fields in a fixed order)."""
    resources = []
    for entry in entries:
        item = {key: entry[key] for key in ENTRY_FIELDS if key in entry}
        if not item.get("logo_url"):
            item.pop("logo_url", None)
        if item.get("active", True):
            item.pop("active", None)  # true is the default
        resources.append(item)
    header = "# refsvc resource registry: `flask --app wsgi registry import FILE` loads it.\n"
    return header + yaml.safe_dump({"resources": resources}, sort_keys=False, allow_unicode=True,
                                   width=100)


def diff_entries(current: dict[str, dict[str, Any]], entries: list[dict[str, Any]],
                 prune: bool = False) -> list[tuple[str, str, list[tuple[str, Any, Any]]]]:
    """What importing ``entries`` over ``current`` (id -> entry) would do, field by field:
    a list of (action, id, [(field, old, new), ...]) with action create, update or delete."""
    changes: list[tuple[str, str, list[tuple[str, Any, Any]]]] = []
    for entry in entries:
        old = current.get(entry["id"])
        if old is None:
            changes.append(("create", entry["id"], [(k, None, entry[k]) for k in ENTRY_FIELDS
                                                    if k in _plain(entry) and k != "id"]))
            continue
        fields = [(k, old.get(k), entry[k]) for k in ENTRY_FIELDS
                  if k in entry and k != "id" and old.get(k) != entry[k]]
        if fields:
            changes.append(("update", entry["id"], fields))
    if prune:
        listed = {entry["id"] for entry in entries}
        changes += [("delete", rid, []) for rid in sorted(current) if rid not in listed]
    return changes


def describe_diff(changes: list[tuple[str, str, list[tuple[str, Any, Any]]]],
                  current: dict[str, dict[str, Any]]) -> str:
    """The diff as lines for a terminal: + created, ~ updated (old -> new per field), - deleted."""
    def show(value: Any) -> str:
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, list):
            text = "[" + ", ".join(str(v) for v in value) + "]"
        elif value is None:
            text = "(none)"
        else:
            text = f'"{value}"'
        return text if len(text) <= 80 else text[:77] + "..."
    lines = []
    for action, rid, fields in changes:
        if action == "create":
            lines.append(f"+ {rid}: new resource")
            lines += [f"    {name}: {show(new)}" for name, _, new in fields]
        elif action == "update":
            lines.append(f"~ {rid}:")
            for name, old, new in fields:
                if isinstance(old, str) and isinstance(new, str) and max(len(old), len(new)) > 76:
                    lines += _long_change(name, old, new)  # cut at 77, both sides would look the same
                else:
                    lines.append(f"    {name}: {show(old)} -> {show(new)}")
        else:
            lines.append(f"- {rid}: delete ({current[rid].get('name', '')})")
    return "\n".join(lines)


def _long_change(name: str, old: str, new: str, before: int = 30, after: int = 40) -> list[str]:
    """A long text's change as two lines around where it differs: the first difference with
    ``before`` characters ahead of it, and each side's differing part with up to ``after`` more."""
    same = 0
    while same < min(len(old), len(new)) and old[same] == new[same]:
        same += 1
    tail = 0  # common ending, never overlapping the common start
    while tail < min(len(old), len(new)) - same and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    start = max(0, same - before)

    def around(text: str) -> str:
        end = min(len(text), len(text) - tail + after, start + before + after + 20)
        return ("..." if start else "") + text[start:end] + ("..." if end < len(text) else "")
    return [f"    {name}: changed from character {same + 1}:",
            f'      - "{around(old)}"', f'      + "{around(new)}"']


def _plain(entry: dict[str, Any]) -> dict[str, Any]:
    item = {key: entry[key] for key in ENTRY_FIELDS if key in entry}
    if not item.get("logo_url"):
        item.pop("logo_url", None)
    if item.get("active", True):
        item.pop("active", None)
    for key in ("description", "tags", "expect"):
        if not item.get(key):
            item.pop(key, None)  # empty is the default
    return item


def update_document(text: str, entries: list[dict[str, Any]]) -> str:
    """The registry file ``text`` brought up to ``entries``, keeping its comments, its order and its
    layout: changed values replaced in place, new resources appended, removed ones dropped."""
    from io import StringIO

    from ruamel.yaml import YAML

    yaml_rt = YAML()  # round-trip: comments, key order and flow style survive
    yaml_rt.width = 98
    yaml_rt.indent(mapping=2, sequence=2, offset=0)
    document = yaml_rt.load(text) if text.strip() else None
    if document is None:
        document = {"resources": []}
    items = document["resources"] if isinstance(document, dict) and "resources" in document else document
    if not isinstance(items, list):
        raise RegistryError("The file holds no list under 'resources:'; it is not a registry file.")
    wanted = {entry["id"]: _plain(entry) for entry in entries}
    for index in reversed(range(len(items))):  # from the end, so comments stay with their items
        item = items[index]
        rid = item.get("id") if isinstance(item, dict) else None
        if rid not in wanted:
            del items[index]  # removed from the registry
            continue
        fresh = wanted.pop(rid)
        for key in [k for k in item if k in ENTRY_FIELDS and k != "id" and k not in fresh]:
            del item[key]
        for key, value in fresh.items():
            if item.get(key) != value:
                item[key] = value
    for entry in entries:  # new resources at the end, in the registry's order
        if entry["id"] in wanted:
            items.append(wanted[entry["id"]])
    out = StringIO()
    yaml_rt.dump(document, out)
    # ruamel leaves a space where it folds a long plain value: meaningless there, noise in a diff
    return re.sub(r"[ \t]+\n", "\n", out.getvalue())
