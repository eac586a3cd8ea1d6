"""The shape of a CSL-JSON item sent to the API, checked at the edge so that each problem is named.

The engine refuses what it cannot render (``InvalidItem``); this check comes first and says exactly
which field is wrong ("author.0.given: must be text"), as a 422 should.
"""
from __future__ import annotations

from typing import Any

from refsvc.citation.variables import DATE_VARS, NAME_VARS

NAME_PARTS = ("family", "given", "suffix", "non-dropping-particle", "dropping-particle", "literal")
# Variables that sources send as lists of strings (Crossref's ISSN, ISBN) or free structures.
LIST_VARS = {"ISSN", "ISBN", "categories", "keyword", "custom"}
SCALARS = (str, int, float)


def _name_problems(key: str, value: Any) -> dict[str, list[str]]:
    if not isinstance(value, list):
        return {key: ["must be a list of names ({family, given} or {literal})"]}
    problems: dict[str, list[str]] = {}
    for index, name in enumerate(value):
        where = f"{key}.{index}"
        if not isinstance(name, dict):
            problems[where] = ["must be an object: {family, given} or {literal}"]
            continue
        for part in NAME_PARTS:
            if part in name and not isinstance(name[part], str):
                problems[f"{where}.{part}"] = ["must be text"]
    return problems


def _date_problems(key: str, value: Any) -> dict[str, list[str]]:
    if isinstance(value, (str, int)):
        return {}  # "2020-05-01" or a bare year: the engine parses both
    if not isinstance(value, dict):
        return {key: ['must be a date: {"date-parts": [[2020, 5, 1]]} or {"raw": "2020-05-01"}']}
    parts = value.get("date-parts")
    if parts is not None and not (isinstance(parts, list) and all(
            isinstance(p, list) and all(isinstance(x, SCALARS) for x in p) for p in parts)):
        return {f"{key}.date-parts": ["must be a list of [year, month, day] lists"]}
    return {}


def item_problems(item: dict[str, Any]) -> dict[str, list[str]]:
    """Each field of a CSL-JSON item that has the wrong shape, with what it should be."""
    problems: dict[str, list[str]] = {}
    if not isinstance(item.get("type"), str):
        problems["type"] = ['must be a CSL type, e.g. "webpage"']
    for key, value in item.items():
        if value is None or key == "type":
            continue
        if key in NAME_VARS:
            problems.update(_name_problems(key, value))
        elif key in DATE_VARS:
            problems.update(_date_problems(key, value))
        elif key in LIST_VARS and isinstance(value, list):
            continue
        elif not isinstance(value, SCALARS) or isinstance(value, bool) and key != "id":
            problems[key] = ["must be text or a number"]
    return problems
