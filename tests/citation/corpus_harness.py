"""The corpus harness: citeproc-js fixtures, refsvc's output for the same cases, and the known-mismatch list."""
from __future__ import annotations

import copy
import difflib
import functools
import hashlib
import importlib
import json
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Union

CORPUS_DIR = Path(__file__).resolve().parents[1] / "corpus"
FIXTURES_DIR = CORPUS_DIR / "fixtures"
KNOWN_FILE = CORPUS_DIR / "known_mismatches.txt"
STYLES = ("apa", "modern-language-association", "chicago-notes-bibliography", "chicago-author-date")
LOCALES = ("en-US", "en-GB")
FORMATS = ("text", "html")
REGENERATE = "cd tools/citeproc-js && npm ci && node render.js"
UPDATE_KNOWN = "python -m tests.citation.test_corpus --update-known"

Value = Union[str, list]


@dataclass(frozen=True)
class Case:
    """One compared output: a form of one item, or one multi-item case, in one style, locale and format."""

    id: str
    style: str
    locale: str
    fmt: str
    form: str  # bibliography, in_text, narrative, note, short_note, or "case" for a multi-item case
    subject: str  # the item id, or the multi-item case id
    expected: Value


def sha256_file(path: Path) -> str:
    """The sha256 of a file's bytes, as render.js records it."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def use_corpus(directory: Path) -> None:
    """Reads items, cases and fixtures from another corpus folder (the held-out check uses this)."""
    global CORPUS_DIR, FIXTURES_DIR
    CORPUS_DIR, FIXTURES_DIR = Path(directory), Path(directory) / "fixtures"
    for cached in (load_items, load_multi_cases, load_fixture, all_cases, rendered_item):
        cached.cache_clear()


@functools.lru_cache(maxsize=None)
def load_items() -> dict[str, dict]:
    """The corpus items by id, in file order."""
    items = json.loads((CORPUS_DIR / "items.json").read_text(encoding="utf-8"))
    return {item["id"]: item for item in items}


@functools.lru_cache(maxsize=None)
def load_multi_cases() -> dict[str, dict]:
    """The multi-item cases (cases.json) by id."""
    cases = json.loads((CORPUS_DIR / "cases.json").read_text(encoding="utf-8"))
    return {case["id"]: case for case in cases}


@functools.lru_cache(maxsize=None)
def load_fixture(style: str, locale: str) -> dict:
    """The citeproc-js fixture of one style and locale."""
    path = FIXTURES_DIR / f"{style}.{locale}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def case_id(style: str, locale: str, fmt: str, form: str, subject: str) -> str:
    """The name of a case: style-locale-format-form-subject."""
    return f"{style}-{locale}-{fmt}-{form}-{subject}"


@functools.lru_cache(maxsize=None)
def all_cases() -> tuple[Case, ...]:
    """Every case the fixtures hold, in a stable order (style, locale, item, form, format)."""
    out: list[Case] = []
    for style in STYLES:
        for locale in LOCALES:
            fixture = load_fixture(style, locale)
            for item_id, forms in fixture["items"].items():
                for form, by_fmt in forms.items():
                    for fmt in FORMATS:
                        out.append(Case(case_id(style, locale, fmt, form, item_id), style, locale,
                                        fmt, form, item_id, by_fmt[fmt]))
            for multi_id, rendered in fixture["cases"].items():
                for fmt in FORMATS:
                    out.append(Case(case_id(style, locale, fmt, "case", multi_id), style, locale,
                                    fmt, "case", multi_id, rendered[fmt]))
    return tuple(out)


class EngineMissing(Exception):
    """refsvc.citation does not offer the public interface yet."""


_engine_module = ["refsvc.citation"]


def use_engine(module_name: str) -> None:
    """Compares another module with the same interface (e.g. the citeproc-py baseline) instead."""
    _engine_module[0] = module_name
    engine.cache_clear()
    rendered_item.cache_clear()


@functools.lru_cache(maxsize=None)
def engine() -> ModuleType:
    """refsvc.citation (or the module given to use_engine), once it exports the engine interface."""
    # A module that fails to import is a bug to show, so only a missing name counts as "not built yet".
    name = _engine_module[0]
    module = importlib.import_module(name)
    missing = [attr for attr in ("cite_item", "bibliography", "citation") if not hasattr(module, attr)]
    if missing:
        raise EngineMissing(f"{name} does not export {', '.join(missing)} yet")
    return module


@functools.lru_cache(maxsize=None)
def rendered_item(style: str, locale: str, item_id: str) -> dict[str, Any]:
    """refsvc's cite_item() output for one corpus item (text and html), computed once."""
    item = copy.deepcopy(load_items()[item_id])
    return engine().cite_item(item, style, locale=locale, formats=FORMATS)


def rendered_multi(style: str, locale: str, fmt: str, multi_id: str) -> Value:
    """refsvc's output for one multi-item case."""
    kase = load_multi_cases()[multi_id]
    items = [copy.deepcopy(load_items()[i]) for i in kase["items"]]
    if kase["kind"] == "bibliography":
        return list(engine().bibliography(items, style, locale=locale, fmt=fmt))
    return engine().citation(items, copy.deepcopy(kase["cites"]), style, locale=locale, fmt=fmt)


def actual(case: Case) -> Value:
    """What refsvc renders for a case; raises whatever the engine raises."""
    if case.form == "case":
        return rendered_multi(case.style, case.locale, case.fmt, case.subject)
    return rendered_item(case.style, case.locale, case.subject)[case.form][case.fmt]


def outcome(case: Case) -> tuple[bool, str]:
    """(matches, short explanation) for a case; an exception counts as a mismatch."""
    try:
        got = actual(case)
    except EngineMissing:
        raise
    except Exception as exc:  # the engine's failure is the finding, so it is reported, not raised
        return False, f"raised {type(exc).__name__}: {exc}"
    if got == case.expected:
        return True, ""
    return False, describe_difference(case.expected, got)


def describe_difference(expected: Value, got: Any) -> str:
    """A one-line account of where two outputs part."""
    if isinstance(expected, list) or isinstance(got, list):
        exp = expected if isinstance(expected, list) else [expected]
        act = got if isinstance(got, list) else [got]
        for index, (e, a) in enumerate(zip(exp, act)):
            if e != a:
                return f"entry {index}: {describe_difference(e, a)}"
        return f"{len(exp)} entries expected, {len(act)} given"
    if not isinstance(got, str):
        return f"expected a string, got {type(got).__name__}: {got!r:.80}"
    start = next((i for i, (a, b) in enumerate(zip(expected, got)) if a != b), min(len(expected), len(got)))
    lo = max(0, start - 20)
    return f"at {start}: expected {expected[lo:start + 30]!r}, got {got[lo:start + 30]!r}"


def full_diff(expected: Value, got: Any) -> str:
    """A readable multi-line diff for a failing test."""
    exp = expected if isinstance(expected, list) else [expected]
    act = got if isinstance(got, list) else [got]
    lines = difflib.unified_diff([str(x) for x in exp], [str(x) for x in act], "citeproc-js", "refsvc",
                                 lineterm="", n=0)
    return f"expected: {expected!r}\n     got: {got!r}\n" + "\n".join(lines)


def read_known(path: Path = KNOWN_FILE) -> dict[str, str]:
    """The known mismatches: case id -> reason (one per line: id, whitespace, reason; # starts a comment)."""
    known: dict[str, str] = {}
    if not path.exists():
        return known
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cid, _, reason = line.strip().partition(" ")
        known[cid] = reason.strip() or "no reason given"
    return known


HEADER = """\
# Cases where refsvc's engine differs from citeproc-js (tests/citation/test_corpus.py).
# One per line: <case id> <reason>. Case id = style-locale-format-form-item (form "case" = cases.json).
# Strict: a listed case that now matches fails the run, and so does an unlisted mismatch.
# Regenerate with `{cmd}` (keeps the reasons of cases still failing; new ones get TODO + the difference).
"""


def write_known(results: dict[str, tuple[bool, str]], old: dict[str, str], path: Path = KNOWN_FILE) -> int:
    """Writes the list of current mismatches, keeping existing reasons; returns how many were written."""
    lines = [HEADER.format(cmd=UPDATE_KNOWN)]
    count = 0
    for cid, (ok, why) in results.items():
        if ok:
            continue
        reason = old.get(cid) or f"TODO: {why}"
        lines.append(f"{cid} {' '.join(reason.split())}\n")
        count += 1
    path.write_text("".join(lines), encoding="utf-8")
    return count


def run_all() -> dict[str, tuple[bool, str]]:
    """The outcome of every case, by case id."""
    return {case.id: outcome(case) for case in all_cases()}
